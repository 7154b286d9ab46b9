from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from academy.followups import followups_open_for_learner
from academy.health import health_report
from learners.models import EnrolmentStatus
from learners.selectors import enrolments_list_for_learner
from learners.services import assessment_states_for_enrolments
from learners.services.sessions import bookings_for_user


@never_cache
@require_GET
def healthz(request):
    """JSON with database and broker status: 200 when healthy, 503 when not."""
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@login_required
def my_learning(request):
    """The learner's own enrolments: in progress with "Continue", completed with
    certificates; a course's final assessment with its state. Three queries for the
    list, whatever its length."""
    enrolments = list(enrolments_list_for_learner(user=request.user))
    states = assessment_states_for_enrolments(enrolments=enrolments)
    for enrolment in enrolments:
        enrolment.assessment_state = states.get(enrolment.pk)
    required = sorted((e for e in enrolments if e.due_on and not e.completed_at),
                      key=lambda e: e.due_by)
    return render(request, "academy/my_learning.html", {
        "EnrolmentStatus": EnrolmentStatus,
        "required": required,
        "in_progress": [e for e in enrolments if not e.completed_at and not e.due_on],
        "completed": [e for e in enrolments if e.completed_at],
        "bookings": list(bookings_for_user(user=request.user)),
        "followups": followups_open_for_learner(user=request.user),
    })
