"""Knowledge checks and final assessment questions in the demo courses must not be
gameable by picking the longest option.

Reads the demo YAML directly (no database): every ``type: knowledge_check`` block
inside a course's modules -> lessons -> body, and every question in the course's
``final_assessment``.
"""

from pathlib import Path

import pytest
import yaml

COURSES_DIR = Path(__file__).resolve().parents[2] / "academy" / "demo" / "courses"
MAX_LONGEST_IS_RIGHT_RATE = 0.40


def _courses() -> list[tuple[str, dict]]:
    return [(path.name, yaml.safe_load(path.read_text(encoding="utf-8")))
            for path in sorted(COURSES_DIR.glob("*.yaml"))]


def _demo_checks() -> list[tuple[str, dict]]:
    checks = []
    for name, course in _courses():
        for module in course["modules"]:
            for lesson in module["lessons"]:
                for block in lesson["body"]:
                    if block["type"] == "knowledge_check":
                        checks.append((f"{name}: {lesson['slug']}", block))
    return checks


def _assessment_questions() -> list[tuple[str, dict]]:
    return [(f"{name}: final assessment", question) for name, course in _courses()
            for question in course.get("final_assessment", {}).get("questions", [])]


def _correct_is_strictly_longest(options: list[dict]) -> bool:
    correct = [option for option in options if option.get("correct")]
    wrong = [option for option in options if not option.get("correct")]
    longest_correct = max(len(option["text"]) for option in correct)
    return all(longest_correct > len(option["text"]) for option in wrong)


def _correct_is_strictly_shortest(options: list[dict]) -> bool:
    correct = [option for option in options if option.get("correct")]
    wrong = [option for option in options if not option.get("correct")]
    shortest_correct = min(len(option["text"]) for option in correct)
    return all(shortest_correct < len(option["text"]) for option in wrong)


def test_demo_checks_are_well_formed():
    checks = _demo_checks()
    assert checks, f"no knowledge checks found under {COURSES_DIR}"
    for where, block in checks:
        options = block["options"]
        assert len(options) >= 3, f"{where}: fewer than three options"
        assert sum(1 for option in options if option.get("correct")) >= 1, (
            f"{where}: no correct option"
        )


@pytest.mark.parametrize(("name", "course"), _courses(), ids=lambda v: str(v)[:40])
def test_each_demo_course_has_a_final_assessment(name, course):
    assessment = course.get("final_assessment")
    assert assessment, f"{name} has no final assessment"
    questions = assessment["questions"]
    assert 8 <= len(questions) <= 10, f"{name}: {len(questions)} questions in the pool"
    assert assessment["questions_per_attempt"] == 5
    assert assessment["attempts_allowed"] == 3
    assert assessment["wait_hours"] >= 1
    lessons = {lesson["slug"] for module in course["modules"] for lesson in module["lessons"]}
    multiple = 0
    for question in questions:
        options = question["options"]
        right = sum(1 for option in options if option.get("correct"))
        assert 3 <= len(options) <= 8, question["question"]
        assert right >= 1, f"{name}: no correct option for {question['question']}"
        assert len({o["text"] for o in options}) == len(options), question["question"]
        assert question["lesson"] in lessons, f"{name}: unknown lesson {question['lesson']}"
        assert question["explanation"].strip().startswith("<p>")
        multiple += right > 1
    assert multiple >= 2, f"{name}: fewer than two multiple-answer questions"


def test_longest_option_is_not_usually_the_right_one():
    checks = _demo_checks()
    questions = _assessment_questions()
    n_checks = sum(1 for _, b in checks if _correct_is_strictly_longest(b["options"]))
    n_questions = sum(1 for _, q in questions if _correct_is_strictly_longest(q["options"]))
    total, n = len(checks) + len(questions), n_checks + n_questions
    rate = n / total
    print(  # noqa: T201
        f"longest option is right in {n_checks} of {len(checks)} knowledge checks and "
        f"{n_questions} of {len(questions)} final assessment questions: "
        f"{n} of {total} ({rate:.0%})")
    assert questions, "no final assessment questions found"
    assert rate <= MAX_LONGEST_IS_RIGHT_RATE
    assert n_questions / len(questions) <= MAX_LONGEST_IS_RIGHT_RATE


def test_shortest_option_is_not_usually_the_right_one_in_final_assessments():
    """The other way to game a pool: options rewritten so the right one is never the
    longest must not make it the shortest instead."""
    questions = _assessment_questions()
    n = sum(1 for _, q in questions if _correct_is_strictly_shortest(q["options"]))
    print(f"shortest option is right in {n} of {len(questions)} final assessment "  # noqa: T201
          f"questions ({n / len(questions):.0%})")
    assert n / len(questions) <= MAX_LONGEST_IS_RIGHT_RATE
