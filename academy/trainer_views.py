"""Trainers see the progress of the learners on their own courses, and nothing else."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from academy.item_analysis import (
    analysable_courses,
    knowledge_checks_analyse,
    lessons_where_learners_stop,
)
from learners.models import BookingStatus, TrainingSession
from learners.scoping import trainer_courses, trainer_enrolments
from learners.selectors import enrolments_annotate_status


@login_required
def trainer_dashboard(request):
    courses = (
        trainer_courses(request.user).order_by("title")
        .annotate(
            enrolled=Count("enrolments", distinct=True),
            completed=Count("enrolments", filter=Q(enrolments__completed_at__isnull=False),
                            distinct=True),
            started=Count("enrolments", filter=Q(enrolments__last_fact_at__isnull=False,
                                                 enrolments__completed_at__isnull=True),
                          distinct=True),
        )
    )
    return render(request, "academy/trainer/dashboard.html",
                  {"courses": courses, "sessions": _sessions_taught(request.user),
                   "recent_days": RECENT_SESSION_DAYS})


# The register of a session stays on the dashboard this long after it, for late marks.
RECENT_SESSION_DAYS = 14


def _sessions_taught(user) -> list[TrainingSession]:
    """The sessions the person teaches, from RECENT_SESSION_DAYS ago onwards (the
    soonest first, at most 20), with how many people have a place and how many are
    waiting: one query."""
    now = timezone.now()
    since = now - timedelta(days=RECENT_SESSION_DAYS)
    sessions = list(
        TrainingSession.objects.filter(trainer=user, ends_at__gte=since)
        .select_related("course", "module")
        .only("starts_at", "ends_at", "cancelled_at", "capacity", "minimum", "course__title",
              "course__id", "module__title", "module__id")
        .annotate(booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)),
                  waiting=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)))
        .order_by("starts_at", "pk")[:20]
    )
    for session in sessions:
        session.upcoming = session.starts_at > now
    return sessions


@login_required
def trainer_course(request, course_id: int):
    """Per-learner status on one of the trainer's courses; any other course is a 404."""
    course = get_object_or_404(trainer_courses(request.user), pk=course_id)
    enrolments = (
        enrolments_annotate_status(
            queryset=trainer_enrolments(request.user).filter(course=course))
        .select_related("user", "user__organisation").order_by("user__last_name", "pk")
    )
    return render(request, "academy/trainer/course.html",
                  {"course": course, "enrolments": enrolments})


@login_required
def trainer_item_analysis(request, course_id: int):
    """How each knowledge check on one course is answered, and where learners stop.
    A trainer sees their own courses, an academy admin any; anything else is a 404."""
    course = get_object_or_404(analysable_courses(user=request.user), pk=course_id)
    return render(request, "academy/trainer/item_analysis.html", {
        "course": course,
        "checks": knowledge_checks_analyse(course=course),
        "stops": lessons_where_learners_stop(course=course),
        "threshold": settings.REPORT_MIN_GROUP_SIZE,
    })
