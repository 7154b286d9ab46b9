"""HR: compliance with required learning. Who in the viewer's organisations has
completed their required learning by its deadline, who is late, who has yet to finish.
Thin: check the request, call reports.compliance, render."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from academy.audit import audit_record
from academy.models import AuditEvent
from academy.reports import compliance as selectors
from academy.reports.compliance_forms import ComplianceFilterForm
from academy.reports.views import require_reporter

TEMPLATE = "academy/reports/compliance.html"


def compliance(request):
    require_reporter(request)
    form = ComplianceFilterForm(request.GET or None)
    context = {"form": form, "threshold": settings.REPORT_MIN_GROUP_SIZE,
               "due_soon_days": settings.DUE_SOON_DAYS}
    if form.is_bound and not form.is_valid():
        return render(request, TEMPLATE, context)
    if not form.is_bound:
        form = ComplianceFilterForm({})
        form.is_valid()
        context["form"] = form
    filters = form.filters()
    scope = selectors.compliance_scope_get(viewer=request.user, slug=filters.organisation)
    rows = selectors.compliance_rows_list(viewer=request.user, filters=filters, scope=scope)
    figures = selectors.compliance_figures_get(queryset=rows, scope=scope)
    paginator = Paginator(selectors.compliance_rows_sorted(queryset=rows),
                          settings.REPORT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    audit_record(actor=request.user, action=AuditEvent.Action.COMPLIANCE_VIEW,
                 filters=filters.as_dict(), row_count=paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    elsewhere = query.copy()  # the same filters in another organisation
    elsewhere.pop("organisation", None)
    context.update(
        **figures,
        scope=scope,
        rows=page,
        page_query=query.urlencode(),
        elsewhere_query=elsewhere.urlencode(),
        filters=filters.as_dict(),
    )
    return render(request, TEMPLATE, context)
