"""Bulk enrolment in two steps: an uploaded CSV or Excel file is checked and nobody is
enrolled; the check page says what will happen, row by row; its owner confirms, once,
and a task enrols exactly the valid rows and sets the staff numbers and line managers
they give."""

import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from academy.models import AuditEvent
from learners.models import BulkEnrolment, Enrolment, JobStatus, User
from learners.services import bulk_enrolment_process
from tests.hr.conftest import enrolment, person, reporter

HEADER = "email,course,due_date\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, content: bytes, name="people.csv", content_type="text/csv"):
    return client.post(reverse("bulk_enrolment"),
                       {"file": SimpleUploadedFile(name, content, content_type=content_type)})


def checked(client, content: bytes, **kwargs):
    """Upload a file, and return its record and the check page it leads to."""
    response = upload(client, content, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    bulk = BulkEnrolment.objects.latest("pk")
    assert response["Location"] == reverse("bulk_enrolment_check", args=[bulk.pk])
    return bulk, client.get(response["Location"]).content.decode()


def confirm(client, bulk):
    return client.post(reverse("bulk_enrolment_confirm", args=[bulk.pk]))


def xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def people(tree):
    return [person(tree["team-north"], n) for n in range(3)]


@pytest.fixture
def signed_in(client, hr):
    client.force_login(hr)
    return client


# --- Step one: the check --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (",Agile basics,\n", "Row 3: the email address is missing"),
        ("nobody@example.gov.uk,Agile basics,\n",
         "Row 3: no one with the email nobody@example.gov.uk is in your organisations"),
        ("p0@example.gov.uk,Underwater basket weaving,\n",
         "Row 3: there is no published course called &#x27;Underwater basket weaving&#x27;"),
        ("p0@example.gov.uk,,\n", "Row 3: the course is missing"),
        ("p0@example.gov.uk,Agile basics,31/02/2030\n",
         "Row 3: 31/02/2030 is not a real date. Use DD/MM/YYYY, like 31/03/2027"),
        ("p0@example.gov.uk,Agile basics,01/01/2001\n",
         "Row 3: the due date 01/01/2001 is in the past"),
        ("p2@example.gov.uk,agile-basics,\n\np2@example.gov.uk,Agile basics,\n",
         "Row 5: this person and course are already in row 3"),
        ("not-an-email,Agile basics,\n", "Row 3: &#x27;not-an-email&#x27; is not an email address"),
    ],
)
def test_a_bad_row_is_shown_with_its_reason_and_never_enrolled(signed_in, people, course,
                                                               body, message):
    good = "p1@example.gov.uk,Agile basics,\n"
    bulk, page = checked(signed_in, (HEADER + good + body).encode())
    assert message in page
    assert "1 row will not be enrolled" in page
    assert not Enrolment.objects.exists(), "nobody is enrolled before confirming"
    assert bulk.status == JobStatus.PENDING
    assert bulk.confirmed_at is None

    confirm(signed_in, bulk)
    enrolled = set(Enrolment.objects.values_list("user__email", flat=True))
    expected = {"p1@example.gov.uk", "p2@example.gov.uk"} if "already in row" in message \
        else {"p1@example.gov.uk"}
    assert enrolled == expected


def test_the_check_page_counts_new_enrolments_people_already_enrolled_and_rejected_rows(
        signed_in, people, course):
    enrolment(people[0], course)
    body = ("p0@example.gov.uk,Agile basics,31/12/2099\n"
            "p1@example.gov.uk,Agile basics,\n"
            "P2@Example.gov.uk,agile-basics,\n"
            "p9@example.gov.uk,Agile basics,\n"
            "p1@example.gov.uk,Agile basic,\n")
    bulk, page = checked(signed_in, (HEADER + body).encode())
    assert "2 new enrolments" in page
    assert ("1 person already enrolled (nothing changes for them, except an earlier due date)"
            in page)
    assert "2 rows will not be enrolled" in page
    assert "Row 5: no one with the email p9@example.gov.uk is in your organisations" in page
    assert "Row 6: there is no published course called &#x27;Agile basic&#x27;" in page
    assert "Confirm and enrol" in page
    assert "Upload a different file" in page
    assert Enrolment.objects.count() == 1
    assert bulk.total == 3


