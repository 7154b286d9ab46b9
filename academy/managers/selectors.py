"""Reads for line managers: their direct reports' learning, and no one else's."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from learners.identity import email_normalise
from learners.models import ComplianceStatus, Enrolment, User
from learners.scoping import reportable_people
from learners.selectors import (
    enrolments_annotate_compliance,
    enrolments_annotate_status,
    enrolments_required_current,
)


def direct_reports_list(*, manager: User) -> QuerySet[User]:
    """The manager's active direct reports, by name. Just the foreign key: someone who
    moves to another manager leaves this list at once."""
    if not manager.is_authenticated or not manager.is_active:
        return User.objects.none()
    return (User.objects.learners().filter(line_manager=manager)
            .order_by("last_name", "first_name", "pk"))


def direct_reports_exist(*, manager: User) -> bool:
    """Whether anyone active has this user as their line manager (one EXISTS query)."""
    return direct_reports_list(manager=manager).exists()


def team_required_list(*, manager: User) -> QuerySet[Enrolment]:
    """The direct reports' current required learning, annotated with compliance (and
    `effective_due_on`): overdue first, then what is still to do, then what is done;
    each by due date and name. One query."""
    enrolments = enrolments_required_current(
        queryset=Enrolment.objects.filter(user__in=direct_reports_list(manager=manager)))
    return (enrolments_annotate_compliance(queryset=enrolments)
            .select_related("user", "course")
            .order_by(Case(When(compliance=ComplianceStatus.OVERDUE, then=Value(0)),
                           When(completed_at__isnull=False, then=Value(2)),
                           default=Value(1), output_field=IntegerField()),
                      "effective_due_on", "user__last_name", "user__first_name", "pk"))


def team_other_list(*, manager: User) -> QuerySet[Enrolment]:
    """The direct reports' other enrolments (not current required learning), with
    their status: unfinished first, then by name and course. One query."""
    mine = Enrolment.objects.filter(user__in=direct_reports_list(manager=manager))
    required = enrolments_required_current(queryset=mine).values("pk")
    return (enrolments_annotate_status(queryset=mine.exclude(pk__in=required))
            .select_related("user", "course")
            .order_by(Case(When(completed_at__isnull=True, then=Value(0)), default=Value(1),
                           output_field=IntegerField()),
                      "user__last_name", "user__first_name", "course__title", "pk"))


def person_find(*, viewer: User, email: str) -> User | None:
    """The person in the viewer's reporting scope with this email (any case, in the one
    spelling of learners.identity), or None: someone outside the scope is not found, the
    same as someone who does not exist."""
    email = email_normalise(email)
    if not email:
        return None
    return (reportable_people(viewer).filter(email=email)
            .select_related("line_manager", "organisation").first())
