"""A model → pair → coach programme in a real browser (issue 16): the demo coach opens
the demo programme, moves a practice on to its next phase with a note, by keyboard
alone, on a phone (375px) and a desktop (1280px), and the programme's table then says
the new phase in words. axe checks the programme and practice pages."""

import pytest

from academy.demo.programmes import COACH_EMAIL, PROGRAMME_NAME
from tests.e2e import keyboard as kb
from tests.e2e.conftest import assert_no_sideways_scroll, axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# Each width moves a different practice of the demo programme on one phase.
MOVES = {375: ("Run a usability session", "Coach", "step 3 of 4"),
         1280: ("Plan a sprint", "Owned", "step 4 of 4")}


def _phase(page, practice: str) -> str:
    """The phase cell of the practice's row in the programme's table."""
    return page.locator(
        f"#practices tr[data-practice='{practice}'] td.app-practice-phase").inner_text()


@pytest.mark.parametrize("width", [375, 1280], ids=lambda width: f"{width}px")
def test_a_coach_moves_a_practice_on_by_keyboard_and_the_table_says_so(page, academy, width):
    practice, phase, step = MOVES[width]
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, COACH_EMAIL)
    page.goto("/programmes/")
    programme_link = page.get_by_role("link", name=PROGRAMME_NAME).get_attribute("href")
    kb.activate(page, f"a[href='{programme_link}']")
    assert page.locator("h1").inner_text() == PROGRAMME_NAME
    assert phase not in _phase(page, practice)
    assert_no_sideways_scroll(page)
    assert axe_violations(page) == []

    practice_link = page.locator(f"#practices tr[data-practice='{practice}'] a").get_attribute(
        "href")
    kb.activate(page, f"a[href='{practice_link}']")
    assert page.locator("h1").inner_text() == practice
    assert axe_violations(page) == []

    note = f"At {width}px: the team led this twice with only light advice from us."
    kb.tab_to(page, "#id_to_phase")   # the first choice: on to the next phase
    page.keyboard.press("Space")
    assert page.is_checked("#id_to_phase")
    assert page.locator("label[for='id_to_phase']").inner_text().startswith(
        f"Move on to {phase}")
    kb.type_into(page, "#id_note", note)
    kb.activate(page, "form[action$='/phase/'] button[type=submit]")

    assert f"{practice} moved on to {phase} ({step})." in page.locator(
        ".govuk-notification-banner").inner_text()
    assert f"Now in: {phase}" in page.locator("#current-phase").inner_text()
    assert page.get_by_text(note).is_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, f"programme-practice-moved-{width}")
    assert axe_violations(page) == []

    kb.activate(page, f".govuk-breadcrumbs a[href='{programme_link}']")
    cell = _phase(page, practice)
    assert phase in cell
    assert step in cell
    assert_no_sideways_scroll(page)
    screenshot(page, f"programme-{width}")
    assert axe_violations(page) == []
