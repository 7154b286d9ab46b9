"""HR: required learning and bulk enrolment, within the HR reporter's organisations."""

from django.contrib import messages
from django.shortcuts import redirect, render

from academy.reports import services
from academy.reports.bulk import bulk_csv_check
from academy.reports.forms import BulkEnrolmentForm, RequiredLearningForm
from academy.reports.views import require_reporter
from learners.models import RequiredLearning
from learners.scoping import reporting_organisations


def required_learning(request):
    require_reporter(request)
    form = RequiredLearningForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignment = services.required_learning_create(
            viewer=request.user, course=data["course"], organisations=data["organisations"],
            grades=data["grades"], professions=data["professions"], due_on=data["due_on"],
            recurrence_months=data["recurrence_months"])
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
    require_reporter(request)
    form = BulkEnrolmentForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        check = bulk_csv_check(form.cleaned_data["file"], viewer=request.user)
        if check.ok:
            bulk = services.bulk_enrolment_create(
                viewer=request.user, filename=form.cleaned_data["file"].name, rows=check.rows)
            return redirect("bulk_enrolment_status", job_id=bulk.pk)
    return render(request, "academy/reports/bulk_enrolment.html",
                  {"form": form, "check": check})
