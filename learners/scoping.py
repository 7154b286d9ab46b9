"""Who may see whose learning records. The one place scope is decided: report pages,
exports, the records API and trainer views all start from these querysets."""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from courses.models import CoursePage
from learners.models import Enrolment, Organisation, ReportingScope, User, learner_q

HR_REPORTERS = "HR reporters"
TRAINERS = "Trainers"


ALL = None  # the scope of an academy admin: everyone


def _scope_paths(user: User) -> list[str] | None:
    """The tree paths of the organisations the user reports on: ALL (None) for an
    academy admin, their scopes for an HR reporter, [] for anyone else. Read once for
    the user object (a request's user is a new object each request; the report page
    asked five times)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return ALL
    paths = getattr(user, "_academy_scope_paths", None)
    if paths is None:
        paths = user._academy_scope_paths = tuple(
            ReportingScope.objects.filter(user=user, user__groups__name=HR_REPORTERS)
            .values_list("organisation__path", flat=True))
    return list(paths)


def _under(paths: list[str], field: str) -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def reporting_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations (with everything below them) whose records the user may
    report on: all for academy admins, their scopes for HR reporters, none otherwise."""
    paths = _scope_paths(user)
    if paths is ALL:
        return Organisation.objects.all()
    return Organisation.objects.filter(_under(paths, "path"))


def can_report(user: User) -> bool:
    paths = _scope_paths(user)
    return paths is ALL or bool(paths)


def reporting_paths(user: User) -> list[str] | None:
    """The tree paths of the organisations the user reports on (None: everyone)."""
    return _scope_paths(user)


def reportable_enrolments(user: User) -> QuerySet[Enrolment]:
    """Enrolments of people in the user's reporting organisations who count as learners
    (learner_q: not unverified sign-ups, not a domain no longer allowed)."""
    paths = _scope_paths(user)
    counted = Enrolment.objects.filter(learner_q("user__"))
    if paths is ALL:
        return counted
    return counted.filter(_under(paths, "user__organisation__path"))


def reportable_people(user: User) -> QuerySet[User]:
    """People in the user's reporting organisations who count as learners (for bulk
    enrolment, line managers and moving teams)."""
    paths = _scope_paths(user)
    if paths is ALL:
        return User.objects.learners()
    return User.objects.learners().filter(_under(paths, "organisation__path"))


def trainer_courses(user: User) -> QuerySet[CoursePage]:
    """The courses the user runs: listed as a trainer, and still in the Trainers group
    (removing someone from the group ends their access, as for HR reporters)."""
    if not user.is_authenticated or not user.is_active or not user.groups.filter(
        name=TRAINERS
    ).exists():
        return CoursePage.objects.none()
    return CoursePage.objects.filter(trainers=user)


def trainer_enrolments(user: User) -> QuerySet[Enrolment]:
    """Enrolments, of people who count as learners, on the courses the user runs."""
    return Enrolment.objects.filter(learner_q("user__"), course__in=trainer_courses(user))
