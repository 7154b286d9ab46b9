"""Writes report exports to a file: CSV or Excel, streamed in chunks so memory stays
flat however many rows there are. (reports.services decides what and when.)

One list of columns for both formats, in the same order, with the status in the words
the report shows. Excel gets typed cells (dates, date-times in UK time, numbers), a
frozen header with filter buttons, and an "About this report" sheet; the CSV keeps
ISO dates (YYYY-MM-DD, and YYYY-MM-DD HH:MM in UK time)."""

import csv
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from academy.models import Export
from academy.reports.filters import ReportFilters
from academy.reports.formulas import neutralise, neutralise_sql
from academy.reports.selectors import sessions_attended_count, sessions_missed_count
from courses.models import CoursePage
from learners.models import EnrolmentStatus, Grade, Organisation, Profession
from learners.scoping import reporting_paths
from learners.selectors import enrolment_due_on
from learners.services.certificate_expiry import EXPIRED
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
    ExportColumn("Certificate valid until", DATE, 13),
    ExportColumn("Sessions attended", NUMBER, 10),
    ExportColumn("Sessions missed", NUMBER, 10),
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


# What the database reads for each row, in SQL (c0..c22 of the COPY's inner query; the
# certificate's expiry date, issue 17, is last so the others keep their numbers).
FIELDS = [
    F("user__first_name"), F("user__last_name"), F("user__email"),
    F("user__staff_number"), F("user__organisation__name"), _directorate(),
    F("user__grade__name"), F("user__profession__name"),
    F("user__line_manager__first_name"), F("user__line_manager__last_name"),
    F("course__title"), F("due_on"), enrolment_due_on(), F("enrolled_at"),
    F("started_at"), F("progress_percent"), F("completed_at"), F("score_percent"),
    F("certificate__code"), F("status"), sessions_attended_count(), sessions_missed_count(),
    F("certificate__expires_on"),
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
         progress, completed, score, certificate, status, attended, missed,
         valid_until) in rows:
        yield [_name(first, last), email, staff_number, organisation, directorate, grade,
               profession, _name(manager_first, manager_last), course,
               "Yes" if required_on else "No", due_on, _local(enrolled), _local(started),
               progress, _local(completed), score, certificate, valid_until, attended,
               missed, status_label(status)]


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
# ISO text (the session's DateStyle is ISO: _copy_session): cheaper than to_char.
_DATE = "{0}::text"
_TIME = "left(({0} AT TIME ZONE %s)::text, 16)"
_STATUS = ("CASE c19 " + "WHEN %s THEN %s " * len(EnrolmentStatus.choices) + "ELSE c19 END",
           [part for value, _label in EnrolmentStatus.choices
            for part in (value, status_label(value))])


def _text(expression: str) -> tuple[str, list]:
    """neutralise_sql, with a cheap test first: text that starts with an ASCII letter
    (most names, emails, organisations, courses) cannot be a formula, so skips the
    regular expression."""
    sql, params = neutralise_sql(expression)
    return (f"CASE WHEN ascii({expression}) BETWEEN 65 AND 122 THEN {expression} "
            f"ELSE {sql} END", params)


def _copy_columns() -> list[tuple[str, list]]:
    zone = [settings.TIME_ZONE]
    return [
        _text("btrim(c0 || ' ' || c1)"),
        *[_text(f"c{n}") for n in range(2, 5)],
        _text("directorate"),
        *[_text(f"c{n}") for n in range(6, 8)],
        _text("btrim(coalesce(c8, '') || ' ' || coalesce(c9, ''))"),
        _text("c10"),
        ("CASE WHEN c11 IS NULL THEN 'No' ELSE 'Yes' END", []),
        (_DATE.format("c12"), []),
        (_TIME.format("c13"), zone), (_TIME.format("c14"), zone),
        ("c15", []), (_TIME.format("c16"), zone), ("c17", []),
        _text("c18"),
        (_DATE.format("c22"), []),
        ("c20", []), ("c21", []),
        _STATUS,
    ]


