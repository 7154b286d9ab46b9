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
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from content.sql import values_in
from learners.models import Enrolment, RequiredLearning, User, learner_q
from learners.selectors import enrolment_due_on
from learners.services.bulk import CHUNK, enrolments_ensure
from learners.services.xapi import xapi_cycles_registered

logger = logging.getLogger(__name__)

REMIND_DAYS_BEFORE = 7


def required_learning_audience(assignment: RequiredLearning) -> QuerySet[User]:
    """People who count as learners (User.objects.learners()) in the assignment's
    organisations or below, narrowed by grade and profession when it names any."""
    paths = list(assignment.organisations.values_list("path", flat=True))
    if not paths:
        return User.objects.none()
    people = User.objects.learners().filter(
        reduce(or_, (Q(organisation__path__startswith=p) for p in paths)))
    grades = list(assignment.grades.values_list("pk", flat=True))
    professions = list(assignment.professions.values_list("pk", flat=True))
    if grades:
        people = people.filter(grade_id__in=grades)
    if professions:
        people = people.filter(profession_id__in=professions)
    return people


def required_learning_expand(*, assignment_id: int) -> int:
    """Make the assignment's enrolments match the assignment as it now stands, after it
    was set, changed or withdrawn (and daily, from the reconciler). Idempotent: running
    it again changes nothing. Returns how many enrolments were new.

    - People who left the audience (or everyone, once it is withdrawn) lose the
      requirement from their open enrolments: no due date, no extension. They stay
      enrolled; completed enrolments keep their history.
    - Everyone in the audience is enrolled, a chunk per transaction; an open first
      enrolment with no due date, or a later one, becomes required by this assignment
      (the earliest due date wins when two assignments require the same course).
    - Open first enrolments required by this assignment get its due date, later or
      earlier, with reminders reset. A person's extension is left alone, and later
      cycles of recurring learning keep the date their last completion expires.
    """
    assignment = RequiredLearning.objects.get(pk=assignment_id)
    released = _release(assignment)
    if assignment.is_withdrawn:
        logger.info("required learning %s withdrawn: %s enrolments released",
                    assignment_id, released)
        return 0
    due = assignment.due_on
    audience = required_learning_audience(assignment)
    user_ids = list(audience.order_by("pk").values_list("pk", flat=True))
    created = 0
    for start in range(0, len(user_ids), CHUNK):
        chunk = user_ids[start:start + CHUNK]
        with transaction.atomic():
            created += _enrol_as_required(assignment, chunk)
    moved = Enrolment.objects.filter(
        required_by=assignment, cycle=1, completed_at__isnull=True,
    ).exclude(due_on=due).update(due_on=due, reminder_sent_on=None)
    RequiredLearning.objects.filter(pk=assignment.pk).update(
        expanded_at=timezone.now(), expanded_count=len(user_ids))
    logger.info("required learning %s: %s people, %s new enrolments, %s dates moved, "
                "%s released", assignment_id, len(user_ids), created, moved, released)
    return created


def _enrol_as_required(assignment: RequiredLearning, user_ids: list[int]) -> int:
    """Enrol these people (all in the audience) and make their open first enrolment
    required by the assignment, unless another requires it by an earlier date."""
    created = enrolments_ensure(pairs=[(u, assignment.course_id, None) for u in user_ids])
    Enrolment.objects.filter(
        user_id__in=values_in(user_ids), course_id=assignment.course_id, cycle=1,
        completed_at__isnull=True,
    ).filter(Q(due_on__isnull=True) | Q(due_on__gt=assignment.due_on)).exclude(
        required_by=assignment,
    ).update(due_on=assignment.due_on, required_by=assignment, reminder_sent_on=None)
    return created


def _release(assignment: RequiredLearning) -> int:
    """Drop the requirement from open enrolments it no longer applies to: everyone's
    once the assignment is withdrawn, otherwise those of people outside its audience."""
    open_enrolments = Enrolment.objects.filter(required_by=assignment,
                                               completed_at__isnull=True)
    if not assignment.is_withdrawn:
        open_enrolments = open_enrolments.exclude(
            user__in=required_learning_audience(assignment).values("pk"))
    return open_enrolments.update(due_on=None, required_by=None, extended_due_on=None,
                                  reminder_sent_on=None)


def required_learning_reconcile() -> int:
    """Enqueue the expansion of every assignment still in force, and of every withdrawn
    one whose requirement some open enrolment still carries (a lost message). Returns
    how many were enqueued."""
    from learners.tasks import required_learning_expand

    still_required = Enrolment.objects.filter(required_by=OuterRef("pk"),
                                              completed_at__isnull=True)
    ids = list(RequiredLearning.objects.filter(
        Q(withdrawn_at__isnull=True) | Q(Exists(still_required)),
    ).values_list("pk", flat=True))
    for assignment_id in ids:
        required_learning_expand.delay(assignment_id)
    return len(ids)


