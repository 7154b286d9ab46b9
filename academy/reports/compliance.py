"""Reads for HR's compliance view: required learning against its deadline, one row per
person per required course, and figures that count people, not records.

The rules (on time, late, extensions, withdrawn assignments, the latest cycle) live in
learners.selectors; this module narrows them to the viewer's scope and the filters,
and rolls them up. Every figure is one set-based query, whatever the number of people.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, CharField, Count, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from learners.models import ComplianceStatus, Enrolment, Organisation
from learners.scoping import reportable_enrolments, reporting_organisations, reporting_paths
from learners.selectors import enrolments_annotate_compliance, enrolments_required_current

# A person's worst status decides where they are counted, worst first. Overdue needs
# action now; completed late is a breach already past; due soon is a risk; not yet
# due and on time are fine.
WORST_FIRST = (ComplianceStatus.OVERDUE, ComplianceStatus.COMPLETED_LATE,
               ComplianceStatus.DUE_SOON, ComplianceStatus.NOT_YET_DUE,
               ComplianceStatus.COMPLETED_ON_TIME)
# "Due or done": the deadline has passed or the learning is complete. Only this counts
# towards "compliant on time"; learning not yet due counts neither way.
JUDGED = (ComplianceStatus.COMPLETED_ON_TIME, ComplianceStatus.COMPLETED_LATE,
          ComplianceStatus.OVERDUE)
BREACHES = (ComplianceStatus.COMPLETED_LATE, ComplianceStatus.OVERDUE)


@dataclass(frozen=True)
class ComplianceFilters:
    """The compliance view's filters as plain values (slugs and ids), for the audit log
    and links. Which records they select is decided against the viewer's scope."""

    organisation: str | None = None  # slug; includes the teams below it
    course: str | None = None  # slug
    grade: int | None = None
    profession: str | None = None  # slug
    status: str | None = None  # ComplianceStatus
    due_from: date | None = None
    due_to: date | None = None

    def as_dict(self) -> dict:
        """Only the filters chosen, as JSON-ready values."""
        return {name: value.isoformat() if isinstance(value, date) else value
                for name, value in asdict(self).items() if value not in (None, "")}


@dataclass(frozen=True)
class ComplianceScope:
    """Where the viewer is in the organisation tree: the organisation drilled into (None:
    all of theirs), the way back up to their own top organisations, and the
    organisations one level down. `outside` is true for an organisation they may not
    see (or that does not exist): the view then shows nothing."""

    organisation: Organisation | None
    outside: bool
    tops: list[Organisation]
    trail: list[Organisation]
    children: list[Organisation]
    bases: list[str] | None  # the paths the figures roll up below (None: the whole tree)


def compliance_scope_get(*, viewer, slug: str | None) -> ComplianceScope:
    """The organisation the viewer drilled into (by slug), checked against their scope,
    with the links up and down the tree. A fixed number of queries."""
    scope = reporting_paths(viewer)  # None: everyone
    visible = reporting_organisations(viewer)
    if scope is None:
        tops = list(Organisation.get_root_nodes())
    else:
        # A scope nested inside another of the viewer's scopes is not a top of its own.
        tops = [o for o in Organisation.objects.filter(path__in=scope)
                if not any(o.path != p and o.path.startswith(p) for p in scope)]
    tops.sort(key=lambda o: o.name)
    organisation = visible.filter(slug=slug).first() if slug else None
    if slug and organisation is None:
        return ComplianceScope(organisation=None, outside=True, tops=tops, trail=[],
                               children=[], bases=[])
    if organisation is None:
        return ComplianceScope(organisation=None, outside=False, tops=tops, trail=[],
                               children=tops, bases=scope)
    steplen = Organisation.steplen
    above = [organisation.path[:steplen * depth] for depth in range(1, organisation.depth + 1)]
    trail = list(visible.filter(path__in=above).order_by("depth"))
    children = list(Organisation.objects.filter(
        path__startswith=organisation.path, depth=organisation.depth + 1).order_by("name"))
    return ComplianceScope(organisation=organisation, outside=False, tops=tops, trail=trail,
                           children=children, bases=[organisation.path])


def compliance_rows_list(*, viewer, filters: ComplianceFilters,
                         scope: ComplianceScope | None = None,
                         today: date | None = None) -> QuerySet[Enrolment]:
    """The current required learning of the people the viewer may see, one row per
    person per required course, each with `effective_due_on`, `completed_on` and
    `compliance`, narrowed by the filters. Pass `scope` when it is already known
    (compliance_scope_get); an organisation outside the viewer's scope selects nothing."""
    scope = scope or compliance_scope_get(viewer=viewer, slug=filters.organisation)
    queryset = enrolments_annotate_compliance(
        queryset=enrolments_required_current(queryset=reportable_enrolments(viewer)),
        today=today)
    if scope.outside:
        return queryset.none()
    if scope.organisation is not None:
        queryset = queryset.filter(user__organisation__path__startswith=scope.organisation.path)
    if filters.course:
        queryset = queryset.filter(course__slug=filters.course)
    if filters.grade:
        queryset = queryset.filter(user__grade_id=filters.grade)
    if filters.profession:
        queryset = queryset.filter(user__profession__slug=filters.profession)
    if filters.status:
        queryset = queryset.filter(compliance=filters.status)
    if filters.due_from:
        queryset = queryset.filter(effective_due_on__gte=filters.due_from)
    if filters.due_to:
        queryset = queryset.filter(effective_due_on__lte=filters.due_to)
    return queryset


