"""Issue 12, small screens: on a phone (320 and 375 CSS pixels) and on a desktop,
My learning's actions are in view without scrolling sideways, the catalogue puts its
results before its filters, and both pages pass axe."""

import pytest

from tests.e2e import keyboard as kb
from tests.e2e.assessment_answers import pass_final_assessment
from tests.e2e.conftest import (
    assert_no_sideways_scroll,
    axe_violations,
    screenshot,
    sign_in,
)
from tests.e2e.test_journeys import COURSE, sign_up_by_keyboard, wait_for_certificate

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
WIDTHS = [320, 375, 1280]
LEARNER = "learner@example.gov.uk"


@pytest.fixture
def learner_page(browser, academy, request):
    width = request.param
    context = browser.new_context(base_url=academy["base"], bypass_csp=True,
                                  viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, LEARNER)
    yield page, width
    context.close()


def assert_in_view_across(page, links, width):
    """Each link's box lies within the window from left to right."""
    assert links, "no action links on the page"
    for link in links:
        box = link.bounding_box()
        assert box is not None, f"{link.inner_text()!r} is not shown"
        assert box["x"] >= 0, f"{link.inner_text()!r} starts left of the window"
        assert box["x"] + box["width"] <= width, (
            f"{link.inner_text()!r} ends at {box['x'] + box['width']:.0f}px in {width}px")


@pytest.mark.parametrize("learner_page", WIDTHS, indirect=True)
def test_my_learning_shows_every_action_without_sideways_scrolling(learner_page):
    page, width = learner_page
    page.goto("/my-learning/")
    actions = page.locator(".govuk-summary-card__action a").all()
    texts = {" ".join(link.inner_text().split()) for link in actions}
    assert any(t.startswith(("Start", "Continue")) for t in texts), texts
    assert_in_view_across(page, actions, width)
    assert_no_sideways_scroll(page)
    screenshot(page, f"my-learning-{width}")
    assert axe_violations(page) == []


@pytest.mark.parametrize("learner_page", WIDTHS, indirect=True)
def test_the_catalogue_shows_results_first_and_the_learners_statuses(learner_page):
    page, width = learner_page
    page.goto("/courses/")
    first_result = page.locator(".app-course-card").first.bounding_box()
    if width < 641:  # one column: the first result is on the first screen
        assert first_result["y"] < 800, f"the first result starts at {first_result['y']}px"
    assert not page.locator(".app-filters input[name=level]").first.is_visible()
    assert page.locator(".app-course-card__status").count() > 0
    assert_in_view_across(page, page.locator(".app-course-card h3 a").all(), width)
    assert_no_sideways_scroll(page)
    screenshot(page, f"catalogue-{width}")
    assert axe_violations(page) == []

    page.click("summary:has-text('Filter courses')")
    page.locator(".app-filters label:has-text('Introductory')").click()
    page.click("button:has-text('Apply filters')")
    page.wait_for_load_state()
    assert "level=introductory" in page.url
    assert "Filter courses (1 selected)" in page.inner_text(".app-filters")
    assert_no_sideways_scroll(page)
    assert axe_violations(page) == []


def answer(page, check_id, wanted):
    """Tick the options whose labels are in `wanted` (a trailing full stop aside)."""
    wanted = {text.strip().rstrip(".") for text in wanted}
    for option in page.locator(f"#{check_id} input[name=answer]").all():
        label = option.evaluate("e => e.labels[0].innerText").strip().rstrip(".")
        if label in wanted:
            option.check()
        elif option.get_attribute("type") == "checkbox":
            option.uncheck()
    page.click(f"#{check_id} button[type=submit]")
    page.wait_for_load_state()


def complete_course(page):
    """Enrol (unless required learning already did) and pass every lesson."""
    page.goto(COURSE)
    enrol = page.locator("form[action*='/enrol/'] button")
    if enrol.count():
        enrol.click()
        page.wait_for_load_state()
    page.click("a.govuk-button[href*='/courses/']")
    for _ in range(20):
        for check_id in page.eval_on_selector_all(".app-knowledge-check",
                                                   "els => els.map(e => e.id)"):
            first = page.eval_on_selector(f"#{check_id} label", "e => e.innerText.trim()")
            answer(page, check_id, [first])
            right = kb.right_answers(page, check_id)
            if right is not None:
                answer(page, check_id, right)
        page.click("#complete button[type=submit]")
        page.wait_for_load_state()
        if page.url.endswith(COURSE):
            break
    pass_final_assessment(page, COURSE)
    wait_for_certificate(page)


def test_a_certificate_link_is_in_view_on_a_phone(browser, academy):
    """The demo learner has finished nothing, so a new learner completes a course."""
    context = browser.new_context(base_url=academy["base"], bypass_csp=True,
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        sign_up_by_keyboard(page, "small.screens@example.gov.uk", academy["mail"])
        complete_course(page)
        for width in (320, 375):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto("/my-learning/")
            links = page.locator(".govuk-summary-card__action a").all()
            assert any("Download certificate" in link.inner_text() for link in links)
            assert_in_view_across(page, links, width)
            assert_no_sideways_scroll(page)
            screenshot(page, f"my-learning-completed-{width}")
            assert axe_violations(page) == []
    finally:
        context.close()
