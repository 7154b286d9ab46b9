"""Reads of the learning record. Each returns only the signed-in learner's own rows."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from content.blocks import knowledge_check_mark
from courses.models import CoursePage, LessonPage
from learners.models import (
    ComplianceStatus,
    Enrolment,
    EnrolmentStatus,
    KnowledgeCheckAttempt,
    LessonProgress,
    User,
)


def enrolment_due_on():
    """The date an enrolment is due by: the later of the required learning's due date
    and HR's extension for this person (an extension only ever gives more time, even
    after the assignment's date moves past it). Null: not required. (Not Greatest():
    SQLite's MAX of a null is null.)"""
    return Case(When(extended_due_on__gt=F("due_on"), then=F("extended_due_on")),
                default=F("due_on"), output_field=DateField())


def enrolments_annotate_status(*, queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Annotate each enrolment's `status` (EnrolmentStatus) in SQL, so pages, reports,
    exports and the API agree and can filter and sort by it."""
    today = timezone.localdate()
    return queryset.annotate(status=Case(
        When(completed_at__isnull=False, then=Value(EnrolmentStatus.COMPLETED)),
        When(Q(due_on__lt=today) & (Q(extended_due_on__isnull=True)
                                    | Q(extended_due_on__lt=today)),
             then=Value(EnrolmentStatus.OVERDUE)),
        When(Q(started_at__isnull=False) | Q(last_fact_at__isnull=False),
             then=Value(EnrolmentStatus.IN_PROGRESS)),
        default=Value(EnrolmentStatus.NOT_STARTED),
        output_field=CharField(),
    ))


def enrolments_annotate_compliance(*, queryset: QuerySet[Enrolment],
                                   today: date | None = None) -> QuerySet[Enrolment]:
    """Annotate required enrolments with `effective_due_on`, `completed_on` (the
    completion's date in the department's time zone) and `compliance`
    (ComplianceStatus). Completing on the due date is on time; the day after is late.
    Due soon: due within DUE_SOON_DAYS (today included)."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=settings.DUE_SOON_DAYS)
    return queryset.annotate(
        effective_due_on=enrolment_due_on(),
        completed_on=TruncDate("completed_at"),
    ).annotate(compliance=Case(
        When(completed_on__isnull=False, completed_on__lte=F("effective_due_on"),
             then=Value(ComplianceStatus.COMPLETED_ON_TIME)),
        When(completed_on__isnull=False, then=Value(ComplianceStatus.COMPLETED_LATE)),
        When(effective_due_on__lt=today, then=Value(ComplianceStatus.OVERDUE)),
        When(effective_due_on__lte=soon, then=Value(ComplianceStatus.DUE_SOON)),
        default=Value(ComplianceStatus.NOT_YET_DUE),
        output_field=CharField(),
    ))


def enrolments_required_current(*, queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Required learning as it stands: enrolments with a due date whose assignment has
    not been withdrawn, only the latest cycle of recurring learning."""
    later_cycle = Enrolment.objects.filter(user=OuterRef("user"), course=OuterRef("course"),
                                           cycle__gt=OuterRef("cycle"))
    return (queryset.filter(due_on__isnull=False)
            .exclude(required_by__withdrawn_at__isnull=False)
            .exclude(Exists(later_cycle)))


def enrolment_get(*, user: User, course: CoursePage) -> Enrolment | None:
    """The learner's current enrolment on the course (the latest cycle), or None."""
    if not user.is_authenticated:
        return None
    return (
        enrolments_annotate_status(queryset=Enrolment.objects.filter(user=user, course=course))
        .select_related("next_lesson", "last_lesson", "certificate")
        .order_by("-cycle")  # the current cycle of recurring required learning
        .first()
    )


def enrolments_list_for_learner(*, user: User):
    """My learning: every enrolment with what its row needs, in one query."""
    return (
        enrolments_annotate_status(queryset=Enrolment.objects.filter(user=user))
        .select_related("course", "next_lesson", "certificate")
        .order_by("-last_fact_at", "-enrolled_at")
    )


def lesson_state_get(*, enrolment: Enrolment, lesson: LessonPage) -> dict:
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
