"""Booking an instructor-led session in a real browser (issue 16), on the demo's
Agile foundations session at the Birmingham hub, which has one place left:

- Sam, on a phone (375px), books the last place by keyboard alone, asking for a
  reasonable adjustment;
- Jordan, on a desktop (1280px), finds the session full and joins the waiting list;
- Sam cancels, giving a reason;
- the Celery worker gives the freed place to Jordan, whose page then says so.

axe checks the session page in each state."""

import time

import pytest

from tests.e2e import keyboard as kb
from tests.e2e.conftest import assert_no_sideways_scroll, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

FIRST, SECOND = "learner@example.gov.uk", "manager@example.gov.uk"
VENUE = "Birmingham Government Hub"


def _session_url(page) -> str:
    """The demo session at the Birmingham hub, from the course page's list."""
    page.goto("/courses/agile-foundations/")
    card = page.locator(".govuk-summary-card", has_text=VENUE)
    assert "1 of 12 places left" in card.inner_text()
    return card.locator("a").first.get_attribute("href")


def _status(page) -> str:
    return page.locator("#booking-status").inner_text()


def _wait_for_place(page, timeout: float = 60) -> None:
    """Reload until the page says the person has a place (the worker promotes them)."""
    deadline = time.monotonic() + timeout
    while "You have a place on this session." not in _status(page):
        assert time.monotonic() < deadline, f"still: {_status(page)}"
        page.reload()


@pytest.fixture
def phone(browser, academy):
    context = browser.new_context(base_url=academy["base"], bypass_csp=True,
                                  viewport={"width": 375, "height": 800})
    yield context.new_page()
    context.close()


def test_the_last_place_the_waiting_list_and_a_promotion_after_a_cancellation(page, phone):
    # Sam, on a phone, books the last place by keyboard.
    sign_in(phone, FIRST)
    url = _session_url(phone)
    phone.goto(url)
    assert "Book a place" in phone.locator("h2.govuk-heading-m").inner_text()
    assert "Step-free access" in phone.locator("main").inner_text()
    assert_no_sideways_scroll(phone)
    assert axe_violations(phone) == []
    kb.type_into(phone, "#id_adjustments", "A seat near the front, please: I lip-read.")
    kb.activate(phone, "form[action$='/book/'] button[type=submit]")
    assert "You have a place on this session." in phone.locator(
        ".govuk-notification-banner").inner_text()
    assert "Booked" in _status(phone)
    assert "I lip-read" in phone.locator("main").inner_text()
    assert_no_sideways_scroll(phone)
    screenshot(phone, "session-booked-375")
    assert axe_violations(phone) == []

    # Jordan, on a desktop, finds it full and joins the waiting list.
    sign_in(page, SECOND)
    page.goto(url)
    assert "join the waiting list" in page.locator("#places-left").inner_text()
    page.get_by_role("button", name="Join the waiting list").click()
    page.wait_for_load_state()
    assert "You are 1st on the waiting list" in _status(page)
    assert axe_violations(page) == []

    # Sam cancels, with a reason; a reason left out is asked for first.
    phone.get_by_role("link", name="Cancel your place").click()
    phone.wait_for_load_state()
    phone.get_by_role("button", name="Cancel your place").click()
    phone.wait_for_load_state()
    assert "Enter a reason for cancelling" in phone.locator(".govuk-error-summary").inner_text()
    assert_no_sideways_scroll(phone)
    assert axe_violations(phone) == []
    phone.fill("#id_reason", "My team has a release that day.")
    phone.get_by_role("button", name="Cancel your place").click()
    phone.wait_for_load_state()
    assert "Your place has been cancelled." in phone.locator(
        ".govuk-notification-banner").inner_text()
    assert phone.locator("#booking-status").count() == 0

    # The worker promotes Jordan.
    _wait_for_place(page)
    assert "Booked" in _status(page)
    screenshot(page, "session-promoted-1280")
    assert axe_violations(page) == []
