"""Issue 13, teaching blocks in a real browser: the picture, diagram, table and captioned
video on the "Every kind of block" lesson (tests/e2e/setup_data.py) pass axe, and at
320px the table scrolls inside its own region while the page does not."""

import pytest

from tests.e2e.conftest import assert_no_sideways_scroll, axe_violations

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_teaching_blocks_are_accessible_and_fit_a_small_screen(page, academy):
    page.goto(academy["lesson"])

    photo = page.get_by_role("img", name="Five people standing at a wall of sticky notes")
    assert photo.get_attribute("srcset").count("w,") >= 3
    diagram = page.get_by_role("img", name="The Scrum cycle: plan, build, review, improve")
    assert diagram.get_attribute("src").endswith(".svg")
    assert page.locator("svg circle").count() == 0, "an SVG diagram is never inlined"
    # The pictures load under gunicorn without DEBUG (academy.media serves renditions).
    # Lazy-loaded: scrolled into view, each must finish loading with real pixels.
    for picture in (photo, diagram):
        picture.scroll_into_view_if_needed()
        page.wait_for_function("el => el.complete", arg=picture.element_handle(),
                               timeout=15_000)
        assert picture.evaluate("el => el.naturalWidth > 0"), "the file loads"
    table = page.get_by_role("table", name="A research plan")
    assert table.get_by_role("columnheader").count() == 4
    assert table.get_by_role("rowheader").count() == 2
    track = page.locator("video track[kind=captions]")
    assert track.get_attribute("src").endswith(".vtt")
    assert page.evaluate("document.querySelector('video track').track.kind") == "captions"
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    assert_no_sideways_scroll(page)
    region = page.get_by_role("region", name="A research plan")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "the table scrolls"
    photo_box = page.get_by_role("img", name="Five people standing at a wall of sticky notes")
    assert photo_box.bounding_box()["width"] <= 320
    assert axe_violations(page) == []
