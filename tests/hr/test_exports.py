"""Exports: the same rows as the report, in CSV and Excel, built by a task with
progress; formulas neutralised; links only for their owner, and they expire."""

import csv
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.utils import timezone

from academy.models import AuditEvent, Export
from academy.reports.exports import neutralise
from learners.models import Certificate, Enrolment
from tests.hr.conftest import date_parts, enrolment, person, reporter

HEADERS = ["Name", "Email", "Staff number", "Organisation", "Directorate", "Grade",
           "Profession", "Line manager", "Course", "Required", "Due date", "Enrolled",
           "Started", "Progress %", "Completed", "Score %", "Certificate code",
           "Certificate valid until", "Sessions attended", "Sessions missed", "Status"]


@pytest.fixture
def rows(tree, course):
    now = timezone.now()
    people = [person(tree["team-north"], n) for n in range(7)]
    for n, someone in enumerate(people):
        enrolment(someone, course, completed_at=now if n % 2 else None)
    enrolment(person(tree["agency"], 99), course)  # out of scope
    return people


def uk_time(*parts) -> datetime:
    """A date-time as an Excel cell holds it: UK time, with no time zone (Excel has none)."""
    return datetime(*parts)  # noqa: DTZ001


def export(client, fmt, **filters):
    response = client.post("/reports/exports/", {"format": fmt, **filters})
    assert response.status_code == 302
    return Export.objects.latest("created_at")


def read(export_obj):
    data = export_obj.file.open("rb").read()
    if export_obj.format == "csv":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_has_the_reports_rows_for_the_same_filters(client, hr, rows, fmt):
    client.force_login(hr)
    report = client.get("/reports/", {"status": "completed"})
    expected = sorted(e["user_email"] for e in report.context["rows"])
    made = export(client, fmt, status="completed")
    made.refresh_from_db()
    assert made.status == Export.DONE
    table = read(made)
    assert table[0] == HEADERS
    assert sorted(row[1] for row in table[1:]) == expected
    assert len(expected) == 3
    assert made.processed == 3
    assert AuditEvent.objects.filter(action=AuditEvent.EXPORT, row_count=3).exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_cells_are_neutralised(client, hr, tree, course, fmt):
    for n, name in enumerate(["=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)",
                              "\tcmd", "\rx", "Safe"]):
        enrolment(person(tree["team-north"], n, first_name=name), course)
    client.force_login(hr)
    table = read(export(client, fmt))
    first_names = sorted(row[0].rsplit(" ", 1)[0] for row in table[1:])
    assert all(not value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in first_names)
    assert "'=HYPERLINK(\"http://evil\")" in first_names
    assert "Safe" in first_names


def test_neutralise_leaves_ordinary_text_and_numbers_alone():
    assert neutralise("Jo Bloggs") == "Jo Bloggs"
    assert neutralise(42) == 42
    assert neutralise("-1") == "'-1"


