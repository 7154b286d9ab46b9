"""Enrolling many people at once, from a checked file or from required learning."""

import logging

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from psycopg.types.json import Jsonb

from content.sql import values_in
from learners.enqueue import enqueue_on_commit
from learners.models import BulkEnrolment, Enrolment, JobStatus, User
from learners.scoping import reportable_people
from learners.services.xapi import xapi_enrolments_registered

logger = logging.getLogger(__name__)

CHUNK = 5000


def _enrol(pairs: list[tuple[int, int]]) -> list[int]:
    """Enrol each (user, course) not already on the course in any cycle; return the ids
    of the new enrolments. On PostgreSQL one statement over two arrays (5,000 pairs in
    a few milliseconds, where building a model per row took a second); tests run that
    one, and SQLite (`make run`) uses the ORM."""
    if not pairs:
        return []
    if connection.vendor != "postgresql":
        return _enrol_portably(pairs)
    defaults = Enrolment()  # the model's own defaults, so the two paths cannot drift
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Enrolment._meta.db_table} "  # noqa: S608  # nosec B608
            "(user_id, course_id, cycle, enrolled_at, progress_percent, module_status) "
            "SELECT p.u, p.c, %s, %s, %s, %s FROM unnest(%s::bigint[], %s::int[]) AS p(u, c) "
            f"WHERE NOT EXISTS (SELECT 1 FROM {Enrolment._meta.db_table} e "
            "WHERE e.user_id = p.u AND e.course_id = p.c) "
            "ON CONFLICT DO NOTHING RETURNING id",
            [defaults.cycle, timezone.now(), defaults.progress_percent,
             Jsonb(defaults.module_status), [u for u, _ in pairs], [c for _, c in pairs]])
        return [row[0] for row in cursor.fetchall()]


def _enrol_portably(pairs: list[tuple[int, int]]) -> list[int]:
    existing = set(Enrolment.objects.filter(
        user_id__in={u for u, _ in pairs}, course_id__in={c for _, c in pairs}
    ).values_list("user_id", "course_id"))
    new = {(u, c) for u, c in pairs if (u, c) not in existing}
    Enrolment.objects.bulk_create([Enrolment(user_id=u, course_id=c) for u, c in new],
                                  ignore_conflicts=True, batch_size=CHUNK)
    return [pk for pk, u, c in Enrolment.objects.filter(
        user_id__in={u for u, _ in new}, course_id__in={c for _, c in new}, cycle=1,
    ).values_list("pk", "user_id", "course_id") if (u, c) in new]


def enrolments_ensure(*, pairs: list[tuple[int, int, str | None]], required_by_id=None) -> int:
    """Make sure each (user, course) is enrolled, with its due date where given (the
    earliest due date wins; a completed enrolment keeps its past). Set-based and
    idempotent: existing enrolments are left as they are, duplicates are impossible
    by the unique constraint. Only people who count as learners (User.objects.learners())
    are enrolled: the file was checked earlier, and may name someone since closed.
    Returns how many enrolments were new."""
    counted = set(User.objects.learners().filter(pk__in=values_in({u for u, _, _ in pairs}))
                  .values_list("pk", flat=True))
    pairs = [p for p in pairs if p[0] in counted]
    if not pairs:
        return 0
    created = _enrol(list(dict.fromkeys((u, c) for u, c, _ in pairs)))
    # Grouped in one pass: scanning a due date's rows once per course was rows x courses.
    by_due_course: dict[tuple[str, int], list[int]] = {}
    for user_id, course_id, due in pairs:
        if due:
            by_due_course.setdefault((due, course_id), []).append(user_id)
    for (due, course_id), users in by_due_course.items():
        Enrolment.objects.filter(
            user_id__in=values_in(users), course_id=course_id, completed_at__isnull=True
        ).filter(Q(due_on__isnull=True) | Q(due_on__gt=due)).update(  # every open cycle
            due_on=due, required_by_id=required_by_id, reminder_sent_on=None)
    if created:  # one email task per chunk, each sending over one mail connection
        from learners.tasks import enrolment_confirmations_send

        enqueue_on_commit(enrolment_confirmations_send, created)
        xapi_enrolments_registered(enrolment_ids=created)
    return len(created)


