"""Writes for HR's reports: exports and bulk enrolment (required learning: in
academy.reports.required). Each
records its fact in the request's transaction, audits it, and leaves the long work to
a Celery task enqueued on commit (docs/celery.md)."""

import logging
import os
import tempfile
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from academy.audit import audit_record
from academy.models import AuditEvent, Export
from academy.reports import exports
from academy.reports.filters import ReportFilters
from academy.reports.selectors import report_enrolments_list
from learners.enqueue import enqueue_on_commit
from learners.models import BulkEnrolment, JobStatus
from learners.scoping import reporting_paths

logger = logging.getLogger(__name__)


@transaction.atomic
def export_create(*, viewer, filters: ReportFilters, export_format: str) -> Export:
    """Ask for an export of the report with these filters; a task builds it."""
    from academy.tasks import export_build

    export = Export.objects.create(requested_by=viewer, format=export_format,
                                   filters=filters.as_dict())
    enqueue_on_commit(export_build, str(export.pk))
    return export


def export_within_scope(*, viewer, export: Export) -> bool:
    """Whether the viewer may still see every record the export holds: their scope now
    covers the organisations it was built for (an academy admin's covers everything; an
    export of everyone, only an academy admin's). Ownership alone is not enough: a
    reporter moved off an organisation no longer takes its records away."""
    current = reporting_paths(viewer)
    if current is None:
        return True
    if export.scope_paths is None:
        return False
    return all(any(path.startswith(mine) for mine in current) for path in export.scope_paths)


def export_rows_queryset(*, export: Export):
    """The records an export holds: its owner's scope, narrowed by its filters."""
    return report_enrolments_list(viewer=export.requested_by,
                                  filters=ReportFilters.from_dict(export.filters))


@contextmanager
def _export_file(export: Export, filename: str):
    """Where to write an export's file, and a function that stores it and returns its
    name in storage. On a storage with local paths (FileSystemStorage) the file is
    written where it will be kept, under a name no other file has, and renamed into
    place when stored (no temporary copy to read back: a million rows make a 200 MB
    CSV); anywhere else, to a temporary file that the storage then saves. A file not
    stored (an error, or another delivery finished first) is removed."""
    storage = export.file.storage
    name = storage.get_available_name(export.file.field.generate_filename(export, filename))
    try:
        final = storage.path(name)
    except NotImplementedError:  # a remote storage
        final = None
    folder = os.path.dirname(final) if final else None
    if folder:
        os.makedirs(folder, exist_ok=True)
    handle, path = tempfile.mkstemp(prefix=f"{os.path.basename(name)}.", suffix=".part",
                                    dir=folder)
    os.close(handle)
    stored = []

    def store() -> str:
        if final:
            os.replace(path, final)
            if settings.FILE_UPLOAD_PERMISSIONS is not None:
                os.chmod(final, settings.FILE_UPLOAD_PERMISSIONS)
            stored.append(name)
            return name
        with open(path, "rb") as source:
            stored.append(storage.save(name, File(source)))
        return stored[-1]

    try:
        yield path, store
    finally:
        if os.path.exists(path):
            os.unlink(path)


def export_build(*, export_id) -> Export:
    """Write the export's file and mark it done. Idempotent: a finished export is left
    alone, and an export that was interrupted is written again from the start."""
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    if export.status == JobStatus.DONE:
        return export
    queryset = export_rows_queryset(export=export)
    by_copy = connection.vendor == "postgresql"
    # COPY writes no progress as it goes, so there is nothing to count against (and
    # counting a million rows first would take a third as long as writing them).
    total = 0 if by_copy else queryset.count()
    started = Export.objects.filter(pk=export.pk).exclude(status=JobStatus.DONE).update(
        status=JobStatus.RUNNING, total=total, processed=0, started_at=timezone.now(),
        attempts=F("attempts") + 1, scope_paths=reporting_paths(export.requested_by))
    if not started:  # another delivery finished it meanwhile
        return Export.objects.get(pk=export.pk)
    run_at = timezone.now()

    def about(rows):
        return exports.export_about(export=export, run_at=run_at, rows=rows)

    def write(path) -> int:
        if export.format == Export.Format.XLSX:
            if by_copy:
                return exports.write_xlsx_copy(path, queryset, about=about)
            return exports.write_xlsx(path, exports.export_rows(queryset), export.pk,
                                      about=about)
        if by_copy:
            return exports.write_csv_copy(path, queryset)
        # the embedded SQLite of `make run`
        return exports.write_csv(path, exports.export_rows(queryset), export.pk)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"completion-report-{stamp}-{export.pk.hex[:8]}.{export.format}"
    with _export_file(export, name) as (path, store):
        written = write(path)
        with transaction.atomic():
            export = Export.objects.select_for_update().get(pk=export.pk)
            if export.status == JobStatus.DONE:  # another delivery finished first
                return export
            export.file.name = store()
            export.status = JobStatus.DONE
            export.processed = export.total = written
            export.finished_at = timezone.now()
            export.expires_at = export.finished_at + timedelta(hours=settings.EXPORT_LINK_HOURS)
            export.save()
            audit_record(actor=export.requested_by, action=AuditEvent.Action.EXPORT,
                         filters={**export.filters, "format": export.format},
                         row_count=written)
    logger.info("export %s done: %s rows", export.pk, written)
    return export


