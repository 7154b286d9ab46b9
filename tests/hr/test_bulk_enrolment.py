"""Bulk enrolment: a CSV is checked whole first; any bad row is shown with its reason
and no one is enrolled; a valid file is enrolled by a task, once per person."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from learners.models import BulkEnrolment, Enrolment, User
from tests.hr.conftest import person

HEADER = "email,course,due_date\n"


def upload(client, content: bytes, name="people.csv"):
    return client.post(reverse("bulk_enrolment"),
                       {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


@pytest.fixture
def people(tree):
    return [person(tree["team-north"], n) for n in range(3)]


@pytest.fixture
def signed_in(client, hr):
    client.force_login(hr)
    return client


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("nobody@example.gov.uk,Agile basics,\n", "No one with the email nobody@example.gov.uk"),
        ("p0@example.gov.uk,Underwater basket weaving,\n",
         "There is no published course called &#x27;Underwater basket weaving&#x27;"),
        ("p0@example.gov.uk,Agile basics,31/02/2030\n", "is not a date: use DD/MM/YYYY"),
        ("p0@example.gov.uk,Agile basics,01/01/2001\n", "is in the past"),
        ("p0@example.gov.uk,agile-basics,\np0@example.gov.uk,Agile basics,\n",
         "This person and course are already in row 3"),
        ("not-an-email,Agile basics,\n", "is not an email address"),
    ],
)
def test_each_bad_row_is_reported_and_nobody_is_enrolled(signed_in, people, course, body,
                                                         message):
    good = "p1@example.gov.uk,Agile basics,\n"
    response = upload(signed_in, (HEADER + good + body).encode())
    content = response.content.decode()
    assert response.status_code == 200
    assert message in content
    assert "No one has been enrolled" in content
    assert not Enrolment.objects.exists()
    assert not BulkEnrolment.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("email,course\np0@example.gov.uk,Agile basics\n".encode("utf-16"),
         "The file must be a CSV file"),
        ("email,course\nrené@example.gov.uk,Agile basics\n".encode("latin-1"),
         "The file must be saved as UTF-8"),
        (b"email,due_date\np0@example.gov.uk,\n", "Missing: course"),
        (b"PK\x03\x04" + b"\x00" * 100, "The file must be a CSV file"),
        (b"email,course\n", "The file has no rows to enrol"),
    ],
)
def test_file_level_problems_are_reported_and_nobody_is_enrolled(signed_in, people, course,
                                                                content, message):
    response = upload(signed_in, content)
    assert message in response.content.decode()
    assert not Enrolment.objects.exists()


def test_a_file_too_large_is_refused(signed_in, people, course, settings):
    settings.BULK_ENROLMENT_MAX_BYTES = 1024 * 1024
    response = upload(signed_in, HEADER.encode() + b"x" * (1024 * 1024 + 1))
    assert "The file must be smaller than 1 MB" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_too_many_rows_are_refused(signed_in, people, course, settings):
    settings.BULK_ENROLMENT_MAX_ROWS = 2
    body = "".join(f"p{n}@example.gov.uk,Agile basics,\n" for n in range(3))
    assert "at most 2 rows" in upload(signed_in, (HEADER + body).encode()).content.decode()


def test_people_outside_the_reporters_organisations_are_unknown(signed_in, tree, course):
    person(tree["agency"], 50)
    response = upload(signed_in, (HEADER + "p50@example.gov.uk,Agile basics,\n").encode())
    assert "No one with the email p50@example.gov.uk is in your organisations" in (
        response.content.decode())
    assert not Enrolment.objects.exists()


def test_a_valid_file_enrols_everyone_with_due_dates_and_shows_progress(signed_in, people,
                                                                      course):
    body = "".join(f"p{n}@example.gov.uk,Agile basics,31/12/2099\n" for n in range(3))
    response = upload(signed_in, ("\ufeff" + HEADER + body).encode())  # Excel's UTF-8 BOM
    assert response.status_code == 302
    bulk = BulkEnrolment.objects.get()
    page = signed_in.get(response["Location"]).content.decode()
    assert "Enrolment complete" in page
    assert "3 new enrolments" in page
    assert bulk.status == BulkEnrolment.DONE
    assert Enrolment.objects.filter(course=course, due_on="2099-12-31").count() == 3


@pytest.mark.django_db
def test_a_10000_row_file_enrols_everyone_once(signed_in, tree, course):
    User.objects.bulk_create([
        User(email=f"bulk{n}@example.gov.uk", first_name="Bulk", last_name=str(n),
             organisation=tree["team-north"]) for n in range(10_000)
    ])
    Enrolment.objects.create(user=User.objects.get(email="bulk7@example.gov.uk"), course=course)
    body = "".join(f"bulk{n}@example.gov.uk,agile-basics,\n" for n in range(10_000))
    response = upload(signed_in, (HEADER + body).encode())
    assert response.status_code == 302
    bulk = BulkEnrolment.objects.get()
    assert bulk.status == BulkEnrolment.DONE
    assert bulk.processed == 10_000
    assert bulk.enrolled == 9_999
    assert Enrolment.objects.filter(course=course).count() == 10_000
    # Running it again changes nothing.
    from learners.services import bulk_enrolment_process

    BulkEnrolment.objects.filter(pk=bulk.pk).update(status="running", processed=0)
    bulk_enrolment_process(bulk_id=bulk.pk)
    assert Enrolment.objects.filter(course=course).count() == 10_000
