"""A line manager follows their team's learning, and HR sets a line manager, on the demo
academy in a real browser: at desktop width and on a 320 px phone, axe clean."""

import pytest

from tests.e2e.conftest import assert_no_sideways_scroll, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (320, "phone")])
def test_a_manager_sees_their_teams_overdue_learning_first(page, width, name):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "manager@example.gov.uk")
    page.goto("/my-learning/")
    if width < 641:  # the service navigation folds behind its Menu button on a phone
        page.get_by_role("button", name="Menu").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Your team").click()
    assert page.locator("h1").inner_text() == "Your team"
    rows = page.locator("main table").first.locator("tbody tr").all_inner_texts()
    assert rows, "the demo manager's team has required learning"
    statuses = ["Overdue" in row for row in rows]
    assert statuses == sorted(statuses, reverse=True), "overdue rows come first"
    assert any(statuses), "the demo's Agile foundations deadline has passed"
    assert axe_violations(page) == []
    assert_no_sideways_scroll(page)
    screenshot(page, f"my-team-{name}")


def test_someone_without_a_team_sees_a_plain_page(page):
    sign_in(page, "hr@example.gov.uk")
    assert page.get_by_role("link", name="Your team").count() == 0
    page.goto("/my-team/")
    assert "No one has you as their line manager" in page.locator("main").inner_text()
    assert axe_violations(page) == []


def test_hr_finds_a_person_and_sets_their_line_manager(page):
    sign_in(page, "hr@example.gov.uk")
    page.goto("/reports/")
    with page.expect_navigation():
        page.get_by_role("link", name="Line managers and staff numbers").click()
    page.fill("#id_email", "manager@example.gov.uk")
    with page.expect_navigation():
        page.get_by_role("button", name="Find").click()
    assert axe_violations(page) == []
    screenshot(page, "people-lookup")
    with page.expect_navigation():
        page.get_by_role("link", name="Change line manager or staff number").click()

    # A mistake first: the error summary names it and links to the field.
    page.fill("#id_line_manager_email", "manager@example.gov.uk")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert "A person cannot be their own line manager" in summary.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "line-manager-error")

    page.fill("#id_line_manager_email", "hr@example.gov.uk")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "Saved the line manager" in page.locator(".govuk-notification-banner").inner_text()
    assert "hr@example.gov.uk" in page.locator(".govuk-summary-list").inner_text()

    # Put the demo back as it was (the academy is shared by the session's tests).
    with page.expect_navigation():
        page.get_by_role("link", name="Change line manager or staff number").click()
    page.fill("#id_line_manager_email", "")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "None recorded" in page.locator(".govuk-summary-list").inner_text()
