"""The learning log in a real browser (issue 13): on a phone (375px) and a desktop
(1280px), a learner writes a reflection under a lesson's activity by keyboard alone,
saves it, and finds it in their learning log, which prints without the service's
navigation or buttons. axe checks the answer box and the log."""

import pytest

from tests.e2e import keyboard as kb
from tests.e2e.conftest import assert_no_sideways_scroll, axe_violations, screenshot
from tests.e2e.test_lesson_feedback import IN_VIEW, open_lesson_enrolled

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.parametrize("width", [375, 1280], ids=lambda width: f"{width}px")
def test_a_reflection_written_by_keyboard_is_kept_in_the_learning_log(page, academy, width):
    page.set_viewport_size({"width": width, "height": 800})
    open_lesson_enrolled(page, academy)
    activity = page.locator(".app-activity").first
    activity_id = activity.get_attribute("id")
    title = activity.locator("h2").inner_text()
    box = f"#{activity_id}-answer"
    assert page.locator(f"label[for='{activity_id}-answer']").inner_text().startswith(
        "Your answer")
    assert "Only you can see this" in page.locator(f"{box}-hint").inner_text()
    assert axe_violations(page) == []

    reflection = f"At {width}px: our team could show users a prototype every fortnight."
    kb.type_into(page, box, reflection)
    # GOV.UK Frontend's character count counts down as the learner types.
    remaining = 5000 - len(reflection)
    page.wait_for_function(
        "([id, left]) => document.querySelector(`#${id} .govuk-character-count__status`)"
        "?.innerText.includes(left)", arg=[activity_id, f"{remaining:,} characters remaining"])
    kb.activate(page, f"#{activity_id} button[type=submit]")

    saved = f"#{activity_id}-saved"
    page.wait_for_function(f"() => document.activeElement.matches('{saved}')")
    assert page.evaluate(IN_VIEW, saved)
    assert "Your answer is saved in your learning log." in page.locator(saved).inner_text()
    assert page.input_value(box) == reflection
    assert_no_sideways_scroll(page)
    screenshot(page, f"learning-log-saved-{width}")
    assert axe_violations(page) == []

    kb.activate(page, f"{saved} a[href='/my-learning/log/']")
    assert page.locator("h1").inner_text() == "Your learning log"
    assert page.get_by_text(reflection).is_visible()
    assert page.get_by_role("heading", name=title).is_visible()
    assert page.get_by_role("button", name="Print your learning log").is_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, f"learning-log-{width}")
    assert axe_violations(page) == []

    # The browser's own Print gives the answers, without navigation or buttons.
    page.emulate_media(media="print")
    assert page.get_by_text(reflection).is_visible()
    for hidden in (".govuk-service-navigation", ".govuk-footer", ".govuk-phase-banner",
                   ".app-print-button"):
        assert not page.locator(hidden).first.is_visible(), f"{hidden} prints"
    page.emulate_media(media="screen")


def test_without_javascript_an_answer_is_saved_and_the_log_still_prints(browser, academy):
    context = browser.new_context(base_url=academy["base"], java_script_enabled=False)
    page = context.new_page()
    try:
        open_lesson_enrolled(page, academy)
        activity_id = page.locator(".app-activity").first.get_attribute("id")
        reflection = "Without JavaScript: I would ask users sooner."
        page.fill(f"#{activity_id}-answer", reflection)
        page.click(f"#{activity_id} button[type=submit]")
        page.wait_for_load_state()
        assert page.url.endswith(f"#{activity_id}-saved")
        assert "Your answer is saved" in page.locator(f"#{activity_id}-saved").inner_text()
        page.goto("/my-learning/log/")
        assert page.get_by_text(reflection).is_visible()
        # The print button needs JavaScript, so it is not offered; the browser's own
        # Print still gives the log.
        assert not page.get_by_role("button", name="Print your learning log").is_visible()
    finally:
        context.close()
