"""The main journeys by keyboard alone, and again with JavaScript switched off; pages
reflow at 320 CSS pixels and at 200% zoom."""

import pytest

from tests.e2e import keyboard as kb
from tests.e2e.assessment_answers import pass_final_assessment
from tests.e2e.conftest import PASSWORD, axe_violations, screenshot, sign_in
from tests.e2e.test_sign_up import email_verify_path

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
# A course with no SCORM package: the no-JavaScript learner could not run one (a SCORM
# package is JavaScript), and tests/e2e/test_scorm.py covers them.
COURSE = "/courses/scrum-in-government/"


def sign_up_by_keyboard(page, email, mail_dir):
    page.goto("/sign-up/")
    kb.type_into(page, "#id_first_name", "Kit")
    kb.type_into(page, "#id_email", email)
    kb.activate(page, "form button[type=submit]")
    # GOV.UK: the error summary takes focus, so the problem is announced and listed.
    assert page.evaluate("() => !!document.activeElement.closest('.govuk-error-summary')")
    assert "Enter your last name" in page.content()
    kb.type_into(page, "#id_last_name", "Keyboard")
    # Not in the Operations Directorate, whose required learning would enrol them at once.
    kb.choose(page, "#id_organisation", "Housing Policy")
    kb.choose(page, "#id_grade", "EO")
    kb.choose(page, "#id_profession", "Policy")
    kb.type_into(page, "#id_password1", PASSWORD)
    kb.type_into(page, "#id_password2", PASSWORD)
    kb.activate(page, "form button[type=submit]")
    # Nothing counts until the email address is confirmed (tests/e2e/test_sign_up.py).
    assert "Check your email" in page.title()
    page.goto(email_verify_path(mail_dir, email))
    assert "Your email address is confirmed" in page.title()


def complete_course_by_keyboard(page):
    page.goto(COURSE)
    kb.activate(page, "form[action*='/enrol/'] button")
    kb.activate(page, "a.govuk-button[href*='/courses/']")  # Start the course
    for _ in range(20):
        for check_id in page.eval_on_selector_all(".app-knowledge-check",
                                                   "els => els.map(e => e.id)"):
            first = page.eval_on_selector(f"#{check_id} label", "e => e.innerText.trim()")
            kb.answer_check(page, check_id, [first])
            right = kb.right_answers(page, check_id)
            if right is not None:
                kb.answer_check(page, check_id, right)
                assert kb.right_answers(page, check_id) is None
        kb.activate(page, "#complete button[type=submit]")
        if page.url.endswith(COURSE):
            break
    pass_final_assessment(page, COURSE, keyboard=True)
    wait_for_certificate(page)


def wait_for_certificate(page):
    """The worker completes the course and issues the certificate moments after the
    last lesson; the page shows them on the next load."""
    for _ in range(60):
        if page.locator("a[href*='/my-learning/certificates/']").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert "You completed this course" in page.content()


