"""Checks a bulk-enrolment file (CSV or Excel .xlsx) before anything is enrolled.

Reading the file (`bulk_file_read`) finds what is wrong with the file as a whole: too
big, not a spreadsheet, no header, no rows or too many; the upload page shows it.
Checking its rows (`bulk_rows_check`) sorts every row into what will happen: a new
enrolment, someone already enrolled, or a row that will not be enrolled, with its
reason in plain English. Nothing is written here: HR sees the result on the "Check
before you enrol" page and confirms it (docs/decisions.md, "Bulk enrolment")."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePath

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone
from openpyxl.utils.exceptions import InvalidFileException

from courses.models import CoursePage
from learners.models import Enrolment, User
from learners.scoping import reportable_people

REQUIRED_COLUMNS = ("email", "course")
COLUMNS = (*REQUIRED_COLUMNS, "due_date", "staff_number", "line_manager_email")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
DATE_ADVICE = "Use DD/MM/YYYY, like 31/03/2027"
# The template's example row: obviously not a real person, and recognised if it is
# uploaded again, so that it is never mistaken for someone to enrol.
EXAMPLE_EMAIL = "example.person@example.gov.uk"
EXAMPLE_MANAGER_EMAIL = "example.manager@example.gov.uk"
EXAMPLE_COURSE = "Example course title"
EXAMPLE_STAFF_NUMBER = "EXAMPLE-123"
# The check page lists this many problems at most; it always gives the full count.
PROBLEMS_LISTED = 1000
STAFF_NUMBER_MAX = User._meta.get_field("staff_number").max_length
MANAGER_CHAIN_MAX = 50  # longer is a mistake in the data, not a real office
XLSX_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
# Longer than any email, course title, date or staff number; a cell this long is not one.
CELL_MAX_CHARS = 1000
SAVE_AS = "In Excel, choose File > Save as > Excel Workbook (.xlsx) or CSV UTF-8"


@dataclass
class BulkFile:
    """An uploaded file's rows: (spreadsheet row number, column name -> cell value).
    The header is row 1; blank rows are left out. CSV cells are text; Excel cells
    keep their type (a date cell is a datetime, a number a number)."""

    name: str
    records: list[tuple[int, dict[str, object]]]
    columns: tuple[str, ...]


@dataclass
class BulkCheck:
    """What enrolling a file would do. `rows` are the valid rows as the enrolment task
    reads them: [user_id, course_id, due "YYYY-MM-DD" or None] and, when the file has
    those columns, [..., staff_number or None, line_manager_id or None]."""

    rows: list[list] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)
    rejected_rows: int = 0
    new: int = 0
    already_enrolled: int = 0
    staff_numbers: int = 0
    line_managers: int = 0

    def report(self) -> dict:
        """The check as plain JSON, for BulkEnrolment.check_report."""
        return {
            "new": self.new, "already_enrolled": self.already_enrolled,
            "rejected_rows": self.rejected_rows, "problem_count": len(self.problems),
            "problems": [list(problem) for problem in self.problems[:PROBLEMS_LISTED]],
            "staff_numbers": self.staff_numbers, "line_managers": self.line_managers,
        }


# --- Reading the file ---------------------------------------------------------------


def bulk_file_read(upload) -> BulkFile:
    """Read an uploaded CSV or .xlsx file into rows, or raise a ValidationError that
    says what is wrong with the file and how to put it right."""
    if upload.size > settings.BULK_ENROLMENT_MAX_BYTES:
        limit = settings.BULK_ENROLMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"The file must be smaller than {limit} MB")
    suffix = PurePath(upload.name or "").suffix.lower()
    if suffix == ".xls":
        raise ValidationError("The file is in the old Excel format (.xls). " + SAVE_AS)
    if suffix not in (".csv", ".xlsx", ".txt", ""):
        raise ValidationError("The file must be a CSV file or an Excel workbook (.xlsx)")
    raw = upload.read()
    if raw[:4] == XLSX_MAGIC:
        header, rows = _xlsx_rows(raw)
    elif raw[:4] == OLE_MAGIC:
        raise ValidationError("The file is in the old Excel format (.xls). " + SAVE_AS)
    elif b"\x00" in raw[:4096]:
        raise ValidationError("The file must be a CSV file or an Excel workbook (.xlsx). "
                              + SAVE_AS)
    else:
        header, rows = _csv_rows(raw)
    columns = _columns(header)
    records = []
    for number, row in enumerate(rows, start=2):
        if not any(_text(cell) for cell in row):
            continue
        if len(records) == settings.BULK_ENROLMENT_MAX_ROWS:
            raise ValidationError(
                f"The file must have at most {settings.BULK_ENROLMENT_MAX_ROWS:,} rows")
        record = {name: cell for name, cell in zip(columns, row, strict=False)
                  if name in COLUMNS}
        _cells_check(number, record.values())
        records.append((number, record))
    if not records:
        raise ValidationError("The file has no rows to enrol")
    return BulkFile(name=upload.name or "upload", records=records, columns=columns)


def _columns(header) -> tuple[str, ...]:
    """The header's column names, checked: the required ones present, and none of ours
    twice (which of two email columns would be meant?). One pass over the header and a
    set, so a header of any width is read in time linear in its width."""
    _cells_check(1, header)
    columns = tuple("_".join(str(cell or "").split()).lower() for cell in header)
    present = set(columns)
    missing = [column for column in REQUIRED_COLUMNS if column not in present]
    if missing:
        raise ValidationError(
            "The first row must name the columns: email, course and (optionally) due_date, "
            "staff_number and line_manager_email. Missing: " + ", ".join(missing))
    seen, twice = set(), []
    for column in columns:
        if column in COLUMNS and column in seen and column not in twice:
            twice.append(column)
        seen.add(column)
    if twice:
        raise ValidationError("The first row names a column more than once: "
                              + ", ".join(twice) + ". Keep one of each")
    return columns


def _rows_read(reader):
    """A CSV reader's rows, with the csv module's own complaint (a cell over its field
    limit of about 128 KB) as a message naming the row, not an error page."""
    try:
        yield from reader
    except csv.Error as error:
        raise ValidationError(f"Row {reader.line_num} could not be read: {error}. Check it "
                              "is the right file. " + SAVE_AS) from error


def _cells_check(number: int, cells) -> None:
    """A cell holding a NUL byte or more text than any column takes is a file that is
    not what it seems (a binary file renamed, or a column pasted into one cell)."""
    for cell in cells:
        if isinstance(cell, str) and ("\x00" in cell or len(cell) > CELL_MAX_CHARS):
            problem = ("contains a NUL character" if "\x00" in cell
                       else f"has a cell longer than {CELL_MAX_CHARS:,} characters")
            raise ValidationError(f"Row {number} {problem}. Check it is the right file. "
                                  + SAVE_AS)


def _csv_rows(raw: bytes):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValidationError(f"The file must be saved as UTF-8 (row {line} is not). In "
                              "Excel, choose File > Save as > CSV UTF-8") from error
    reader = _rows_read(csv.reader(io.StringIO(text, newline="")))
    return next(reader, []), reader


def _xlsx_rows(raw: bytes):
    """The first sheet's rows as values (read-only, cached values not formulas). The
    rows are read here, within the row limit, so a broken file fails on upload."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ValidationError("The file could not be read as an Excel workbook. "
                              + SAVE_AS) from error
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, ())
        width = len(header)
        kept = []
        for row in rows:
            if any(_text(cell) for cell in row):
                kept.append(row[:width])
                if len(kept) > settings.BULK_ENROLMENT_MAX_ROWS:
                    break
            else:
                kept.append(())
        # Trailing blank rows (Excel keeps formatted but empty ones) are not rows.
        while kept and not kept[-1]:
            kept.pop()
    except (IndexError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise ValidationError("The file could not be read as an Excel workbook. "
                              + SAVE_AS) from error
    finally:
        workbook.close()
    return header, kept


def _text(cell) -> str:
    """A cell as text: numbers without a trailing .0 (Excel stores 1234 as 1234.0)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _shown(cell) -> str:
    """A cell as the person typed it, for a message: dates as DD/MM/YYYY."""
    if isinstance(cell, date | datetime):
        return f"{cell:%d/%m/%Y}"
    return _text(cell)


def _due(cell) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if not isinstance(cell, str):
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cell.strip(), pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


# --- Checking the rows --------------------------------------------------------------


@dataclass
class _Person:
    pk: int
    staff_number: str
    line_manager_id: int | None


def _people_by_email(viewer, emails: set[str]) -> dict[str, _Person]:
    """Active people in the viewer's scope with these emails (compared without case).
    For a big file, reading everyone in scope is quicker than a query naming 100,000
    addresses."""
    people = reportable_people(viewer).filter(is_active=True).annotate(
        email_lower=Lower("email"))
    columns = ("email_lower", "pk", "staff_number", "line_manager_id")
    if len(emails) <= 1000:
        found = people.filter(email_lower__in=emails).values_list(*columns)
    else:
        found = (row for row in people.values_list(*columns).iterator(10_000)
                 if row[0] in emails)
    return {email: _Person(pk, number, manager) for email, pk, number, manager in found}


def _staff_number_holders(numbers: set[str]) -> dict[str, int]:
    """Who already has each of these staff numbers, anywhere in the academy."""
    if not numbers:
        return {}
    holders = User.objects.exclude(staff_number="").values_list("staff_number", "pk")
    if len(numbers) <= 1000:
        return dict(holders.filter(staff_number__in=numbers))
    return {number: pk for number, pk in holders.iterator(10_000) if number in numbers}


def _enrolled_pairs(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of these (user, course) pairs with an enrolment in any cycle."""
    users, courses = {u for u, _ in pairs}, {c for _, c in pairs}
    if not pairs:
        return set()
    existing = Enrolment.objects.filter(course_id__in=courses).values_list("user_id",
                                                                         "course_id")
    if len(users) <= 1000:
        return set(existing.filter(user_id__in=users)) & pairs
    return {pair for pair in existing.iterator(10_000) if pair in pairs}


def _courses_by_name() -> dict[str, int]:
    courses = {}
    for course in CoursePage.objects.live().only("pk", "slug", "title"):
        courses[course.slug.lower()] = course.pk
        courses[course.title.strip().lower()] = course.pk
    return courses


def bulk_rows_check(*, table: BulkFile, viewer) -> BulkCheck:
    """Sort every row of the file into what enrolling it would do, for the viewer: who
    they may enrol is everyone active in their organisations, and a line manager must
    be someone active there too. Reads only; writes nothing."""
    check = BulkCheck()
    extras = "staff_number" in table.columns or "line_manager_email" in table.columns
    values = [(number, _text(row.get("email")).lower(), _text(row.get("course")),
               row.get("due_date"), _text(row.get("staff_number")),
               _text(row.get("line_manager_email")).lower())
              for number, row in table.records]
    people = _people_by_email(viewer, {v[1] for v in values} | {v[5] for v in values if v[5]})
    holders = _staff_number_holders({v[4] for v in values if v[4]})
    courses = _courses_by_name()
    checker = _RowChecker(people=people, holders=holders, courses=courses,
                          today=timezone.localdate())
    for number, email, course_name, due_cell, staff, manager in values:
        problems, row = checker.check(number, email, course_name, due_cell, staff, manager)
        if problems:
            check.rejected_rows += 1
            check.problems.extend((number, problem) for problem in problems)
        else:
            check.rows.append(row if extras else row[:3])
    pairs = {(row[0], row[1]) for row in check.rows}
    check.already_enrolled = len(_enrolled_pairs(pairs))
    check.new = len(check.rows) - check.already_enrolled
    check.staff_numbers = len(checker.staff_changes)
    check.line_managers = len(checker.manager_changes)
    return check


class _RowChecker:
    """Checks one row at a time, remembering earlier rows: a person and course listed
    twice, a staff number given to two people, two line managers for one person, or a
    line manager who reports to the person (directly or further down, counting the
    line managers the file sets before this row), which would make a loop."""

    def __init__(self, *, people, holders, courses, today):
        self.people, self.holders, self.courses, self.today = people, holders, courses, today
        self.pairs: dict[tuple, int] = {}
        self.numbers: dict[str, tuple[int, int]] = {}   # staff number -> (person, row)
        self.given_number: dict[int, tuple[str, int]] = {}
        self.given_manager: dict[int, tuple[int, int]] = {}
        # Who manages whom once the rows so far are enrolled: people's line managers as
        # they are, changed by the rows accepted so far.
        self.manager_of = {p.pk: p.line_manager_id for p in people.values()}
        self.staff_changes: set[int] = set()
        self.manager_changes: set[int] = set()

    def check(self, number, email, course_name, due_cell, staff, manager_email):
        if email == EXAMPLE_EMAIL:
            return ["this is the example row from the template. Delete it and add your "
                    "own rows"], None
        problems = []
        person = self.people.get(email)
        if not email:
            problems.append("the email address is missing")
        elif person is None:  # a known person's address needs no checking
            problems.append(_unknown_email(email))
        course_id = self.courses.get(course_name.lower())
        if not course_name:
            problems.append("the course is missing")
        elif course_id is None:
            problems.append(f"there is no published course called '{course_name}'")
        due = None
        if _text(due_cell):
            due = _due(due_cell)
            if due is None:
                problems.append(f"{_shown(due_cell)} is not a real date. {DATE_ADVICE}")
            elif due < self.today:
                problems.append(f"the due date {_shown(due_cell)} is in the past")
        if len(staff) > STAFF_NUMBER_MAX:
            problems.append(f"the staff number is longer than {STAFF_NUMBER_MAX} characters")
        manager = self.people.get(manager_email) if manager_email else None
        if manager_email and manager is None:
            problems.append(_unknown_email(manager_email, as_manager=True))
        if problems:
            return problems, None
        problems = self._against_others(number, person, course_id, staff, manager, email,
                                        manager_email)
        if problems:
            return problems, None
        self._remember(number, person, course_id, staff, manager)
        return [], [person.pk, course_id, due.isoformat() if due else None, staff or None,
                    manager.pk if manager else None]

    def _against_others(self, number, person, course_id, staff, manager, email,
                        manager_email):
        problems = []
        if (person.pk, course_id) in self.pairs:
            problems.append("this person and course are already in row "
                            f"{self.pairs[person.pk, course_id]}")
        if staff:
            holder = self.holders.get(staff)
            earlier = self.numbers.get(staff)
            given = self.given_number.get(person.pk)
            if holder is not None and holder != person.pk:
                problems.append(f"the staff number {staff} is already used by someone else")
            elif earlier and earlier[0] != person.pk:
                problems.append(f"the staff number {staff} is also in row {earlier[1]}, "
                                "for someone else")
            elif given and given[0] != staff:
                problems.append(f"{email} has a different staff number in row {given[1]}")
        if manager:
            given = self.given_manager.get(person.pk)
            if manager.pk == person.pk:
                problems.append("a person cannot be their own line manager")
            elif given and given[0] != manager.pk:
                problems.append(f"{email} has a different line manager in row {given[1]}")
            elif self._reports_to(manager.pk, person.pk):
                problems.append(f"{manager_email} reports to {email}, directly or through "
                                "their team, so cannot also be their line manager")
        return problems

    def _remember(self, number, person, course_id, staff, manager):
        self.pairs[person.pk, course_id] = number
        if staff:
            self.numbers.setdefault(staff, (person.pk, number))
            self.given_number.setdefault(person.pk, (staff, number))
            if person.staff_number != staff:
                self.staff_changes.add(person.pk)
        if manager:
            self.given_manager.setdefault(person.pk, (manager.pk, number))
            self.manager_of[person.pk] = manager.pk
            if person.line_manager_id != manager.pk:
                self.manager_changes.add(person.pk)


    def _reports_to(self, pk: int, boss: int) -> bool:
        """Whether `pk` reports to `boss`, directly or further down. People above those
        in the file are read as the walk reaches them (a handful, at the top)."""
        above, steps = self.manager_of.get(pk), 0
        while above is not None and steps < MANAGER_CHAIN_MAX:
            if above == boss:
                return True
            if above not in self.manager_of:
                self.manager_of[above] = (User.objects.filter(pk=above)
                                          .values_list("line_manager_id", flat=True).first())
            above, steps = self.manager_of[above], steps + 1
        return False


def _unknown_email(email: str, *, as_manager: bool = False) -> str:
    try:
        validate_email(email)
    except ValidationError:
        if as_manager:
            return f"the line manager's email '{email}' is not an email address"
        return f"'{email}' is not an email address"
    if as_manager:
        return (f"no one with the email {email} is in your organisations, so they cannot "
                "be the line manager")
    return f"no one with the email {email} is in your organisations"


# --- The template to download -------------------------------------------------------


TEMPLATE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def bulk_template_file(*, file_format: str) -> tuple[bytes, str]:
    """The file people download to fill in, as CSV or .xlsx, and its content type: the
    header row and one example row that is plainly an example (and is refused if it
    is uploaded as it is). In the .xlsx the due date is a real date cell."""
    due = timezone.localdate() + timedelta(days=90)
    example = [EXAMPLE_EMAIL, EXAMPLE_COURSE, due, EXAMPLE_STAFF_NUMBER,
               EXAMPLE_MANAGER_EMAIL]
    if file_format == "xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Enrolments"
        sheet.append(list(COLUMNS))
        sheet.append(example)
        sheet.cell(row=2, column=3).number_format = "DD/MM/YYYY"
        for letter, width in zip("ABCDE", (34, 30, 12, 14, 34), strict=True):
            sheet.column_dimensions[letter].width = width
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), TEMPLATE_TYPES["xlsx"]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    writer.writerow([f"{due:%d/%m/%Y}" if cell is due else cell for cell in example])
    return text.getvalue().encode(), TEMPLATE_TYPES["csv"]