def test_the_progress_page_shows_the_download_when_done(client, hr, rows):
    client.force_login(hr)
    made = export(client, "csv")
    page = client.get(f"/reports/exports/{made.pk}/").content.decode()
    assert "Your export is ready" in page
    made.refresh_from_db()
    until = timezone.localtime(made.expires_at)
    # GOV.UK's times: "8:33am", not "08:33" or "8:33 a.m."
    assert re.search(r"The link works until (\d{1,2}(:\d\d)?(am|pm)|midday|midnight) on "
                     + f"{until.day} {until:%B %Y}", page)
    status = client.get(f"/reports/exports/{made.pk}/status.json").json()
    assert status["status"] == "done"
    assert status["percent"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert b"Email" in b"".join(download.streaming_content)


def test_a_pending_export_shows_a_progress_bar(client, hr):
    client.force_login(hr)
    pending = Export.objects.create(requested_by=hr, format="csv", total=200, processed=50)
    page = client.get(f"/reports/exports/{pending.pk}/").content.decode()
    assert '<progress id="export-bar"' in page
    assert "25% done: 50 of 200 rows" in page
    assert client.get(f"/reports/exports/{pending.pk}/download/").status_code == 302


def test_someone_elses_export_is_not_found(client, hr, rows, site, tree):
    client.force_login(hr)
    made = export(client, "csv")
    colleague = reporter(site, tree["operations"], email="colleague@example.gov.uk")
    client.force_login(colleague)
    for url in (f"/reports/exports/{made.pk}/", f"/reports/exports/{made.pk}/status.json",
                f"/reports/exports/{made.pk}/download/"):
        response = client.get(url)
        assert response.status_code == 404
        assert b"Number" not in response.content


def test_an_expired_link_is_refused(client, hr, rows):
    client.force_login(hr)
    made = export(client, "csv")
    Export.objects.filter(pk=made.pk).update(expires_at=timezone.now() - timezone.timedelta(1))
    response = client.get(f"/reports/exports/{made.pk}/download/")
    assert response.status_code == 410
    assert "This download link has expired" in response.content.decode()


def test_exporting_again_after_done_changes_nothing(client, hr, rows):
    from academy.reports.services import export_build

    client.force_login(hr)
    made = export(client, "csv")
    made.refresh_from_db()
    name = made.file.name
    export_build(export_id=made.pk)
    made.refresh_from_db()
    assert made.file.name == name
    assert AuditEvent.objects.filter(action=AuditEvent.EXPORT).count() == 1


def test_postgresqls_csv_has_exactly_the_cells_python_writes(tree, course, grades, tmp_path):
    """On PostgreSQL the CSV is written by COPY (a million rows in seconds); it must say
    what the row-by-row writer says, cell for cell, formulas neutralised included."""
    from django.db import connection

    from academy.reports.exports import export_rows, write_csv, write_csv_copy
    from academy.reports.filters import ReportFilters
    from academy.reports.selectors import report_enrolments_list
    from tests.factories import UserFactory

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; CI runs this on PostgreSQL")
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True)  # sees everyone
    now = timezone.now()
    manager = person(tree["operations"], 90, first_name="=Max", last_name="Manager")
    names = [("Zoë", "O'Brien, Jr"), ("=cmd", "x"), ("", ""), ("Sam", 'Say "hi"'),
             ("-1", "+2"), ("Ana", "Line\nbreak"), ("\tTab", "Start")]
    places = [tree["team-north"], tree["operations"], tree["department"], None,
              tree["agency"], tree["policy"], tree["team-north"]]
    for n, ((first, last), place) in enumerate(zip(names, places, strict=True)):
        someone = person(place, n, first_name=first, last_name=last,
                         grade=grades["EO"] if n % 2 else None,
                         staff_number=["", f"S{n:04d}", f"@{n}"][n % 3],
                         line_manager=manager if n % 2 else None)
        made = enrolment(someone, course, due_on=now.date() if n % 2 else None,
                         extended_due_on=now.date() + timezone.timedelta(9) if n == 3 else None,
                         started_at=now if n % 3 else None, progress_percent=10 * n,
                         completed_at=now - timezone.timedelta(days=200) if n == 2 else None,
                         score_percent=80 if n == 2 else None)
        if n == 2:
            Certificate.objects.create(enrolment=made, code="@code", learner_name="x",
                                       course_title="y", completed_on=now.date())
    queryset = report_enrolments_list(viewer=admin, filters=ReportFilters())
    python_file, copy_file = tmp_path / "python.csv", tmp_path / "copy.csv"
    write_csv(python_file, export_rows(queryset), None)
    written = write_csv_copy(copy_file, queryset)

    def table(path):
        return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))

    assert written == len(names)
    assert table(copy_file) == table(python_file)
    rows = table(copy_file)
    assert rows[0] == HEADERS
    assert len(rows) == len(names) + 1
    directorates = {row[0]: row[4] for row in rows[1:]}
    assert directorates["Zoë O'Brien, Jr"] == "Operations"  # Team North, in Operations
    assert directorates["'=cmd x"] == "Operations"  # Operations itself
    assert directorates[""] == "Department"  # at the top
    assert directorates["Sam Say \"hi\""] == ""  # no organisation
    assert {row[7] for row in rows[1:]} == {"'=Max Manager", ""}


