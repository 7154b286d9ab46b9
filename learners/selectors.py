"""Reads of the learning record. Each returns only the signed-in learner's own rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import groupby

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
from wagtail.rich_text import RichText

from content.blocks import knowledge_check_mark
from content.sql import (
    ModelColumns,
    in_list,
    json_datetime,
    json_rows,
    json_rows_read,
    sql_column,
    sql_table,
)
from courses.models import CoursePage, LessonPage
from learners.models import (
    LEARNING_LOG_MAX_LENGTH,
    ComplianceStatus,
    Enrolment,
    EnrolmentStatus,
    KnowledgeCheckAttempt,
    LearningLogEntry,
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


# What a learner's own pages read of an enrolment: its row (no lesson page joined;
# the next and last lessons come from the course's outline) and the certificate's code
# and file. Every other column stays behind.
ENROLMENT_PAGE_FIELDS = (
    "user_id", "course_id", "cycle", "due_on", "extended_due_on", "last_lesson_id",
    "last_fact_at", "progress_percent", "score_percent", "module_status", "next_lesson_id",
    "started_at", "completed_at", "certificate__id", "certificate__code",
    "certificate__file", "certificate__expires_on", "certificate__revoked_at",
)


_ENROLMENT_COLUMNS = ("id", "user_id", "course_id", "cycle", "due_on", "extended_due_on",
                      "last_lesson_id", "last_fact_at", "progress_percent", "score_percent",
                      "module_status", "next_lesson_id", "started_at", "completed_at")
_CERTIFICATE_COLUMNS = ("id", "enrolment_id", "code", "file", "expires_on", "revoked_at")


@cache
def _enrolment_get_sql():
    """The SELECT of enrolment_get, written once per process from the models' own
    column names: the ORM took longer to build this one query on every lesson view than
    PostgreSQL took to run it (issue 15)."""
    from learners.models import Certificate

    enrolment = ModelColumns(Enrolment, aliases={Enrolment: "e"}, attnames=_ENROLMENT_COLUMNS)
    certificate = ModelColumns(Certificate, aliases={Certificate: "c"},
                               attnames=_CERTIFICATE_COLUMNS)
    progress = sql_table(LessonProgress)
    # Only the models' own table and column names go into the text; values are bound.
    sql = (
        f"SELECT {enrolment.sql}, {certificate.sql},"  # noqa: S608  # nosec B608
        f" %(lessons_done)s, h.id, h.opened_at, h.completed_at, %(answers)s, %(notes)s"
        f" FROM {sql_table(Enrolment)} e"
        f" LEFT JOIN {sql_table(Certificate)} c ON c.enrolment_id = e.id"
        f" LEFT JOIN {progress} h ON h.enrolment_id = e.id AND h.lesson_id = %s"
        " WHERE e.user_id = %s AND e.course_id = %s ORDER BY e.cycle DESC LIMIT 1")
    lessons_done = (f"(SELECT COUNT(*) FROM {progress} d WHERE d.enrolment_id = e.id"  # noqa: S608  # nosec B608
                    " AND d.completed_at IS NOT NULL AND d.lesson_id %(required)s)")
    # The learner's answers to this lesson's checks (every attempt; the latest counts)
    # and their notes on its activities, in the same row, for a lesson that has them.
    attempt, entry = KnowledgeCheckAttempt, LearningLogEntry
    answers = json_rows(
        [f"a.{sql_column(attempt, name)}" for name in ("block_id", "chosen", "answered_at", "id")],
        f"FROM {sql_table(attempt)} a WHERE a.{sql_column(attempt, 'enrolment')} = e.id"
        f" AND a.{sql_column(attempt, 'lesson')} = %s",
        json_columns={f"a.{sql_column(attempt, 'chosen')}"})
    notes = json_rows(
        [f"n.{sql_column(entry, name)}" for name in ("block_id", "answer", "updated_at")],
        f"FROM {sql_table(entry)} n WHERE n.{sql_column(entry, 'user')} = e.user_id"
        f" AND n.{sql_column(entry, 'lesson')} = %s")
    return sql, lessons_done, answers, notes, enrolment, certificate


def _certificate_attach(enrolment: Enrolment, columns: ModelColumns, row) -> None:
    """Set the enrolment's certificate from its LEFT JOINed columns, as select_related
    would: the certificate, or the reverse one-to-one known to be empty (no query)."""
    if row[0] is not None:
        certificate = columns.instance(row)
        certificate.enrolment = enrolment
        enrolment.certificate = certificate
    else:
        Enrolment.certificate.related.set_cached_value(enrolment, None)


def enrolment_get(*, user: User, course: CoursePage, lesson: LessonPage | None = None,
                  required_lesson_ids=None, answers: bool = False,
                  notes: bool = False) -> Enrolment | None:
    """The learner's current enrolment on the course (the latest cycle), or None, in one
    narrow query, with `course` and `user` set to those given (no query for either),
    its `status` (EnrolmentStatus) and its `certificate` (or none) read with it.

    With `required_lesson_ids` (from the course's outline), it carries `lessons_done`,
    how many of them the learner has completed. With `lesson`, it carries
    `lesson_progress_here`: the learner's LessonProgress on that lesson, or None if they
    have never opened it (a LEFT JOIN on the one row the constraint allows). With
    `lesson` and `answers`, it carries `answers_here` (block id -> the options chosen
    in the latest answer to each of the lesson's checks, for lesson_state_get); with
    `lesson` and `notes`, `notes_here` (the learner's ActivityNotes by block id, for
    learning_log_notes_for_lesson): each read in the same row.

    Hand-written SQL from the models' column names (_enrolment_get_sql); the ORM's
    version of the same query is in tests/learners/test_learner_queries.py, which holds
    the two to the same answers."""
    if not user.is_authenticated:
        return None
    from django.db import connection

    sql, lessons_done, answers_sql, notes_sql, columns, certificate_columns = (
        _enrolment_get_sql())
    params = []
    if required_lesson_ids is not None:
        required, required_ids = in_list(int(pk) for pk in required_lesson_ids)
        sql = sql.replace("%(lessons_done)s", lessons_done.replace("%(required)s", required))
        params += required_ids
    else:
        sql = sql.replace("%(lessons_done)s", "NULL")
    answers = answers and lesson is not None
    notes = notes and lesson is not None
    sql = sql.replace("%(answers)s", answers_sql if answers else "NULL")
    sql = sql.replace("%(notes)s", notes_sql if notes else "NULL")
    if answers or notes:
        params += [lesson.pk] * (answers + notes)
    params += [lesson.pk if lesson is not None else None, user.pk, course.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(columns)
    enrolment = columns.instance(row[:split])
    rest = row[split:]
    certificate_row, rest = rest[:len(certificate_columns)], rest[len(certificate_columns):]
    done, here_id, here_opened_at, here_completed_at, answer_rows, note_rows = rest
    enrolment.user, enrolment.course = user, course
    enrolment.status = enrolment_status(enrolment=enrolment)
    _certificate_attach(enrolment, certificate_columns, certificate_row)
    if required_lesson_ids is not None:
        enrolment.lessons_done = done
    if lesson is not None:
        enrolment.lesson_progress_here = None if here_id is None else LessonProgress(
            id=here_id, enrolment=enrolment, lesson_id=lesson.pk,
            opened_at=here_opened_at, completed_at=here_completed_at)
    if answers:
        attempts = sorted(((json_datetime(at), pk, block_id, chosen)
                           for block_id, chosen, at, pk in json_rows_read(answer_rows)),
                          key=lambda attempt: attempt[:2])
        enrolment.answers_here = {block_id: chosen for _, _, block_id, chosen in attempts}
    if notes:
        enrolment.notes_here = {
            block_id: ActivityNotes(text=answer, updated_at=json_datetime(updated_at))
            for block_id, answer, updated_at in json_rows_read(note_rows)}
    return enrolment


def enrolment_status(*, enrolment: Enrolment, today: date | None = None) -> str:
    """The enrolment's EnrolmentStatus by the rule of enrolments_annotate_status, worked
    out here for a row read without that annotation (one enrolment, or My learning's
    list), where building that SQL cost more than the read. Tests hold the two together
    (tests/learners/test_learner_queries.py, tests/academy/test_my_learning.py)."""
    today = today or timezone.localdate()
    if enrolment.completed_at is not None:
        return EnrolmentStatus.COMPLETED
    if (enrolment.due_on is not None and enrolment.due_on < today
            and (enrolment.extended_due_on is None or enrolment.extended_due_on < today)):
        return EnrolmentStatus.OVERDUE
    if enrolment.started_at is not None or enrolment.last_fact_at is not None:
        return EnrolmentStatus.IN_PROGRESS
    return EnrolmentStatus.NOT_STARTED


# What My learning reads of an enrolment: its own row's dates and progress, and its
# certificate. The course comes from courses.selectors.course_cards (no page joined).
_MY_LEARNING_COLUMNS = ("id", "course_id", "due_on", "extended_due_on", "last_fact_at",
                        "progress_percent", "started_at", "completed_at")


@cache
def _enrolments_list_for_learner_sql():
    """enrolments_list_for_learner's SELECT, written once per process from the models'
    own names: the ORM took longer to build it (with its Exists) than the database
    took to answer (issue 15). Values are bound, never put in the text."""
    from learners.models import Booking, BookingStatus, Certificate, TrainingSession

    column, table = sql_column, sql_table
    enrolment = ModelColumns(Enrolment, aliases={Enrolment: "e"},
                             attnames=_MY_LEARNING_COLUMNS)
    certificate = ModelColumns(Certificate, aliases={Certificate: "c"},
                               attnames=_CERTIFICATE_COLUMNS)
    # Open bookings (booked or waiting) on sessions not yet ended: as
    # learners.services.sessions.bookings_open(upcoming=True).
    any_bookings = (
        f"EXISTS (SELECT 1 FROM {table(Booking)} b JOIN {table(TrainingSession)} s"  # noqa: S608  # nosec B608
        f" ON s.{column(TrainingSession, 'id')} = b.{column(Booking, 'session')}"
        f" WHERE b.{column(Booking, 'user')} = %s AND NOT b.{column(Booking, 'status')} = %s"
        f" AND s.{column(TrainingSession, 'ends_at')} > %s)")
    # The next lesson's id, not its page: its address comes from the course tree map
    # (joining Wagtail's page table was a third of PostgreSQL's planning of this query).
    sql = (
        f"SELECT {enrolment.sql}, {certificate.sql},"  # noqa: S608  # nosec B608
        f" e.{column(Enrolment, 'next_lesson')}, {any_bookings}"
        f" FROM {table(Enrolment)} e"
        f" LEFT JOIN {table(Certificate)} c ON c.{column(Certificate, 'enrolment')}"
        f" = e.{column(Enrolment, 'id')}"
        f" WHERE e.{column(Enrolment, 'user')} = %s"
        f" ORDER BY e.{column(Enrolment, 'last_fact_at')} DESC,"
        f" e.{column(Enrolment, 'enrolled_at')} DESC")
    return sql, enrolment, certificate, BookingStatus.CANCELLED


def enrolments_list_for_learner(*, user: User) -> list[Enrolment]:
    """My learning: every enrolment with what its card needs, in one query, newest
    activity first: its row, its certificate, the next lesson's URL path
    (`next_lesson_url_path`, or None when that lesson is not there to serve: from the
    course tree map, so no page is fetched) and `any_bookings`, whether the learner has
    an open booking on a session yet to end (the same on every row). Its status is
    enrolment_status(). Hand-written SQL (_enrolments_list_for_learner_sql);
    tests/academy/test_my_learning.py holds it to the ORM's query."""
    from django.db import connection

    sql, columns, certificate_columns, cancelled = _enrolments_list_for_learner_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, cancelled, timezone.now(), user.pk])
        rows = cursor.fetchall()
    enrolments = []
    split, certificate_end = len(columns), len(columns) + len(certificate_columns)
    for row in rows:
        enrolment = columns.instance(row[:split])
        enrolment.user = user
        _certificate_attach(enrolment, certificate_columns, row[split:certificate_end])
        enrolment.next_lesson_id, any_bookings = row[certificate_end:]
        enrolment.any_bookings = bool(any_bookings)
        enrolments.append(enrolment)
    url_paths = _served_url_paths({e.next_lesson_id for e in enrolments} - {None})
    for enrolment in enrolments:
        enrolment.next_lesson_url_path = url_paths.get(enrolment.next_lesson_id)
    return enrolments


