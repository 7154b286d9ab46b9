"""On PostgreSQL the .xlsx's rows are written by PostgreSQL as the sheet's XML
(academy.reports.exports.write_xlsx_copy); the workbook must hold what xlsxwriter's
row-by-row writer (write_xlsx) puts in it, cell for cell: text that XML or a
spreadsheet would read differently, formulas neutralised, dates and numbers typed."""

from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from academy.reports.exports import export_rows, write_xlsx, write_xlsx_copy
from academy.reports.filters import ReportFilters
from academy.reports.selectors import report_enrolments_list
from learners.models import Certificate
from tests.factories import UserFactory
from tests.hr.conftest import enrolment, person

# Text XML escapes (& < >), COPY's text format would (backslash, tab, line feed),
# Excel's own _xHHHH_ escape and control characters, spaces to keep, a formula, and
# text that is none of those.
NAMES = [("Zoë", "O'Brien & <Sons>"), ("=cmd", "x"), ("", ""), ("Back\\slash", "Tab\there"),
         ("Line", "one\ntwo"), ("_x0041_", "literal"), ("Bell\x07", "Esc\x1b"),
         ("  Spaced", "out\t"), ("-1", "+2"), ("Plain", "Name"), ("Über", "straße_")]


def cells(path):
    sheet = openpyxl.load_workbook(path)["Completion report"]
    return [[(cell.value, cell.number_format if cell.is_date else None) for cell in row]
            for row in sheet.iter_rows()]


def test_postgresqls_sheet_has_exactly_the_cells_xlsxwriter_writes(tree, course, grades,
                                                                   tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; CI runs this on PostgreSQL")
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True)  # sees everyone
    manager = person(tree["operations"], 90, first_name="=Max", last_name="<Manager>")
    places = [tree["team-north"], tree["operations"], tree["department"], None,
              tree["agency"], tree["policy"]]
    for n, (first, last) in enumerate(NAMES):
        someone = person(places[n % len(places)], n, first_name=first, last_name=last,
                         grade=grades["EO"] if n % 2 else None,
                         staff_number=["", f"S{n:04d}", f"@{n}"][n % 3],
                         line_manager=manager if n % 2 else None)
        made = enrolment(
            someone, course, due_on=date(2026, 3, 1 + n) if n % 2 else None,
            started_at=datetime(2026, 6, 30, 23, 59, 30, 123456, tzinfo=UTC) if n % 3 else None,
            progress_percent=9 * n,
            completed_at=datetime(2026, 1, 15, 8, 1, tzinfo=UTC) if n == 2 else None,
            score_percent=80 if n == 2 else None)
        if n == 2:
            Certificate.objects.create(enrolment=made, code="@code", learner_name="x",
                                       course_title="y", completed_on=timezone.localdate())
    queryset = report_enrolments_list(viewer=admin, filters=ReportFilters())
    python_file, copy_file = tmp_path / "python.xlsx", tmp_path / "copy.xlsx"
    write_xlsx(python_file, export_rows(queryset), None)
    written = write_xlsx_copy(copy_file, queryset)

    assert written == len(NAMES)
    expected, made = cells(python_file), cells(copy_file)
    assert made == expected
    assert len(made) == len(NAMES) + 1
    names = {row[0][0] for row in made[1:]}
    assert "Zoë O'Brien & <Sons>" in names
    assert "Back\\slash Tab\there" in names
    assert "Line one\ntwo" in names
    # Excel's escape of a literal "_x0041_", which Excel shows as written (openpyxl
    # does not undo it).
    assert "_x005F_x0041_ literal" in names
    assert "Spaced out\t" in names
    assert "'=cmd x" in names
    assert None in names  # no name: an empty cell, as xlsxwriter leaves it
    started = next(row[12] for row in made[1:] if row[12][0])
    # UK time (British Summer Time); openpyxl reads a serial number to the millisecond.
    assert started == (datetime(2026, 7, 1, 0, 59, 30, 123000), "d mmm yyyy hh:mm")  # noqa: DTZ001
