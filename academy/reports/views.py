"""HR: the completion report, exports and their downloads. Every view starts from the
viewer's scope (learners.scoping); anyone without it gets a 403 that shows nothing.
Views are thin: they check the request, then call reports.selectors or services."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.audit import audit_record
from academy.jobs import job_get_own
from academy.models import AuditEvent, Export
from academy.reports import selectors, services
from academy.reports.columns import columns_chosen, head_html, rows_html
from academy.reports.filters import ReportFilterForm
from academy.reports.kept import report_parts
from learners.models import JobStatus
from learners.scoping import can_report


def require_reporter(request) -> None:
    """A 403 for anyone who does not report on any organisation."""
    if not can_report(request.user):
        raise PermissionDenied


def report(request):
    require_reporter(request)
    # Bound even without a query string: no filters is a valid choice, and the form
    # shows the same (one form, not an unbound one and then a bound one).
    form = ReportFilterForm(request.GET, viewer=request.user)
    context = {"form": form, "threshold": settings.REPORT_MIN_GROUP_SIZE}
    if not form.is_valid():
        return render(request, "academy/reports/report.html", context | report_parts(context))
    filters = form.filters()
    organisation = form.cleaned_data.get("organisation")
    path = organisation.path if organisation else None
    enrolments = selectors.report_enrolments_list(viewer=request.user, filters=filters,
                                                  organisation_path=path)
    sort = form.cleaned_data.get("sort") or "name"
    descending = form.cleaned_data.get("order") == "desc"
    figures = selectors.report_figures_get(viewer=request.user, queryset=enrolments,
                                           filters=filters, organisation_path=path)
    columns = columns_chosen(keys=form.cleaned_data.get("columns"))
    paginator = Paginator(selectors.report_rows_sorted(
        queryset=enrolments, sort=sort, descending=descending,
        columns=[column.key for column in columns]), settings.REPORT_PAGE_SIZE)
    paginator.count = figures["summary"]["enrolled"]  # counted with the figures
    page = paginator.get_page(request.GET.get("page"))
    audit_record(actor=request.user, action=AuditEvent.Action.REPORT_VIEW,
                 filters=filters.as_dict(), row_count=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    for key in ("sort", "order"):
        sort_query.pop(key, None)
    # The export posts the filters as the form reads them (a date as its three boxes),
    # not the table's sort, columns or page: an export has every column.
    export_fields = [(key, value) for key, value in sort_query.items() if key != "columns"]
    # Links down and up the organisation tree keep every other choice (not the page).
    elsewhere = query.copy()
    elsewhere.pop("organisation", None)
    context.update(
        **figures,
        figures_minutes=max(1, settings.REPORT_CACHE_SECONDS // 60),
        rows=page,
        page_query=query.urlencode(),
        sort=sort, descending=descending,
        columns=columns,
        table_head=head_html(columns, sort=sort, descending=descending,
                             sort_query=sort_query.urlencode()),
        table_rows=rows_html(page, columns),
        filters=filters.as_dict(),
        export_fields=export_fields,
        organisation=organisation,
        trail=(selectors.report_organisation_trail(viewer=request.user,
                                                   organisation=organisation)
               if organisation else []),
        elsewhere_query=elsewhere.urlencode(),
    )
    context.update(report_parts(context))
    return render(request, "academy/reports/report.html", context)


@require_POST
def export_create(request):
    require_reporter(request)
    form = ReportFilterForm(request.POST, viewer=request.user)
    export_format = request.POST.get("format")
    if export_format not in Export.Format.values or not form.is_valid():
        return redirect(reverse("report") + "?" + request.POST.get("query", ""))
    export = services.export_create(viewer=request.user, filters=form.filters(),
                                    export_format=export_format)
    return redirect("export_status", job_id=export.pk)


def export_download(request, export_id):
    export = job_get_own(request, kind="export", job_id=export_id)
    if export.status != JobStatus.DONE:
        return redirect("export_status", job_id=export.pk)
    if not services.export_within_scope(viewer=request.user, export=export):
        raise Http404  # as for someone else's export: their role or scope has changed
    if export.expires_at and export.expires_at < timezone.now():
        return render(request, "academy/reports/export_expired.html", {"export": export},
                      status=410)
    content_type = ("text/csv" if export.format == Export.Format.CSV else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return FileResponse(export.file.open("rb"), as_attachment=True,
                        filename=export.file.name.rsplit("/", 1)[-1], content_type=content_type)
