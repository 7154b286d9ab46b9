"""HR: the completion report, exports and their progress. Every view starts from the
viewer's scope (learners.scoping); anyone without it gets a 403 that shows nothing."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from academy.models import AuditEvent, Export
from academy.reports import queries
from academy.reports.filters import ReportFilterForm
from learners.enqueue import enqueue_on_commit
from learners.scoping import can_report


def _require_reporter(request):
    if not can_report(request.user):
        raise PermissionDenied


def report(request):
    _require_reporter(request)
    form = ReportFilterForm(request.GET or None, viewer=request.user)
    context = {"form": form, "threshold": settings.REPORT_MIN_GROUP_SIZE}
    if form.is_bound and not form.is_valid():
        return render(request, "academy/reports/report.html", context)
    if not form.is_bound:
        form = ReportFilterForm({}, viewer=request.user)
        form.is_valid()
        context["form"] = form
    enrolments = form.apply(queries.report_enrolments(request.user))
    sort = form.cleaned_data.get("sort") or "name"
    descending = form.cleaned_data.get("order") == "desc"
    filters = form.as_filters()
    figures = queries.report_figures(request.user, enrolments, filters,
                                     organisation=form.cleaned_data.get("organisation"))
    paginator = Paginator(queries.detailed_rows(enrolments, sort, descending),
                          settings.REPORT_PAGE_SIZE)
    paginator.count = figures["summary"]["enrolled"]  # counted with the figures
    page = paginator.get_page(request.GET.get("page"))
    AuditEvent.objects.create(actor=request.user, action=AuditEvent.REPORT_VIEW,
                              filters=filters, row_count=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    for key in ("sort", "order"):
        sort_query.pop(key, None)
    context.update(
        **figures,
        figures_minutes=max(1, settings.REPORT_CACHE_SECONDS // 60),
        rows=page,
        page_query=query.urlencode(),
        sort_query=sort_query.urlencode(),
        sort=sort, descending=descending,
        columns=[(key, heading) for key, (heading, _fields) in queries.SORTS.items()],
        filters=filters,
    )
    return render(request, "academy/reports/report.html", context)


@require_POST
def export_create(request):
    _require_reporter(request)
    form = ReportFilterForm(request.POST, viewer=request.user)
    export_format = request.POST.get("format")
    if export_format not in dict(Export.FORMAT_CHOICES) or not form.is_valid():
        return redirect(reverse("report") + "?" + request.POST.get("query", ""))
    with transaction.atomic():
        export = Export.objects.create(requested_by=request.user, format=export_format,
                                       filters=form.as_filters())
        from academy.tasks import export_build

        enqueue_on_commit(export_build, str(export.pk))
    return redirect("export_status", export_id=export.pk)


def _own_export(request, export_id) -> Export:
    """The viewer's own export: anyone else's is a 404, as if it did not exist."""
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(Export, pk=export_id, requested_by=request.user)


def export_status(request, export_id):
    export = _own_export(request, export_id)
    return render(request, "academy/reports/export_status.html", {"export": export})


def export_status_json(request, export_id):
    export = _own_export(request, export_id)
    return JsonResponse({
        "status": export.status, "percent": export.percent,
        "rows_written": export.rows_written, "total": export.total,
        "download_url": reverse("export_download", args=[export.pk])
        if export.status == Export.DONE else None,
    })


def export_download(request, export_id):
    export = _own_export(request, export_id)
    if export.status != Export.DONE:
        return redirect("export_status", export_id=export.pk)
    if export.expires_at and export.expires_at < timezone.now():
        return render(request, "academy/reports/export_expired.html", {"export": export},
                      status=410)
    content_type = ("text/csv" if export.format == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return FileResponse(export.file.open("rb"), as_attachment=True,
                        filename=export.file.name.rsplit("/", 1)[-1], content_type=content_type)
