"""Self sign-up in a real browser (issue 12, "Who may join"): at 375 px and by keyboard
alone, sign up, find enrolling refused until the email address is confirmed, read the
link from the email (the file backend), follow it, then enrol. Every page axe-clean."""

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e import keyboard as kb
from tests.e2e.conftest import PASSWORD, assert_no_sideways_scroll, axe_violations

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
COURSE = "/courses/scrum-in-government/"
LINK = re.compile(r"https?://\S+?(/sign-up/verify/\S+?/)\s")


def email_verify_path(mail_dir, email: str, timeout: float = 30) -> str:
    """The path of the newest confirmation link emailed to `email` (the Celery worker
    sends it after the sign-up commits, so wait for the email to be there)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [LINK.search(message).group(1)
                 for path in sorted(Path(mail_dir).glob("*.log"), key=lambda p: p.stat().st_mtime)
                 for message in path.read_text(encoding="utf-8").split("-" * 79)
                 if f"To: {email}" in message and LINK.search(message)]
        if found:
            return urlsplit(found[-1]).path
        time.sleep(0.2)
    raise AssertionError(f"no confirmation email to {email} within {timeout}s")


def sign_up_form_by_keyboard(page, email: str, first="Vera", last="Verified") -> None:
    page.goto("/sign-up/")
    kb.type_into(page, "#id_first_name", first)
    kb.type_into(page, "#id_last_name", last)
    kb.type_into(page, "#id_email", email)
    # Not in the Operations Directorate, whose required learning would enrol them.
    kb.choose(page, "#id_organisation", "Housing Policy")
    kb.choose(page, "#id_grade", "EO")
    kb.choose(page, "#id_profession", "Policy")
    kb.type_into(page, "#id_password1", PASSWORD)
    kb.type_into(page, "#id_password2", PASSWORD)
    kb.activate(page, "form button[type=submit]")


def test_sign_up_confirm_the_email_then_enrol_at_375px_by_keyboard(page, academy):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/sign-up/")
    assert axe_violations(page) == []
    assert_no_sideways_scroll(page)

    # An address from a domain that may not sign up: a GOV.UK error, no account.
    sign_up_form_by_keyboard(page, "vera@gmail.com")
    assert page.title().startswith("Error: Create an account")
    assert "You cannot create an account with an email address ending in @gmail.com" in (
        page.locator(".govuk-error-summary").inner_text())
    assert axe_violations(page) == []

    email = "vera.verified@example.gov.uk"
    sign_up_form_by_keyboard(page, email)
    assert page.title().startswith("Check your email")
    assert email in page.locator("main").inner_text()
    assert axe_violations(page) == []
    assert_no_sideways_scroll(page)
    kb.activate(page, "main form[action$='/send-again/'] button")
    assert f"We have sent the link again to {email}" in page.content()

    # Signing up does not sign in (the answer is the same for an address that already
    # has an account, tests/security/test_identity.py); they may sign in before confirming.
    page.goto("/sign-in/")
    kb.type_into(page, "#id_username", email)
    kb.type_into(page, "#id_password", PASSWORD)
    kb.activate(page, "form button[type=submit]")

    # Before confirming: the course page says why enrolling did not work.
    page.goto(COURSE)
    kb.activate(page, "form[action*='/enrol/'] button")
    summary = page.locator(".govuk-error-summary")
    assert "Confirm your email address before you enrol" in summary.inner_text()
    assert f"we sent a link to {email}" in page.locator(".govuk-notification-banner").inner_text()
    assert axe_violations(page) == []

    page.goto(email_verify_path(academy["mail"], email))
    assert page.title().startswith("Your email address is confirmed")
    assert axe_violations(page) == []
    assert_no_sideways_scroll(page)
    assert page.locator(".govuk-notification-banner").count() == 0

    page.goto(COURSE)
    kb.activate(page, "form[action*='/enrol/'] button")
    assert "You are enrolled on Scrum in government" in page.content()


def test_a_forged_link_gets_a_clear_page(page):
    page.goto("/sign-up/verify/not-a-real-token/")
    assert page.title().startswith("This link has expired or is not right")
    assert axe_violations(page) == []
