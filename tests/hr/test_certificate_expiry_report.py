"""HR's report: certificates that run out in a chosen window, or have, within the
reporter's own organisations only; and "Certificate valid until" on the page and in
both exports."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from academy.models import Export
from learners import services
from tests.factories import certificate_held
from tests.hr.conftest import enrolment, person

TODAY = timezone.localdate()


@pytest.fixture
def held(tree, course):
    """Certificates of people in Operations (in the reporter's scope) and the Agency
    (outside it), by when they run out."""
    ago = TODAY - timedelta(days=300)

    def holder(organisation, n, days, **fields):
        expires_on = None if days is None else TODAY + timedelta(days=days)
        return certificate_held(person(tree[organisation], n), course, completed_on=ago,
                                expires_on=expires_on, **fields)

    certificates = {
        "today": holder("operations", 1, 0),
        "in 30": holder("team-north", 2, 30),
        "in 31": holder("operations", 3, 31),
        "in 75": holder("operations", 4, 75),
        "yesterday": holder("operations", 5, -1),
        "never": holder("operations", 6, None),
        "agency in 10": holder("agency", 7, 10),
        "agency expired": holder("agency", 8, -20),
        "revoked": holder("operations", 9, -3),
        "renewed": holder("operations", 10, -5),
    }
    services.certificate_revoke(certificate=certificates["revoked"], reason="Issued in error")
    renewed = certificates["renewed"].enrolment
    certificate_held(renewed.user, course, completed_on=TODAY, cycle=2,
                     expires_on=TODAY + timedelta(days=365))
    enrolment(person(tree["operations"], 11), course)  # no certificate at all
    return certificates


def last_names(response) -> list[str]:
    return sorted(e["user_last_name"] for e in response.context["rows"])


@pytest.mark.parametrize(("window", "expected"), [
    ("30", ["Number0001", "Number0002"]),  # today and 30 days on, both included
    ("60", ["Number0001", "Number0002", "Number0003"]),
    ("90", ["Number0001", "Number0002", "Number0003", "Number0004"]),
    ("expired", ["Number0005"]),  # not the revoked one, not the renewed one
])
def test_certificates_expiring_within_a_window_in_the_reporters_scope(
        client, hr, held, window, expected):
    client.force_login(hr)
    response = client.get("/reports/", {"certificate_expires": window})
    assert response.status_code == 200
    assert last_names(response) == expected


def test_the_filter_is_offered_in_plain_words(client, hr, held):
    client.force_login(hr)
    page = client.get("/reports/").content.decode()
    assert "Certificate runs out" in page
    for words in ("In the next 30 days", "In the next 60 days", "In the next 90 days",
                  "Already expired"):
        assert words in page


def test_a_window_not_offered_is_an_error_and_filters_nothing(client, hr, held):
    client.force_login(hr)
    response = client.get("/reports/", {"certificate_expires": "3650"})
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "govuk-error-message" in page


def test_the_valid_until_column_on_the_page(client, hr, held):
    client.force_login(hr)
    response = client.get("/reports/", {"certificate_expires": "30",
                                        "columns": ["certificate_valid_until"]})
    page = response.content.decode()
    assert "Certificate valid until" in page
    assert TODAY.strftime("%-d\u00a0%b\u00a0%Y") in page
    in_30 = TODAY + timedelta(days=30)
    assert in_30.strftime("%-d\u00a0%b\u00a0%Y") in page


def _export(client, fmt, **filters) -> Export:
    response = client.post("/reports/exports/", {"format": fmt, **filters})
    assert response.status_code == 302
    made = Export.objects.latest("created_at")
    made.refresh_from_db()
    assert made.status == Export.DONE
    return made


def test_the_csv_export_has_the_window_and_the_valid_until_column(client, hr, held):
    client.force_login(hr)
    made = _export(client, "csv", certificate_expires="60")
    table = list(csv.reader(io.StringIO(made.file.open("rb").read().decode("utf-8-sig"))))
    header, rows = table[0], table[1:]
    at = header.index("Certificate valid until")
    assert header[at - 1] == "Certificate code"
    got = sorted((row[1], row[at]) for row in rows)
    assert got == [("p1@example.gov.uk", TODAY.isoformat()),
                   ("p2@example.gov.uk", (TODAY + timedelta(days=30)).isoformat()),
                   ("p3@example.gov.uk", (TODAY + timedelta(days=31)).isoformat())]


def test_the_excel_export_has_dates_and_says_which_window(client, hr, held):
    client.force_login(hr)
    made = _export(client, "xlsx", certificate_expires="expired")
    workbook = openpyxl.load_workbook(io.BytesIO(made.file.open("rb").read()))
    sheet = workbook["Completion report"]
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [row["Email"].value for row in rows] == ["p5@example.gov.uk"]
    valid_until = rows[0]["Certificate valid until"]
    assert valid_until.is_date
    assert valid_until.value.date() == TODAY - timedelta(days=1)
    about = {row[0]: row[1] for row in workbook["About this report"].iter_rows(
        values_only=True) if row[0]}
    assert about["Certificate runs out"] == "Already expired (not revoked, not renewed)"


def test_every_row_of_an_unfiltered_export_says_when_its_certificate_runs_out(
        client, hr, held):
    client.force_login(hr)
    made = _export(client, "csv")
    table = list(csv.reader(io.StringIO(made.file.open("rb").read().decode("utf-8-sig"))))
    at = table[0].index("Certificate valid until")
    by_email = {row[1]: row[at] for row in table[1:]}
    assert by_email["p6@example.gov.uk"] == ""  # never runs out
    assert by_email["p11@example.gov.uk"] == ""  # no certificate
    assert by_email["p4@example.gov.uk"] == (TODAY + timedelta(days=75)).isoformat()
    assert not any(email.startswith(("p7@", "p8@")) for email in by_email)  # the Agency


def test_the_records_api_filters_by_expiry_and_says_until_when(client, hr, held):
    from tests.hr.test_api_and_trainers import bearer

    response = client.get("/api/v1/records", {"certificate_expires": "30"}, **bearer(hr))
    assert response.status_code == 200
    got = sorted((r["email"], r["certificate_valid_until"]) for r in response.json()["results"])
    assert got == [("p1@example.gov.uk", TODAY.isoformat()),
                   ("p2@example.gov.uk", (TODAY + timedelta(days=30)).isoformat())]
    refused = client.get("/api/v1/records", {"certificate_expires": "soon"}, **bearer(hr))
    assert refused.status_code == 400
    assert "certificate_expires" in refused.json()["detail"]
