"""The columns of the report's records table, and how each sorts. A few show by
default, chosen to fit a 960 px page; HR adds the others with "Choose columns"
(`?columns=email&columns=grade`), and the choice stays in the query string, so sorting
and pagination keep it. Every column reads from the rows' joins, as values on each row
(reports.selectors.report_rows_sorted): showing one more adds no query."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from html import escape

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from learners.templatetags.learning import status_tag


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    ordering: tuple[str, ...] | None = None  # ORM ordering; None: not sortable
    default: bool = False
    numeric: bool = False

    @property
    def sortable(self) -> bool:
        return self.ordering is not None


# In the order the table shows them.
COLUMNS = (
    Column("name", "Name", ("user__last_name", "user__first_name", "user_id", "pk"),
           default=True),
    Column("email", "Email", ("user__email", "pk")),
    Column("staff_number", "Staff number", ("user__staff_number", "pk")),
    Column("organisation", "Organisation", ("user__organisation__name", "pk"), default=True),
    Column("grade", "Grade", ("user__grade__rank", "pk")),
    Column("profession", "Profession", ("user__profession__name", "pk")),
    Column("line_manager", "Line manager",
           ("user__line_manager__last_name", "user__line_manager__first_name", "pk")),
    Column("course", "Course", ("course__title", "pk"), default=True),
    Column("status", "Status", ("status", "pk"), default=True),
    Column("progress", "Progress", ("progress_percent", "pk"), default=True, numeric=True),
    Column("due", "Due", ("due_on", "pk"), default=True),
    Column("enrolled", "Enrolled", ("enrolled_at", "pk")),
    Column("started", "Started", ("started_at", "pk")),
    Column("completed", "Completed", ("completed_at", "pk")),
    Column("score", "Score", ("score_percent", "pk"), numeric=True),
    Column("certificate", "Certificate"),
    Column("certificate_valid_until", "Certificate valid until",
           ("certificate__expires_on", "pk")),
    Column("sessions_attended", "Sessions attended", ("sessions_attended", "pk"),
           numeric=True),
    Column("sessions_missed", "Sessions missed", ("sessions_missed", "pk"), numeric=True),
)

# (key, heading, ORM ordering) for the sortable columns.
SORTS = {column.key: (column.heading, column.ordering)
         for column in COLUMNS if column.sortable}
OPTIONAL_CHOICES = [(column.key, column.heading) for column in COLUMNS if not column.default]


def columns_chosen(*, keys) -> list[Column]:
    """The default columns and the optional ones named in `keys`, in the table's order.
    Names that are not columns are ignored (an old bookmark still opens)."""
    wanted = set(keys or ())
    return [column for column in COLUMNS if column.default or column.key in wanted]


# --- The cells ---------------------------------------------------------------------
# Each row of the table is written here rather than in the template: fifty rows of a
# dozen cells, each choosing its column through a chain of {% if %}s, were most of the
# report's time (issue 15). The words are the ones the template wrote.
DASH = "\u2013"  # an en dash, as the template wrote for nothing
DAY = "j\u00a0M\u00a0Y"  # non-breaking spaces: "18 Oct 2026" never wraps


def _day(value) -> str:
    if not value:
        return DASH
    if isinstance(value, datetime):
        value = timezone.localtime(value)  # as the template's date filter shows it
    return date_format(value, DAY)


def _or_dash(value) -> str:
    return value or DASH


@cache
def _status_tag(status: str) -> str:
    return status_tag(status)  # one of a few: written once, not once a row


def _full_name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()  # as User.get_full_name


def _certificate(e) -> str:
    if e["certificate_code"] is None:
        return DASH
    return format_html("<code>{}</code>", Truncator(e["certificate_code"]).chars(12))


# Each reads a row of reports.selectors.report_rows_sorted: a dict of values, related
# names among them (ROW_PERSON, ROW_VALUES), not related objects.
CELLS: dict[str, Callable[[dict], str]] = {
    "name": lambda e: _full_name(e["user_first_name"], e["user_last_name"]),
    "email": lambda e: e["user_email"],
    "staff_number": lambda e: _or_dash(e["user_staff_number"]),
    "organisation": lambda e: _or_dash(e["organisation_name"]),
    "grade": lambda e: _or_dash(e["grade_name"]),
    "profession": lambda e: _or_dash(e["profession_name"]),
    "line_manager": lambda e: _or_dash(_full_name(e["line_manager_first_name"],
                                                  e["line_manager_last_name"])),
    "course": lambda e: e["course_title"],
    "status": lambda e: _status_tag(e["status"]),
    "progress": lambda e: f"{e['progress_percent']}%",
    "due": lambda e: _day(e["due_by"]),
    "enrolled": lambda e: _day(e["enrolled_at"]),
    "started": lambda e: _day(e["started_at"]),
    "completed": lambda e: _day(e["completed_at"]),
    "score": lambda e: DASH if e["score_percent"] is None else f"{e['score_percent']}%",
    "certificate": _certificate,
    "certificate_valid_until": lambda e: _day(e["certificate_expires_on"]),
    "sessions_attended": lambda e: str(e["sessions_attended"]),
    "sessions_missed": lambda e: str(e["sessions_missed"]),
}
_CELL_CLASS = {False: "govuk-table__cell", True: "govuk-table__cell govuk-table__cell--numeric"}


def _escaped(value) -> str:
    """conditional_escape without its lazy-string wrapper (a few hundred cells a page)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def rows_html(rows, columns: list[Column]) -> SafeString:
    """The records table's rows, each cell escaped: the body of the table, written here
    rather than by a loop in the template, a row at a time (issue 15)."""
    cells = [(CELLS[column.key], _CELL_CLASS[column.numeric]) for column in columns]
    return mark_safe("\n".join(  # noqa: S308  # nosec B308 B703 - every value is escaped here
        '<tr class="govuk-table__row">'
        + "".join(f'<td class="{css}">{_escaped(cell(e))}</td>' for cell, css in cells)
        + "</tr>"
        for e in rows
    ))


def head_html(columns: list[Column], *, sort: str, descending: bool,
              sort_query: str) -> SafeString:
    """The records table's header cells: each sortable column a link that sorts by it
    (ascending, or descending when it is the sort already), keeping the query's other
    choices (`sort_query`), the current sort marked for screen readers and by an arrow.
    Written here rather than by a template loop (issue 15)."""
    keep = f"{escape(sort_query)}&amp;" if sort_query else ""
    cells = []
    for column in columns:
        current = sort == column.key
        css = "govuk-table__header" + (" govuk-table__header--numeric" if column.numeric else "")
        aria = (f' aria-sort="{"descending" if descending else "ascending"}"' if current
                else "")
        heading = escape(column.heading)
        if column.sortable:
            order = "desc" if current and not descending else "asc"
            arrow = (" \u25bc" if descending else " \u25b2") if current else ""
            heading = (f'<a class="govuk-link" href="?{keep}sort={column.key}&amp;'
                       f'order={order}#records">{heading}{arrow}</a>')
        cells.append(f'<th scope="col" class="{css}"{aria}>{heading}</th>')
    # Keys and headings are ours; the query is escaped here.
    return mark_safe("".join(cells))  # noqa: S308  # nosec B308 B703
