"""A lesson on a phone (320 and 375 px): the answer's feedback, the errors from marking a lesson
complete too early, and a glossary definition all show where the learner is, take
focus, and pass axe."""

import pytest

from tests.e2e import keyboard as kb
from tests.e2e.conftest import assert_no_sideways_scroll, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Scrolled to the top, an element can sit a fraction of a pixel above it (a picture
# above it scaled to a fractional height): that is still in view.
IN_VIEW = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.top > -1 && box.top < window.innerHeight;
}"""


@pytest.fixture(params=[320, 375], ids=lambda width: f"{width}px")
def phone(page, request):
    page.set_viewport_size({"width": request.param, "height": 640})
    return page


def width(page) -> int:
    return page.viewport_size["width"]


def open_lesson_enrolled(page, academy):
    """The e2e lesson with every block type, as the demo learner, enrolled."""
    sign_in(page, "learner@example.gov.uk")
    page.goto(academy["lesson"])
    enrol_link = page.locator(".govuk-inset-text a:has-text('Enrol on')")
    if enrol_link.count():
        enrol_link.click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Enrol on this course").click()
        page.wait_for_load_state()
        page.goto(academy["lesson"])


def test_marking_complete_with_an_unanswered_check_focuses_the_error_summary(phone, academy):
    open_lesson_enrolled(phone, academy)
    check_id = phone.locator(".app-knowledge-check").first.get_attribute("id")
    phone.get_by_role("button", name="Mark as complete and continue").click()
    phone.wait_for_load_state()
    phone.wait_for_function(
        "() => !!document.activeElement.closest('.govuk-error-summary')")
    assert phone.evaluate(IN_VIEW, ".govuk-error-summary")
    summary = phone.locator(".govuk-error-summary").inner_text()
    assert "before you mark this lesson as complete" in summary
    assert "the 1 knowledge check" not in summary
    # Inline at the check, and the summary's link goes to its first option.
    assert phone.locator(f"#{check_id} .govuk-form-group--error .govuk-error-message").count()
    phone.locator(".govuk-error-summary a").first.click()
    assert phone.evaluate("() => document.activeElement.id") == f"{check_id}-1"
    assert_no_sideways_scroll(phone)
    screenshot(phone, f"lesson-complete-unanswered-{width(phone)}")
    assert axe_violations(phone) == []


def test_the_answer_feedback_is_in_view_focused_and_announced(phone, academy):
    open_lesson_enrolled(phone, academy)
    check = phone.locator(".app-knowledge-check").first
    check_id = check.get_attribute("id")
    first = phone.eval_on_selector(f"#{check_id} label", "e => e.innerText.trim()")
    kb.answer_check(phone, check_id, [first])
    feedback = f"#{check_id}-feedback"
    phone.wait_for_function(f"() => document.activeElement.matches('{feedback}')")
    assert phone.evaluate(IN_VIEW, feedback)
    assert phone.get_attribute(feedback, "role") == "alert"
    title = phone.locator(f"{feedback} .govuk-notification-banner__title").inner_text()
    assert title in ("Correct", "Not quite")
    assert ".." not in phone.locator(feedback).inner_text()
    assert_no_sideways_scroll(phone)
    screenshot(phone, f"lesson-feedback-{width(phone)}")
    assert axe_violations(phone) == []


def test_a_glossary_definition_opens_in_place_by_keyboard(phone, academy):
    open_lesson_enrolled(phone, academy)
    toggle = phone.locator(".app-glossary__toggle").first
    definition_id = toggle.get_attribute("aria-controls")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not phone.locator(f"#{definition_id}").is_visible()
    kb.tab_to(phone, ".app-glossary__toggle")
    url = phone.url
    scroll = phone.evaluate("() => window.scrollY")
    phone.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert phone.locator(f"#{definition_id}").is_visible()
    assert phone.url == url  # no jump to a list at the foot of the page
    assert abs(phone.evaluate("() => window.scrollY") - scroll) < 200
    assert phone.evaluate(IN_VIEW, f"#{definition_id}")
    assert_no_sideways_scroll(phone)
    screenshot(phone, f"lesson-glossary-open-{width(phone)}")
    assert axe_violations(phone) == []
    phone.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert phone.evaluate("() => document.activeElement.classList"
                          ".contains('app-glossary__toggle')")


def test_a_glossary_definition_reads_in_place_without_javascript(browser, academy):
    """Without JavaScript there is no button: the definition reads inline beside the
    word, with a link to the full entry, and nothing sends the reader down the page."""
    context = browser.new_context(base_url=academy["base"], java_script_enabled=False,
                                  viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(academy["lesson"])
        term = page.locator(".app-glossary").first
        definition = term.locator(".app-glossary__definition")
        assert term.locator("button").count() == 0
        assert definition.is_visible()
        assert len(definition.inner_text()) > 20
        entry = definition.locator("a")
        assert entry.get_attribute("href").startswith("/glossary/#")
        assert "Full glossary entry" in entry.inner_text()
        # The word and its definition sit together: the definition starts right after it.
        gap = page.evaluate("""(el) => {
          const word = el.querySelector('.app-glossary__term').getBoundingClientRect();
          const text = el.querySelector('.app-glossary__definition').getBoundingClientRect();
          return text.top - word.bottom;
        }""", term.element_handle())
        assert gap < 40
        assert_no_sideways_scroll(page)
        screenshot(page, "lesson-glossary-no-javascript-320")
    finally:
        context.close()