def _served_url_paths(page_ids: set[int]) -> dict[int, str]:
    """The URL paths of those pages that are there to serve (live, nothing above them
    unpublished), from the course tree map; asked of the database (live pages) only
    when the map cannot be had."""
    if not page_ids:
        return {}
    from courses.routing import course_tree_routes

    routes = course_tree_routes()
    if routes is not None:
        return {pk: routes.url_paths[pk] for pk in page_ids if pk in routes.url_paths}
    from wagtail.models import Page

    return dict(Page.objects.filter(pk__in=page_ids, live=True).values_list("pk", "url_path"))


def lesson_state_get(*, enrolment: Enrolment, lesson: LessonPage) -> dict:
    """The learner's progress on one lesson and the marking of their latest answer to
    each of its knowledge checks. The progress comes from `enrolment_get(lesson=...)`
    where it was read with the enrolment; the answers are one query, and none for a
    lesson without knowledge checks."""
    if hasattr(enrolment, "lesson_progress_here"):
        progress = enrolment.lesson_progress_here
    else:
        progress = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()
    latest: dict[str, list[str]] = {}
    checks = lesson.knowledge_checks() if lesson.knowledge_check_ids() else []
    if checks and getattr(enrolment, "answers_here", None) is not None:
        latest = enrolment.answers_here  # read with the enrolment (enrolment_get)
    elif checks:
        for block_id, chosen in (
            KnowledgeCheckAttempt.objects.filter(enrolment=enrolment, lesson=lesson)
            .order_by("answered_at", "pk").values_list("block_id", "chosen")
        ):
            latest[block_id] = chosen
    results = {
        block.id: knowledge_check_mark(value=block.value, chosen_ids=latest.get(block.id))
        for block in checks
    }
    return {"progress": progress, "results": results}


