from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from academy.followups import followups_open_for_enrolments
from academy.health import health_report
from courses.selectors import course_cards
from learners.models import EnrolmentStatus
from learners.selectors import enrolment_status, enrolments_list_for_learner
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
    certificates; a course's final assessment with its state; the follow-up questions
    waiting; their sessions. One query for the list and whether there are sessions to
    show; one more each for attempts when a course has a final assessment, follow-up
    questions when a course is completed, and sessions when there are some. The
    courses' titles, addresses and assessments come from the course tree's cache
    (courses.selectors.course_cards): no page is fetched."""
    user = request.user
    enrolments = enrolments_list_for_learner(user=user)
    cards = course_cards()
    if any(e.course_id not in cards for e in enrolments):
        cards = course_cards(fresh=True)  # a course made since the cards were worked out
    states = assessment_states_for_enrolments(enrolments=enrolments, cards=cards)
    followups = followups_open_for_enrolments(enrolments=enrolments)
    today = timezone.localdate()
    for enrolment in enrolments:
        enrolment.status = enrolment_status(enrolment=enrolment, today=today)
        enrolment.card = card = cards.get(enrolment.course_id)
        enrolment.next_url = card.lesson_url(enrolment.next_lesson_url_path) if card else ""
        enrolment.assessment_state = states.get(enrolment.pk)
        enrolment.followup_id = followups.get(enrolment.pk)
    by_id = {e.pk: e for e in enrolments}
    required = sorted((e for e in enrolments if e.due_on and not e.completed_at),
                      key=lambda e: e.due_by)
    # No enrolment: no row to say whether there are sessions, so ask.
    any_bookings = enrolments[0].any_bookings if enrolments else True
    return render(request, "academy/my_learning.html", {
        "EnrolmentStatus": EnrolmentStatus,
        "required": required,
        "in_progress": [e for e in enrolments if not e.completed_at and not e.due_on],
        "completed": [e for e in enrolments if e.completed_at],
        "bookings": list(bookings_for_user(user=user)) if any_bookings else [],
        # The latest question waiting on each course, newest first.
        "followups": [by_id[pk] for pk in followups],
    })
