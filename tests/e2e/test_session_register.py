"""A trainer takes the register of their session in a real browser, on a phone (375px)
(issue 16): the demo trainer's session today, with three people booked, one with a
reasonable adjustment. Saving with no one marked says who to mark; then by keyboard
(Tab, Space, arrows, Enter) and by mouse they mark two attended and one not, save, and
see the banner. No sideways scrolling; axe finds nothing, in every state."""

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

TRAINER = "trainer@example.gov.uk"
ADJUSTMENT = "British Sign Language interpreter booked for the day"

SETUP = f'''
from datetime import timedelta
from django.utils import timezone
from courses.models import CoursePage
from learners.models import Booking, BookingStatus, Organisation, TrainingSession, User

trainer = User.objects.get(email="{TRAINER}")
course = CoursePage.objects.live().filter(trainers=trainer).order_by("path").first()
now = timezone.now()
session = TrainingSession.objects.create(
    course=course, trainer=trainer, capacity=12, venue_name="Room 4.12, Petty France",
    starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=2))
organisation = Organisation.objects.order_by("path").last()
people = []
for first, last, adjustments in (("Aisha", "Registerton", "{ADJUSTMENT}"),
                                 ("Brendan", "Registerly", ""),
                                 ("Chidi", "Registerfield", "")):
    person = User.objects.create_user(
        email=f"{{first}}.{{last}}@register.example.gov.uk".lower(), password=None,
        first_name=first, last_name=last, organisation=organisation)
    people.append(Booking.objects.create(session=session, user=person, adjustments=adjustments,
                                         status=BookingStatus.BOOKED, booked_at=now))
print("REGISTER session=%s" % session.pk + "".join(" b%d=%s" % (n, b.pk)
                                                   for n, b in enumerate(people)))
'''


@pytest.fixture
def register(academy):
    """The session made for this test: its id and its bookings' ids, in name order."""
    made = academy_shell(academy, SETUP)
    return dict(re.findall(r"(\w+)=(\d+)", made.split("REGISTER", 1)[1]))


@pytest.fixture
def phone(browser, academy):
    context = browser.new_context(base_url=academy["base"], bypass_csp=True,
                                  viewport={"width": 375, "height": 800})
    yield context.new_page()
    context.close()


def test_a_trainer_takes_the_register_on_a_phone_by_keyboard_and_mouse(phone, register):
    session, aisha, brendan, chidi = (register[k] for k in ("session", "b0", "b1", "b2"))
    sign_in(phone, TRAINER)
    phone.goto("/trainer/")
    sessions = phone.locator("h2:has-text('Your sessions') + ul")
    href = f"a[href$='/trainer/sessions/{session}/register/']"
    link = sessions.locator(href)
    assert "3 of 12 places taken" in sessions.locator(
        "li", has=phone.locator(href)).inner_text()
    assert_no_sideways_scroll(phone)
    link.click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "Register"
    legends = phone.locator("form legend").all_inner_texts()
    assert legends == ["Chidi Registerfield", "Brendan Registerly", "Aisha Registerton"]
    assert ADJUSTMENT in phone.locator("main").inner_text()
    assert_no_sideways_scroll(phone)
    screenshot(phone, "session-register-375")
    assert axe_violations(phone) == []

    # Saving with no one marked: the page says who, and nothing is saved.
    kb.activate(phone, "form button[type=submit]")
    summary = phone.locator(".govuk-error-summary").inner_text()
    assert "Select whether Aisha Registerton attended" in summary
    assert phone.locator(".govuk-error-message").count() == 3
    assert phone.title().startswith("Error:")
    assert_no_sideways_scroll(phone)
    assert axe_violations(phone) == []

    # Brendan attended (Space on the first radio), Chidi did not (the arrow moves the
    # choice), by keyboard; Aisha attended, by mouse.
    kb.tab_to(phone, f"#booking-{brendan}")
    phone.keyboard.press("Space")
    kb.tab_to(phone, f"#booking-{chidi}")
    phone.keyboard.press("ArrowRight")
    assert phone.is_checked(f"#booking-{chidi}-absent")
    phone.click(f"label[for='booking-{aisha}']")
    assert phone.is_checked(f"#booking-{brendan}")
    kb.activate(phone, "form button[type=submit]")

    banner = phone.locator(".govuk-notification-banner--success").inner_text()
    assert "Register saved: 2 attended, 1 did not attend" in banner
    assert phone.is_checked(f"#booking-{aisha}")
    assert phone.is_checked(f"#booking-{chidi}-absent")
    assert_no_sideways_scroll(phone)
    screenshot(phone, "session-register-saved-375")
    assert axe_violations(phone) == []