def _copy_source(queryset) -> tuple[str, list]:
    """The export's rows in report order (by id), unformatted: FIELDS as c0..c22, but
    the directorate (c5 in FIELDS) found by a hash join on its path rather than a
    look-up for each row, and sorted before the cells are formatted (sorting the
    narrower raw rows; the formatting query keeps that order without sorting again)."""
    fields = [*FIELDS]
    fields[5] = F("user__organisation__path")
    inner = queryset.order_by("pk").values(
        row_id=F("pk"), **{f"c{n}": source for n, source in enumerate(fields)})
    sql, params = inner.query.sql_with_params()
    table = connection.ops.quote_name(Organisation._meta.db_table)
    # OFFSET 0 keeps each query whole (a fence): the outer query formats rows already
    # in order, and the directorate is looked up once a row, not once a use.
    return (f"SELECT source.*, directorate.name AS directorate "  # noqa: S608  # nosec B608
            f"FROM ({sql}) AS source LEFT JOIN {table} AS directorate "
            f"ON directorate.path = substr(source.c5, 1, {2 * Organisation.steplen}) "
            "ORDER BY source.row_id OFFSET 0", params)


@contextmanager
def _copy_session():
    """A transaction with PostgreSQL's JIT compiler off for it (for one long, simple
    scan, compiling the expressions costs more, over a second, than it saves) and ISO
    dates, which the CSV's date cells are."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; SET LOCAL DateStyle = 'ISO'")
        yield cursor


def export_copy_sql(queryset) -> tuple[str, list]:
    """`COPY (...) TO STDOUT` for the export's rows, in report order (by id)."""
    source, params = _copy_source(queryset)
    columns = _copy_columns()
    selected = ", ".join(column for column, _ in columns)
    outer_params = [param for _, column_params in columns for param in column_params]
    return (f"COPY (SELECT {selected} FROM ({source}) AS export ORDER BY row_id) "  # noqa: S608  # nosec B608
            "TO STDOUT WITH (FORMAT csv)", [*outer_params, *params])


