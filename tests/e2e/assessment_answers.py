"""Passing a demo course's final assessment in the browser, as a learner who knows the
answers would: the answer key is read from the demo YAML (the test knows it; the page
never shows it before submission)."""

from pathlib import Path

import yaml

from tests.e2e import keyboard as kb

COURSES = Path(__file__).resolve().parents[2] / "academy" / "demo" / "courses"


def answer_key(course_url: str) -> dict[str, set[str]]:
    """Each question of the course's pool, to the texts of its right options."""
    slug = course_url.strip("/").split("/")[-1]
    data = yaml.safe_load((COURSES / f"{slug}.yaml").read_text(encoding="utf-8"))
    return {" ".join(q["question"].split()): {o["text"] for o in q["options"] if o.get("correct")}
            for q in data["final_assessment"]["questions"]}


def _choose_by_keyboard(page, input_id: str, kind: str, first_id: str) -> None:
    if kind == "checkbox":
        kb.tab_to(page, f"#{input_id}")
        page.keyboard.press("Space")
        return
    # A radio group is one Tab stop; the arrow keys move (and choose) within it.
    kb.tab_to(page, f"#{first_id}")
    page.keyboard.press("Space")
    for _ in range(8):
        if kb.focused_matches(page, f"#{input_id}"):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not reach {input_id} with the arrow keys")


def pass_final_assessment(page, course_url: str, *, keyboard: bool = False) -> None:
    """From the course page, start (or try again) and submit a passing attempt."""
    key = answer_key(course_url)
    page.goto(course_url)
    start = "form[action$='/start/'] button"
    if keyboard:
        kb.activate(page, start)
    else:
        with page.expect_navigation():
            page.click(start)
    for fieldset in page.locator("form .govuk-fieldset").all():
        question = fieldset.locator("legend h2").evaluate("e => e.lastChild.textContent.trim()")
        right = key[" ".join(question.split())]
        inputs = fieldset.locator("input").all()
        first_id = inputs[0].get_attribute("id")
        for element in inputs:
            label = page.locator(f"label[for='{element.get_attribute('id')}']").inner_text()
            if label.strip() not in right:
                continue
            if keyboard:
                _choose_by_keyboard(page, element.get_attribute("id"),
                                    element.get_attribute("type"), first_id)
            else:
                element.check()
    submit = "form[action*='/assessment-attempts/'] button[type=submit]"
    if keyboard:
        kb.activate(page, submit)
    else:
        with page.expect_navigation():
            page.click(submit)
    assert "You passed" in page.inner_text("main"), page.inner_text("main")[:500]
    page.goto(course_url)
