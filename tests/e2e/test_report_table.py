"""The report's records table in a real browser: its default columns fit a 960 px
page; with every column it scrolls inside its own region, never the page."""

import pytest

from tests.e2e.conftest import axe_violations, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

EVERY_COLUMN = ("email", "staff_number", "grade", "profession", "line_manager", "enrolled",
                "started", "completed", "score", "certificate")
WIDTHS = """() => {
  const region = document.querySelector("[aria-labelledby=records]");
  return {page: document.documentElement.scrollWidth - window.innerWidth,
          region: region.scrollWidth - region.clientWidth};
}"""


@pytest.fixture
def narrow(browser, academy):
    context = browser.new_context(base_url=academy["base"], bypass_csp=True,
                                  viewport={"width": 960, "height": 900})
    page = context.new_page()
    sign_in(page, "hr@example.gov.uk")
    yield page
    context.close()


def test_the_default_columns_fit_a_960_pixel_page(narrow):
    narrow.goto("/reports/")
    overflow = narrow.evaluate(WIDTHS)
    assert overflow == {"page": 0, "region": 0}, overflow


def test_every_column_scrolls_inside_the_table_not_the_page(narrow):
    narrow.goto("/reports/?" + "&".join(f"columns={key}" for key in EVERY_COLUMN))
    overflow = narrow.evaluate(WIDTHS)
    assert overflow["page"] <= 0, overflow
    assert overflow["region"] > 0, overflow  # the table is wider: its region scrolls
    region = narrow.locator("[aria-labelledby=records]")
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("role") == "region"
    narrow.click("summary:has-text('Choose columns')")
    assert axe_violations(narrow) == []


def test_columns_are_chosen_in_the_filter_form(narrow):
    narrow.goto("/reports/")
    narrow.click("summary:has-text('Choose columns')")
    narrow.check("input[name=columns][value=email]")
    narrow.click("button:has-text('Show these columns')")
    narrow.wait_for_load_state()
    headers = narrow.locator("[aria-labelledby=records] th").all_inner_texts()
    assert [h.strip(" ▲▼") for h in headers] == [
        "Name", "Email", "Organisation", "Course", "Status", "Progress", "Due"]
    assert "columns=email" in narrow.url
