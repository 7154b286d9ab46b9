""""Have you used it at work?" in a real browser on a phone (375px) (issue 16): the demo
learner completed a course 30 days ago and the daily task has asked them. My learning
shows the question as a card; by keyboard alone they open it, send it with no choice
(the error summary and the inline error say what to do), then choose "Yes", say how,
and save; the card is gone. No sideways scrolling; axe finds nothing, in every state."""

import re

import pytest

from tests.e2e import keyboard as kb
from tests.e2e.conftest import (
    academy_shell,
    assert_no_sideways_scroll,
    axe_violations,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LEARNER = "learner@example.gov.uk"
HOW = "I wrote user stories with my team for our new booking form."

SETUP = f'''
from datetime import timedelta
from django.utils import timezone
from courses.models import CoursePage
from learners.models import Enrolment, FollowUp, User
from learners.services.followups import followups_send

learner = User.objects.get(email="{LEARNER}")
course = (CoursePage.objects.live().exclude(enrolments__user=learner).exclude(followup_points=[])
          .order_by("title").first())
enrolment = Enrolment.objects.create(user=learner, course=course, progress_percent=100,
                                     completed_at=timezone.now() - timedelta(days=30))
followups_send()
question = FollowUp.objects.get(enrolment=enrolment, point_days=30, sent_at__isnull=False)
print("FOLLOWUP id=%s" % question.pk)
'''


@pytest.fixture
def question(academy) -> str:
    """The id of the demo learner's 30-day question, sent by the daily task's service."""
    made = academy_shell(academy, SETUP)
    return re.search(r"FOLLOWUP id=(\d+)", made).group(1)


def test_a_learner_answers_the_question_from_my_learning_by_keyboard_on_a_phone(
        page, question):
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, LEARNER)
    page.goto("/my-learning/")
    answer_link = f"a[href='/my-learning/follow-ups/{question}/']"
    assert page.get_by_role("heading", name="Have you used it at work?").is_visible()
    assert page.locator(answer_link).is_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "followup-my-learning-375")
    assert axe_violations(page) == []

    kb.activate(page, answer_link)
    assert page.locator("h1").inner_text() == "Have you used this at work?"
    assert axe_violations(page) == []

    kb.activate(page, "form button[type=submit]")  # no choice made
    summary = page.locator(".govuk-error-summary")
    assert "Select whether you have used this at work" in summary.inner_text()
    assert page.locator("#answer-error").is_visible()
    assert page.title().startswith("Error: ")
    assert_no_sideways_scroll(page)
    screenshot(page, "followup-error-375")
    assert axe_violations(page) == []

    kb.tab_to(page, "#id_answer_0")
    page.keyboard.press("Space")
    assert page.is_checked("#id_answer_0")
    kb.type_into(page, "#id_how", HOW)
    kb.activate(page, "form button[type=submit]")

    assert page.url.endswith("/my-learning/")
    assert "Your answer about" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator(answer_link).count() == 0
    assert_no_sideways_scroll(page)
    assert axe_violations(page) == []
