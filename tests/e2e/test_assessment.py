"""Issue 12, the final assessment in a real browser: a demo learner takes Agile
foundations' final assessment at 320, 375 and 1280 pixels, and once by keyboard alone.
Every action (start or try again, submit, the lesson links) is in view without
scrolling sideways, and axe finds nothing before or after submitting."""

import re

import pytest

from tests.e2e import keyboard as kb
from tests.e2e.conftest import (
    PASSWORD,
    assert_no_sideways_scroll,
    axe_violations,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
COURSE = "/courses/agile-foundations/"
WIDTHS = [320, 375, 1280]


@pytest.fixture
def sized_page(browser, academy, request):
    width = request.param
    context = browser.new_context(base_url=academy["base"], bypass_csp=True,
                                  viewport={"width": width, "height": 800})
    page = context.new_page()
    yield page, width
    context.close()


def assert_in_view_across(page, locator, width):
    elements = locator.all()
    assert elements, "no such action on the page"
    for element in elements:
        box = element.bounding_box()
        assert box is not None, f"{element.inner_text()!r} is not shown"
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= width, (
            f"{element.inner_text()!r} ends at {box['x'] + box['width']:.0f}px in {width}px")


def assert_clean(page, width, name):
    assert_no_sideways_scroll(page)
    screenshot(page, f"assessment-{name}-{width}")
    assert axe_violations(page) == []


def answer_every_question_wrongly_or_by_chance(page):
    """Checkbox questions: every option (never right, as each has a wrong one); radio
    questions: the first option."""
    for fieldset in page.locator("form .govuk-fieldset").all():
        inputs = fieldset.locator("input")
        if inputs.first.get_attribute("type") == "checkbox":
            for box in inputs.all():
                box.check()
        else:
            inputs.first.check()


@pytest.mark.parametrize("sized_page", WIDTHS, indirect=True)
def test_a_learner_takes_the_final_assessment_on_any_screen(sized_page):
    page, width = sized_page
    sign_in(page, f"assess-retry-{width}@example.gov.uk", PASSWORD)

    # The course page shows the assessment as the last step, ready to try again.
    page.goto(COURSE)
    step = page.locator("#final-assessment")
    assert "Try again" in step.inner_text()
    assert "You have used 1 of 3 attempts" in page.inner_text("main")
    try_again = page.locator("button:has-text('Try again')")
    assert_in_view_across(page, try_again, width)
    assert_clean(page, width, "course")
    with page.expect_navigation():
        try_again.click()

    # The attempt: five questions, nothing about the answers in the page.
    assert re.search(r"/learning/assessment-attempts/\d+/$", page.url)
    assert page.locator("form .govuk-fieldset").count() == 5
    assert "Attempt 2 of 3" in page.inner_text("main")
    html = page.content()
    assert "correct" not in html.lower()
    assert_in_view_across(page, page.locator("button:has-text('Submit your answers')"), width)
    assert_clean(page, width, "attempt")

    # Submitting with nothing chosen: the GOV.UK error summary, focused, and in view.
    with page.expect_navigation():
        page.click("button:has-text('Submit your answers')")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error:")
    assert summary.locator("a").count() == 5
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    assert page.locator(".govuk-error-message").count() == 5
    assert_clean(page, width, "errors")

    answer_every_question_wrongly_or_by_chance(page)
    with page.expect_navigation():
        page.click("button:has-text('Submit your answers')")

    # The result: a score, what was wrong, where it is taught, and when to try again.
    main = page.inner_text("main")
    assert re.search(r"Attempt 2: you scored \d+%", main)
    assert "You can try again from" in main
    assert page.locator("button:has-text('Try again')").count() == 0
    lessons = page.locator("#wrong-questions a")
    if "You did not pass" in main:
        assert lessons.count() >= 1
        assert_in_view_across(page, lessons, width)
    assert_clean(page, width, "result")

    # The overview lists the attempts; My learning shows where the learner is.
    with page.expect_navigation():
        page.click(".govuk-breadcrumbs a:has-text('Final assessment')")
    assert page.locator("#assessment-attempts .govuk-summary-list__row").count() == 2
    assert_in_view_across(page, page.locator("#assessment-attempts a"), width)
    assert_clean(page, width, "overview")
    page.goto("/my-learning/")
    card = page.locator(".govuk-summary-card", has_text="Agile foundations")
    assert "2 of 3 attempts used" in card.inner_text()
    assert "You can try again from" in card.inner_text()
    assert_clean(page, width, "my-learning")
    page.go_back()
    page.go_back()
    if lessons.count():
        target = lessons.first.get_attribute("href")
        with page.expect_navigation():
            lessons.first.click()
        assert page.url.endswith(target)
        assert page.locator("h1").is_visible()


def test_the_final_assessment_works_by_keyboard_alone(page):
    sign_in(page, "assess-fresh-keyboard@example.gov.uk", PASSWORD)
    page.goto(COURSE)
    assert "Not started" in page.inner_text("#final-assessment")
    start = "form[action$='/start/'] button"
    assert page.inner_text(start) == "Start the assessment"
    kb.activate(page, start)
    assert "Attempt 1 of 3" in page.inner_text("main")
    assert axe_violations(page) == []

    # Each question: Tab into it, then Space (checkbox) or Space on the first radio.
    for fieldset in page.locator("form .govuk-fieldset").all():
        first = fieldset.locator("input").first
        first_id = first.get_attribute("id")
        kb.tab_to(page, f"#{first_id}")
        page.keyboard.press("Space")
        assert first.is_checked(), f"Space did not choose {first_id}"
    kb.activate(page, "form[action*='/assessment-attempts/'] button[type=submit]")

    main = page.inner_text("main")
    assert re.search(r"Attempt 1: you scored \d+%", main)
    assert axe_violations(page) == []
    screenshot(page, "assessment-keyboard-result")
    if page.locator("#wrong-questions a").count():
        target = page.locator("#wrong-questions a").first.get_attribute("href")
        kb.activate(page, f"#wrong-questions a[href='{target}']")
        assert page.url.endswith(target)
    else:
        kb.activate(page, f"main a[href='{COURSE}']")
        assert page.url.endswith(COURSE)
