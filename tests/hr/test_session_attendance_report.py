"""Attendance at instructor-led sessions in HR's report (issue 16): "Sessions attended"
and "Sessions missed" for each record (that person, that record's course), in the
records table, the CSV and the .xlsx, the same from the row-by-row writers and from
PostgreSQL's COPY writers; and the summary's "Instructor-led sessions" figures, within
the reporter's scope, with small numbers suppressed."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.utils import timezone

from academy.reports.exports import (
    HEADERS,
    export_rows,
    write_csv,
    write_csv_copy,
    write_xlsx,
    write_xlsx_copy,
)
from academy.reports.filters import ReportFilters
from academy.reports.selectors import report_enrolments_list
from learners.models import BookingStatus
from tests.factories import UserFactory, course_with_lessons
from tests.hr.conftest import enrolment, person
from tests.learners.session_factories import BookingFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def _past_session(course, **fields):
    return TrainingSessionFactory(course=course, starts_at=timezone.now() - timedelta(days=3),
                                  **fields)


@pytest.fixture
def records(tree, course, catalogue):
    """Ann attended two sessions of the course and missed one; Bob missed one and has an
    unmarked place; Cat (in the Agency, outside HR's scope) attended one. Ann also
    attended a session of another course, and one of this course that was cancelled:
    neither counts on her record for this course."""
    other = course_with_lessons(catalogue, modules=1, lessons=1, title="Other course")
    ann = person(tree["team-north"], 1, first_name="Ann", last_name="Attender")
    bob = person(tree["operations"], 2, first_name="Bob", last_name="Absent")
    cat = person(tree["agency"], 3, first_name="Cat", last_name="Elsewhere")
    for someone in (ann, bob, cat):
        enrolment(someone, course)
    enrolment(ann, other)
    first, second, third = (_past_session(course) for _ in range(3))
    BookingFactory(session=first, user=ann, attended=True)
    BookingFactory(session=second, user=ann, attended=True)
    BookingFactory(session=third, user=ann, attended=False)
    BookingFactory(session=first, user=bob, attended=False)
    BookingFactory(session=second, user=bob)  # the register not taken for Bob
    BookingFactory(session=third, user=cat, attended=True)
    BookingFactory(session=third, user=UserFactory(), status=BookingStatus.WAITING)
    BookingFactory(session=_past_session(other), user=ann, attended=True)
    BookingFactory(session=_past_session(course, cancelled_at=timezone.now(),
                                         cancelled_reason="The room flooded."),
                   user=ann, attended=True)
    return {"ann": ann, "bob": bob, "cat": cat, "course": course}


def _table_rows(page: str) -> tuple[list[str], dict[tuple[str, str], list[str]]]:
    """The records table's headings, and its rows by (name, course)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    table = soup.find("div", attrs={"aria-labelledby": "records"}).find("table")
    rows = [[c.get_text(strip=True) for c in tr.find_all(["td", "th"])]
            for tr in table.tbody.find_all("tr")]
    heads = [" ".join(th.get_text().split()).rstrip(" ▲▼")
             for th in table.thead.find_all("th")]
    course = heads.index("Course")
    return heads, {(row[0], row[course]): row for row in rows}


def test_the_records_table_shows_sessions_attended_and_missed(client, hr, records):
    client.force_login(hr)
    page = client.get("/reports/", {"columns": ["sessions_attended", "sessions_missed"]})
    heads, rows = _table_rows(page.content.decode())
    attended, missed = heads.index("Sessions attended"), heads.index("Sessions missed")
    ann = rows[("Ann Attender", "Agile basics")]
    bob = rows[("Bob Absent", "Agile basics")]
    assert (ann[attended], ann[missed]) == ("2", "1")
    assert (bob[attended], bob[missed]) == ("0", "1")
    # Her session of the other course counts there, not here.
    other = rows[("Ann Attender", "Other course")]
    assert (other[attended], other[missed]) == ("1", "0")
    assert not [key for key in rows if key[0] == "Cat Elsewhere"]  # outside HR's scope


def test_the_records_table_sorts_by_sessions_attended(client, hr, records):
    client.force_login(hr)
    page = client.get("/reports/", {"columns": ["sessions_attended"],
                                    "sort": "sessions_attended", "order": "desc"})
    _heads, rows = _table_rows(page.content.decode())
    assert next(iter(rows)) == ("Ann Attender", "Agile basics")


def test_the_summary_counts_places_attended_and_no_shows_in_scope(client, hr, records,
                                                                  settings):
    settings.REPORT_MIN_GROUP_SIZE = 1
    client.force_login(hr)
    page = client.get("/reports/", {"course": records["course"].slug}).content.decode()
    figures = page.split('id="session-figures"')[1].split("</dl>")[0]
    # Ann's three places and Bob's two, on sessions that went ahead (not Cat's: Agency).
    assert '<dt class="govuk-body-s">Booked</dt><dd class="govuk-heading-l">5</dd>' in figures
    assert '<dt class="govuk-body-s">Attended</dt><dd class="govuk-heading-l">2</dd>' in figures
    assert ('<dt class="govuk-body-s">Did not attend</dt>'
            '<dd class="govuk-heading-l">2</dd>') in figures


def test_the_summary_suppresses_small_numbers(client, hr, records, settings):
    settings.REPORT_MIN_GROUP_SIZE = 3
    client.force_login(hr)
    page = client.get("/reports/", {"course": records["course"].slug}).content.decode()
    figures = page.split('id="session-figures"')[1].split("</dl>")[0]
    assert "<dd class=\"govuk-heading-l\">5</dd>" in figures
    assert figures.count("fewer than 3") == 2  # attended 2, did not attend 2


def test_the_summary_is_absent_where_nobody_booked(client, hr, tree, course):
    enrolment(person(tree["team-north"], 9), course)
    client.force_login(hr)
    page = client.get("/reports/").content.decode()
    assert "Instructor-led sessions" not in page


def _admin_queryset():
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True)
    return report_enrolments_list(viewer=admin, filters=ReportFilters())