def compliance_rows_sorted(*, queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """The table's rows, with what each shows, by name then course."""
    return queryset.select_related("user", "user__organisation", "course").order_by(
        "user__last_name", "user__first_name", "user_id", "course__title", "pk")


@dataclass(frozen=True)
class ComplianceGroup:
    """People, counted once each: how many have required learning here, how many of
    those have some of it due or done, how many of those did all of it on time, and
    how many are at each worst status. `suppressed`: too few people to show figures."""

    label: str
    slug: str | None
    people: int
    judged: int
    compliant: int
    worst: dict = field(default_factory=dict)  # ComplianceStatus -> people
    suppressed: bool = False

    @property
    def percent_compliant(self) -> int | None:
        return round(100 * self.compliant / self.judged) if self.judged else None

    @property
    def overdue(self) -> int:
        return self.worst.get(ComplianceStatus.OVERDUE, 0)

    @property
    def completed_late(self) -> int:
        return self.worst.get(ComplianceStatus.COMPLETED_LATE, 0)

    @property
    def due_soon(self) -> int:
        return self.worst.get(ComplianceStatus.DUE_SOON, 0)

    @property
    def worst_counts(self) -> list[tuple[str, int]]:
        """(status, people) worst first, for the page."""
        return [(status, self.worst.get(status, 0)) for status in WORST_FIRST]


def _unit(bases: list[str] | None):
    """The organisation one level below the base each person is under (their own
    organisation's path cut short); people directly in a base count as the base."""
    steplen = Organisation.steplen
    path = "user__organisation__path"
    if bases is None:
        return Substr(path, 1, steplen)
    return Case(
        *[When(**{f"{path}__startswith": base}, then=Substr(path, 1, len(base) + steplen))
          for base in sorted(bases, key=len, reverse=True)],
        default=Value(""), output_field=CharField())


def _people_by_unit(queryset: QuerySet[Enrolment], bases: list[str] | None) -> list[tuple]:
    """One row per unit: (unit path, people, judged, compliant, worst counts...). People
    are grouped first (each person's worst status and whether they breached), then the
    people are counted by unit: two levels of grouping, so the ORM's SQL for the first
    is wrapped in the second. Every value stays a bound parameter."""
    rank = Case(*[When(compliance=status, then=Value(i)) for i, status in enumerate(WORST_FIRST)],
                output_field=IntegerField())
    people = (
        queryset.annotate(unit=_unit(bases)).order_by().values("user", "unit")
        .annotate(worst=Min(rank),
                  judged=Count("pk", filter=Q(compliance__in=JUDGED)),
                  breaches=Count("pk", filter=Q(compliance__in=BREACHES)))
    )
    try:
        sql, params = people.query.sql_with_params()
    except EmptyResultSet:
        return []
    counts = ", ".join([
        "COUNT(*)", "SUM(CASE WHEN judged > 0 THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN judged > 0 AND breaches = 0 THEN 1 ELSE 0 END)",
        *(f"SUM(CASE WHEN worst = {i} THEN 1 ELSE 0 END)" for i in range(len(WORST_FIRST))),
    ])
    outer = f"SELECT unit, {counts} FROM ({sql}) AS person GROUP BY unit"  # noqa: S608  # nosec B608
    with connections[people.db].cursor() as cursor:
        cursor.execute(outer, params)
        return cursor.fetchall()


def _group(label: str, slug: str | None, row) -> ComplianceGroup:
    people, judged, compliant, *worst = (int(n or 0) for n in row)
    return ComplianceGroup(
        label=label, slug=slug, people=people, judged=judged, compliant=compliant,
        worst=dict(zip(WORST_FIRST, worst, strict=True)),
        suppressed=people < settings.REPORT_MIN_GROUP_SIZE)


def compliance_figures_get(*, queryset: QuerySet[Enrolment],
                           scope: ComplianceScope) -> dict:
    """The headline (everyone in the filter) and the same figures for each organisation
    one level below the one drilled into (or below the viewer's scope), counting
    people: each person once, at their worst status. "Compliant on time": of the
    people with required learning due or done, those who did all of it (that is due or
    done) by its deadline. Groups of fewer than REPORT_MIN_GROUP_SIZE people are
    suppressed. Two queries."""
    rows = _people_by_unit(queryset, scope.bases)
    totals = [sum(int(row[i] or 0) for row in rows) for i in range(1, 4 + len(WORST_FIRST))]
    headline = _group("Everyone in this selection", None, totals)
    organisations = {o.path: o for o in Organisation.objects.filter(
        path__in=[row[0] for row in rows if row[0]])}
    groups = []
    for row in rows:
        organisation = organisations.get(row[0])
        groups.append(_group(organisation.name if organisation else "No organisation",
                             organisation.slug if organisation else None, row[1:]))
    groups.sort(key=lambda g: g.label)
    return {"headline": headline, "by_organisation": groups}
