"""Reads for the completion report, over the enrolments the viewer may see
(learners.scoping). Every figure is a fixed number of set-based queries, whatever
the number of learners."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils import timezone

from academy.reports.columns import COLUMNS
from academy.reports.filters import SORTS, ReportFilters
from content.sql import column_max
from courses.cache import course_tree_version
from courses.fragments import fragment_kept
from courses.models import CoursePage
from learners.models import Booking, BookingStatus, Enrolment, EnrolmentStatus, Organisation
from learners.scoping import reportable_enrolments, reporting_organisations, reporting_paths
from learners.selectors import enrolment_due_on, enrolments_annotate_status
from learners.services.certificate_expiry import enrolments_certificate_expiring


def report_organisation_path(*, viewer, slug: str | None) -> str | None:
    """The tree path of an organisation the viewer may report on, by slug; None when
    no slug is given. An organisation outside the viewer's scope is "" (matches no
    one), never its records."""
    if not slug:
        return None
    return (reporting_organisations(viewer).filter(slug=slug)
            .values_list("path", flat=True).first() or "")


def report_organisation_trail(*, viewer, organisation: Organisation) -> list[Organisation]:
    """The way down to an organisation from the top of the viewer's scope: those of its
    ancestors the viewer reports on, and itself, top first. One query."""
    steplen = Organisation.steplen
    above = [organisation.path[:end] for end in range(steplen, len(organisation.path) + 1,
                                                      steplen)]
    return list(reporting_organisations(viewer).filter(path__in=above).order_by("depth"))


# Querysets built, by scope, filters and day (report_enrolments_list).
_built: dict[tuple, QuerySet[Enrolment]] = {}
# The records' query built from one of those, by its key, sort and columns
# (report_rows_sorted): (its values queryset, whether course titles are put in after).
_sorted: dict[tuple, tuple[QuerySet, bool]] = {}
_BUILT_MAX = 500


def report_enrolments_list(*, viewer, filters: ReportFilters,
                           organisation_path: str | None = None) -> QuerySet[Enrolment]:
    """The enrolments the viewer may see, with their status, narrowed by the filters.
    Pass `organisation_path` when it is already known (report_organisation_path).

    Built once a day in this process for each scope (the tree paths the viewer reports
    on, read for this viewer now) and filters, and a copy returned each time: building
    it was a tenth of the report's time (issue 15). What it selects is worked out when
    it runs, so it is never stale; the day is in the key, as its statuses compare dates
    with today."""
    if filters.organisation and organisation_path is None:
        organisation_path = report_organisation_path(viewer=viewer, slug=filters.organisation)
    paths = reporting_paths(viewer)
    key = (None if paths is None else tuple(sorted(paths)), filters,
           organisation_path if filters.organisation else None, timezone.localdate())
    built = _built.get(key)
    if built is None:
        built = _report_enrolments_built(viewer=viewer, filters=filters,
                                         organisation_path=organisation_path)
        if len(_built) >= _BUILT_MAX:
            _built.clear()
        _built[key] = built
    copy = built.all()
    copy._report_built_key = key  # report_rows_sorted keeps its rows' query by it too
    return copy


def _report_enrolments_built(*, viewer, filters: ReportFilters,
                             organisation_path: str | None) -> QuerySet[Enrolment]:
    queryset = enrolments_annotate_status(queryset=reportable_enrolments(viewer))
    if filters.organisation:
        path = organisation_path
        queryset = queryset.filter(user__organisation__path__startswith=path) if path \
            else queryset.none()
    if filters.grade:
        queryset = queryset.filter(user__grade_id=filters.grade)
    if filters.profession:
        queryset = queryset.filter(user__profession__slug=filters.profession)
    if filters.course:
        queryset = queryset.filter(course__slug=filters.course)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.required == "yes":
        queryset = queryset.filter(due_on__isnull=False)
    elif filters.required == "no":
        queryset = queryset.filter(due_on__isnull=True)
    for name, lookup in (("enrolled_from", "enrolled_at__date__gte"),
                         ("enrolled_to", "enrolled_at__date__lte"),
                         ("completed_from", "completed_at__date__gte"),
                         ("completed_to", "completed_at__date__lte")):
        if getattr(filters, name):
            queryset = queryset.filter(**{lookup: getattr(filters, name)})
    if filters.certificate_expires:
        queryset = enrolments_certificate_expiring(queryset=queryset,
                                                   window=filters.certificate_expires)
    return queryset


# What the records table reads of each row (academy.reports.columns.CELLS), as values,
# not model instances: the record's progress and status, the person's name and
# contact, and the record's other dates and score and each related name only for the
# columns shown (or sorted by). A model instance per record and per related record (a
# course is a Wagtail page) was most of the table's time (issue 15); reading each
# row's three timestamps for columns not shown was a twentieth.
ROW_FIELDS = ("progress_percent", "status")
ROW_OWN = {"enrolled": "enrolled_at", "started": "started_at", "completed": "completed_at",
           "score": "score_percent"}  # column: the record's field it shows
ROW_PERSON = {"user_first_name": "user__first_name", "user_last_name": "user__last_name",
              "user_email": "user__email", "user_staff_number": "user__staff_number"}
ROW_VALUES = {  # column: {name on the row: what it reads}
    "organisation": {"organisation_name": "user__organisation__name"},
    "grade": {"grade_name": "user__grade__name"},
    "profession": {"profession_name": "user__profession__name"},
    "line_manager": {"line_manager_first_name": "user__line_manager__first_name",
                     "line_manager_last_name": "user__line_manager__last_name"},
    "course": {"course_title": "course__title"},
    "certificate": {"certificate_code": "certificate__code"},
    "certificate_valid_until": {"certificate_expires_on": "certificate__expires_on"},
}


def report_rows_sorted(*, queryset: QuerySet[Enrolment], sort: str = "name",
                       descending: bool = False,
                       columns: Iterable[str] | None = None) -> QuerySet:
    """The detailed table's rows, as dicts of what the `columns` (keys; None: every
    column) show, in the order chosen. The session counts are worked out for the rows
    shown (the database puts the correlated counts after the sort and the page's LIMIT),
    or for all when sorted by them. For a queryset from report_enrolments_list, built
    once in this process for its scope, filters, day, sort and columns, as that is, and
    a copy returned each time (building it was a twelfth of the report's time)."""
    built_key = getattr(queryset, "_report_built_key", None)
    key = built_key and (built_key, sort, descending,
                         None if columns is None else tuple(sorted(set(columns))))
    if key in _sorted:  # built once for the scope, filters, day, sort and columns
        rows, titled = _sorted[key]
        return CourseTitled(rows.all()) if titled else rows.all()
    ordering = SORTS.get(sort, SORTS["name"])[1]
    if descending:
        ordering = tuple(f"-{field}" for field in ordering)
    shown = {column.key for column in COLUMNS} if columns is None else set(columns)
    values = {name: F(path) for name, path in ROW_PERSON.items()}
    values |= {name: F(path) for key in shown for name, path in ROW_VALUES.get(key, {}).items()}
    values["due_by"] = enrolment_due_on()
    if "sessions_attended" in shown or sort == "sessions_attended":
        values["sessions_attended"] = sessions_attended_count()
    if "sessions_missed" in shown or sort == "sessions_missed":
        values["sessions_missed"] = sessions_missed_count()
    titled = "course_title" in values and sort != "course"
    if titled:  # the title put in afterwards, unless the rows are sorted by it
        values["course_title"] = F("course_id")
    fields = ROW_FIELDS + tuple(field for key, field in ROW_OWN.items() if key in shown)
    rows = queryset.values(*fields, **values).order_by(*ordering)
    if key:
        if len(_sorted) >= _BUILT_MAX:
            _sorted.clear()
        _sorted[key] = (rows, titled)
        rows = rows.all()
    return CourseTitled(rows) if titled else rows


def report_course_titles() -> dict[int, str]:
    """Every course's title by id, published or not, kept per course tree version (a
    course renamed, like any page saved, is a new version: courses.cache)."""
    return fragment_kept("report-course-titles", version=course_tree_version(), key=(),
                         build=lambda: dict(CoursePage.objects.values_list("pk", "title")))


class CourseTitled:
    """Records whose `course_title` holds the course's id until read: each row's title
    is put in from report_course_titles when the rows are fetched. Joining the course's
    two tables (its page and Wagtail's) was two thirds of PostgreSQL's planning of the
    records query, and a third of its running (issue 15). Sliced, as the paginator
    slices it, it is a list; `count()` is the query's."""

    def __init__(self, rows: QuerySet):
        self.rows = rows

    def count(self) -> int:
        return self.rows.count()

    def __len__(self) -> int:
        return self.count()

    def _titled(self, rows: list[dict]) -> list[dict]:
        titles = report_course_titles()
        for row in rows:
            row["course_title"] = titles.get(row["course_title"], "")
        return rows

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._titled(list(self.rows[index]))
        return self._titled([self.rows[index]])[0]

    def __iter__(self):
        return iter(self._titled(list(self.rows)))


def _sessions_counted(*, attended: bool, user: str = "user_id", course: str = "course_id"):
    """How many sessions (that went ahead) of the enrolment's course the person attended,
    or did not (the register's no-shows): a correlated count by the person's bookings
    (indexed by user), 0 where there are none."""
    counted = (Booking.objects.filter(user_id=OuterRef(user), attended=attended,
                                      session__course_id=OuterRef(course),
                                      session__cancelled_at__isnull=True)
               .order_by().values("user_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def sessions_attended_count():
    """For an enrolment: the sessions of its course the person attended."""
    return _sessions_counted(attended=True)


def sessions_missed_count():
    """For an enrolment: the sessions of its course the person had a place on and did
    not attend (the register says so; unmarked is not missed)."""
    return _sessions_counted(attended=False)


def report_sessions_summary(*, queryset: QuerySet[Enrolment]) -> dict:
    """Instructor-led sessions of the records' people on the records' courses (within
    the viewer's scope and filters): places booked on sessions that went ahead, and of
    those, attended and did not attend. One query. Counts of people below
    REPORT_MIN_GROUP_SIZE are suppressed (None), as for groups, and 0 shows as 0."""
    figures = Booking.objects.filter(
        Exists(queryset.filter(user_id=OuterRef("user_id"),
                               course_id=OuterRef("session__course_id"))),
        status=BookingStatus.BOOKED, session__cancelled_at__isnull=True,
    ).aggregate(places=Count("pk"), came=Count("pk", filter=Q(attended=True)),
                no_shows=Count("pk", filter=Q(attended=False)))
    threshold = settings.REPORT_MIN_GROUP_SIZE
    return {name: None if 0 < figures[key] < threshold else figures[key]
            for name, key in (("booked", "places"), ("attended", "came"),
                              ("did_not_attend", "no_shows"))}


@dataclass(frozen=True)
class Group:
    label: str
    enrolled: int
    completed: int
    suppressed: bool
    slug: str | None = None  # an organisation's, for the link to the report filtered to it

    @property
    def rate(self) -> int | None:
        return round(100 * self.completed / self.enrolled) if self.enrolled else None


def report_summary_get(*, queryset: QuerySet[Enrolment]) -> dict:
    """How many records, and how many in each status, with the completion rate."""
    figures = queryset.aggregate(
        enrolled=Count("pk"),
        not_started=Count("pk", filter=Q(status=EnrolmentStatus.NOT_STARTED)),
        in_progress=Count("pk", filter=Q(status=EnrolmentStatus.IN_PROGRESS)),
        completed=Count("pk", filter=Q(status=EnrolmentStatus.COMPLETED)),
        overdue=Count("pk", filter=Q(status=EnrolmentStatus.OVERDUE)),
    )
    figures["rate"] = (
        round(100 * figures["completed"] / figures["enrolled"]) if figures["enrolled"] else None
    )
    return figures


def _groups(queryset, label_field: str) -> list[Group]:
    threshold = settings.REPORT_MIN_GROUP_SIZE
    rows = (
        queryset.order_by().values(label_field)
        .annotate(enrolled=Count("pk"),
                  completed=Count("pk", filter=Q(status=EnrolmentStatus.COMPLETED)))
        .order_by(label_field)
    )
    return [
        Group(label=row[label_field] or "No organisation", enrolled=row["enrolled"],
              completed=row["completed"], suppressed=row["enrolled"] < threshold)
        for row in rows
    ]


def report_groups_by_organisation(*, queryset, bases: list[str] | None) -> list[Group]:
    """Completion by the organisations one level below each base (the organisation
    filtered on, or the viewer's scopes; None: the top of the tree), each with everyone
    beneath it. A department's HR sees its directorates, not 2,000 teams, and filters
    on one to see the level below. People directly in a base are its own row."""
    steplen = Organisation.steplen
    path = "user__organisation__path"
    level = (Substr(path, 1, steplen) if bases is None else Case(
        *[When(**{f"{path}__startswith": base}, then=Substr(path, 1, len(base) + steplen))
          for base in sorted(bases, key=len, reverse=True)],
        default=Value(""), output_field=CharField()))
    groups = _groups(queryset.annotate(unit=level), "unit")
    names = {path: (name, slug) for path, name, slug in Organisation.objects.filter(
        path__in=[g.label for g in groups]).values_list("path", "name", "slug")}
    rows = [Group(label=names.get(g.label, ("No organisation",))[0], enrolled=g.enrolled,
                  completed=g.completed, suppressed=g.suppressed,
                  slug=names.get(g.label, (None, None))[1]) for g in groups]
    return sorted(rows, key=lambda g: g.label)


def report_groups_by_course(*, queryset) -> list[Group]:
    """Completion for each course."""
    return _groups(queryset, "course__title")


def report_completions_by_month(*, queryset, months: int = 12) -> list[dict]:
    """Completions a month for the last `months` months, oldest first, every month
    present (zero where there were none)."""
    today = timezone.localdate()
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    starts.reverse()
    counts = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: row["n"]
        for row in queryset.filter(completed_at__date__gte=starts[0]).order_by()
        .annotate(month=TruncMonth("completed_at")).values("month")
        .annotate(n=Count("pk")).values("month", "n")
    }
    threshold = settings.REPORT_MIN_GROUP_SIZE
    peak = max(counts.values(), default=0)
    return [
        {"month": start, "count": counts.get(start, 0),
         "suppressed": 0 < counts.get(start, 0) < threshold,
         "percent_of_peak": round(100 * counts.get(start, 0) / peak) if peak else 0}
        for start in starts
    ]


def report_figures_get(*, viewer, queryset: QuerySet[Enrolment], filters: ReportFilters,
                       organisation_path: str | None = None) -> dict:
    """The report's figures (summary, by organisation, by course, over time), each an
    aggregate over every record in scope: about a second for 300,000 records, so they
    are kept for REPORT_CACHE_SECONDS. Kept per viewer, scope and filters, so no one
    sees figures for records outside their scope; a new enrolment anywhere (a bulk
    enrolment, required learning) starts afresh at once. Progress within existing
    enrolments shows when the figures are next worked out; the page says when that was."""
    scope = reporting_paths(viewer)  # None: everyone
    newest = column_max(Enrolment, "id")
    key = "report-figures:" + hashlib.sha256(json.dumps(
        [viewer.pk, scope and sorted(scope), filters.as_dict(), newest,
         timezone.localdate().isoformat()],
        sort_keys=True, default=str).encode()).hexdigest()
    figures = cache.get(key)
    if figures is None:
        figures = {
            "summary": report_summary_get(queryset=queryset),
            "by_organisation": report_groups_by_organisation(
                queryset=queryset, bases=[organisation_path] if organisation_path else scope),
            "by_course": report_groups_by_course(queryset=queryset),
            "over_time": report_completions_by_month(queryset=queryset),
            "sessions": report_sessions_summary(queryset=queryset),
            "as_of": timezone.now(),
        }
        cache.set(key, figures, settings.REPORT_CACHE_SECONDS)
    # The key too: the page keeps its markup of these figures under it (with as_of).
    return {**figures, "figures_key": key}
