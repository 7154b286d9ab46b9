"""Keyboard-only helpers: Tab, type, arrows, Space and Enter; never the mouse."""

import re

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  return outline || s.boxShadow !== "none" || s.backgroundColor === "rgb(255, 221, 0)";
}"""


def focused_matches(page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)",
                         selector)


def tab_to(page, selector: str, limit: int = 500) -> None:
    """Press Tab until the element matching `selector` has focus, and check the focus
    can be seen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_matches(page, selector):
            assert page.evaluate(FOCUS_VISIBLE), f"focus is not visible on {selector}"
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, selector: str, option_text: str) -> None:
    """Pick an option in a <select> with the arrow keys."""
    tab_to(page, selector)
    for _ in range(100):
        current = page.evaluate("() => document.activeElement.selectedOptions[0].text")
        if option_text in current:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {option_text!r} in {selector}")


def activate(page, selector: str) -> None:
    """Follow a link or press a button with Enter, and wait for the next page."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def answer_check(page, check_id: str, wanted: list[str]) -> None:
    """Choose the options whose labels are in `wanted` and press "Check answer". The
    feedback quotes an answer without its own closing full stop, so that is ignored."""
    wanted = [text.rstrip(".") for text in wanted]
    options = page.eval_on_selector_all(
        f"#{check_id} input[name=answer]",
        "els => els.map(e => ({type: e.type, label: e.labels[0].innerText.trim()}))")
    if options[0]["type"] == "radio":
        target = next(i for i, o in enumerate(options) if o["label"].rstrip(".") in wanted)
        tab_to(page, f"#{check_id} input[name=answer]")
        current = page.evaluate("() => [...document.activeElement.form.answer]"
                                ".indexOf(document.activeElement)")
        for _ in range((target - current) % len(options)):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
    else:
        for i, option in enumerate(options):
            tab_to(page, f"#{check_id}-{i + 1}")
            checked = page.evaluate("() => document.activeElement.checked")
            if checked != (option["label"].rstrip(".") in wanted):
                page.keyboard.press("Space")
    activate(page, f"#{check_id} button[type=submit]")


def right_answers(page, check_id: str) -> list[str] | None:
    """After answering: None if the answer was right, else the right options' text."""
    banner = page.locator(f"#{check_id} .govuk-notification-banner").inner_text()
    if "Correct" in banner.split("\n")[0]:
        return None
    match = re.search(r"The right answers? (?:is|are): (.+?)\.\n", banner + "\n")
    return [text.strip() for text in match.group(1).split(";")]