def test_people_outside_the_reporters_organisations_are_rejected(signed_in, tree, people,
                                                                course):
    person(tree["agency"], 50)
    bulk, page = checked(signed_in, (HEADER + "p50@example.gov.uk,Agile basics,\n").encode())
    assert "Row 2: no one with the email p50@example.gov.uk is in your organisations" in page
    assert bulk.rows == []
    confirm(signed_in, bulk)
    assert not Enrolment.objects.exists()


def test_a_file_where_every_row_is_rejected_cannot_be_confirmed(signed_in, people, course):
    bulk, page = checked(signed_in, (HEADER + "p0@example.gov.uk,Nothing,\n").encode())
    assert "None of the rows can be enrolled" in page
    assert "Confirm and enrol" not in page
    assert "Upload a different file" in page
    response = confirm(signed_in, bulk)  # a hand-made POST is refused too
    assert response["Location"] == reverse("bulk_enrolment_check", args=[bulk.pk])
    bulk.refresh_from_db()
    assert bulk.confirmed_at is None
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.BULK_ENROLMENT).exists()


# --- Step two: confirming -------------------------------------------------------------


def test_confirming_enrols_the_valid_rows_with_due_dates_and_shows_progress(signed_in, people,
                                                                          course):
    body = "".join(f"p{n}@example.gov.uk,Agile basics,31/12/2099\n" for n in range(3))
    bulk, _page = checked(signed_in, ("\ufeff" + HEADER + body).encode())  # Excel's BOM
    response = confirm(signed_in, bulk)
    assert response["Location"] == reverse("bulk_enrolment_status", args=[bulk.pk])
    page = signed_in.get(response["Location"]).content.decode()
    assert "Enrolment complete" in page
    assert "3 new enrolments" in page
    bulk.refresh_from_db()
    assert bulk.status == BulkEnrolment.DONE
    assert bulk.confirmed_at is not None
    assert Enrolment.objects.filter(course=course, due_on="2099-12-31").count() == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.BULK_ENROLMENT)
    assert event.actor == bulk.created_by
    assert event.row_count == 3


def test_confirming_sets_staff_numbers_and_line_managers(signed_in, people, course):
    manager = person(people[0].organisation, 7, staff_number="M-7")
    people[1].staff_number = "1002"
    people[1].save()
    content = ("email,course,due_date,Staff Number,Line manager email\n"
               "p0@example.gov.uk,Agile basics,,1001,p7@example.gov.uk\n"
               "p1@example.gov.uk,Agile basics,,1002,\n"
               "p2@example.gov.uk,Agile basics,,,P7@example.gov.uk\n")
    bulk, page = checked(signed_in, content.encode())
    assert "1 person will have their staff number set" in page  # p1 has 1002 already
    assert "2 people will have their line manager set" in page
    assert "3 new enrolments" in page
    assert not User.objects.filter(staff_number="1001").exists()

    confirm(signed_in, bulk)
    people = {u.email: u for u in User.objects.filter(email__startswith="p")}
    assert people["p0@example.gov.uk"].staff_number == "1001"
    assert people["p0@example.gov.uk"].line_manager == manager
    assert people["p1@example.gov.uk"].staff_number == "1002"
    assert people["p1@example.gov.uk"].line_manager is None
    assert people["p2@example.gov.uk"].staff_number == ""
    assert people["p2@example.gov.uk"].line_manager == manager
    assert Enrolment.objects.filter(course=course).count() == 3
    assert AuditEvent.objects.get(action=AuditEvent.Action.LINE_MANAGER_SET).row_count == 2


