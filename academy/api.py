"""The records API (/api/v1/): completion records for HR systems, read-only, with the
report's filters and the caller's scope. Authenticated with Wagtail's API tokens."""

import datetime

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.pagination import CursorPagination, paginate
from wagtail.api.v3.auth import BearerTokenAuth

from academy.audit import audit_record
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


class Record(Schema):
    id: int
    name: str
    email: str = Field(..., alias="user.email")
    organisation: str | None = Field(None, alias="user.organisation.name")
    grade: str | None = Field(None, alias="user.grade.name")
    profession: str | None = Field(None, alias="user.profession.name")
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
    status: str

    @staticmethod
    def resolve_name(enrolment) -> str:
        return enrolment.user.get_full_name()

    @staticmethod
    def resolve_required(enrolment) -> bool:
        return enrolment.due_on is not None

    @staticmethod
    def resolve_certificate_code(enrolment) -> str | None:
        certificate = getattr(enrolment, "certificate", None)
        return certificate.code if certificate else None


@api.get("/records", response=list[Record], summary="Completion records")
@paginate(CursorPagination, ordering=("pk",), page_size=100)
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
        "user", "user__organisation", "user__grade", "user__profession", "course",
        "certificate")
    audit_record(actor=request.user, action=AuditEvent.Action.API_READ,
                 filters=filters.as_dict(), row_count=queryset.count())
    return queryset