def exports_reconcile(*, stuck_after: timedelta = timedelta(minutes=30)) -> dict[str, int]:
    """Re-enqueue exports left pending or running by a lost message or a dead worker,
    and delete the files of expired exports (they hold personal data). A FAILED export
    stays failed: its page has told its owner to ask again."""
    from academy.tasks import export_build

    now = timezone.now()
    # Waiting since it was asked for, or running since it started, for `stuck_after`:
    # an export still being written (however long ago it was asked for) is left alone.
    stuck = Export.objects.filter(
        Q(status=JobStatus.PENDING, created_at__lte=now - stuck_after)
        | Q(status=JobStatus.RUNNING, started_at__lte=now - stuck_after))
    requeued = 0
    for export_id in stuck.values_list("pk", flat=True):
        export_build.delay(str(export_id))
        requeued += 1
    expired = 0
    for export in Export.objects.filter(expires_at__lt=now).exclude(file=""):
        export.file.delete(save=True)
        expired += 1
    return {"requeued": requeued, "expired_files_deleted": expired}


def bulk_enrolment_create(*, viewer, filename: str, rows: list[list],
                          check_report: dict) -> BulkEnrolment:
    """Record a checked file: its valid rows and what the check found, for its owner to
    confirm on the "Check before you enrol" page. Nothing is enrolled until then."""
    return BulkEnrolment.objects.create(
        created_by=viewer, filename=filename[:255], rows=rows, total=len(rows),
        check_report=check_report, status=JobStatus.PENDING, confirmed_at=None)


@transaction.atomic
def bulk_enrolment_confirm(*, viewer, bulk_id: int) -> bool:
    """Confirm the viewer's own checked file, once: a task enrols its valid rows and
    sets the staff numbers and line managers it gives. Only the first confirmation
    counts (a second click, or a second tab, changes nothing); a file with no valid
    rows cannot be confirmed. Returns whether this call confirmed it."""
    from learners.tasks import bulk_enrolment_process

    confirmed = BulkEnrolment.objects.filter(
        pk=bulk_id, created_by=viewer, confirmed_at__isnull=True, total__gt=0,
    ).update(confirmed_at=timezone.now())
    if not confirmed:
        return False
    bulk = BulkEnrolment.objects.defer("rows").get(pk=bulk_id)
    report = bulk.check_report
    audit_record(
        actor=viewer, action=AuditEvent.Action.BULK_ENROLMENT,
        filters={"bulk_enrolment": bulk.pk}, row_count=bulk.total,
        detail=f"Confirmed {bulk.filename}: {report.get('new', 0)} new enrolments, "
               f"{report.get('already_enrolled', 0)} already enrolled, "
               f"{report.get('rejected_rows', 0)} rows rejected, "
               f"{report.get('staff_numbers', 0)} staff numbers and "
               f"{report.get('line_managers', 0)} line managers to set")
    if report.get("line_managers"):
        audit_record(actor=viewer, action=AuditEvent.Action.LINE_MANAGER_SET,
                     filters={"bulk_enrolment": bulk.pk}, row_count=report["line_managers"],
                     detail=f"Line managers from {bulk.filename}")
    enqueue_on_commit(bulk_enrolment_process, bulk.pk)
    return True
