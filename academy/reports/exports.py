"""Writes report exports to a file: CSV or Excel, streamed in chunks so memory stays
flat however many rows there are. (reports.services decides what and when.)

One list of columns for both formats, in the same order, with the status in the words
the report shows. Excel gets typed cells (dates, date-times in UK time, numbers), a
frozen header with filter buttons, and an "About this report" sheet; the CSV keeps
ISO dates (YYYY-MM-DD, and YYYY-MM-DD HH:MM in UK time)."""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter
from django.conf import settings
from django.db import connection
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from academy.models import Export
from academy.reports.filters import ReportFilters
from academy.reports.formulas import neutralise, neutralise_sql
from courses.models import CoursePage
from learners.models import EnrolmentStatus, Grade, Organisation, Profession
from learners.scoping import reporting_paths
from learners.selectors import enrolment_due_on
from learners.templatetags.learning import govuk_time, status_label

CHUNK = 5000
XLSX_MAX_ROWS = 1_048_575  # an Excel sheet's 1,048,576 rows, less the header
TEXT, DATE, DATETIME, NUMBER = "text", "date", "datetime", "number"


@dataclass(frozen=True)
class ExportColumn:
    heading: str
    kind: str  # TEXT, DATE, DATETIME or NUMBER
    width: int  # in Excel, in characters


COLUMNS = [
    ExportColumn("Name", TEXT, 24),
    ExportColumn("Email", TEXT, 32),
    ExportColumn("Staff number", TEXT, 14),
    ExportColumn("Organisation", TEXT, 26),
    ExportColumn("Directorate", TEXT, 26),
    ExportColumn("Grade", TEXT, 10),
    ExportColumn("Profession", TEXT, 18),
    ExportColumn("Line manager", TEXT, 24),
    ExportColumn("Course", TEXT, 32),
    ExportColumn("Required", TEXT, 10),
    ExportColumn("Due date", DATE, 13),
    ExportColumn("Enrolled", DATETIME, 18),
    ExportColumn("Started", DATETIME, 18),
    ExportColumn("Progress %", NUMBER, 11),
    ExportColumn("Completed", DATETIME, 18),
    ExportColumn("Score %", NUMBER, 9),
    ExportColumn("Certificate code", TEXT, 20),
    ExportColumn("Status", TEXT, 13),
]
HEADERS = [column.heading for column in COLUMNS]


def _directorate():
    """The name of the person's directorate: their organisation's ancestor at depth 2
    (one below the department), or their organisation itself if it is at depth 1 or 2.
    A correlated look-up by the indexed, unique path: one query for all the rows."""
    return Subquery(Organisation.objects.filter(
        path=Substr(OuterRef("user__organisation__path"), 1, 2 * Organisation.steplen),
    ).values("name")[:1])


# What the database reads for each row, in SQL (c0..c19 of the COPY's inner query).
FIELDS = [
    F("user__first_name"), F("user__last_name"), F("user__email"),
    F("user__staff_number"), F("user__organisation__name"), _directorate(),
    F("user__grade__name"), F("user__profession__name"),
    F("user__line_manager__first_name"), F("user__line_manager__last_name"),
    F("course__title"), F("due_on"), enrolment_due_on(), F("enrolled_at"),
    F("started_at"), F("progress_percent"), F("completed_at"), F("score_percent"),
    F("certificate__code"), F("status"),
]


def _name(first, last) -> str:
    # " " only, as PostgreSQL's btrim does: a name's own tab or newline stays (and is
    # neutralised), the same in both CSV writers.
    return f"{first or ''} {last or ''}".strip(" ")


