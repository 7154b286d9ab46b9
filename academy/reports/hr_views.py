"""HR: required learning and bulk enrolment, within the HR reporter's organisations."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from academy.reports.bulk import bulk_csv_check
from academy.reports.forms import BulkEnrolmentForm, RequiredLearningForm
from academy.reports.views import _require_reporter
from learners.enqueue import enqueue_on_commit
from learners.models import BulkEnrolment, RequiredLearning
from learners.scoping import reporting_organisations


def required_learning(request):
    _require_reporter(request)
    form = RequiredLearningForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            assignment = form.save(commit=False)
            assignment.created_by = request.user
            assignment.save()
            form.save_m2m()
            from learners.tasks import required_learning_expand

            enqueue_on_commit(required_learning_expand, assignment.pk)
        messages.success(request, f"{assignment.course.title} is now required learning. "
                                  "People are being enrolled.")
        return redirect("required_learning")
    visible = reporting_organisations(request.user)
    assignments = (
        RequiredLearning.objects.filter(organisations__in=visible).distinct()
        .select_related("course").prefetch_related("organisations", "grades", "professions")
        .order_by("due_on")
    )
    return render(request, "academy/reports/required_learning.html",
                  {"form": form, "assignments": assignments})


def bulk_enrolment(request):
    _require_reporter(request)
    form = BulkEnrolmentForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        check = bulk_csv_check(form.cleaned_data["file"], viewer=request.user)
        if check.ok:
            with transaction.atomic():
                bulk = BulkEnrolment.objects.create(
                    created_by=request.user, filename=form.cleaned_data["file"].name[:255],
                    rows=check.rows, total=len(check.rows))
                from learners.tasks import bulk_enrolment_process

                enqueue_on_commit(bulk_enrolment_process, bulk.pk)
            return redirect("bulk_enrolment_status", bulk_id=bulk.pk)
    return render(request, "academy/reports/bulk_enrolment.html",
                  {"form": form, "check": check})


def _own_bulk(request, bulk_id) -> BulkEnrolment:
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(BulkEnrolment, pk=bulk_id, created_by=request.user)


def bulk_enrolment_status(request, bulk_id):
    bulk = _own_bulk(request, bulk_id)
    return render(request, "academy/reports/bulk_status.html", {"bulk": bulk})


def bulk_enrolment_status_json(request, bulk_id):
    bulk = _own_bulk(request, bulk_id)
    return JsonResponse({"status": bulk.status, "percent": bulk.percent,
                         "processed": bulk.processed, "total": bulk.total,
                         "enrolled": bulk.enrolled})