def test_csv_has_the_columns_and_copy_writes_the_same_cells(records, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; CI runs this on PostgreSQL")
    queryset = _admin_queryset()
    python_file, copy_file = tmp_path / "python.csv", tmp_path / "copy.csv"
    write_csv(python_file, export_rows(queryset), None)
    write_csv_copy(copy_file, queryset)

    def table(path):
        return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))

    assert table(copy_file) == table(python_file)
    rows = table(copy_file)
    assert rows[0] == HEADERS
    at = HEADERS.index("Sessions attended")
    assert HEADERS[at:at + 3] == ["Sessions attended", "Sessions missed", "Status"]
    by_record = {(row[0], row[8]): row[at:at + 2] for row in rows[1:]}
    assert by_record[("Ann Attender", "Agile basics")] == ["2", "1"]
    assert by_record[("Ann Attender", "Other course")] == ["1", "0"]
    assert by_record[("Bob Absent", "Agile basics")] == ["0", "1"]
    assert by_record[("Cat Elsewhere", "Agile basics")] == ["1", "0"]


def test_xlsx_has_the_columns_as_numbers_and_copy_writes_the_same_cells(records, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; CI runs this on PostgreSQL")
    queryset = _admin_queryset()
    python_file, copy_file = tmp_path / "python.xlsx", tmp_path / "copy.xlsx"
    write_xlsx(python_file, export_rows(queryset), None)
    write_xlsx_copy(copy_file, queryset)

    def cells(path):
        sheet = openpyxl.load_workbook(path)["Completion report"]
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert cells(copy_file) == cells(python_file)
    rows = cells(copy_file)
    at = HEADERS.index("Sessions attended")
    assert rows[0][at:at + 2] == ["Sessions attended", "Sessions missed"]
    by_record = {(row[0], row[8]): row[at:at + 2] for row in rows[1:]}
    assert by_record[("Ann Attender", "Agile basics")] == [2, 1]
    assert by_record[("Bob Absent", "Agile basics")] == [0, 1]
