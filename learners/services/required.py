"""Required learning: assigning a course to an audience, with a due date, and
reminding people before it is due and when it is overdue."""

import logging
from datetime import timedelta
from functools import reduce
from operator import or_

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from learners.models import Enrolment, RequiredLearning, User
from learners.services.bulk import CHUNK, enrolments_ensure

logger = logging.getLogger(__name__)

REMIND_DAYS_BEFORE = 7


def required_learning_audience(assignment: RequiredLearning) -> QuerySet[User]:
    """Active people in the assignment's organisations or below, narrowed by grade and
    profession when the assignment names any."""
    paths = list(assignment.organisations.values_list("path", flat=True))
    if not paths:
        return User.objects.none()
    people = User.objects.filter(is_active=True).filter(
        reduce(or_, (Q(organisation__path__startswith=p) for p in paths)))
    grades = list(assignment.grades.values_list("pk", flat=True))
    professions = list(assignment.professions.values_list("pk", flat=True))
    if grades:
        people = people.filter(grade_id__in=grades)
    if professions:
        people = people.filter(profession_id__in=professions)
    return people


def required_learning_expand(*, assignment_id: int) -> int:
    """Enrol the whole audience, a chunk per transaction. Idempotent: running it again
    enrols only people who have joined the audience since. Returns new enrolments."""
    assignment = RequiredLearning.objects.get(pk=assignment_id)
    due = assignment.due_on.isoformat()
    user_ids = list(required_learning_audience(assignment).order_by("pk")
                    .values_list("pk", flat=True))
    created = 0
    for start in range(0, len(user_ids), CHUNK):
        with transaction.atomic():
            created += enrolments_ensure(
                pairs=[(u, assignment.course_id, due) for u in user_ids[start:start + CHUNK]],
                required_by_id=assignment.pk,
            )
    RequiredLearning.objects.filter(pk=assignment.pk).update(
        expanded_at=timezone.now(), expanded_count=len(user_ids))
    logger.info("required learning %s: %s people, %s new enrolments",
                assignment_id, len(user_ids), created)
    return created


@transaction.atomic
def required_learning_for_user(*, user_id: int) -> int:
    """Give one person (a new joiner, or someone who moved team) every required
    course whose audience now includes them."""
    user = User.objects.get(pk=user_id)
    if not user.is_active or user.organisation_id is None:
        return 0
    ancestors = [user.organisation.path[:i] for i in range(
        user.organisation.steplen, len(user.organisation.path) + 1, user.organisation.steplen)]
    assignments = RequiredLearning.objects.filter(organisations__path__in=ancestors).filter(
        Q(grades__isnull=True) | Q(grades=user.grade_id)).filter(
        Q(professions__isnull=True) | Q(professions=user.profession_id)).distinct()
    created = 0
    for assignment in assignments:
        created += enrolments_ensure(
            pairs=[(user.pk, assignment.course_id, assignment.due_on.isoformat())],
            required_by_id=assignment.pk)
    return created


def required_learning_remind() -> dict[str, int]:
    """Email people whose required learning is due within a week (once) and people
    whose required learning is overdue (once, after the due date)."""
    today = timezone.localdate()
    due_soon = Enrolment.objects.filter(
        completed_at__isnull=True, due_on__gte=today,
        due_on__lte=today + timedelta(days=REMIND_DAYS_BEFORE), reminder_sent_on__isnull=True)
    overdue = Enrolment.objects.filter(completed_at__isnull=True, due_on__lt=today).filter(
        Q(reminder_sent_on__isnull=True) | Q(reminder_sent_on__lte=F("due_on")))
    counts = {"due_soon": 0, "overdue": 0}
    for kind, queryset in (("due_soon", due_soon), ("overdue", overdue)):
        for enrolment in queryset.select_related("user", "course").iterator(chunk_size=500):
            _remind(enrolment, overdue=kind == "overdue")
            Enrolment.objects.filter(pk=enrolment.pk).update(reminder_sent_on=today)
            counts[kind] += 1
    return counts


def _remind(enrolment: Enrolment, *, overdue: bool) -> None:
    context = {"enrolment": enrolment, "overdue": overdue,
               "course_url": settings.ACADEMY_BASE_URL + enrolment.course.get_url(),
               "academy_name": settings.ACADEMY_NAME}
    subject = (f"Overdue: {enrolment.course.title}" if overdue else
               f"Due by {enrolment.due_on:%-d %B}: {enrolment.course.title}")
    send_mail(subject=subject,
              message=render_to_string("learners/email/required_reminder.txt", context),
              from_email=None, recipient_list=[enrolment.user.email])


def required_learning_renew(*, notice_days: int = 30) -> int:
    """Start the next cycle of recurring required learning: when a completion is about
    to expire (`recurrence_months` after it, less `notice_days` of notice), enrol the
    person again, due on the expiry date. Idempotent: the next cycle is created once,
    by the unique (user, course, cycle) constraint."""
    today = timezone.localdate()
    renewed = 0
    for assignment in RequiredLearning.objects.filter(recurrence_months__isnull=False):
        cutoff = today + timedelta(days=notice_days) - relativedelta(
            months=assignment.recurrence_months)
        new = []
        for enrolment in _latest_cycles(assignment):
            if enrolment.completed_at and timezone.localdate(enrolment.completed_at) <= cutoff:
                expires = timezone.localdate(enrolment.completed_at) + relativedelta(
                    months=assignment.recurrence_months)
                new.append(Enrolment(user_id=enrolment.user_id, course_id=enrolment.course_id,
                                     cycle=enrolment.cycle + 1, required_by=assignment,
                                     due_on=expires))
        Enrolment.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
        renewed += len(new)
    return renewed


def _latest_cycles(assignment):
    """Each audience member's latest enrolment on the course (one row a person)."""
    latest: dict[int, Enrolment] = {}
    for enrolment in (
        Enrolment.objects.filter(course_id=assignment.course_id,
                                 user__in=required_learning_audience(assignment))
        .only("user_id", "course_id", "cycle", "completed_at")
        .order_by("user_id", "cycle").iterator(chunk_size=CHUNK)
    ):
        latest[enrolment.user_id] = enrolment
    return latest.values()