def csv_header() -> bytes:
    """The CSV's first bytes: a BOM (Excel reads UTF-8) and the header row."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(HEADERS)
    return ("\ufeff" + header.getvalue()).encode()


def write_csv_copy(path_or_file, queryset) -> int:
    """Stream COPY's output to the file (a path, or a binary file open for writing).
    The connection is busy with the COPY until it ends, so progress is not written as
    it goes (the total is, at the end): a million rows take seconds."""
    statement, params = export_copy_sql(queryset)
    with ExitStack() as stack:
        out = (stack.enter_context(open(path_or_file, "wb"))
               if isinstance(path_or_file, str | os.PathLike) else path_or_file)
        out.write(csv_header())
        cursor = stack.enter_context(_copy_session())
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


def _expires_words(window: str | None) -> str:
    if not window:
        return "All"
    if window == EXPIRED:
        return "Already expired (not revoked, not renewed)"
    return f"In the next {window} days (not revoked, not renewed)"


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
        ("Certificate runs out", _expires_words(filters.certificate_expires)),
        ("", ""),
        ("Times", f"Dates and times are UK time ({settings.TIME_ZONE})."),
    ]


def _xlsx_begin(path):
    """A workbook with the report's sheet begun: column widths, the header row (bold)
    and frozen. Returns (workbook, sheet, bold, formats by kind)."""
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
    # Number the styles now, in this order (xlsxwriter numbers a format when it is first
    # used, and writes only those it numbered): write_xlsx_copy's cells name them.
    for fmt in (bold, formats[DATE], formats[DATETIME]):
        fmt._get_xf_index()
    return workbook, sheet, bold, formats


def _xlsx_end(workbook, sheet, bold, *, written: int, cut_short: bool,
              about: Callable[[int], list[tuple[str, object]]] | None) -> None:
    """Filter buttons over the header and `written` rows, the About sheet, and close."""
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


def write_xlsx(path, rows, export_id, *,
               about: Callable[[int], list[tuple[str, object]]] | None = None) -> int:
    """Write export_rows to an Excel workbook: typed cells, a frozen header row with
    filter buttons, and (given `about`, called with the number of rows) an "About this
    report" sheet. A sheet holds XLSX_MAX_ROWS at most: the rest are left out, and the
    About sheet says so (the CSV has them all). Row by row (SQLite; PostgreSQL writes
    the cells itself: write_xlsx_copy)."""
    workbook, sheet, bold, formats = _xlsx_begin(path)
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
    _xlsx_end(workbook, sheet, bold, written=written, cut_short=cut_short, about=about)
    return written


# --- Excel from PostgreSQL ----------------------------------------------------------
# A sheet's cells are XML, and for a million rows building them cell by cell in Python
# (xlsxwriter's write_string and write_number) is most of the time. So PostgreSQL
# writes each row's XML, the XML xlsxwriter's constant_memory mode writes (inline
# strings, dates as Excel serial numbers with the date formats' style), COPY streams
# it, and it goes straight into the workbook's zip; xlsxwriter writes everything else
# (styles, the header row, widths, the frozen pane, filters, the About sheet).
SHEET = "xl/worksheets/sheet1.xml"
# A row whose text cells, joined by "|", match none of this is written as it is: no
# character to escape (for XML, for Excel's _xHHHH_, or for COPY's text format: a
# backslash, tab or line feed) and no value starting or ending with a space (a "|" in
# the text can only send a row the careful way when it need not go).
_XML_PLAIN_ROW = "[&<>\\\\\x01-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|(^|\\|) | (\\||$)"
_XML_PRESERVE = (9, 10, 13, 32)  # XML whitespace: a cell starting or ending with it


def _xml_escaped(value: str) -> str:
    """SQL for text as xlsxwriter writes it in a cell (a literal _xHHHH_ escaped, control
    characters as _xHHHH_, then & < > as entities), and for COPY's text format
    (backslash, tab and line feed as character references, which XML reads as the same
    characters): COPY writes it unchanged, one row a line."""
    sql = f"regexp_replace({value}, '(_x[0-9a-fA-F]{{4}}_)', '_x005F\\1', 'g')"
    for point in [*range(1, 9), *range(11, 32), 0xFFFE, 0xFFFF]:
        sql = f"replace({sql}, chr({point}), '_x{point:04X}_')"
    for character, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"),
                              ("\\", "&#92;"), ("\t", "&#9;"), ("\n", "&#10;")):
        sql = f"replace({sql}, chr({ord(character)}), '{entity}')"
    return sql


def _xml_row(styles: dict[str, int], *, careful: bool) -> str:
    """SQL for a row's <row> element over t0..t19 (the cells' values; NULL: no cell)
    and r (its row number in the sheet, as text). concat() leaves out a NULL cell.
    `careful`: escape each text and keep its spaces (see _XML_PLAIN_ROW)."""
    cells = []
    for number, column in enumerate(COLUMNS):
        value, ref = f"t{number}", f"'<c r=\"{chr(65 + number)}', r"
        if column.kind == TEXT:
            preserve = ((f"CASE WHEN ascii({value}) IN {_XML_PRESERVE} OR "
                         f"ascii(right({value}, 1)) IN {_XML_PRESERVE} "
                         "THEN ' xml:space=\"preserve\"' END, ") if careful else "")
            text = _xml_escaped(value) if careful else value
            cell = f"{ref}, '\" t=\"inlineStr\"><is><t', {preserve}'>', {text}, '</t></is></c>'"
        elif column.kind == NUMBER:
            cell = f"{ref}, '\"><v>', {value}, '</v></c>'"
        else:
            cell = f"{ref}, '\" s=\"{styles[column.kind]}\"><v>', {value}, '</v></c>'"
        # One concat() a cell (not a || for each piece, each a copy of the text so far).
        cells.append(f"CASE WHEN {value} IS NOT NULL THEN concat({cell}) END")
    return "concat('<row r=\"', r, '\">', " + ", ".join(cells) + ", '</row>')"


def _serial(expression: str, kind: str) -> str:
    """An Excel serial number (days since 30 December 1899, as Excel counts them after
    February 1900) of a date, or of a date-time in UK time, as xlsxwriter works it out
    (to well within a millisecond)."""
    if kind == DATE:
        return f"({expression} - DATE '1899-12-30')"
    return f"(date_part('epoch', {expression} AT TIME ZONE %s) / 86400 + 25569)"


def export_xlsx_copy_sql(queryset, *, styles: dict[str, int], limit: int) -> tuple[str, list]:
    """`COPY (...) TO STDOUT` of the sheet's rows after the header, as XML, one a line:
    the first `limit` of the export's rows in report order."""
    source, params = _copy_source(queryset)
    values, value_params = [], []
    for number, (column, (text_sql, text_params)) in enumerate(
            zip(COLUMNS, _copy_columns(), strict=True)):
        if column.kind in (DATE, DATETIME):
            source_column = {10: "c12", 11: "c13", 12: "c14", 14: "c16", 17: "c22"}[number]
            text_sql = _serial(source_column, column.kind)
            text_params = [settings.TIME_ZONE] if column.kind == DATETIME else []
        values.append(f"{text_sql} AS t{number}")
        value_params += text_params
    texts = ", ".join(f"t{n}" for n, column in enumerate(COLUMNS) if column.kind == TEXT)
    cells = ("SELECT row_id, (row_number() OVER (ORDER BY row_id) + 1)::text AS r, "  # noqa: S608  # nosec B608
             f"{', '.join(values)} FROM ({source} LIMIT %s) AS export ORDER BY row_id OFFSET 0")
    rows = (f"CASE WHEN concat_ws('|', {texts}) ~ %s THEN {_xml_row(styles, careful=True)} "
            f"ELSE {_xml_row(styles, careful=False)} END")
    return (f"COPY (SELECT {rows} FROM ({cells}) AS cells ORDER BY row_id) "  # noqa: S608  # nosec B608
            "TO STDOUT", [_XML_PLAIN_ROW, *value_params, *params, limit])


