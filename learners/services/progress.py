"""Derives a learner's progress on a course from the facts they have recorded."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from math import floor

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from wagtail.models import Page

from content.sql import sql_column, sql_table
from courses.selectors import course_final_assessment, course_lesson_outline
from learners.enqueue import enqueue_on_commit
from learners.models import (
    AssessmentAttempt,
    Booking,
    Certificate,
    Enrolment,
    EnrolmentStatus,
    KnowledgeCheckAttempt,
    TrainingSession,
)
from learners.services.xapi import xapi_course_completed

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


WHOLE_COURSE = None  # the module of a session that teaches the whole course


@cache
def _sessions_attended_sql() -> str:
    """sessions_attended's SELECT, written once per process from the models' own names
    (on every completion and recompute, the ORM took longer to build it than the
    database took to answer; tests/learners/test_learner_queries.py holds it to the
    ORM's). Values are bound, never put in the text."""
    column, table = sql_column, sql_table
    module = f"s.{column(TrainingSession, 'module')}"
    return (
        f"SELECT {module},"  # noqa: S608  # nosec B608
        f" MAX(CASE WHEN b.{column(Booking, 'id')} IS NOT NULL THEN 1 ELSE 0 END)"
        f" FROM {table(TrainingSession)} s"
        f" LEFT JOIN {table(Page)} m ON m.{column(Page, 'id')} = {module}"
        f" LEFT JOIN {table(Booking)} b"
        f" ON b.{column(Booking, 'session')} = s.{column(TrainingSession, 'id')}"
        f" AND b.{column(Booking, 'user')} = %s AND b.{column(Booking, 'attended')} = %s"
        f" WHERE s.{column(TrainingSession, 'course')} = %s"
        f" AND s.{column(TrainingSession, 'cancelled_at')} IS NULL"
        f" AND ({module} IS NULL OR m.{column(Page, 'live')})"
        f" GROUP BY {module}")


def sessions_attended(*, user_id: int, course_id: int) -> dict[int | None, bool]:
    """The course's sessions that go ahead (not cancelled), by the module they teach
    (WHOLE_COURSE for the whole course; modules that are live), and whether the learner
    attended one of them (the register says so). One query, whatever the number of
    sessions; {} for a course taught without sessions."""
    with connection.cursor() as cursor:
        cursor.execute(_sessions_attended_sql(), [user_id, True, course_id])
        rows = cursor.fetchall()
    return {module_id: bool(attended) for module_id, attended in rows}


def progress_derive(*, enrolment_id: int, course, outline,
                    progress: dict[int, tuple[datetime, datetime | None]],
                    attempts: Iterable[tuple[str, bool]], assessment,
                    sessions: dict[int | None, bool] | None = None) -> DerivedProgress:
    """The rule, applied to facts already read: `progress` is lesson id -> (opened_at,
    completed_at); `attempts` the (block_id, correct) of every knowledge-check answer,
    oldest first (the latest counts); `assessment` the course's live final assessment
    (its page or its AssessmentRules) or None; `sessions` what sessions_attended read
    (None or {}: no sessions). With an assessment, the score is the best submitted
    attempt at it (one query) and knowledge checks are practice. A course is complete
    when every required step is complete and the score reaches any pass mark.

    The steps are the required lessons, each module with a session but no live lesson,
    and (in a course with no lessons) a session of the whole course. Attending a
    session (the register says attended) completes every lesson of its module, or of
    the whole course, and the module's own step; a no-show or an unmarked register
    completes nothing."""
    latest_correct: dict[str, bool] = dict(attempts)
    sessions = sessions or {}
    whole_course_attended = sessions.get(WHOLE_COURSE, False)

    def done(lesson) -> bool:
        return (lesson.id in progress and progress[lesson.id][1] is not None) or (
            whole_course_attended or sessions.get(lesson.module_id, False))

    required = [lesson for lesson in outline if lesson.required]
    modules_with_lessons = {lesson.module_id for lesson in outline}
    # Steps that are sessions alone, in course order where the module is known.
    session_steps = {module_id: attended or whole_course_attended
                     for module_id, attended in sessions.items()
                     if module_id is not WHOLE_COURSE and module_id not in modules_with_lessons}
    if not outline and WHOLE_COURSE in sessions:
        session_steps[WHOLE_COURSE] = whole_course_attended
    steps = len(required) + len(session_steps)
    required_done = (sum(1 for lesson in required if done(lesson))
                     + sum(1 for attended in session_steps.values() if attended))
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
    for module_id, attended in session_steps.items():
        if module_id is not WHOLE_COURSE:
            modules[str(module_id)] = COMPLETED if attended else NOT_STARTED
    if assessment is not None:
        score = AssessmentAttempt.objects.filter(
            enrolment_id=enrolment_id, assessment_id=assessment.pk, submitted_at__isnull=False,
        ).aggregate(best=Max("score_percent"))["best"]
        passes = score is not None and course.score_passes(score)
    else:
        passes = course.score_passes(score)
    return DerivedProgress(
        progress_percent=floor(100 * required_done / steps) if steps else 0,
        score_percent=score, module_status=modules,
        next_lesson_id=next((lesson.id for lesson in outline if not done(lesson)), None),
        started_at=min((opened for opened, _ in progress.values()), default=None),
        complete=bool(steps) and required_done == steps and passes,
    )


def enrolment_progress_recompute(*, enrolment_id: int) -> Enrolment:
    """Recompute progress, per-module status, score, next lesson and completion from the
    lesson progress, knowledge-check attempts and the registers of the course's
    sessions (progress_derive has the rule).
    Idempotent: the result depends only on the facts, and `completed_at` is set once
    and never moved. On completion, enqueues the certificate after commit."""
    with transaction.atomic():
        # The enrolment's row alone is locked, not its course page's: recomputes of one
        # course's learners (and an editor publishing it) do not queue for that row.
        enrolment = (Enrolment.objects.select_for_update(of=("self",))
                     .select_related("course").get(pk=enrolment_id))
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
            assessment=course_final_assessment(course=enrolment.course),
            sessions=sessions_attended(user_id=enrolment.user_id,
                                       course_id=enrolment.course_id),
        )
        for column, value in derived.columns().items():
            setattr(enrolment, column, value)
        if enrolment.started_at is None:
            enrolment.started_at = derived.started_at
        enrolment.progress_computed_at = computed_at
        newly_completed = derived.complete and enrolment.completed_at is None
        if newly_completed:
            enrolment.completed_at = computed_at
            xapi_course_completed(enrolment=enrolment, at=computed_at,
                                  score_percent=derived.score_percent)
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