def people_details_set(*, rows: list[list]) -> dict[str, int]:
    """Set the staff numbers and line managers that a bulk file's rows give: a row is
    [user_id, course_id, due, staff_number, line_manager_id] (older rows stop at the
    due date and set nothing). Set-based (one UPDATE per 1,000 people) and idempotent.
    The file was checked when it was uploaded; a staff number someone else has taken
    since is left alone rather than moved, and a line manager who has since gone is
    not set. Returns how many staff numbers and line managers it set."""
    numbers = {row[0]: row[3] for row in rows if len(row) > 3 and row[3]}
    managers = {row[0]: row[4] for row in rows if len(row) > 4 and row[4]}
    if not numbers and not managers:
        return {"staff_numbers": 0, "line_managers": 0}
    people = User.objects.filter(pk__in=values_in(numbers.keys() | managers.keys()))
    current = {pk: (number, manager) for pk, number, manager
               in people.values_list("pk", "staff_number", "line_manager_id")}
    holders = dict(User.objects.filter(staff_number__in=values_in(numbers.values(), "text"))
                   .values_list("staff_number", "pk"))
    live_managers = set(User.objects.filter(pk__in=values_in(set(managers.values())),
                                            is_active=True).values_list("pk", flat=True))
    wanted = {pk: number for pk, number in numbers.items()
              if pk in current and current[pk][0] != number}
    staff_changes = [User(pk=pk, staff_number=number) for pk, number in wanted.items()
                     if holders.get(number, pk) == pk]
    manager_changes = [
        User(pk=pk, line_manager_id=manager) for pk, manager in managers.items()
        if pk in current and current[pk][1] != manager and manager in live_managers
        and manager != pk]
    User.objects.bulk_update(staff_changes, ["staff_number"], batch_size=1000)
    User.objects.bulk_update(manager_changes, ["line_manager"], batch_size=1000)
    skipped = len(wanted) - len(staff_changes)
    if skipped:
        logger.warning("bulk staff numbers not set, taken since the check: %s", skipped)
    return {"staff_numbers": len(staff_changes), "line_managers": len(manager_changes)}


def _in_scope_now(bulk: BulkEnrolment, chunk: list[list]) -> list[list]:
    """The rows about people the uploader may still report on: a file checked when
    someone was in their organisations is not enrolled (nor their staff number or line
    manager set) after HR's scope no longer covers them, however late the confirmation."""
    people = set(reportable_people(bulk.created_by)
                 .filter(pk__in=values_in({row[0] for row in chunk}))
                 .values_list("pk", flat=True))
    return [row for row in chunk if row[0] in people]


def bulk_enrolment_process(*, bulk_id: int) -> BulkEnrolment:
    """Enrol every row of a confirmed bulk file, a chunk per transaction, recording
    progress as it goes; the same transaction sets the chunk's staff numbers and line
    managers. Resumes where it stopped if a worker died; running it again is safe."""
    bulk = BulkEnrolment.objects.get(pk=bulk_id)
    if bulk.status == JobStatus.DONE or bulk.confirmed_at is None:
        return bulk  # done already, or HR has not yet confirmed it
    rows = bulk.rows  # read once: the rows never change, only how far we have got
    BulkEnrolment.objects.filter(pk=bulk_id).update(status=JobStatus.RUNNING)
    progress = BulkEnrolment.objects.defer("rows")
    while True:
        with transaction.atomic():
            bulk = progress.select_for_update().get(pk=bulk_id)
            chunk = rows[bulk.processed: bulk.processed + CHUNK]
            if not chunk:
                bulk.status = JobStatus.DONE
                bulk.finished_at = timezone.now()
                bulk.save(update_fields=["status", "finished_at"])
                break
            allowed = _in_scope_now(bulk, chunk)
            bulk.enrolled += enrolments_ensure(pairs=[tuple(row[:3]) for row in allowed])
            people_details_set(rows=allowed)
            bulk.processed += len(chunk)
            bulk.save(update_fields=["processed", "enrolled"])
    logger.info("bulk enrolment %s done: %s rows, %s new", bulk_id, bulk.total, bulk.enrolled)
    return bulk
