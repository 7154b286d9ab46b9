"""Facts a learner records while learning: opening a lesson, answering a knowledge
check, marking a lesson complete. Each writes its row at once and leaves the
consequences (completion's certificate, and putting right anything recorded at the
same moment) to a task after commit. Answering and completing also work out the
learner's own progress at once, under the enrolment's lock and in the same UPDATE as
the fact (one enrolment: their lesson progress is one read, the course's outline is
cached), so the pages they see next never show progress older than what they just did,
and the task runs only when there is something left for it to do. Opening a lesson
writes only when something changed."""

import logging
from functools import cache

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from content.blocks import KnowledgeCheckResult, knowledge_check_mark
from content.sql import ModelColumns, sql_column, sql_table
from courses.models import LessonPage
from courses.selectors import course_final_assessment, course_lesson_outline
from learners.enqueue import enqueue_on_commit
from learners.models import Enrolment, KnowledgeCheckAttempt, LessonProgress
from learners.services.progress import progress_derive, sessions_attended
from learners.services.scorm import scorm_lesson_unpassed
from learners.services.xapi import (
    xapi_course_completed,
    xapi_knowledge_check_answered,
    xapi_lesson_completed,
    xapi_lesson_experienced,
)

logger = logging.getLogger(__name__)


class AnswerRejected(Exception):
    """The answer could not be marked: no option chosen, or not this question's."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LessonNotFinished(Exception):
    """The lesson has knowledge checks the learner has not answered yet, or SCORM
    packages (ids in `unpassed_packages`) they have not passed yet."""

    def __init__(self, unanswered: list[str], unpassed_packages: list[int] | None = None):
        super().__init__(f"{len(unanswered)} knowledge check(s) not answered, "
                         f"{len(unpassed_packages or [])} SCORM package(s) not passed")
        self.unanswered = unanswered
        self.unpassed_packages = unpassed_packages or []


def _recompute_task():
    from learners.tasks import enrolment_progress_recompute as task

    return task


def lesson_open(*, enrolment: Enrolment, lesson: LessonPage) -> LessonProgress:
    """Record that the learner opened the lesson, writing only what changed: the first
    open inserts the progress row and records the fact (two statements in one
    transaction); opening another lesson already opened moves the resume point (one
    UPDATE, no fact: nothing the progress is worked out from has changed); opening the
    lesson they were last on writes nothing. Reads the learner's progress on the lesson
    from `enrolment.lesson_progress_here` (selectors.enrolment_get(lesson=...)) where
    it was read with the enrolment."""
    if hasattr(enrolment, "lesson_progress_here"):
        progress = enrolment.lesson_progress_here
    else:
        progress = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()
    if progress is None:
        now = timezone.now()
        with transaction.atomic():
            # ON CONFLICT DO NOTHING: of two first opens at once, one row.
            LessonProgress.objects.bulk_create(
                [LessonProgress(enrolment=enrolment, lesson=lesson)], ignore_conflicts=True)
            Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson,
                                                             last_fact_at=now)
            enqueue_on_commit(_recompute_task(), enrolment.pk)
            # Of two first opens at once, the one statement (its id is the fact's).
            xapi_lesson_experienced(enrolment=enrolment, lesson=lesson, at=now)
        progress = LessonProgress(enrolment=enrolment, lesson=lesson, opened_at=now)
        enrolment.last_lesson_id, enrolment.last_fact_at = lesson.pk, now
    elif enrolment.last_lesson_id != lesson.pk:
        Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson)
        enrolment.last_lesson_id = lesson.pk
    return progress


@cache
def _enrolment_lock_sql() -> tuple[str, ModelColumns]:
    columns = ModelColumns(Enrolment, aliases={Enrolment: "e"},
                           attnames=("id", "last_fact_at"))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (f"SELECT {columns.sql} FROM {sql_table(Enrolment)} e"  # noqa: S608  # nosec B608
            f" WHERE e.{sql_column(Enrolment, 'id')} = %s{lock}"), columns


def _no_fact_since_read(enrolment: Enrolment) -> bool:
    """Take the enrolment's row lock until commit (as the recompute does; on SQLite the
    write already made holds the database's) and say whether no other fact has been
    recorded for it since this request read it: every fact moves `last_fact_at`, so an
    unchanged one means what this request read was all there was."""
    sql, columns = _enrolment_lock_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [enrolment.pk])
        current = columns.instance(cursor.fetchone())
    return current.last_fact_at == enrolment.last_fact_at


def _progress_record(*, enrolment: Enrolment, lesson: LessonPage, outline,
                     attempts: list[tuple[int, str, bool]]) -> None:
    """Record the fact (the lesson last worked on, and when) and, in the same UPDATE,
    this learner's progress worked out from the facts as they now stand (one read of
    their lesson progress, and of the best final assessment score where the course
    has one), under the enrolment's lock, so the next page they see is up to date.

    The full recompute (learners.tasks) is enqueued after commit only when it has
    something to do: on completion (its certificate), or when another fact was
    recorded between this request's reads and the lock (it puts that right). Otherwise
    the progress written here is what the recompute would write, and the enrolment is
    not stale (its progress_computed_at is its last fact's time)."""
    unchanged = _no_fact_since_read(enrolment)
    now = timezone.now()
    course = enrolment.course
    derived = progress_derive(
        enrolment_id=enrolment.pk, course=course, outline=outline,
        progress={lesson_id: (opened, completed) for lesson_id, opened, completed in
                  LessonProgress.objects.filter(enrolment=enrolment)
                  .values_list("lesson_id", "opened_at", "completed_at")},
        attempts=[(block_id, correct) for _, block_id, correct in attempts],
        assessment=course_final_assessment(course=course),
        # One query (empty for a course without sessions): attending a session
        # completes its module, here as in the recompute.
        sessions=sessions_attended(user_id=enrolment.user_id, course_id=course.pk),
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        last_lesson=lesson, last_fact_at=now, progress_computed_at=now,
        started_at=enrolment.started_at or derived.started_at,
        # Set once, never moved (as the recompute does).
        completed_at=Coalesce(F("completed_at"), Value(now)) if derived.complete
        else F("completed_at"),
        **derived.columns(),
    )
    if derived.complete and enrolment.completed_at is None:
        logger.info("completed enrolment=%s score=%s", enrolment.pk, derived.score_percent)
        xapi_course_completed(enrolment=enrolment, at=now, score_percent=derived.score_percent)
    enrolment.last_fact_at = now
    if derived.complete or not unchanged:
        enqueue_on_commit(_recompute_task(), enrolment.pk)


def _attempts(enrolment: Enrolment) -> list[tuple[int, str, bool]]:
    """(lesson id, block id, correct) of each of the learner's answers, oldest first."""
    return list(KnowledgeCheckAttempt.objects.filter(enrolment=enrolment)
                .order_by("answered_at", "pk").values_list("lesson_id", "block_id", "correct"))


def _outline(enrolment: Enrolment, outline):
    return course_lesson_outline(course=enrolment.course) if outline is None else outline


@transaction.atomic
def knowledge_check_answer(
    *, enrolment: Enrolment, lesson: LessonPage, block_id: str, chosen_ids: list[str],
    outline=None,
) -> KnowledgeCheckResult:
    """Mark the answer on the server and store the attempt. Raises AnswerRejected,
    storing nothing, when the answer cannot be marked."""
    block = next((b for b in lesson.knowledge_checks() if b.id == block_id), None)
    if block is None:
        raise AnswerRejected("This question is no longer in the lesson. Reload the page.")
    result = knowledge_check_mark(value=block.value, chosen_ids=chosen_ids)
    if not result.answered:
        raise AnswerRejected(result.error)
    LessonProgress.objects.bulk_create(
        [LessonProgress(enrolment=enrolment, lesson=lesson)], ignore_conflicts=True)
    attempt = KnowledgeCheckAttempt.objects.create(
        enrolment=enrolment, lesson=lesson, block_id=block_id,
        chosen=sorted(set(chosen_ids)), correct=result.correct,
    )
    xapi_knowledge_check_answered(enrolment=enrolment, lesson=lesson, block=block,
                                  attempt=attempt)
    _progress_record(enrolment=enrolment, lesson=lesson, outline=_outline(enrolment, outline),
                     attempts=_attempts(enrolment))
    return result


@transaction.atomic
def lesson_complete(*, enrolment: Enrolment, lesson: LessonPage, outline=None) -> bool:
    """Mark the lesson complete: allowed once every knowledge check in it has been
    answered (right or wrong). Completing again changes nothing. Returns whether this
    call completed it. The lesson's checks come from the course's outline, so the
    lesson's body is not read; `outline` is the course's, where the caller has it."""
    outline = _outline(enrolment, outline)
    here = next((entry for entry in outline if entry.id == lesson.pk), None)
    check_ids = here.check_ids if here is not None else lesson.knowledge_check_ids()
    # The learner's answers: which of this lesson's checks they answered, and (for the
    # progress below) whether their latest answer to each is right. Not read when
    # neither the lesson nor the course has a check.
    attempts = _attempts(enrolment) if check_ids or any(
        entry.check_ids for entry in outline if entry.required) else []
    answered = {block_id for lesson_id, block_id, _ in attempts if lesson_id == lesson.pk}
    unanswered = [check for check in check_ids if check not in answered]
    # A SCORM lesson is complete once the learner has passed its packages (issue 17):
    # "Mark as complete" cannot skip them. No query for a lesson without one.
    unpassed = scorm_lesson_unpassed(
        enrolment=enrolment, lesson_id=lesson.pk,
        package_ids=here.scorm_package_ids if here is not None else lesson.scorm_package_ids())
    if unanswered or unpassed:
        raise LessonNotFinished(unanswered, unpassed)
    now = timezone.now()
    # The usual case, one statement: the lesson was opened and is not yet complete. Of
    # two requests at once, the second finds it complete once the first commits.
    completed = LessonProgress.objects.filter(
        enrolment=enrolment, lesson=lesson, completed_at__isnull=True
    ).update(completed_at=now) == 1
    if not completed:  # never opened (no row yet), or complete already
        _, completed = LessonProgress.objects.get_or_create(
            enrolment=enrolment, lesson=lesson, defaults={"completed_at": now})
    if completed:
        xapi_lesson_completed(enrolment=enrolment, lesson=lesson, at=now)
        _progress_record(enrolment=enrolment, lesson=lesson, outline=outline,
                         attempts=attempts)
    return completed
