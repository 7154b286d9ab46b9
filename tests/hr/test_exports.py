"""Exports: the same rows as the report, in CSV and Excel, built by a task with
progress; formulas neutralised; links only for their owner, and they expire."""

import csv
import io

import openpyxl
import pytest
from django.utils import timezone

from academy.models import AuditEvent, Export
from academy.reports.exports import neutralise
from tests.hr.conftest import enrolment, person, reporter


@pytest.fixture
def rows(tree, course):
    now = timezone.now()
    people = [person(tree["team-north"], n) for n in range(7)]
    for n, someone in enumerate(people):
        enrolment(someone, course, completed_at=now if n % 2 else None)
    enrolment(person(tree["agency"], 99), course)  # out of scope
    return people


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
    expected = sorted(e.user.email for e in report.context["rows"])
    made = export(client, fmt, status="completed")
    made.refresh_from_db()
    assert made.status == Export.DONE
    table = read(made)
    assert table[0][:3] == ["Name", "Email", "Organisation"]
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


def test_postgresqls_csv_has_exactly_the_cells_python_writes(hr, tree, course, grades, tmp_path):
    """On PostgreSQL the CSV is written by COPY (a million rows in seconds); it must say
    what the row-by-row writer says, cell for cell, formulas neutralised included."""
    from django.db import connection

    from academy.reports.exports import export_rows, write_csv, write_csv_copy
    from academy.reports.filters import ReportFilters
    from academy.reports.selectors import report_enrolments_list
    from learners.models import Certificate

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; CI runs this on PostgreSQL")
    now = timezone.now()
    names = [("Zoë", "O'Brien, Jr"), ("=cmd", "x"), ("", ""), ("Sam", 'Say "hi"'),
             ("-1", "+2"), ("Ana", "Line\nbreak")]
    for n, (first, last) in enumerate(names):
        someone = person(tree["team-north"], n, first_name=first, last_name=last,
                         grade=grades["EO"] if n % 2 else None)
        made = enrolment(someone, course, due_on=now.date() if n % 2 else None,
                         started_at=now if n % 3 else None, progress_percent=10 * n,
                         completed_at=now - timezone.timedelta(days=200) if n == 2 else None,
                         score_percent=80 if n == 2 else None)
        if n == 2:
            Certificate.objects.create(enrolment=made, code="@code", learner_name="x",
                                       course_title="y", completed_on=now.date())
    queryset = report_enrolments_list(viewer=hr, filters=ReportFilters())
    python_file, copy_file = tmp_path / "python.csv", tmp_path / "copy.csv"
    write_csv(python_file, export_rows(queryset), None)
    written = write_csv_copy(copy_file, queryset)

    def table(path):
        return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))

    assert written == len(names)
    assert table(copy_file) == table(python_file)
    assert len(table(copy_file)) == len(names) + 1
