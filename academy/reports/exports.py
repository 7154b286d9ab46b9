"""Writes report exports to a file: CSV or Excel, streamed in chunks so memory stays
flat however many rows there are. (reports.services decides what and when.)"""

import csv
import io

import xlsxwriter
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from academy.models import Export

CHUNK = 5000
HEADERS = ["Name", "Email", "Organisation", "Grade", "Profession", "Course", "Required",
           "Due date", "Enrolled", "Started", "Progress %", "Completed", "Score %",
           "Certificate code", "Status"]
FIELDS = ["user__first_name", "user__last_name", "user__email", "user__organisation__name",
          "user__grade__name", "user__profession__name", "course__title", "due_on",
          "enrolled_at", "started_at", "progress_percent", "completed_at", "score_percent",
          "certificate__code", "status"]
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Stop a spreadsheet running a cell as a formula: text that begins with = + - @,
    tab or carriage return gets a leading apostrophe (OWASP's advice for CSV)."""
    if isinstance(value, str) and value.startswith(DANGEROUS_STARTS):
        return "'" + value
    return value


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(value)


def export_rows(queryset):
    """The export's rows, in the same order as the report, a chunk at a time."""
    for row in queryset.order_by("pk").values_list(*FIELDS).iterator(chunk_size=CHUNK):
        first, last, *rest = row
        name = f"{first} {last}".strip()
        due_on = rest[5]
        yield [neutralise(name)] + [_cell(v) for v in rest[:5]] + [
            "Yes" if due_on else "No"] + [_cell(v) for v in rest[5:]]


def _progress(export_id, written):
    Export.objects.filter(pk=export_id).update(processed=written)


def write_csv(path, rows, export_id) -> int:
    written = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as out:  # BOM: Excel reads UTF-8
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(row)
            written += 1
            if written % CHUNK == 0:
                _progress(export_id, written)
    return written


# The same cells as export_rows, formatted by PostgreSQL so that COPY writes the CSV
# without a row passing through Python: many times faster for a million rows.
_TEXT = ("CASE WHEN left({0}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
         "THEN '''' || {0} ELSE NULLIF({0}, '') END")
_DATE = "to_char({0}, 'YYYY-MM-DD')"
_TIME = "to_char({0} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')"
_COPY_COLUMNS = [  # (SQL over the inner query's c0..c14, whether it takes the time zone)
    (_TEXT.format("btrim(c0 || ' ' || c1)"), False),
    *[(_TEXT.format(f"c{n}"), False) for n in range(2, 7)],
    ("CASE WHEN c7 IS NULL THEN 'No' ELSE 'Yes' END", False),
    (_DATE.format("c7"), False),
    (_TIME.format("c8"), True), (_TIME.format("c9"), True),
    ("c10", False), (_TIME.format("c11"), True), ("c12", False),
    (_TEXT.format("c13"), False), (_TEXT.format("c14"), False),
]


def export_copy_sql(queryset) -> tuple[str, list]:
    """`COPY (...) TO STDOUT` for the export's rows, in report order (by id)."""
    inner = queryset.order_by().values(
        row_id=F("pk"), **{f"c{n}": F(field) for n, field in enumerate(FIELDS)})
    sql, params = inner.query.sql_with_params()
    columns = ", ".join(column for column, _ in _COPY_COLUMNS)
    zones = [settings.TIME_ZONE for _, timed in _COPY_COLUMNS if timed]
    return (f"COPY (SELECT {columns} FROM ({sql}) AS export ORDER BY row_id) "  # noqa: S608  # nosec B608
            "TO STDOUT WITH (FORMAT csv)", [*zones, *params])


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


def write_xlsx(path, rows, export_id) -> int:
    # constant_memory writes each row to disk as it goes: memory stays flat.
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True,
                                          "strings_to_formulas": False,
                                          "strings_to_urls": False,
                                          "strings_to_numbers": False})
    sheet = workbook.add_worksheet("Completion report")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, HEADERS, bold)
    written = 0
    for written, row in enumerate(rows, start=1):
        sheet.write_row(written, 0, row)
        if written % CHUNK == 0:
            _progress(export_id, written)
    workbook.close()
    return written