def _local(value: datetime | None) -> datetime | None:
    """UK time, without a time zone: Excel has none, and HR read UK time."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def export_rows(queryset) -> Iterable[list]:
    """The export's rows in id order, a chunk at a time, one value per COLUMNS entry:
    text, a date, a date-time in UK time (naive), a number, or None."""
    rows = queryset.order_by("pk").values_list(*FIELDS).iterator(chunk_size=CHUNK)
    for (first, last, email, staff_number, organisation, directorate, grade, profession,
         manager_first, manager_last, course, required_on, due_on, enrolled, started,
         progress, completed, score, certificate, status) in rows:
        yield [_name(first, last), email, staff_number, organisation, directorate, grade,
               profession, _name(manager_first, manager_last), course,
               "Yes" if required_on else "No", due_on, _local(enrolled), _local(started),
               progress, _local(completed), score, certificate, status_label(status)]


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value)


def _progress(export_id, written):
    Export.objects.filter(pk=export_id).update(processed=written)


def write_csv(path, rows, export_id) -> int:
    """Write export_rows to a CSV file, row by row (SQLite; PostgreSQL uses COPY)."""
    written = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as out:  # BOM: Excel reads UTF-8
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
            written += 1
            if written % CHUNK == 0:
                _progress(export_id, written)
    return written


# The same cells as write_csv, formatted by PostgreSQL so that COPY writes the CSV
# without a row passing through Python: many times faster for a million rows. Each
# column is (SQL over the inner query's c0..c19, its parameters); text goes through
# neutralise_sql, the same rule as neutralise for the other writers.
_DATE = "to_char({0}, 'YYYY-MM-DD')"
_TIME = "to_char({0} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')"
_STATUS = ("CASE c19 " + "WHEN %s THEN %s " * len(EnrolmentStatus.choices) + "ELSE c19 END",
           [part for value, _label in EnrolmentStatus.choices
            for part in (value, status_label(value))])


def _copy_columns() -> list[tuple[str, list]]:
    zone = [settings.TIME_ZONE]
    return [
        neutralise_sql("btrim(c0 || ' ' || c1)"),
        *[neutralise_sql(f"c{n}") for n in range(2, 8)],
        neutralise_sql("btrim(coalesce(c8, '') || ' ' || coalesce(c9, ''))"),
        neutralise_sql("c10"),
        ("CASE WHEN c11 IS NULL THEN 'No' ELSE 'Yes' END", []),
        (_DATE.format("c12"), []),
        (_TIME.format("c13"), zone), (_TIME.format("c14"), zone),
        ("c15", []), (_TIME.format("c16"), zone), ("c17", []),
        neutralise_sql("c18"),
        _STATUS,
    ]


def export_copy_sql(queryset) -> tuple[str, list]:
    """`COPY (...) TO STDOUT` for the export's rows, in report order (by id)."""
    inner = queryset.order_by().values(
        row_id=F("pk"), **{f"c{n}": source for n, source in enumerate(FIELDS)})
    sql, params = inner.query.sql_with_params()
    columns = _copy_columns()
    selected = ", ".join(column for column, _ in columns)
    outer_params = [param for _, column_params in columns for param in column_params]
    # OFFSET 0 keeps the inner query whole: merged into the outer one, the directorate's
    # look-up would run once for each time a column's SQL names it (three, not one).
    return (f"COPY (SELECT {selected} FROM ({sql} OFFSET 0) AS export ORDER BY row_id) "  # noqa: S608  # nosec B608
            "TO STDOUT WITH (FORMAT csv)", [*outer_params, *params])


def write_csv_copy(path, queryset) -> int:
    """Stream COPY's output to the file. The connection is busy with the COPY until it
    ends, so progress is not written as it goes (the total is, at the end): a million
    rows take seconds."""
    statement, params = export_copy_sql(queryset)
    with open(path, "wb") as out:
        out.write("\ufeff".encode())  # BOM: Excel reads UTF-8
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(HEADERS)
        out.write(header.getvalue().encode())
        with connection.cursor() as cursor:
            with cursor.cursor.copy(statement, params) as copy:
                for data in copy:
                    out.write(data)
            return cursor.cursor.rowcount


