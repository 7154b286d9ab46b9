"""Derives a learner's progress on a course from the facts they have recorded."""

import logging
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


def enrolment_progress_recompute(*, enrolment_id: int) -> Enrolment:
    """Recompute progress, per-module status, score, next lesson and completion from the
    lesson progress and knowledge-check attempts. Idempotent: the result depends only
    on the facts, and `completed_at` is set once and never moved. A course is complete
    when every required lesson is complete and, where the course has a pass mark, the
    score reaches it. Where the course has a live final assessment, the score is the
    best submitted attempt at it, and a submitted attempt is needed (knowledge checks
    are then practice). On completion, enqueues the certificate after commit."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment_id)
        )
        # Facts recorded after this instant make the result stale (see the reconciler).
        computed_at = timezone.now()
        outline = course_lesson_outline(course=enrolment.course)
        progress = {p.lesson_id: p for p in enrolment.lesson_progress.all()}
        latest_correct: dict[str, bool] = {}
        for block_id, correct in (
            enrolment.attempts.order_by("answered_at", "pk").values_list("block_id", "correct")
        ):
            latest_correct[block_id] = correct

        def done(lesson) -> bool:
            return lesson.id in progress and progress[lesson.id].completed_at is not None

        required = [lesson for lesson in outline if lesson.required]
        required_done = [lesson for lesson in required if done(lesson)]
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
        assessment = enrolment.course.final_assessment()
        if assessment is not None:
            score = AssessmentAttempt.objects.filter(
                enrolment=enrolment, assessment=assessment, submitted_at__isnull=False,
            ).aggregate(best=Max("score_percent"))["best"]
            passes = score is not None and enrolment.course.score_passes(score)
        else:
            passes = enrolment.course.score_passes(score)
        complete = bool(required) and len(required_done) == len(required) and passes

        enrolment.progress_percent = (
            floor(100 * len(required_done) / len(required)) if required else 0
        )
        enrolment.score_percent = score
        enrolment.module_status = modules
        enrolment.next_lesson_id = next((l.id for l in outline if not done(l)), None)  # noqa: E741
        if progress and enrolment.started_at is None:
            enrolment.started_at = min(p.opened_at for p in progress.values())
        enrolment.progress_computed_at = computed_at
        newly_completed = complete and enrolment.completed_at is None
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
        logger.info("completed enrolment=%s score=%s", enrolment.pk, score)
    return enrolment


def enrolment_lesson_counts(*, enrolment: Enrolment) -> tuple[int, int]:
    """(required lessons complete, required lessons) for the learner's own pages, which
    say "1 of 6 lessons" rather than a percentage. Three queries."""
    required = {lesson.id for lesson in course_lesson_outline(course=enrolment.course)
                if lesson.required}
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
