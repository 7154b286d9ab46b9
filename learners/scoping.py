"""Who may see whose learning records. The one place scope is decided: report pages,
exports, the records API and trainer views all start from these querysets."""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from courses.cache import version_token_bump, version_token_read_with_request
from courses.models import CoursePage
from learners.models import Enrolment, Organisation, ReportingScope, User, learner_q
from learners.people_kept import person_value

HR_REPORTERS = "HR reporters"
TRAINERS = "Trainers"


ALL = None  # the scope of an academy admin: everyone

# A token changed by every write that can change whose records anyone reports on: a
# scope given, moved or taken away, someone joining or leaving a group, a group renamed,
# an organisation added, moved or deleted (a path in the tree can then name another
# organisation), and migrate. Wired in LearnersConfig.ready and the models' querysets.
SCOPES_KEY = "reporting-scopes:version"
version_token_read_with_request(SCOPES_KEY)


def scopes_changed(*args, **kwargs) -> None:
    """Everyone's scope is read afresh by their next request, in every process."""
    version_token_bump(SCOPES_KEY)


def scopes_changed_by_groups(sender, action, **kwargs) -> None:
    """m2m_changed on User.groups, from either side (a group emptied too)."""
    if action in ("post_add", "post_remove", "post_clear"):
        scopes_changed()


def _scope_paths_read(user: User) -> tuple[str, ...]:
    return tuple(ReportingScope.objects.filter(user=user, user__groups__name=HR_REPORTERS)
                 .values_list("organisation__path", flat=True))


def _scope_paths(user: User) -> list[str] | None:
    """The tree paths of the organisations the user reports on: ALL (None) for an
    academy admin, their scopes for an HR reporter, [] for anyone else. Read once for
    the user object (a request's user is a new object each request; the report page
    asked five times), and for the signed-in person kept in the process between their
    requests as their row is (learners.people_kept), under SCOPES_KEY as well: any
    change to anyone's scope is seen by the very next request (issue 15)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return ALL
    paths = getattr(user, "_academy_scope_paths", None)
    if paths is None:
        paths = user._academy_scope_paths = person_value(
            user.pk, "scope paths", lambda: _scope_paths_read(user), tokens=(SCOPES_KEY,))
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