def write_xlsx_copy(path, queryset, *,
                    about: Callable[[int], list[tuple[str, object]]] | None = None) -> int:
    """write_xlsx's workbook, its rows' XML written by PostgreSQL (export_xlsx_copy_sql)
    and streamed into the file. xlsxwriter makes the workbook around them twice, small
    (header only): before, for the sheet's start, and once the rows are counted, for the
    rest (filters, the About sheet); the sheet's <dimension> is left out (optional, and
    only known at the end)."""
    with tempfile.TemporaryDirectory() as folder:
        before = os.path.join(folder, "before.xlsx")
        workbook, sheet, bold, formats = _xlsx_begin(before)
        styles = {kind: fmt._get_xf_index() for kind, fmt in formats.items()}
        _xlsx_end(workbook, sheet, bold, written=0, cut_short=False, about=None)
        with zipfile.ZipFile(before) as template:
            head = template.read(SHEET).decode()
        head = re.sub(r"<dimension [^>]*/>", "", head.split("</sheetData>")[0])
        statement, params = export_xlsx_copy_sql(queryset, styles=styles, limit=XLSX_MAX_ROWS)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
            with out.open(SHEET, "w") as sheet_xml, _copy_session() as cursor:
                sheet_xml.write(head.encode())
                buffer = bytearray()
                with cursor.cursor.copy(statement, params) as copy:
                    for data in copy:
                        buffer += data
                        if len(buffer) > 1 << 20:
                            sheet_xml.write(buffer)
                            buffer.clear()
                sheet_xml.write(buffer)
                written = cursor.cursor.rowcount
                cut_short = written == XLSX_MAX_ROWS and \
                    queryset.order_by("pk")[XLSX_MAX_ROWS:XLSX_MAX_ROWS + 1].exists()
                after = os.path.join(folder, "after.xlsx")
                _xlsx_end(*_xlsx_begin(after)[:3], written=written, cut_short=cut_short,
                          about=about)
                with zipfile.ZipFile(after) as template:
                    tail = template.read(SHEET).decode().split("</sheetData>", 1)[1]
                sheet_xml.write(f"</sheetData>{tail}".encode())
            with zipfile.ZipFile(after) as template:
                for item in template.infolist():
                    if item.filename != SHEET:
                        out.writestr(item, template.read(item))
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
