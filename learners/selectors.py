"""Reads of the learning record. Each returns only the signed-in learner's own rows."""

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

from content.blocks import knowledge_check_mark
from courses.models import CoursePage, LessonPage
from learners.models import Enrolment, KnowledgeCheckAttempt, LessonProgress, User


def with_status(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Annotate each enrolment's `status` in SQL (not started, in progress, completed,
    overdue), so pages, reports and exports agree and can filter and sort by it."""
    today = timezone.localdate()
    return queryset.annotate(status=Case(
        When(completed_at__isnull=False, then=Value("completed")),
        When(due_on__lt=today, then=Value("overdue")),
        When(Q(started_at__isnull=False) | Q(last_fact_at__isnull=False),
             then=Value("in progress")),
        default=Value("not started"),
        output_field=CharField(),
    ))


def enrolment_for(*, user: User, course: CoursePage) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return (
        with_status(Enrolment.objects.filter(user=user, course=course))
        .select_related("next_lesson", "last_lesson", "certificate")
        .order_by("-cycle")  # the current cycle of recurring required learning
        .first()
    )


def enrolments_for_learner(*, user: User):
    """My learning: every enrolment with what its row needs, in one query."""
    return (
        with_status(Enrolment.objects.filter(user=user))
        .select_related("course", "next_lesson", "certificate")
        .order_by("-last_fact_at", "-enrolled_at")
    )


def lesson_state_for(*, enrolment: Enrolment, lesson: LessonPage) -> dict:
    """The learner's progress on one lesson and the marking of their latest answer to
    each of its knowledge checks."""
    progress = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()
    latest: dict[str, list[str]] = {}
    for block_id, chosen in (
        KnowledgeCheckAttempt.objects.filter(enrolment=enrolment, lesson=lesson)
        .order_by("answered_at", "pk").values_list("block_id", "chosen")
    ):
        latest[block_id] = chosen
    results = {
        block.id: knowledge_check_mark(value=block.value, chosen_ids=latest.get(block.id))
        for block in lesson.knowledge_checks()
    }
    return {"progress": progress, "results": results}
