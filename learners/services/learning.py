"""Facts a learner records while learning: opening a lesson, answering a knowledge
check, marking a lesson complete. Each writes its row at once and leaves the
consequences (progress, completion, certificate) to a task after commit. Answering and
completing also recompute the learner's own progress at once (one enrolment, cheap),
so the pages they see next never show progress older than what they just did."""

from django.db import transaction
from django.utils import timezone

from content.blocks import KnowledgeCheckResult, knowledge_check_mark
from courses.models import LessonPage
from learners.enqueue import enqueue_on_commit
from learners.models import Enrolment, KnowledgeCheckAttempt, LessonProgress
from learners.services.progress import enrolment_progress_recompute


class AnswerRejected(Exception):
    """The answer could not be marked: no option chosen, or not this question's."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LessonNotFinished(Exception):
    """The lesson has knowledge checks the learner has not answered yet."""

    def __init__(self, unanswered: list[str]):
        super().__init__(f"{len(unanswered)} knowledge check(s) not answered")
        self.unanswered = unanswered


def _record_fact(enrolment: Enrolment, lesson: LessonPage) -> None:
    now = timezone.now()
    Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, last_fact_at=now)
    from learners.tasks import enrolment_progress_recompute as task

    enqueue_on_commit(task, enrolment.pk)


@transaction.atomic
def lesson_open(*, enrolment: Enrolment, lesson: LessonPage) -> LessonProgress:
    """Record that the learner opened the lesson (the first time only)."""
    progress, created = LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    if created or enrolment.last_lesson_id != lesson.pk:
        _record_fact(enrolment, lesson)
    return progress


@transaction.atomic
def knowledge_check_answer(
    *, enrolment: Enrolment, lesson: LessonPage, block_id: str, chosen_ids: list[str]
) -> KnowledgeCheckResult:
    """Mark the answer on the server and store the attempt. Raises AnswerRejected,
    storing nothing, when the answer cannot be marked."""
    block = next((b for b in lesson.knowledge_checks() if b.id == block_id), None)
    if block is None:
        raise AnswerRejected("This question is no longer in the lesson. Reload the page.")
    result = knowledge_check_mark(value=block.value, chosen_ids=chosen_ids)
    if not result.answered:
        raise AnswerRejected(result.error)
    LessonProgress.objects.get_or_create(enrolment=enrolment, lesson=lesson)
    KnowledgeCheckAttempt.objects.create(
        enrolment=enrolment, lesson=lesson, block_id=block_id,
        chosen=sorted(set(chosen_ids)), correct=result.correct,
    )
    _record_fact(enrolment, lesson)
    enrolment_progress_recompute(enrolment_id=enrolment.pk)
    return result


@transaction.atomic
def lesson_complete(*, enrolment: Enrolment, lesson: LessonPage) -> bool:
    """Mark the lesson complete: allowed once every knowledge check in it has been
    answered (right or wrong). Completing again changes nothing. Returns whether this
    call completed it."""
    answered = set(
        KnowledgeCheckAttempt.objects.filter(enrolment=enrolment, lesson=lesson)
        .values_list("block_id", flat=True)
    )
    unanswered = [check for check in lesson.knowledge_check_ids() if check not in answered]
    if unanswered:
        raise LessonNotFinished(unanswered)
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
        _record_fact(enrolment, lesson)
        enrolment_progress_recompute(enrolment_id=enrolment.pk)
    return completed
