"""The page editor's live preview panel, in a real browser with the real Content
Security Policy (not bypassed): the lesson shows inside the panel, and the browser
reports no policy violation (issue 13)."""

import re

import pytest

from tests.e2e.conftest import PASSWORD, screenshot

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def strict_page(browser, academy):
    """A page whose browser enforces the Content Security Policy as a trainer's would."""
    context = browser.new_context(base_url=academy["base"], bypass_csp=False,
                                  viewport={"width": 1400, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_the_editors_preview_panel_shows_the_lesson(strict_page):
    page = strict_page
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None)
    page.goto("/admin/login/")
    page.fill("#id_username", "trainer@example.gov.uk")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in")).click()
    page.wait_for_url("**/admin/")

    page.goto("/courses/agile-foundations/why-agile/")
    lesson_link = page.locator("main a[href^='/courses/agile-foundations/why-agile/']").first
    lesson_title = lesson_link.inner_text().strip()
    lesson_path = lesson_link.get_attribute("href")
    page.goto(lesson_path)
    edit_link = page.locator("a[href*='/admin/pages/'][href$='/edit/']").first
    page.goto(edit_link.get_attribute("href"))

    page.locator("[data-side-panel-toggle='preview']").click()
    iframe = page.locator("iframe[id='w-preview-iframe'], .preview-panel iframe").first
    iframe.wait_for(state="attached")
    frame = page.frame_locator("iframe[id='w-preview-iframe'], .preview-panel iframe").first
    heading = frame.locator("h1")
    heading.wait_for(timeout=15_000)
    assert lesson_title in heading.inner_text()
    screenshot(page, "editor-preview-panel")
    assert page.frames[-1].url.startswith("http"), "the preview frame shows a browser error"
    assert refused == [], refused
