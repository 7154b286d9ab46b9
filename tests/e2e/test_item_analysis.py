"""The trainer's item analysis page in a real browser: reached from the course's
learners page, no axe violation, and it fits a 320px screen (issue 13)."""

import pytest

from tests.e2e.conftest import assert_no_sideways_scroll, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_trainer_reads_how_learners_answer_at_320px(page):
    sign_in(page, "trainer@example.gov.uk")
    page.goto("/trainer/")
    page.locator("main table a").first.click()
    page.get_by_role("link", name="How learners answer the knowledge checks").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == \
        "How learners answer the knowledge checks"
    assert page.get_by_role("heading", name="Where learners stop").is_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    screenshot(page, "trainer-item-analysis-320")
    assert_no_sideways_scroll(page)