def _date_words(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _range_words(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{_date_words(start)} to {_date_words(end)}"
    if start:
        return f"On or after {_date_words(start)}"
    if end:
        return f"On or before {_date_words(end)}"
    return "All"


def export_about(*, export: Export, run_at: datetime, rows: int) -> list[tuple[str, object]]:
    """What an export holds, in words, for its "About this report" sheet: the filters
    chosen (names, not slugs), the scope of the person who asked for it, when it ran
    and how many rows it has."""
    filters = ReportFilters.from_dict(export.filters)
    organisation = (Organisation.objects.filter(slug=filters.organisation)
                    .values_list("name", flat=True).first() if filters.organisation else None)
    grade = (Grade.objects.filter(pk=filters.grade).values_list("name", flat=True).first()
             if filters.grade else None)
    profession = (Profession.objects.filter(slug=filters.profession)
                  .values_list("name", flat=True).first() if filters.profession else None)
    course = (CoursePage.objects.filter(slug=filters.course)
              .values_list("title", flat=True).first() if filters.course else None)
    paths = reporting_paths(export.requested_by)
    scope = ("All organisations" if paths is None else ", ".join(
        Organisation.objects.filter(path__in=paths).order_by("name")
        .values_list("name", flat=True)) or "None")
    required = {"yes": "Required learning only", "no": "Not required learning"}
    local = timezone.localtime(run_at)
    return [
        ("Report", "Completion report: learning records"),
        ("Run by", f"{export.requested_by.get_full_name()} ({export.requested_by.email})"),
        ("Run at", f"{_date_words(local)} at {govuk_time(local)}"),
        ("Rows", rows),
        ("Organisations reported on", scope),
        ("", ""),
        ("Filters", ""),
        ("Organisation", f"{organisation or filters.organisation} and the teams below it"
         if filters.organisation else "All"),
        ("Grade", grade or "All"),
        ("Profession", profession or "All"),
        ("Course", course or filters.course or "All"),
        ("Status", status_label(filters.status) if filters.status else "All"),
        ("Required learning", required.get(filters.required, "All")),
        ("Enrolled", _range_words(filters.enrolled_from, filters.enrolled_to)),
        ("Completed", _range_words(filters.completed_from, filters.completed_to)),
        ("", ""),
        ("Times", f"Dates and times are UK time ({settings.TIME_ZONE})."),
    ]


def write_xlsx(path, rows, export_id, *,
               about: Callable[[int], list[tuple[str, object]]] | None = None) -> int:
    """Write export_rows to an Excel workbook: typed cells, a frozen header row with
    filter buttons, and (given `about`, called with the number of rows) an "About this
    report" sheet. A sheet holds XLSX_MAX_ROWS at most: the rest are left out, and the
    About sheet says so (the CSV has them all)."""
    # constant_memory writes each row to disk as it goes: memory stays flat.
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True,
                                          "strings_to_formulas": False,
                                          "strings_to_urls": False,
                                          "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Completion report")
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {DATE: workbook.add_format({"num_format": "d mmm yyyy"}),
               DATETIME: workbook.add_format({"num_format": "d mmm yyyy hh:mm"})}
    for number, column in enumerate(COLUMNS):
        sheet.set_column(number, number, column.width)
    sheet.freeze_panes(1, 0)
    for number, heading in enumerate(HEADERS):
        sheet.write_string(0, number, heading, bold)
    kinds = [column.kind for column in COLUMNS]
    written, cut_short = 0, False
    for written, row in enumerate(rows, start=1):
        if written > XLSX_MAX_ROWS:
            written, cut_short = XLSX_MAX_ROWS, True
            break
        for number, (kind, value) in enumerate(zip(kinds, row, strict=True)):
            if value is None or value == "":
                continue
            if kind == TEXT:
                sheet.write_string(written, number, neutralise(value))
            elif kind == NUMBER:
                sheet.write_number(written, number, value)
            else:
                sheet.write_datetime(written, number, value, formats[kind])
        if written % CHUNK == 0:
            _progress(export_id, written)
    # Set last: with constant_memory the range must be known, and xlsxwriter takes it
    # any time before the workbook closes.
    sheet.autofilter(0, 0, written, len(COLUMNS) - 1)
    if about is not None:
        lines = about(written)
        if cut_short:
            lines.insert(next(n for n, (label, _) in enumerate(lines) if label == "Rows") + 1,
                         ("Rows left out", f"More records matched than an Excel sheet holds "
                          f"({XLSX_MAX_ROWS:,}): this file has the first {XLSX_MAX_ROWS:,}. "
                          "Export to CSV for every record."))
        _write_about(workbook, lines, bold)
    workbook.close()
    return written


def _write_about(workbook, lines, bold) -> None:
    sheet = workbook.add_worksheet("About this report")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 70)
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_string(0, 0, "About this report", bold)
    for number, (label, value) in enumerate(lines, start=2):
        if label:
            sheet.write_string(number, 0, label, bold)
        if isinstance(value, int):
            sheet.write_number(number, 1, value, wrap)
        elif value:
            sheet.write_string(number, 1, neutralise(value), wrap)
