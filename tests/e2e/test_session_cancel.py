"""A trainer cancels a whole session in the admin, in a real browser (issue 16): the demo
trainer's session next week with one person booked and one waiting. Sending no reason
says what to enter and cancels nothing; with a reason, the page says the session is
cancelled, the Celery worker emails both people (the calendar cancellation to the one
with a place), and axe finds nothing at 1280px and 375px."""

import re

import pytest

from tests.celery_worker import wait_for
from tests.e2e.conftest import (
    academy_shell,
    assert_no_sideways_scroll,
    axe_violations,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TRAINER = "trainer@example.gov.uk"
REASON = "The trainer is unwell. The next session is on 14 June."

SETUP = '''
from datetime import timedelta
from django.utils import timezone
from courses.models import CoursePage
from learners.models import Booking, BookingStatus, TrainingSession, User

trainer = User.objects.get(email="trainer@example.gov.uk")
course = CoursePage.objects.live().filter(trainers=trainer).order_by("path").first()
starts = timezone.now().replace(microsecond=0) + timedelta(days=5)
session = TrainingSession.objects.create(
    course=course, trainer=trainer, capacity=1, venue_name="Room 2.03, Cancelsby House",
    venue_address="1 Cancel Street, Leeds LS1 4AP", starts_at=starts,
    ends_at=starts + timedelta(hours=3))
people = {}
for first, status in (("Placed", BookingStatus.BOOKED), ("Queued", BookingStatus.WAITING)):
    person = User.objects.create_user(
        email=f"{first.lower()}.cancelsby@example.gov.uk", password=None, first_name=first,
        last_name="Cancelsby")
    Booking.objects.create(session=session, user=person, status=status,
                           booked_at=timezone.now() if status == BookingStatus.BOOKED else None)
print("CANCEL session=%s" % session.pk)
'''


@pytest.fixture
def session_id(academy):
    made = academy_shell(academy, SETUP)
    return re.search(r"CANCEL session=(\d+)", made).group(1)


def checked(page, name):
    """axe finds nothing at 1280px, and at 375px nothing scrolls sideways and axe still
    finds nothing."""
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    assert_no_sideways_scroll(page)
    assert axe_violations(page) == []
    screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_trainer_cancels_a_session_with_a_reason_and_everyone_is_told(page, academy,
                                                                       session_id):
    sign_in(page, TRAINER)
    page.goto(f"/admin/session-cancel/{session_id}/")
    main = page.locator("main")
    assert "1 with a place, 1 on the waiting list" in main.inner_text()
    assert "Room 2.03, Cancelsby House, 1 Cancel Street, Leeds LS1 4AP" in main.inner_text()
    checked(page, "session-cancel")

    page.get_by_role("button", name="Cancel the session").click()
    page.wait_for_load_state()
    problem = page.get_by_role("alert")
    assert "Enter why the session is cancelled" in problem.inner_text()
    checked(page, "session-cancel-no-reason")

    assert problem.get_by_role("link").get_attribute("href") == "#id_reason"
    page.get_by_label("Why is the session cancelled?").fill(REASON)
    page.get_by_role("button", name="Cancel the session").focus()
    with page.expect_navigation():  # Enter on a button: wait for the page it posts to
        page.keyboard.press("Enter")
    assert "This session is cancelled." in main.inner_text()
    assert f"Reason: {REASON}" in main.inner_text()
    assert page.get_by_role("button", name="Cancel the session").count() == 0
    checked(page, "session-cancelled")

    def both_told():
        """both people's emails in the worker's mail folder"""
        messages = [m for p in academy["mail"].iterdir()
                    for m in p.read_text().split("-" * 79) if "Cancelsby" in m]
        to = {re.search(r"^To: (\S+)", m, re.M).group(1): m for m in messages}
        return to if len(to) == 2 else None

    told = wait_for(both_told)
    cancel = 'Content-Type: text/calendar; charset="utf-8"; method="CANCEL"'
    assert cancel in told["placed.cancelsby@example.gov.uk"]
    assert cancel not in told["queued.cancelsby@example.gov.uk"]
    assert "were on the waiting list for is cancelled" in told["queued.cancelsby@example.gov.uk"]