def download_certificate_by_keyboard(page):
    kb.tab_to(page, "a[href*='/my-learning/certificates/']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_learner_journey_by_keyboard_alone(page, academy):
    page.goto("/")
    page.keyboard.press("Tab")
    assert kb.focused_matches(page, ".govuk-skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
    sign_up_by_keyboard(page, "kit.keyboard@example.gov.uk", academy["mail"])
    complete_course_by_keyboard(page)
    violations = axe_violations(page)  # the course page, completed
    assert violations == [], violations
    screenshot(page, "course-completed-desktop")
    download_certificate_by_keyboard(page)


def test_hr_journey_by_keyboard_alone(page):
    page.goto("/sign-in/")
    kb.type_into(page, "#id_username", "hr@example.gov.uk")
    kb.type_into(page, "#id_password", PASSWORD)
    kb.activate(page, "form button[type=submit]")
    page.goto("/reports/")
    kb.tab_to(page, "summary.govuk-details__summary")
    page.keyboard.press("Enter")
    kb.choose(page, "#id_status", "Completed")
    kb.activate(page, "form[action='/reports/'] button[type=submit]")
    assert page.locator("#id_status").input_value() == "completed"
    kb.activate(page, "button[value=xlsx]")
    page.wait_for_selector("a[data-download]", timeout=30_000)  # the bar moves, then reloads
    kb.tab_to(page, "a[data-download]")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    with open(download.value.path(), "rb") as xlsx:
        assert xlsx.read(2) == b"PK"


@pytest.fixture
def no_js_page(browser, academy):
    context = browser.new_context(base_url=academy["base"], java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def test_learner_journey_without_javascript(no_js_page, academy):
    page = no_js_page
    page.goto("/sign-up/")
    page.fill("#id_first_name", "Noor")
    page.fill("#id_last_name", "Noscript")
    page.fill("#id_email", "noor.noscript@example.gov.uk")
    page.select_option("#id_organisation", label="\u2003\u2003Housing Policy")
    page.select_option("#id_grade", label="HEO")
    page.select_option("#id_profession", label="Policy")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("form button[type=submit]")
    page.goto(email_verify_path(academy["mail"], "noor.noscript@example.gov.uk"))
    page.goto(COURSE)
    page.click("form[action*='/enrol/'] button")
    page.click("a.govuk-button[href*='/courses/']")
    for _ in range(20):
        for check_id in page.eval_on_selector_all(".app-knowledge-check",
                                                  "els => els.map(e => e.id)"):
            page.locator(f"#{check_id} input[name=answer]").first.check()
            page.click(f"#{check_id} button[type=submit]")
            right = kb.right_answers(page, check_id)
            if right is not None:
                for label in right:
                    page.locator(f"#{check_id} label", has_text=label).first.click()
                page.click(f"#{check_id} button[type=submit]")
        page.click("#complete button[type=submit]")
        if page.url.endswith(COURSE):
            break
    pass_final_assessment(page, COURSE)
    wait_for_certificate(page)
    with page.expect_download() as download:
        page.click("a[href*='/my-learning/certificates/']")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_hr_journey_without_javascript(no_js_page):
    page = no_js_page
    sign_in(page, "hr@example.gov.uk")
    page.goto("/reports/")
    page.click("summary.govuk-details__summary")  # <details> opens without JavaScript
    page.select_option("#id_status", "completed")
    page.click("form[action='/reports/'] button[type=submit]")
    page.click("button[value=csv]")
    for _ in range(60):  # no script to move the bar: the page offers a refresh link
        if page.locator("a[data-download]").count():
            break
        page.wait_for_timeout(500)
        page.click("text=Refresh this page")
    with page.expect_download() as download:
        page.click("a[data-download]")
    with open(download.value.path(), "rb") as csv_file:
        assert b"Email" in csv_file.read()


REFLOW_PAGES = ["/", "/courses/", "/courses/agile-foundations/",
                "/courses/agile-foundations/why-agile/the-trouble-with-big-bang-delivery/",
                "/glossary/", "/sign-up/", "/accessibility/", "/my-learning/", "/reports/"]


@pytest.mark.parametrize("width", [320, 640])  # 640 CSS pixels is 1280 at 200% zoom
def test_pages_reflow_without_horizontal_scrolling(browser, academy, width):
    context = browser.new_context(base_url=academy["base"],
                                  viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, "hr@example.gov.uk")
    try:
        for path in REFLOW_PAGES:
            page.goto(path)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()


def test_pages_break_no_content_security_policy(browser, academy):
    """Every script and style the pages use is allowed by their policy: the browser
    reports no violation while a learner and an HR reporter use them."""
    context = browser.new_context(base_url=academy["base"])
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        for path in ("/", "/courses/", "/courses/agile-foundations/", academy["lesson"],
                     "/glossary/", "/sign-up/"):
            page.goto(path)
        sign_in(page, "hr@example.gov.uk")
        for path in ("/reports/", "/reports/exports/00000000-0000-4000-8000-000000000001/",
                     "/my-learning/"):
            page.goto(path)
        page.wait_for_timeout(1500)  # let the progress script run a poll
        page.goto("/sign-out/")
        page.click("form button[type=submit]")
        sign_in(page, "trainer@example.gov.uk")  # editors also get Wagtail's user bar
        page.goto(academy["lesson"])
        assert "wagtail-userbar" in page.content()
    finally:
        context.close()
    assert violations == []