def test_staff_numbers_and_line_managers_that_cannot_be_set_reject_their_row(
        signed_in, tree, people, course):
    person(tree["agency"], 50, staff_number="TAKEN-1")  # outside the reporter's scope
    person(tree["agency"], 51)
    person(tree["team-north"], 52, is_active=False)
    content = ("email,course,staff_number,line_manager_email\n"
               "p0@example.gov.uk,Agile basics,TAKEN-1,\n"
               "p0@example.gov.uk,Agile basics,,p0@example.gov.uk\n"
               "p1@example.gov.uk,Agile basics,,p51@example.gov.uk\n"
               "p2@example.gov.uk,Agile basics,,p52@example.gov.uk\n"
               "p1@example.gov.uk,Agile basics,S-9,\n"
               "p2@example.gov.uk,Agile basics,S-9,\n"
               f"p0@example.gov.uk,Agile basics,{'9' * 31},\n")
    bulk, page = checked(signed_in, content.encode())
    for message in [
        "Row 2: the staff number TAKEN-1 is already used by someone else",
        "Row 3: a person cannot be their own line manager",
        "Row 4: no one with the email p51@example.gov.uk is in your organisations, so they "
        "cannot be the line manager",
        "Row 5: no one with the email p52@example.gov.uk is in your organisations",
        "Row 7: the staff number S-9 is also in row 6, for someone else",
        "Row 8: the staff number is longer than 30 characters",
    ]:
        assert message in page
    assert "1 new enrolment" in page  # p1 with S-9, row 6
    assert "6 rows will not be enrolled" in page
    confirm(signed_in, bulk)
    assert list(Enrolment.objects.values_list("user__email", flat=True)) == [
        "p1@example.gov.uk"]
    assert User.objects.get(staff_number="S-9").email == "p1@example.gov.uk"
    assert not User.objects.filter(line_manager__isnull=False).exists()


def test_one_person_given_two_staff_numbers_or_line_managers_is_rejected(signed_in, people,
                                                                      course):
    content = ("email,course,staff_number,line_manager_email\n"
               "p0@example.gov.uk,Agile basics,A-1,p1@example.gov.uk\n"
               "p0@example.gov.uk,Agile basics,A-2,\n"
               "p0@example.gov.uk,Agile basics,,p2@example.gov.uk\n")
    _bulk, page = checked(signed_in, content.encode())
    assert "Row 3: p0@example.gov.uk has a different staff number in row 2" in page
    assert "Row 4: p0@example.gov.uk has a different line manager in row 2" in page


def test_a_line_manager_who_reports_to_the_person_is_rejected(signed_in, people, course):
    people[1].line_manager = people[0]  # p0 manages p1 already
    people[1].save()
    content = ("email,course,line_manager_email\n"
               "p0@example.gov.uk,Agile basics,p1@example.gov.uk\n"
               "p2@example.gov.uk,Agile basics,p1@example.gov.uk\n"
               "p0@example.gov.uk,agile-basics,\n"
               "p1@example.gov.uk,Agile basics,p2@example.gov.uk\n")
    bulk, page = checked(signed_in, content.encode())
    assert ("Row 2: p1@example.gov.uk reports to p0@example.gov.uk, directly or through "
            "their team, so cannot also be their line manager") in page
    # Row 3 makes p1 manage p2, so p2 cannot then manage p1.
    assert "Row 5: p2@example.gov.uk reports to p1@example.gov.uk" in page
    confirm(signed_in, bulk)
    managers = dict(User.objects.values_list("email", "line_manager__email"))
    assert managers["p0@example.gov.uk"] is None
    assert managers["p1@example.gov.uk"] == "p0@example.gov.uk"
    assert managers["p2@example.gov.uk"] == "p1@example.gov.uk"


def test_a_second_confirmation_changes_nothing(signed_in, people, course):
    bulk, _page = checked(signed_in, (HEADER + "p0@example.gov.uk,Agile basics,\n").encode())
    confirm(signed_in, bulk)
    bulk.refresh_from_db()
    first_confirmed_at = bulk.confirmed_at
    # As if the first task had not run yet: a second enqueue would run it now.
    BulkEnrolment.objects.filter(pk=bulk.pk).update(status=JobStatus.PENDING, processed=0)
    Enrolment.objects.all().delete()

    response = confirm(signed_in, bulk)
    assert response["Location"] == reverse("bulk_enrolment_status", args=[bulk.pk])
    bulk.refresh_from_db()
    assert bulk.confirmed_at == first_confirmed_at
    assert bulk.status == JobStatus.PENDING, "the second confirmation enqueued the task"
    assert not Enrolment.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BULK_ENROLMENT).count() == 1
    # Once confirmed, the check page leads to the progress page.
    check = signed_in.get(reverse("bulk_enrolment_check", args=[bulk.pk]))
    assert check["Location"] == reverse("bulk_enrolment_status", args=[bulk.pk])


def test_an_unconfirmed_file_is_not_enrolled_by_the_task(signed_in, people, course):
    bulk, _page = checked(signed_in, (HEADER + "p0@example.gov.uk,Agile basics,\n").encode())
    bulk_enrolment_process(bulk_id=bulk.pk)
    assert not Enrolment.objects.exists()
    page = signed_in.get(reverse("bulk_enrolment_status", args=[bulk.pk])).content.decode()
    assert "you have not confirmed it yet" in page


