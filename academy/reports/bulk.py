"""Checks a bulk-enrolment CSV before anything is enrolled: every bad row is reported
with its reason, and a file with any error enrols no one."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.validators import validate_email
from django.utils import timezone

from courses.models import CoursePage
from learners.scoping import reportable_people

REQUIRED_COLUMNS = ("email", "course")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


@dataclass
class CsvCheck:
    rows: list[list] = field(default_factory=list)  # [user_id, course_id, due "YYYY-MM-DD"]
    errors: list[tuple[int | None, str]] = field(default_factory=list)  # (line, message)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _parse_date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def bulk_csv_check(upload, *, viewer) -> CsvCheck:
    """Read and check an uploaded CSV of email, course and optional due date."""
    check = CsvCheck()
    if upload.size > settings.BULK_ENROLMENT_MAX_BYTES:
        limit = settings.BULK_ENROLMENT_MAX_BYTES // (1024 * 1024)
        check.errors.append((None, f"The file must be smaller than {limit} MB"))
        return check
    raw = upload.read()
    if raw[:4] == b"PK\x03\x04" or b"\x00" in raw[:4096]:
        check.errors.append((None, "The file must be a CSV file. If it is an Excel "
                                   "spreadsheet, choose File > Save as > CSV UTF-8"))
        return check
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        check.errors.append((line, "The file must be saved as UTF-8. In Excel, choose "
                                   "File > Save as > CSV UTF-8"))
        return check
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower().replace(" ", "_") for cell in next(reader, [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        check.errors.append((1, "The first row must name the columns: email, course and "
                                "(optionally) due_date. Missing: " + ", ".join(missing)))
        return check
    records = [(number, row) for number, row in enumerate(reader, start=2)
               if any(cell.strip() for cell in row)]
    if not records:
        check.errors.append((None, "The file has no rows to enrol"))
        return check
    if len(records) > settings.BULK_ENROLMENT_MAX_ROWS:
        check.errors.append((None, f"The file must have at most "
                                   f"{settings.BULK_ENROLMENT_MAX_ROWS:,} rows"))
        return check
    _check_rows(check, header, records, viewer)
    return check


def _people_by_email(viewer, emails: set[str]) -> dict[str, int]:
    """Active people in the viewer's scope with these emails, by email. For a big file,
    reading everyone in scope is quicker than a query naming 100,000 addresses."""
    people = reportable_people(viewer).filter(is_active=True)
    if len(emails) <= 1000:
        return dict(people.filter(email__in=emails).values_list("email", "pk"))
    return {email: pk for email, pk in people.values_list("email", "pk").iterator(10_000)
            if email in emails}


def _check_rows(check: CsvCheck, header, records, viewer) -> None:
    column = {name: header.index(name) for name in header}
    emails = {(row[column["email"]] if len(row) > column["email"] else "").strip().lower()
              for _, row in records}
    people = _people_by_email(viewer, emails)
    courses = {}
    for course in CoursePage.objects.live().only("pk", "slug", "title"):
        courses[course.slug.lower()] = course.pk
        courses[course.title.strip().lower()] = course.pk
    today = timezone.localdate()
    seen: dict[tuple, int] = {}

    def cell(row, name):
        index = column.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    for number, row in records:
        email, course_name, due_text = (cell(row, "email").lower(), cell(row, "course"),
                                        cell(row, "due_date"))
        problems = []
        if email not in people:  # a known person's address needs no checking
            try:
                validate_email(email)
            except Exception:
                problems.append(f"'{email or '(blank)'}' is not an email address")
            else:
                problems.append(f"No one with the email {email} is in your organisations")
        course_id = courses.get(course_name.lower())
        if course_id is None:
            problems.append(f"There is no published course called '{course_name or '(blank)'}'")
        due = None
        if due_text:
            due = _parse_date(due_text)
            if due is None:
                problems.append(f"'{due_text}' is not a date: use DD/MM/YYYY, like 31/03/2027")
            elif due < today:
                problems.append(f"The due date {due_text} is in the past")
        key = (email, course_id)
        if not problems and key in seen:
            problems.append(f"This person and course are already in row {seen[key]}")
        seen.setdefault(key, number)
        if problems:
            check.errors.extend((number, problem) for problem in problems)
        else:
            check.rows.append([people[email], course_id, due.isoformat() if due else None])