@pytest.fixture
def people_with_details(tree, course, grades):
    """Four people in Team North, one in each status; the first has a staff number, a
    line manager, a score and a certificate, and finished on a summer morning."""
    manager = person(tree["operations"], 50, first_name="Maya", last_name="Manager")
    done = person(tree["team-north"], 1, first_name="Dev", last_name="Done",
                  staff_number="S1234", line_manager=manager, grade=grades["EO"])
    today = timezone.localdate()
    finished = enrolment(done, course, due_on=date(2026, 9, 30), progress_percent=100,
                         score_percent=85, started_at=datetime(2026, 6, 30, 16, 0, tzinfo=UTC),
                         completed_at=datetime(2026, 7, 1, 7, 33, tzinfo=UTC))
    Enrolment.objects.filter(pk=finished.pk).update(
        enrolled_at=datetime(2026, 6, 29, 23, 30, tzinfo=UTC))
    Certificate.objects.create(enrolment=finished, code="CERT-1", learner_name="Dev Done",
                               course_title=course.title, completed_on=date(2026, 7, 1))
    enrolment(person(tree["team-north"], 2), course, started_at=timezone.now(),
              progress_percent=50)
    enrolment(person(tree["team-north"], 3), course,
              due_on=today - timezone.timedelta(days=3))
    enrolment(person(tree["team-north"], 4), course)
    return done


def test_excel_has_real_dates_numbers_a_frozen_header_filters_and_an_about_sheet(
        client, hr, people_with_details):
    client.force_login(hr)
    made = export(client, "xlsx", organisation="operations")
    made.refresh_from_db()
    workbook = openpyxl.load_workbook(io.BytesIO(made.file.open("rb").read()))
    assert workbook.sheetnames == ["Completion report", "About this report"]
    sheet = workbook["Completion report"]
    headers = [cell.value for cell in sheet[1]]
    assert headers == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:U5"  # the header and the 4 rows, every column
    rows = {row[1].value: dict(zip(headers, row, strict=True))
            for row in sheet.iter_rows(min_row=2)}
    done = rows["p1@example.gov.uk"]

    due = done["Due date"]
    assert due.is_date
    assert due.value == uk_time(2026, 9, 30)
    assert due.number_format == "d mmm yyyy"
    # Stored in UTC; shown in UK time (British Summer Time here), as the report does.
    assert done["Completed"].is_date
    assert done["Completed"].value == uk_time(2026, 7, 1, 8, 33)
    assert done["Started"].value == uk_time(2026, 6, 30, 17, 0)
    assert done["Enrolled"].value == uk_time(2026, 6, 30, 0, 30)
    assert done["Progress %"].data_type == "n"
    assert done["Progress %"].value == 100
    assert done["Score %"].data_type == "n"
    assert done["Score %"].value == 85
    assert rows["p4@example.gov.uk"]["Score %"].value is None

    assert done["Staff number"].value == "S1234"
    assert done["Line manager"].value == "Maya Manager"
    assert done["Directorate"].value == "Operations"
    assert done["Organisation"].value == "Team North"
    assert done["Grade"].value == "EO"
    assert done["Certificate code"].value == "CERT-1"
    assert done["Required"].value == "Yes"
    assert {row["Status"].value for row in rows.values()} == {
        "Completed", "In progress", "Overdue", "Not started"}

    about = {row[0]: row[1] for row in workbook["About this report"].iter_rows(
        min_row=2, values_only=True) if row[0]}
    assert about["Organisation"] == "Operations and the teams below it"
    assert about["Course"] == "All"
    assert about["Status"] == "All"
    assert about["Organisations reported on"] == "Operations"
    assert about["Rows"] == 4
    assert about["Run by"] == "Hana Reporter (hr@example.gov.uk)"
    ran = timezone.localtime(made.started_at)
    assert re.fullmatch(rf"{ran.day} {ran:%B %Y} at (\d{{1,2}}(:\d\d)?(am|pm)|midday|midnight)",
                        about["Run at"])


