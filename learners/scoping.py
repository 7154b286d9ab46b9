"""Who may see whose learning records. The one place scope is decided: report pages,
exports, the records API and trainer views all start from these querysets."""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from courses.models import CoursePage
from learners.models import Enrolment, Organisation, ReportingScope, User

HR_REPORTERS = "HR reporters"
TRAINERS = "Trainers"


def reporting_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations (with everything below them) whose records the user may
    report on: all for academy admins, their scopes for HR reporters, none otherwise."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    roots = list(
        ReportingScope.objects.filter(user=user, user__groups__name=HR_REPORTERS)
        .values_list("organisation__path", flat=True)
    )
    if not roots:
        return Organisation.objects.none()
    return Organisation.objects.filter(reduce(or_, (Q(path__startswith=p) for p in roots)))


def can_report(user: User) -> bool:
    return user.is_authenticated and (
        user.is_superuser or reporting_organisations(user).exists()
    )


def _people_under(paths: list[str], prefix: str = "organisation__path") -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}__startswith": p}) for p in paths))


def reportable_enrolments(user: User) -> QuerySet[Enrolment]:
    """Enrolments of people in the user's reporting organisations."""
    if not user.is_authenticated or not user.is_active:
        return Enrolment.objects.none()
    if user.is_superuser:
        return Enrolment.objects.all()
    roots = list(
        ReportingScope.objects.filter(user=user, user__groups__name=HR_REPORTERS)
        .values_list("organisation__path", flat=True)
    )
    return Enrolment.objects.filter(_people_under(roots, "user__organisation__path"))


def reportable_people(user: User) -> QuerySet[User]:
    """People in the user's reporting organisations (for bulk enrolment)."""
    if user.is_superuser:
        return User.objects.all()
    roots = list(
        ReportingScope.objects.filter(user=user, user__groups__name=HR_REPORTERS)
        .values_list("organisation__path", flat=True)
    )
    return User.objects.filter(_people_under(roots))


def trainer_courses(user: User) -> QuerySet[CoursePage]:
    """The courses the user runs: listed as a trainer, and still in the Trainers group
    (removing someone from the group ends their access, as for HR reporters)."""
    if not user.is_authenticated or not user.is_active or not user.groups.filter(
        name=TRAINERS
    ).exists():
        return CoursePage.objects.none()
    return CoursePage.objects.filter(trainers=user)


def trainer_enrolments(user: User) -> QuerySet[Enrolment]:
    """Enrolments on the courses the user runs as a trainer."""
    return Enrolment.objects.filter(course__in=trainer_courses(user))
