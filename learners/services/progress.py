"""Derives a learner's progress on a course from the facts they have recorded."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from math import floor

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from courses.selectors import course_lesson_outline
from learners.enqueue import enqueue_on_commit
from learners.models import (
    AssessmentAttempt,
    Certificate,
    Enrolment,
    EnrolmentStatus,
    KnowledgeCheckAttempt,
)

logger = logging.getLogger(__name__)

NOT_STARTED, IN_PROGRESS, COMPLETED = (EnrolmentStatus.NOT_STARTED, EnrolmentStatus.IN_PROGRESS,
                                       EnrolmentStatus.COMPLETED)


@dataclass(frozen=True)
class DerivedProgress:
    """What the facts say of an enrolment: the columns the recompute writes."""

    progress_percent: int
    score_percent: int | None
    module_status: dict[str, str]
    next_lesson_id: int | None
    started_at: datetime | None
    complete: bool

    def columns(self) -> dict:
        return {"progress_percent": self.progress_percent,
                "score_percent": self.score_percent, "module_status": self.module_status,
                "next_lesson_id": self.next_lesson_id}


def progress_derive(*, enrolment_id: int, course, outline,
                    progress: dict[int, tuple[datetime, datetime | None]],
                    attempts: Iterable[tuple[str, bool]], assessment) -> DerivedProgress:
    """The rule, applied to facts already read: `progress` is lesson id -> (opened_at,
    completed_at); `attempts` the (block_id, correct) of every knowledge-check answer,
    oldest first (the latest counts); `assessment` the course's live final assessment
    or None. With an assessment, the score is the best submitted attempt at it (one
    query) and knowledge checks are practice. A course is complete when every required
    lesson is complete and the score reaches any pass mark."""
    latest_correct: dict[str, bool] = dict(attempts)

    def done(lesson) -> bool:
        return lesson.id in progress and progress[lesson.id][1] is not None

    required = [lesson for lesson in outline if lesson.required]
    required_done = sum(1 for lesson in required if done(lesson))
    checks = [check for lesson in required for check in lesson.check_ids]
    score = (
        round(100 * sum(latest_correct.get(c, False) for c in checks) / len(checks))
        if checks else None
    )
    modules: dict[str, str] = {}
    for lesson in outline:
        status = modules.get(str(lesson.module_id))
        lesson_status = COMPLETED if done(lesson) else (
            IN_PROGRESS if lesson.id in progress else NOT_STARTED)
        if status is None:
            modules[str(lesson.module_id)] = lesson_status
        elif status != lesson_status:
            modules[str(lesson.module_id)] = IN_PROGRESS
    if assessment is not None:
        score = AssessmentAttempt.objects.filter(
            enrolment_id=enrolment_id, assessment=assessment, submitted_at__isnull=False,
        ).aggregate(best=Max("score_percent"))["best"]
        passes = score is not None and course.score_passes(score)
    else:
        passes = course.score_passes(score)
    return DerivedProgress(
        progress_percent=floor(100 * required_done / len(required)) if required else 0,
        score_percent=score, module_status=modules,
        next_lesson_id=next((lesson.id for lesson in outline if not done(lesson)), None),
        started_at=min((opened for opened, _ in progress.values()), default=None),
        complete=bool(required) and required_done == len(required) and passes,
    )


def enrolment_progress_recompute(*, enrolment_id: int) -> Enrolment:
    """Recompute progress, per-module status, score, next lesson and completion from the
    lesson progress and knowledge-check attempts (progress_derive has the rule).
    Idempotent: the result depends only on the facts, and `completed_at` is set once
    and never moved. On completion, enqueues the certificate after commit."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment_id)
        )
        # Facts recorded after this instant make the result stale (see the reconciler).
        computed_at = timezone.now()
        derived = progress_derive(
            enrolment_id=enrolment.pk, course=enrolment.course,
            outline=course_lesson_outline(course=enrolment.course),
            progress={lesson_id: (opened, completed) for lesson_id, opened, completed in
                      enrolment.lesson_progress.values_list(
                          "lesson_id", "opened_at", "completed_at")},
            attempts=enrolment.attempts.order_by("answered_at", "pk")
            .values_list("block_id", "correct"),
            assessment=enrolment.course.final_assessment(),
        )
        for column, value in derived.columns().items():
            setattr(enrolment, column, value)
        if enrolment.started_at is None:
            enrolment.started_at = derived.started_at
        enrolment.progress_computed_at = computed_at
        newly_completed = derived.complete and enrolment.completed_at is None
        if newly_completed:
            enrolment.completed_at = computed_at
        enrolment.save(update_fields=[
            "progress_percent", "score_percent", "module_status", "next_lesson",
            "started_at", "progress_computed_at", "completed_at",
        ])
        if enrolment.completed_at and not (
            Certificate.objects.filter(enrolment=enrolment).exclude(file="").exists()
        ):
            from learners.tasks import certificate_issue as task

            enqueue_on_commit(task, enrolment.pk)
    if newly_completed:
        logger.info("completed enrolment=%s score=%s", enrolment.pk, derived.score_percent)
    return enrolment


def enrolment_lesson_counts(*, enrolment: Enrolment, outline=None) -> tuple[int, int]:
    """(required lessons complete, required lessons) for the learner's own pages, which
    say "1 of 6 lessons" rather than a percentage. From the course's outline and the
    `lessons_done` that selectors.enrolment_get counts with the enrolment, no query;
    otherwise one."""
    outline = course_lesson_outline(course=enrolment.course) if outline is None else outline
    required = {lesson.id for lesson in outline if lesson.required}
    if hasattr(enrolment, "lessons_done"):
        return enrolment.lessons_done, len(required)
    done = set(enrolment.lesson_progress.filter(
        lesson_id__in=required, completed_at__isnull=False).values_list("lesson_id", flat=True))
    return len(done), len(required)


def enrolment_wrong_answer_lessons(*, enrolment: Enrolment) -> list:
    """The live required lessons, in course order, with a knowledge check whose latest
    answer is wrong: where a learner below the pass mark should go back to. One query."""
    latest: dict[str, KnowledgeCheckAttempt] = {}
    for attempt in (
        KnowledgeCheckAttempt.objects.filter(
            enrolment=enrolment, lesson__live=True, lesson__required=True)
        .select_related("lesson").order_by("answered_at", "pk")
    ):
        latest[attempt.block_id] = attempt
    lessons = {a.lesson.pk: a.lesson for a in latest.values()
               if not a.correct and a.block_id in a.lesson.knowledge_check_ids()}
    return sorted(lessons.values(), key=lambda lesson: lesson.path)
