"""The final assessment, as a learner takes it: an overview with the rules and their
attempts, a start button, the attempt's questions, and its result. Only the enrolled
learner sees any of it: anyone else gets a 404, as on every learner page. Thin: the
rules are in learners.services.assessment."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import AssessmentPage, CoursePage, LessonPage
from learners import selectors, services
from learners.models import AssessmentAttempt, Enrolment


def _assessment_and_enrolment(request, assessment_id: int
                              ) -> tuple[AssessmentPage, Enrolment]:
    assessment = get_object_or_404(AssessmentPage.objects.live().public(), pk=assessment_id)
    course = CoursePage.objects.parent_of(assessment).first()
    enrolment = selectors.enrolment_get(user=request.user, course=course)
    if enrolment is None:
        raise Http404
    return assessment, enrolment


def _own_attempt(request, attempt_id: int) -> AssessmentAttempt:
    """The learner's own attempt on their current enrolment, or a 404."""
    attempt = get_object_or_404(
        AssessmentAttempt.objects.select_related("assessment", "enrolment__course"),
        pk=attempt_id, enrolment__user=request.user, assessment__live=True)
    return attempt


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    chosen: bool = False
    correct: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    number: int
    text: str
    multiple: bool
    options: list[Option]
    error: str = ""
    wrong: bool = False
    explanation: str = ""
    lesson: LessonPage | None = None


def _questions(attempt: AssessmentAttempt, *, chosen=None, errors=None,
               reveal: bool = False) -> list[Question]:
    """The attempt's questions in the order asked, options in the order shown. The
    right answers and explanations are only filled in when `reveal` is set, so a page
    before submission cannot carry them."""
    pool = attempt.assessment.questions_by_id()
    chosen = chosen if chosen is not None else attempt.answers
    errors = errors or {}
    lessons = LessonPage.objects.live().in_bulk(
        [pool[q["id"]].value["lesson"].pk for q in attempt.questions
         if q["id"] in pool and pool[q["id"]].value["lesson"] is not None])
    questions = []
    for question in attempt.questions:
        block = pool.get(question["id"])
        if block is None:
            continue
        by_id = {o.id: o.value for o in block.value["options"].bound_blocks}
        correct = {oid for oid, value in by_id.items() if value["correct"]}
        mine = set(chosen.get(question["id"], []))
        lesson = block.value["lesson"]
        questions.append(Question(
            id=question["id"], number=len(questions) + 1, text=block.value["question"],
            multiple=len(correct) > 1,
            options=[Option(id=oid, text=by_id[oid]["text"], chosen=oid in mine,
                            correct=reveal and oid in correct)
                     for oid in question["options"] if oid in by_id],
            error=errors.get(question["id"], ""),
            wrong=attempt.is_submitted and question["id"] in attempt.wrong,
            explanation=block.value["explanation"] if reveal else "",
            lesson=lessons.get(lesson.pk) if lesson is not None else None,
        ))
    return questions


@login_required
def assessment(request, assessment_id: int):
    """The assessment's overview: what it is, its rules, the learner's attempts."""
    assessment, enrolment = _assessment_and_enrolment(request, assessment_id)
    state = services.assessment_state_get(enrolment=enrolment, assessment=assessment)
    return render(request, "learners/assessment.html", {
        "assessment": assessment, "course": enrolment.course, "enrolment": enrolment,
        "state": state, "trainer_names": [str(t) for t in enrolment.course.trainers.all()],
    })


@require_POST
@login_required
def assessment_start(request, assessment_id: int):
    assessment, enrolment = _assessment_and_enrolment(request, assessment_id)
    try:
        attempt = services.assessment_attempt_start(enrolment=enrolment, assessment=assessment)
    except services.AssessmentUnavailable as refused:
        messages.error(request, refused.message)
        return redirect("assessment", assessment.pk)
    return redirect("assessment_attempt", attempt.pk)


@require_http_methods(["GET", "POST"])
@login_required
def assessment_attempt(request, attempt_id: int):
    """An attempt: its questions until it is submitted, then its result."""
    attempt = _own_attempt(request, attempt_id)
    enrolment = attempt.enrolment
    context = {"attempt": attempt, "assessment": attempt.assessment,
               "course": enrolment.course,
               "trainer_names": [str(t) for t in enrolment.course.trainers.all()]}
    if request.method == "POST":
        answers = {q["id"]: request.POST.getlist(f"answer-{q['id']}")
                   for q in attempt.questions}
        try:
            services.assessment_attempt_submit(attempt=attempt, answers=answers)
        except services.AnswersIncomplete as incomplete:
            questions = _questions(attempt, chosen=answers, errors=incomplete.errors)
            return render(request, "learners/assessment_attempt.html", {
                **context, "questions": questions,
                "errors": [(f"#question-{q.id}-1", f"Question {q.number}: {q.error}")
                           for q in questions if q.error],
            })
        return redirect("assessment_attempt", attempt.pk)
    if not attempt.is_submitted:
        return render(request, "learners/assessment_attempt.html",
                      {**context, "questions": _questions(attempt, chosen={})})
    state = services.assessment_state_get(enrolment=enrolment, assessment=attempt.assessment)
    questions = _questions(attempt, reveal=state.answers_revealed)
    return render(request, "learners/assessment_result.html", {
        **context, "state": state, "questions": questions,
        "passed": enrolment.course.score_passes(attempt.score_percent),
        "wrong_questions": [q for q in questions if q.wrong],
        "is_latest": attempt.number == state.attempts_used,
    })