# --- The learning log -----------------------------------------------------------------


def lesson_activities(*, lesson: LessonPage) -> dict[str, dict]:
    """The lesson's activity blocks, id -> stored value (kind, title, prompt), read from
    the stored JSON without building every block (which would fetch images, documents
    and glossary terms)."""
    return {block["id"]: block["value"] for block in lesson.body.raw_data
            if block["type"] == "activity"}


@dataclass(frozen=True)
class ActivityNotes:
    """One activity's answer box as its learner sees it on the lesson: what they wrote
    (or, after an error, what they sent), when it was last changed, and the outcome of
    the save just made."""

    text: str = ""
    updated_at: datetime | None = None
    error: str = ""
    outcome: str = ""   # LearningLogOutcome, on the page after saving this box
    max_length = LEARNING_LOG_MAX_LENGTH
    max_length_text = f"{LEARNING_LOG_MAX_LENGTH:,}"


def learning_log_notes_for_lesson(*, user: User, lesson: LessonPage,
                                  enrolment: Enrolment | None = None
                                  ) -> dict[str, ActivityNotes]:
    """The learner's own answers to the lesson's activities, by block id. No query for
    a lesson without activities, nor when `enrolment` (theirs, from
    enrolment_get(notes=True)) carries them."""
    if not lesson_activities(lesson=lesson):
        return {}
    if enrolment is not None and getattr(enrolment, "notes_here", None) is not None:
        return dict(enrolment.notes_here)
    return {
        entry.block_id: ActivityNotes(text=entry.answer, updated_at=entry.updated_at)
        for entry in LearningLogEntry.objects.filter(user=user, lesson=lesson)
    }


