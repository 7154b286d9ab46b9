"""A bulk-enrolment file that is not what it seems is refused on the upload page with a
message naming the row, never a 500 (issue 14): a NUL byte after the first kilobytes, a
cell or header past the csv module's field limit, a cell longer than any column takes,
a column named twice. A header of any width is read in one pass (the header used to be
searched once per column: 40,000 columns held a worker for 8 s); bench/bulk_columns.py
measures that it stays linear, and this test checks what a wide file does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from academy.reports.bulk import CELL_MAX_CHARS, bulk_file_read
from learners.models import BulkEnrolment, Enrolment
from learners.services.bulk import enrolments_ensure
from tests.factories import course_with_lessons
from tests.hr.test_bulk_enrolment import checked, upload
from tests.hr.test_bulk_enrolment import people as people  # the module's fixtures
from tests.hr.test_bulk_enrolment import signed_in as signed_in

ROWS = "p0@example.gov.uk,Agile basics\n"


@pytest.mark.parametrize(("content", "message"), [
    (b"email,course\n" + ROWS.encode() * 300 + b"p1@example.gov.uk\x00,Agile basics\n",
     "Row 302 contains a NUL character"),
    (b"email,course\n" + b"x" * 200_000 + b",Agile basics\n",
     "Row 2 could not be read: field larger than field limit"),
    (b"email,course," + b"h" * 200_000 + b"\n" + ROWS.encode(),
     "Row 1 could not be read: field larger than field limit"),
    (b"email,course\n" + b"x" * (CELL_MAX_CHARS + 1) + b",Agile basics\n",
     f"Row 2 has a cell longer than {CELL_MAX_CHARS:,} characters"),
    (b"email,course,email\n" + ROWS.encode(),
     "The first row names a column more than once: email"),
])
def test_a_file_that_is_not_what_it_seems_is_refused_naming_the_row(signed_in, people,
                                                                    course, content,
                                                                    message):
    response = upload(signed_in, content)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert not BulkEnrolment.objects.exists()
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("width", [1_000, 100_000])
def test_a_header_with_many_columns_keeps_only_the_enrolment_columns(width):
    """Columns the file has besides ours are ignored, however many there are, and a
    column of another name repeated is not ours to refuse."""
    header = ["email", "course", *(f"notes{n % 50}" for n in range(width)), "due_date"]
    row = ["p0@example.gov.uk", "Agile basics", *("n" for _ in range(width)), "31/03/2099"]
    content = (",".join(header) + "\n" + ",".join(row) + "\n").encode()
    table = bulk_file_read(SimpleUploadedFile("wide.csv", content))
    assert len(table.columns) == width + 3
    assert table.records == [(2, {"email": "p0@example.gov.uk", "course": "Agile basics",
                                  "due_date": "31/03/2099"})]


def test_a_wide_file_is_checked_like_a_narrow_one(signed_in, people, course):
    padding = ",".join(f"extra{n}" for n in range(20_000))
    content = (f"email,course,{padding}\n" + "p0@example.gov.uk,Agile basics"
               + "," * 20_000 + "\n").encode()
    bulk, page = checked(signed_in, content)
    assert bulk.rows == [[people[0].pk, course.pk, None]]
    assert "1 new enrolment" in page


def test_due_dates_are_set_for_every_course_in_one_pass(people, catalogue):
    """Rows for many courses and due dates: each enrolment gets its own row's date."""
    courses = [course_with_lessons(catalogue, modules=1, lessons=1, title=f"Course {n}")
               for n in range(3)]
    pairs = [(person.pk, course.pk, f"2099-0{1 + (i + j) % 9}-01")
             for i, person in enumerate(people) for j, course in enumerate(courses)]
    assert enrolments_ensure(pairs=pairs) == 9
    due = {(e.user_id, e.course_id): e.due_on.isoformat() for e in Enrolment.objects.all()}
    assert due == {(u, c): d for u, c, d in pairs}