@transaction.atomic
def required_learning_for_user(*, user_id: int) -> int:
    """Give one person (a new joiner, or someone who moved team) every required
    course whose audience now includes them, and release their open enrolments from
    requirements whose audience no longer does (as the assignment's expansion would).
    Nothing for someone who does not count as a learner (an unverified sign-up)."""
    user = User.objects.learners().filter(pk=user_id).select_related("organisation").first()
    if user is None or user.organisation_id is None:
        return 0
    ancestors = [user.organisation.path[:i] for i in range(
        user.organisation.steplen, len(user.organisation.path) + 1, user.organisation.steplen)]
    assignments = RequiredLearning.objects.filter(
        organisations__path__in=ancestors, withdrawn_at__isnull=True).filter(
        Q(grades__isnull=True) | Q(grades=user.grade_id)).filter(
        Q(professions__isnull=True) | Q(professions=user.profession_id)).distinct()
    Enrolment.objects.filter(
        user=user, completed_at__isnull=True, required_by__isnull=False,
    ).exclude(required_by__in=assignments.values("pk")).update(
        due_on=None, required_by=None, extended_due_on=None, reminder_sent_on=None)
    created = 0
    for assignment in assignments:
        created += _enrol_as_required(assignment, [user.pk])
    return created


def required_learning_remind() -> dict[str, int]:
    """Email people whose required learning is due within a week (once) and people
    whose required learning is overdue (once, after the due date)."""
    today = timezone.localdate()
    # Against the date the person must meet (their extension, if HR gave one), and never
    # for an assignment that has been withdrawn (before its release has run), and only
    # to people who count as learners.
    open_required = Enrolment.objects.filter(
        learner_q("user__"), completed_at__isnull=True, due_on__isnull=False,
    ).exclude(required_by__withdrawn_at__isnull=False).annotate(
        due=enrolment_due_on())
    due_soon = open_required.filter(
        due__gte=today, due__lte=today + timedelta(days=REMIND_DAYS_BEFORE),
        reminder_sent_on__isnull=True)
    overdue = open_required.filter(due__lt=today).filter(
        Q(reminder_sent_on__isnull=True) | Q(reminder_sent_on__lte=F("due")))
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
               f"Due by {enrolment.due_by:%-d %B}: {enrolment.course.title}")
    send_mail(subject=subject,
              message=render_to_string("learners/email/required_reminder.txt", context),
              from_email=None, recipient_list=[enrolment.user.email])


def required_learning_renew(*, notice_days: int = 30) -> int:
    """Start the next cycle of recurring required learning: when a completion is about
    to expire (`recurrence_months` after it, less `notice_days` of notice), enrol the
    person again, due on the expiry date. Where the completion's certificate has an
    expiry date (the course's validity, issue 17) and it comes first, the next cycle is
    due on it instead: the renewal is due on or before the certificate runs out, the
    last day it is valid. (HR cannot repeat less often than the certificate is valid:
    CoursePage.certificate_recurrence_conflict.) Idempotent: the next cycle is created
    once, by the unique (user, course, cycle) constraint."""
    today = timezone.localdate()
    renewed = 0
    for assignment in RequiredLearning.objects.filter(recurrence_months__isnull=False,
                                                      withdrawn_at__isnull=True):
        cutoff = today + timedelta(days=notice_days) - relativedelta(
            months=assignment.recurrence_months)
        new = []
        for enrolment in _latest_cycles(assignment):
            if enrolment.completed_at and timezone.localdate(enrolment.completed_at) <= cutoff:
                expires = timezone.localdate(enrolment.completed_at) + relativedelta(
                    months=assignment.recurrence_months)
                certificate = getattr(enrolment, "certificate", None)
                if certificate is not None and certificate.expires_on is not None:
                    expires = min(expires, certificate.expires_on)
                new.append(Enrolment(user_id=enrolment.user_id, course_id=enrolment.course_id,
                                     cycle=enrolment.cycle + 1, required_by=assignment,
                                     due_on=expires))
        with transaction.atomic():  # the new cycles and their xAPI statements together
            Enrolment.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
            xapi_cycles_registered(course_id=assignment.course_id,
                                   cycles=[(e.user_id, e.cycle) for e in new])
        renewed += len(new)
    return renewed


def _latest_cycles(assignment):
    """Each audience member's latest enrolment on the course (one row a person)."""
    latest: dict[int, Enrolment] = {}
    for enrolment in (
        Enrolment.objects.filter(course_id=assignment.course_id,
                                 user__in=required_learning_audience(assignment))
        .select_related("certificate")
        .only("user_id", "course_id", "cycle", "completed_at", "certificate__expires_on")
        .order_by("user_id", "cycle").iterator(chunk_size=CHUNK)
    ):
        latest[enrolment.user_id] = enrolment
    return latest.values()