def test_the_about_sheet_names_every_filter_in_words(client, hr, people_with_details,
                                                     grades, course):
    client.force_login(hr)
    made = export(client, "xlsx", grade=grades["EO"].pk, course=course.slug,
                  status="completed", required="yes",
                  **date_parts("completed_from", date(2026, 7, 1)))
    made.refresh_from_db()
    workbook = openpyxl.load_workbook(io.BytesIO(made.file.open("rb").read()))
    about = {row[0]: row[1] for row in workbook["About this report"].iter_rows(
        values_only=True) if row[0]}
    assert about["Organisation"] == "All"
    assert about["Grade"] == "EO"
    assert about["Course"] == "Agile basics"
    assert about["Status"] == "Completed"
    assert about["Required learning"] == "Required learning only"
    assert about["Completed"] == "On or after 1 July 2026"
    assert about["Enrolled"] == "All"
    assert about["Rows"] == 1
    assert workbook["Completion report"].auto_filter.ref == "A1:U2"


def test_the_csv_has_the_excel_columns_and_the_status_words(client, hr, people_with_details):
    client.force_login(hr)
    made = export(client, "csv")
    table = read(made)
    assert table[0] == HEADERS
    done = next(dict(zip(HEADERS, row, strict=True)) for row in table[1:]
                if row[1] == "p1@example.gov.uk")
    assert done["Due date"] == "2026-09-30"
    assert done["Completed"] == "2026-07-01 08:33"  # UK time
    assert done["Progress %"] == "100"
    assert (done["Staff number"], done["Line manager"], done["Directorate"]) == (
        "S1234", "Maya Manager", "Operations")
    assert sorted(row[-1] for row in table[1:]) == [
        "Completed", "In progress", "Not started", "Overdue"]


def test_the_export_button_keeps_the_reports_date_filter(client, hr, people_with_details):
    """The report's date filters are three boxes each; the export is asked for with
    them as the report page has them, so it holds the same rows."""
    client.force_login(hr)
    page = client.get("/reports/", date_parts("completed_from", date(2026, 7, 1)))
    assert page.context["rows"].paginator.count == 1
    export_form = re.search(r'<form method="post" action="/reports/exports/".*?</form>',
                            page.content.decode(), re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                             export_form))
    assert fields["completed_from_year"] == "2026"
    fields.pop("csrfmiddlewaretoken", None)
    made = export(client, "csv", **fields)
    assert [row[1] for row in read(made)[1:]] == ["p1@example.gov.uk"]


def test_more_rows_than_an_excel_sheet_holds_are_left_out_and_the_about_sheet_says_so(
        client, hr, people_with_details, monkeypatch):
    from academy.reports import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)  # Excel's is 1,048,575
    client.force_login(hr)
    made = export(client, "xlsx")
    made.refresh_from_db()
    workbook = openpyxl.load_workbook(io.BytesIO(made.file.open("rb").read()))
    assert workbook["Completion report"].max_row == 3  # the header and 2 rows
    assert workbook["Completion report"].auto_filter.ref == "A1:U3"
    about = {row[0]: row[1] for row in workbook["About this report"].iter_rows(
        values_only=True) if row[0]}
    assert about["Rows"] == 2
    assert "Export to CSV for every record" in about["Rows left out"]
    assert made.processed == 2
    assert len(read(export(client, "csv"))) == 5  # the CSV has all 4


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_file_is_written_where_it_is_kept_and_nothing_else_is_left(client, hr, rows, fmt,
                                                                       monkeypatch):
    """Written in place under a name of its own and renamed when done: not copied into
    storage from a temporary file, and no part-written file left beside it."""
    import os

    def no_copy(*args, **kwargs):
        raise AssertionError("copied into storage")

    monkeypatch.setattr(Export.file.field.storage, "save", no_copy)
    client.force_login(hr)
    made = export(client, fmt)
    made.refresh_from_db()
    folder = os.path.dirname(made.file.path)
    mine = made.pk.hex[:8]
    assert [name for name in os.listdir(folder) if mine in name] == [
        os.path.basename(made.file.name)]
    assert made.file.name.endswith(f".{fmt}")
    assert len(read(made)) == 1 + 7  # the header and the 7 people in scope