def test_rows_recorded_before_staff_numbers_existed_are_still_enrolled(hr, people, course):
    bulk = BulkEnrolment.objects.create(
        created_by=hr, filename="old.csv", rows=[[people[0].pk, course.pk, "2099-12-31"]],
        total=1, confirmed_at=timezone.now())
    bulk_enrolment_process(bulk_id=bulk.pk)
    assert Enrolment.objects.get().due_on.isoformat() == "2099-12-31"


def test_someone_elses_check_page_and_confirmation_are_404(client, signed_in, site, tree, people,
                                                           course):
    bulk, _page = checked(signed_in, (HEADER + "p0@example.gov.uk,Agile basics,\n").encode())
    other = reporter(site, tree["operations"], email="other.hr@example.gov.uk")
    client.force_login(other)
    assert client.get(reverse("bulk_enrolment_check", args=[bulk.pk])).status_code == 404
    assert confirm(client, bulk).status_code == 404
    client.logout()
    assert client.get(reverse("bulk_enrolment_check", args=[bulk.pk])).status_code == 404
    assert confirm(client, bulk).status_code == 404
    bulk.refresh_from_db()
    assert bulk.confirmed_at is None
    assert not Enrolment.objects.exists()


# --- Excel files and the template -----------------------------------------------------


def test_an_excel_file_with_date_and_number_cells_is_checked_and_enrolled(signed_in, people,
                                                                        course):
    due = datetime(2099, 3, 31)  # noqa: DTZ001 - an Excel date cell has no time zone
    past = datetime(2001, 1, 1)  # noqa: DTZ001
    content = xlsx([
        ["Email", "Course", "Due date", "Staff number", "Line manager email"],
        ["p0@example.gov.uk", "Agile basics", due, 1234, "p2@example.gov.uk"],
        [None, None, None, None, None],
        ["p1@example.gov.uk", "agile-basics", None, None, None],
        ["p2@example.gov.uk", "Agile basics", past, None, None],
        ["p2@example.gov.uk", "Agile basics", "31/02/2099", None, None],
    ])
    bulk, page = checked(signed_in, content, name="people.xlsx", content_type=XLSX)
    assert "2 new enrolments" in page
    assert "Row 5: the due date 01/01/2001 is in the past" in page
    assert "Row 6: 31/02/2099 is not a real date. Use DD/MM/YYYY, like 31/03/2027" in page
    assert not Enrolment.objects.exists()

    confirm(signed_in, bulk)
    enrolled = Enrolment.objects.get(user=people[0])
    assert enrolled.due_on.isoformat() == "2099-03-31"
    people[0].refresh_from_db()
    assert people[0].staff_number == "1234"
    assert people[0].line_manager == people[2]
    assert Enrolment.objects.filter(user=people[1], due_on__isnull=True).exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_template_downloads_and_its_example_row_is_never_enrolled(signed_in, people,
                                                                     course, file_format):
    name = "bulk_enrolment_template" + ("_xlsx" if file_format == "xlsx" else "")
    response = signed_in.get(reverse(name))
    assert response.status_code == 200
    assert f'filename="bulk-enrolment-template.{file_format}"' in response["Content-Disposition"]
    if file_format == "csv":
        assert response.content.decode().splitlines()[0] == (
            "email,course,due_date,staff_number,line_manager_email")
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert [cell.value for cell in sheet[1]] == [
            "email", "course", "due_date", "staff_number", "line_manager_email"]
        assert isinstance(sheet["C2"].value, datetime)
        assert sheet["C2"].value.date() > timezone.localdate()

    bulk, page = checked(signed_in, response.content, name=f"template.{file_format}")
    assert ("Row 2: this is the example row from the template. Delete it and add your own rows"
            in page)
    assert "None of the rows can be enrolled" in page
    assert bulk.rows == []