@dataclass(frozen=True)
class LearningLogItem:
    """One answer in the log, with the activity as the lesson has it now (None when a
    trainer has since removed the activity)."""

    entry: LearningLogEntry
    activity: dict | None

    @property
    def prompt(self) -> RichText | None:
        return RichText(self.activity["prompt"]) if self.activity else None


@dataclass
class LearningLogLesson:
    lesson: LessonPage
    items: list[LearningLogItem] = field(default_factory=list)


@dataclass
class LearningLogCourse:
    course: CoursePage | None
    lessons: list[LearningLogLesson] = field(default_factory=list)


def learning_log_list(*, user: User) -> list[LearningLogCourse]:
    """Every answer in the learner's own log, grouped by course and lesson in the
    catalogue's order, each lesson's answers in the order of its activities (answers to
    activities since removed come last). Two queries, however many answers."""
    entries = list(LearningLogEntry.objects.filter(user=user).select_related("lesson")
                   .order_by("lesson__path", "created_at"))
    # A lesson sits two levels under its course (course -> module -> lesson).
    cut = -2 * LessonPage.steplen
    courses = {course.path: course for course in
               CoursePage.objects.filter(path__in={e.lesson.path[:cut] for e in entries})}
    groups: dict[str, LearningLogCourse] = {}
    for _lesson, lesson_entries in groupby(entries, key=lambda e: e.lesson_id):
        lesson_entries = list(lesson_entries)
        lesson = lesson_entries[0].lesson
        activities = lesson_activities(lesson=lesson)
        order = list(activities)
        lesson_entries.sort(key=lambda e: order.index(e.block_id) if e.block_id in activities
                            else len(order))
        path = lesson.path[:cut]
        groups.setdefault(path, LearningLogCourse(course=courses.get(path))).lessons.append(
            LearningLogLesson(lesson=lesson, items=[
                LearningLogItem(entry=e, activity=activities.get(e.block_id))
                for e in lesson_entries]))
    return list(groups.values())
