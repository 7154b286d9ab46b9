"""One pair of status views for every tracked job (learners.models.TrackedJob): the
page its owner watches, and the JSON its progress bar polls. Anyone but the owner gets
a 404, as if the job did not exist."""

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render

from academy.models import Export
from learners.models import BulkEnrolment, JobStatus
from learners.scoping import can_report

# kind -> (model, the template of its status page, the name it has there)
JOBS = {
    "export": (Export, "academy/reports/export_status.html", "export"),
    "bulk_enrolment": (BulkEnrolment, "academy/reports/bulk_status.html", "bulk"),
}


def job_get_own(request, *, kind: str, job_id):
    """The viewer's own job of this kind, or a 404."""
    if not can_report(request.user):  # every tracked job is HR's: a former reporter
        raise Http404              # no longer sees their files or checked uploads
    model = JOBS[kind][0]
    return get_object_or_404(model, pk=job_id, **{model.owner_field: request.user})


def job_status(request, job_id, *, kind: str):
    job = job_get_own(request, kind=kind, job_id=job_id)
    _model, template, name = JOBS[kind]
    return render(request, template, {name: job, "job": job, "JobStatus": JobStatus})


def job_status_json(request, job_id, *, kind: str):
    return JsonResponse(job_get_own(request, kind=kind, job_id=job_id).status_payload())