def test_the_template_with_real_rows_added_enrols_only_them(signed_in, people, course):
    template = signed_in.get(reverse("bulk_enrolment_template")).content.decode()
    due = (timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y")
    content = template + f"p0@example.gov.uk,Agile basics,{due},,\n"
    bulk, page = checked(signed_in, content.encode())
    assert "1 new enrolment" in page
    assert "1 row will not be enrolled" in page
    confirm(signed_in, bulk)
    assert list(Enrolment.objects.values_list("user__email", flat=True)) == ["p0@example.gov.uk"]


# --- Problems with the file as a whole ------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("email,course\np0@example.gov.uk,Agile basics\n".encode("utf-16"), "people.csv",
         "The file must be a CSV file or an Excel workbook (.xlsx)"),
        ("email,course\nrené@example.gov.uk,Agile basics\n".encode("latin-1"), "people.csv",
         "The file must be saved as UTF-8 (row 2 is not)"),
        (b"email,due_date\np0@example.gov.uk,\n", "people.csv", "Missing: course"),
        (b"PK\x03\x04" + b"\x00" * 100, "people.xlsx",
         "The file could not be read as an Excel workbook"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "people.csv", "the old Excel format (.xls)"),
        (b"email,course\n", "people.csv", "The file has no rows to enrol"),
        (b"email,course\np0@example.gov.uk,Agile basics\n", "people.pdf",
         "The file must be a CSV file or an Excel workbook (.xlsx)"),
        (b"email,course\np0@example.gov.uk,Agile basics\n", "people.xls",
         "the old Excel format (.xls)"),
    ],
)
def test_problems_with_the_whole_file_stay_on_the_upload_page(signed_in, people, course,
                                                             content, name, message):
    response = upload(signed_in, content, name=name)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page  # the GOV.UK error summary
    assert message in page
    assert not BulkEnrolment.objects.exists()
    assert not Enrolment.objects.exists()


def test_an_excel_file_without_the_columns_is_refused(signed_in, people, course):
    content = xlsx([["name", "course"], ["Sam", "Agile basics"]])
    page = upload(signed_in, content, name="people.xlsx").content.decode()
    assert "Missing: email" in page
    assert not BulkEnrolment.objects.exists()


def test_a_file_too_large_is_refused(signed_in, people, course, settings):
    settings.BULK_ENROLMENT_MAX_BYTES = 1024 * 1024
    response = upload(signed_in, HEADER.encode() + b"x" * (1024 * 1024 + 1))
    assert "The file must be smaller than 1 MB" in response.content.decode()
    assert not BulkEnrolment.objects.exists()


@pytest.mark.parametrize("excel", [False, True])
def test_too_many_rows_are_refused(signed_in, people, course, settings, excel):
    settings.BULK_ENROLMENT_MAX_ROWS = 2
    rows = [[f"p{n}@example.gov.uk", "Agile basics"] for n in range(3)]
    if excel:
        response = upload(signed_in, xlsx([["email", "course"], *rows]), name="people.xlsx")
    else:
        body = "".join(f"{email},{title}\n" for email, title in rows)
        response = upload(signed_in, ("email,course\n" + body).encode())
    assert "at most 2 rows" in response.content.decode()
    assert not BulkEnrolment.objects.exists()


@pytest.mark.django_db
def test_a_10000_row_file_enrols_everyone_once(signed_in, tree, course):
    User.objects.bulk_create([
        User(email=f"bulk{n}@example.gov.uk", first_name="Bulk", last_name=str(n),
             organisation=tree["team-north"]) for n in range(10_000)
    ])
    Enrolment.objects.create(user=User.objects.get(email="bulk7@example.gov.uk"), course=course)
    body = "".join(f"bulk{n}@example.gov.uk,agile-basics,,S{n}\n" for n in range(10_000))
    bulk, page = checked(signed_in, ("email,course,due_date,staff_number\n" + body).encode())
    assert "9999 new enrolments" in page
    assert "1 person already enrolled" in page
    assert "10000 people will have their staff number set" in page
    confirm(signed_in, bulk)
    bulk.refresh_from_db()
    assert bulk.status == BulkEnrolment.DONE
    assert bulk.processed == 10_000
    assert bulk.enrolled == 9_999
    assert Enrolment.objects.filter(course=course).count() == 10_000
    assert User.objects.get(email="bulk9999@example.gov.uk").staff_number == "S9999"
    # Running it again changes nothing.
    BulkEnrolment.objects.filter(pk=bulk.pk).update(status="running", processed=0)
    bulk_enrolment_process(bulk_id=bulk.pk)
    assert Enrolment.objects.filter(course=course).count() == 10_000
