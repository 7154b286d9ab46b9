"""HR answers "who has done their required learning, on time?" on the demo academy, in
a real browser: at desktop width and on a 320 px phone, by keyboard, axe clean."""

import pytest

from tests.e2e.conftest import assert_no_sideways_scroll, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (320, "phone")])
def test_hr_answers_the_compliance_question(page, width, name):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "hr@example.gov.uk")
    page.goto("/reports/")
    with page.expect_navigation():
        page.get_by_role("link", name="Compliance").first.click()
    assert page.locator("h1").inner_text().startswith("Compliance")
    body = page.locator("main").inner_text()
    # The demo's Agile foundations deadline has passed: the headline and the table show
    # people on time, late and overdue, and someone given more time.
    assert "compliant on time" in body.lower()
    for status in ("Completed on time", "Completed late", "Overdue"):
        assert status in body, status
    assert page.locator("main").get_by_text("Operations Directorate").first.is_visible()
    assert_no_sideways_scroll(page)
    assert axe_violations(page) == []
    screenshot(page, f"compliance-{name}")

    # Drill down to one team, then narrow to the people who are overdue.
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Contact Centre").first.click()
    assert "organisation=contact-centre" in page.url
    page.select_option("#compliance-filters select[name=status]", "overdue")
    with page.expect_navigation():
        page.locator("#compliance-filters button[type=submit]").click()
    rows = page.locator("#compliance-people tbody tr")
    assert rows.count() >= 1
    for text in rows.all_inner_texts():
        assert "Overdue" in text
    assert_no_sideways_scroll(page)
    assert axe_violations(page) == []
    screenshot(page, f"compliance-overdue-{name}")


def _tab_to(page, locator, limit=80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"{locator} cannot be reached with Tab")


def test_compliance_filters_work_by_keyboard_alone(page):
    sign_in(page, "hr@example.gov.uk")
    page.goto("/reports/compliance/")
    status = page.locator("#compliance-filters select[name=status]")
    _tab_to(page, status)
    status.select_option("completed late")  # a select is operated by keyboard natively
    _tab_to(page, page.locator("#compliance-filters button[type=submit]"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "status=completed+late" in page.url
    texts = page.locator("#compliance-people tbody tr").all_inner_texts()
    assert texts
    assert all("Completed late" in text for text in texts)
