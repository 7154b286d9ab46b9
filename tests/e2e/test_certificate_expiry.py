"""Certificates that must be renewed (issue 17), in a real browser on a phone (375px), by
keyboard alone: a learner's certificate for a course valid for 12 months ran out
yesterday. My learning says so and offers "Renew"; its verify page says expired, not
revoked; on the course page the learner starts the course again to renew, and is on its
next cycle. No sideways scrolling; axe finds nothing."""

import re
from datetime import date, timedelta

import pytest

from tests.e2e import keyboard as kb
from tests.e2e.conftest import (
    PASSWORD,
    academy_shell,
    assert_no_sideways_scroll,
    axe_violations,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# A learner of this test's own, on no course yet: earlier browser tests enrol the demo
# learner on whatever course the demo leaves them off.
LEARNER = "rene.renewal@example.gov.uk"

SETUP = f'''
from django.utils import timezone
from courses.models import CoursePage
from learners.models import Enrolment, User
from learners.services.certificates import certificate_issue

learner = User.objects.create_user(
    email="{LEARNER}", password="{PASSWORD}", first_name="Rene", last_name="Renewal")
course = CoursePage.objects.live().order_by("title").first()
CoursePage.objects.filter(pk=course.pk).update(certificate_valid_months=12)
# Completed a year ago today (UK dates): valid until yesterday.
completed = timezone.localdate()
completed = completed.replace(year=completed.year - 1)
at = timezone.make_aware(timezone.datetime.combine(completed, timezone.datetime.min.time()))
enrolment = Enrolment.objects.create(user=learner, course=course, progress_percent=100,
                                     completed_at=at.replace(hour=12))
certificate = certificate_issue(enrolment_id=enrolment.pk)
print("COURSE title=%s url=%s code=%s until=%s today=%s" % (
    course.title.replace(" ", "_"), course.url, certificate.code,
    certificate.expires_on.isoformat(), timezone.localdate().isoformat()))
'''


@pytest.fixture
def expired(academy) -> dict:
    """The demo learner's certificate that ran out yesterday, and its course."""
    made = academy_shell(academy, SETUP)
    title, url, code, until, today = re.search(
        r"COURSE title=(\S+) url=(\S+) code=(\S+) until=(\S+) today=(\S+)", made).groups()
    return {"title": title.replace("_", " "), "url": url, "code": code,
            "until": date.fromisoformat(until), "today": date.fromisoformat(today)}


def test_a_learner_sees_an_expired_certificate_and_renews_it_by_keyboard_on_a_phone(
        page, expired):
    assert expired["until"] == expired["today"] - timedelta(days=1)
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, LEARNER)

    page.goto("/my-learning/")
    card = page.locator(".govuk-summary-card", has_text=expired["title"])
    assert "Expired" in card.inner_text()
    assert "Was valid until" in card.inner_text()
    assert_no_sideways_scroll(page)
    screenshot(page, "certificate-expired-my-learning-375")
    assert axe_violations(page) == []

    page.goto(f"/certificates/verify/{expired['code']}/")
    assert page.locator("h1").inner_text() == "This certificate has expired"
    status = page.locator(".govuk-summary-list__row", has_text="Status").first
    assert status.locator(".govuk-tag").inner_text() == "Expired"
    assert_no_sideways_scroll(page)
    screenshot(page, "certificate-expired-verify-375")
    assert axe_violations(page) == []

    page.goto("/my-learning/")
    renew_link = (".govuk-summary-card__action + .govuk-summary-card__action "
                  f"a[href='{expired['url']}']")  # beside "Download certificate"
    assert page.locator(renew_link).inner_text().startswith("Renew")
    kb.activate(page, renew_link)
    page.wait_for_url(f"**{expired['url']}")
    renew = "#renew-certificate"
    assert page.locator(renew).inner_text() == "Start the course again to renew your certificate"
    assert_no_sideways_scroll(page)
    assert axe_violations(page) == []
    kb.activate(page, renew)
    page.wait_for_load_state()
    assert page.locator(renew).count() == 0
    assert page.get_by_text("Start the course", exact=True).is_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "certificate-renewing-course-375")
    assert axe_violations(page) == []
