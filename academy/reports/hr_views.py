"""HR: bulk enrolment, within the HR reporter's organisations (required learning is in
academy.reports.required_views)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from academy.jobs import job_get_own
from academy.reports import services
from academy.reports.bulk import bulk_rows_check, bulk_template_file
from academy.reports.forms import BulkEnrolmentForm
from academy.reports.views import require_reporter


def bulk_enrolment(request):
    """Upload a file: it is checked and kept, and its owner sees what would happen on
    the check page. Problems with the file as a whole stay on this page."""
    require_reporter(request)
    form = BulkEnrolmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        table = form.cleaned_data["file"]
        check = bulk_rows_check(table=table, viewer=request.user)
        bulk = services.bulk_enrolment_create(viewer=request.user, filename=table.name,
                                              rows=check.rows, check_report=check.report())
        return redirect("bulk_enrolment_check", job_id=bulk.pk)
    return render(request, "academy/reports/bulk_enrolment.html", {"form": form})


def bulk_enrolment_check(request, job_id):
    """"Check before you enrol": what confirming the owner's file would do."""
    bulk = job_get_own(request, kind="bulk_enrolment", job_id=job_id)
    if bulk.confirmed_at:
        return redirect("bulk_enrolment_status", job_id=bulk.pk)
    return render(request, "academy/reports/bulk_check.html",
                  {"bulk": bulk, "report": bulk.check_report})


def bulk_enrolment_confirm(request, job_id):
    """Confirm the owner's checked file (POST); a second confirmation changes nothing."""
    bulk = job_get_own(request, kind="bulk_enrolment", job_id=job_id)
    if request.method != "POST":
        return redirect("bulk_enrolment_check", job_id=bulk.pk)
    require_reporter(request)
    if services.bulk_enrolment_confirm(viewer=request.user, bulk_id=bulk.pk):
        messages.success(request, f"You confirmed {bulk.filename}. People are being enrolled.")
    elif not bulk.total:
        return redirect("bulk_enrolment_check", job_id=bulk.pk)
    return redirect("bulk_enrolment_status", job_id=bulk.pk)


def bulk_enrolment_template(request, file_format: str):
    """The file to fill in: the header row and one plainly made-up example row."""
    require_reporter(request)
    content, content_type = bulk_template_file(file_format=file_format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="bulk-enrolment-template.{file_format}"')
    return response
