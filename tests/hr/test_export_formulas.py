"""Formula neutralisation (issue 14): no cell of a CSV or Excel export starts what a
spreadsheet runs as a formula, in either CSV writer (Python's, PostgreSQL's COPY) or
the Excel one, whatever form the formula sign takes."""

import csv
import io

import pytest

from academy.reports.exports import export_rows, write_csv, write_csv_copy
from academy.reports.filters import ReportFilters
from academy.reports.formulas import neutralise
from academy.reports.selectors import report_enrolments_list
from tests.factories import UserFactory
from tests.hr.conftest import enrolment, person
from tests.hr.test_exports import export, read

# What a spreadsheet could take for a formula: OWASP's = + - @ tab and carriage return,
# their full-width and small forms, superscripts, and any of them after leading spaces.
FORMULAS = ["=SUM(A1)", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd", "\ncmd",
            "\uff1dHYPERLINK(\"http://evil\")", "\uff0b1", "\uff0d1", "\uff20SUM(A1)",
            "\ufe66cmd", "\ufe62cmd", "\ufe63cmd", "\ufe6bcmd", "\u207c1", "\u208a1",
            " =cmd", "   +1", "\u00a0=cmd", "\u3000\uff1dcmd", "\u2003@cmd", " \t=cmd"]
# Text that only looks close: left as it is.
PLAIN = ["Safe", "a=b", "O'Brien", "\u2212minus sign", "x -1", "Zo\u00eb", "(=1)"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_in_any_form_is_made_plain_text(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", PLAIN)
def test_text_that_is_not_a_formula_is_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_exported_cell_starts_a_formula(client, hr, tree, course, fmt):
    for n, name in enumerate(FORMULAS + PLAIN):
        enrolment(person(tree["team-north"], n, first_name="", last_name=name,
                         staff_number=name if n % 2 else ""), course)
    client.force_login(hr)
    table = read(export(client, fmt))
    cells = [cell for row in table[1:] for cell in (row[0], row[2]) if cell]
    assert cells
    assert all(neutralise(cell) == cell for cell in cells), "a cell is a formula"
    names = [row[0] for row in table[1:]]
    assert sum(name.startswith("'") for name in names) == len(FORMULAS)
    assert "'\uff1dHYPERLINK(\"http://evil\")" in names
    assert {"Safe", "a=b", "O'Brien"} <= set(names)


def test_postgresqls_copy_neutralises_exactly_as_python_does(tree, course, tmp_path):
    """The big CSVs are written by PostgreSQL (COPY) from a pattern built from the same
    characters: cell for cell the same file as the row-by-row writer."""
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True)
    for n, name in enumerate(FORMULAS + PLAIN):
        enrolment(person(tree["team-north"], n, first_name=name, last_name="",
                         staff_number=name), course)
    queryset = report_enrolments_list(viewer=admin, filters=ReportFilters())
    python_file, copy_file = tmp_path / "python.csv", tmp_path / "copy.csv"
    write_csv(python_file, export_rows(queryset), None)
    write_csv_copy(copy_file, queryset)

    def table(path):
        return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))

    assert table(copy_file)[1:] == table(python_file)[1:]
    staff_numbers = [row[2] for row in table(copy_file)[1:]]
    assert sorted(staff_numbers) == sorted(neutralise(v) for v in FORMULAS + PLAIN)
