"""Building a course with a final assessment, and taking it over HTTP, for tests."""

import re
import uuid

from django.urls import reverse

from courses.models import AssessmentPage
from learners.models import AssessmentAttempt

EXPLANATION = "EXPLAINED-HERE"


def question(text: str, options: list[tuple[str, bool]], lesson=None) -> dict:
    """A question block's raw value for an assessment pool."""
    return {
        "type": "question",
        "id": str(uuid.uuid4()),
        "value": {
            "question": text,
            "options": [{"type": "item", "id": str(uuid.uuid4()),
                         "value": {"text": option, "correct": correct}}
                        for option, correct in options],
            "explanation": f"<p>{EXPLANATION} for {text}</p>",
            "lesson": lesson.pk if lesson else None,
        },
    }


def pool(lessons, size: int = 6) -> list[dict]:
    """`size` questions: even ones single-answer (4 options), odd ones multiple-answer."""
    blocks = []
    for n in range(size):
        if n % 2 == 0:
            options = [(f"Q{n} option A", False), (f"Q{n} option B", True),
                       (f"Q{n} option C", False), (f"Q{n} option D", False)]
        else:
            options = [(f"Q{n} option A", True), (f"Q{n} option B", False),
                       (f"Q{n} option C", True), (f"Q{n} option D", False)]
        blocks.append(question(f"Pool question {n}?", options, lesson=lessons[n % len(lessons)]))
    return blocks


def add_assessment(course, lessons, *, size=6, per_attempt=5, attempts=3, wait_hours=1,
                   title="Final assessment") -> AssessmentPage:
    assessment = AssessmentPage(
        title=title, slug="final-assessment", intro="<p>Show what you have learned.</p>",
        questions_per_attempt=per_attempt, attempts_allowed=attempts, wait_hours=wait_hours,
        pool=pool(lessons, size),
    )
    course.add_child(instance=assessment)
    assessment.save_revision().publish()
    return AssessmentPage.objects.get(pk=assessment.pk)


def correct_ids(assessment, question_id) -> list[str]:
    block = assessment.questions_by_id()[question_id]
    return [o.id for o in block.value["options"].bound_blocks if o.value["correct"]]


def wrong_ids(assessment, question_id) -> list[str]:
    block = assessment.questions_by_id()[question_id]
    return [next(o.id for o in block.value["options"].bound_blocks if not o.value["correct"])]


def start(client, assessment):
    return client.post(reverse("assessment_start", args=[assessment.pk]))


def answers_for(attempt: AssessmentAttempt, *, right: int) -> dict[str, list[str]]:
    """Form data answering the first `right` questions right and the rest wrong."""
    data = {}
    for n, q in enumerate(attempt.questions):
        pick = correct_ids if n < right else wrong_ids
        data[f"answer-{q['id']}"] = pick(attempt.assessment, q["id"])
    return data


def submit(client, attempt, data):
    return client.post(reverse("assessment_attempt", args=[attempt.pk]), data)


def input_tags(html: str) -> list[str]:
    return re.findall(r"<input [^>]*>", html)
