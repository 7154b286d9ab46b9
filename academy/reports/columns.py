"""The columns of the report's records table, and how each sorts. A few show by
default, chosen to fit a 960 px page; HR adds the others with "Choose columns"
(`?columns=email&columns=grade`), and the choice stays in the query string, so sorting
and pagination keep it. Every column reads from the rows' select_related joins
(reports.selectors.report_rows_sorted): showing one more adds no query."""

from dataclasses import dataclass


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
    Column("name", "Name", ("user__last_name", "user__first_name", "pk"), default=True),
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
