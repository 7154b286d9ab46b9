"""Knowledge checks in the demo courses must not be gameable by picking the longest option.

Reads the demo YAML directly (no database): every ``type: knowledge_check`` block
inside a course's modules -> lessons -> body.
"""

from pathlib import Path

import yaml

COURSES_DIR = Path(__file__).resolve().parents[2] / "academy" / "demo" / "courses"
MAX_LONGEST_IS_RIGHT_RATE = 0.40


def _demo_checks() -> list[tuple[str, dict]]:
    checks = []
    for path in sorted(COURSES_DIR.glob("*.yaml")):
        course = yaml.safe_load(path.read_text(encoding="utf-8"))
        for module in course["modules"]:
            for lesson in module["lessons"]:
                for block in lesson["body"]:
                    if block["type"] == "knowledge_check":
                        checks.append((f"{path.name}: {lesson['slug']}", block))
    return checks


def _correct_is_strictly_longest(options: list[dict]) -> bool:
    correct = [option for option in options if option.get("correct")]
    wrong = [option for option in options if not option.get("correct")]
    longest_correct = max(len(option["text"]) for option in correct)
    return all(longest_correct > len(option["text"]) for option in wrong)


def test_demo_checks_are_well_formed():
    checks = _demo_checks()
    assert checks, f"no knowledge checks found under {COURSES_DIR}"
    for where, block in checks:
        options = block["options"]
        assert len(options) >= 3, f"{where}: fewer than three options"
        assert sum(1 for option in options if option.get("correct")) >= 1, (
            f"{where}: no correct option"
        )


def test_longest_option_is_not_usually_the_right_one():
    checks = _demo_checks()
    total = len(checks)
    n = sum(1 for _, block in checks if _correct_is_strictly_longest(block["options"]))
    rate = n / total
    print(f"longest option is right in {n} of {total} demo checks ({rate:.0%})")  # noqa: T201
    assert rate <= MAX_LONGEST_IS_RIGHT_RATE
