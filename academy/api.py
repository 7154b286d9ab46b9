"""The records API (/api/v1/): completion records for HR systems, with the report's
filters and the caller's scope, and one write: a person's line manager and staff
number. Authenticated with Wagtail's API tokens."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import CursorPagination, paginate
from pydantic import ValidationError as PydanticValidationError
from wagtail.api.v3.auth import BearerTokenAuth

from academy.audit import audit_record
from academy.managers.selectors import person_find
from academy.managers.services import UNCHANGED, person_line_manager_set
from academy.models import AuditEvent
from academy.reports.filters import ReportFilterForm
from academy.reports.selectors import report_enrolments_list
from learners.models import EnrolmentStatus
from learners.scoping import can_report

api = NinjaAPI(
    title="Digital Academy records API",
    version="1",
    description="Completion records for the organisations the token's owner reports on. "
    "Send `Authorization: Bearer <token>`; an academy admin creates tokens in the admin.",
    urls_namespace="records_api",
    auth=BearerTokenAuth(),
)


@api.exception_handler(NinjaValidationError)
def bad_input(request: HttpRequest, exc: NinjaValidationError):
    """Input that does not fit the schema is a 400 naming the field, like any bad input."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error.get('loc', ())[-1:])}: {error.get('msg')}"
        for error in exc.errors)
    return api.create_response(request, {"detail": problems or "Bad request"}, status=400)


class RecordFilters(Schema):
    organisation: str | None = Field(None, description="Organisation slug; includes teams below it")
    grade: int | None = None
    profession: str | None = Field(None, description="Profession slug")
    course: str | None = Field(None, description="Course slug")
    status: str | None = Field(None, description=", ".join(EnrolmentStatus.values))
    required: str | None = Field(None, description="yes or no")
    enrolled_from: datetime.date | None = None
    enrolled_to: datetime.date | None = None
    completed_from: datetime.date | None = None
    completed_to: datetime.date | None = None
    certificate_expires: str | None = Field(
        None, description="Certificates that run out within 30, 60 or 90 days, or have "
        "(expired); never revoked or renewed ones")


class Record(Schema):
    id: int
    name: str
    email: str = Field(..., alias="user.email")
    organisation: str | None = Field(None, alias="user.organisation.name")
    grade: str | None = Field(None, alias="user.grade.name")
    profession: str | None = Field(None, alias="user.profession.name")
    staff_number: str = Field(..., alias="user.staff_number")
    line_manager: str | None = None
    line_manager_email: str | None = Field(None, alias="user.line_manager.email")
    course: str = Field(..., alias="course.title")
    course_slug: str = Field(..., alias="course.slug")
    required: bool
    due_on: datetime.date | None
    enrolled_at: datetime.datetime
    started_at: datetime.datetime | None
    progress_percent: int
    completed_at: datetime.datetime | None
    score_percent: int | None
    certificate_code: str | None
    certificate_valid_until: datetime.date | None = Field(
        None, description="The last day the certificate is valid; null: it does not expire")
    status: str

    @staticmethod
    def resolve_name(enrolment) -> str:
        return enrolment.user.get_full_name()

    @staticmethod
    def resolve_line_manager(enrolment) -> str | None:
        manager = enrolment.user.line_manager
        return (manager.get_full_name() or manager.email) if manager else None

    @staticmethod
    def resolve_required(enrolment) -> bool:
        return enrolment.due_on is not None

    @staticmethod
    def resolve_certificate_code(enrolment) -> str | None:
        certificate = getattr(enrolment, "certificate", None)
        return certificate.code if certificate else None

    @staticmethod
    def resolve_certificate_valid_until(enrolment) -> datetime.date | None:
        certificate = getattr(enrolment, "certificate", None)
        return certificate.expires_on if certificate else None


class RecordsPagination(CursorPagination):
    """Ninja's cursor pagination, except that a cursor this API did not give out
    (tampered with, truncated or made up) is a 400 saying so, not a 500: its position
    must be a record id, and anything that does not decode is refused before a query."""

    class Cursor(CursorPagination.Cursor):
        p: str | None = Field(None, pattern=r"^[0-9]{1,18}$")

    def paginate_queryset(self, queryset, pagination, request, **params):
        try:
            self.Cursor.from_encoded_param(pagination.cursor)
        except (PydanticValidationError, NinjaValidationError, ValueError) as error:
            raise HttpError(400, "cursor: not a cursor this API gave out. Leave it out to "
                            "start from the first page") from error
        return super().paginate_queryset(queryset, pagination, request, **params)


@api.get("/records", response=list[Record], summary="Completion records")
@paginate(RecordsPagination, ordering=("pk",), page_size=100)
def records(request: HttpRequest, filters: Query[RecordFilters]):
    if not can_report(request.user):
        raise HttpError(403, "This token's owner does not report on any organisation")
    data = {}
    for name, value in filters.dict().items():
        if isinstance(value, datetime.date):  # the form's dates are GOV.UK date inputs
            data |= {f"{name}_day": value.day, f"{name}_month": value.month,
                     f"{name}_year": value.year}
        elif value is not None:
            data[name] = value
    form = ReportFilterForm(data, viewer=request.user)
    if not form.is_valid():
        raise HttpError(400, "; ".join(f"{field}: {' '.join(errors)}"
                                       for field, errors in form.errors.items()))
    filters = form.filters()
    queryset = report_enrolments_list(viewer=request.user, filters=filters).select_related(
        "user", "user__organisation", "user__grade", "user__profession",
        "user__line_manager", "course", "certificate")
    audit_record(actor=request.user, action=AuditEvent.Action.API_READ,
                 filters=filters.as_dict(), row_count=queryset.count())
    return queryset


class PersonChange(Schema):
    line_manager_email: str | None = Field(
        None, description="The line manager's email; null clears it. Leave the key out to "
        "keep the line manager as it is.")
    staff_number: str | None = Field(
        None, description="The department's staff number; null clears it. Leave the key "
        "out to keep it as it is.")


class Person(Schema):
    email: str
    name: str
    staff_number: str
    line_manager: str | None = None
    line_manager_email: str | None = Field(None, alias="line_manager.email")

    @staticmethod
    def resolve_name(person) -> str:
        return person.get_full_name()

    @staticmethod
    def resolve_line_manager(person) -> str | None:
        manager = person.line_manager
        return (manager.get_full_name() or manager.email) if manager else None


@api.put("/people/{email}", response=Person, summary="Set a person's line manager and "
         "staff number")
def person_update(request: HttpRequest, email: str, change: PersonChange):
    """The same rules as HR's page (academy.managers.services.person_line_manager_set):
    404 for anyone outside the token owner's organisations, 400 with the reasons (and
    nothing changed) for bad input."""
    person = person_find(viewer=request.user, email=email)
    if person is None:
        raise HttpError(404, "No one with that email is in your organisations")
    sent = change.model_fields_set
    try:
        person = person_line_manager_set(
            actor=request.user, person=person,
            manager_email=change.line_manager_email if "line_manager_email" in sent
            else UNCHANGED,
            staff_number=change.staff_number if "staff_number" in sent else UNCHANGED)
    except ValidationError as error:
        raise HttpError(400, " ".join(f"{message}." for message in error.messages)) from None
    return person
