""""Have you used it at work?": the question sent 30, 60 and 90 days after a learner
completes a course (the points the course asks at), their answer, their line manager's
confirmation, and the learner's choice not to be asked.

Sending is derived from the database and safe to repeat: a FollowUp row per enrolment
and point (unique by constraint) is written first, then the email is sent and `sent_at`
set, under row locks, as the managers' digest does (learners.services.managers)."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from courses.models import CoursePage
from learners.models import (
    FOLLOWUP_HOW_MAX_LENGTH,
    FOLLOWUP_POINTS,
    Enrolment,
    FollowUp,
    FollowUpAnswer,
    FollowUpOptOut,
    User,
    learner_q,
)

logger = logging.getLogger(__name__)

# A question is sent on its day or, if the daily run missed it (beat down, the course
# switched on later), up to this many days after; never later. So turning follow-ups on
# for a course asks only people who completed it recently, not years of completions.
FOLLOWUP_GRACE_DAYS = 14
BATCH = 100  # questions per transaction and mail connection


class FollowUpRejected(Exception):
    """An answer or confirmation that cannot be recorded, with the message to show."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def followup_recipient_q(prefix: str = "") -> Q:
    """Whom a question may go to, as a filter on a row that points to a User via
    `prefix`: someone who counts as a learner (active, verified), has not opted out,
    and has not been erased (erasure also makes the account inactive: both are checked,
    so an erased account made active again by mistake is still never written to)."""
    return (learner_q(prefix) & Q(**{f"{prefix}followup_opt_out__isnull": True})
            & ~Q(**{f"{prefix}email__endswith": "@erased.invalid"}))


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def followups_create_due(*, today: date) -> int:
    """Write the FollowUp row for every completed enrolment whose course asks at a point
    N and whose completion date (Europe/London) + N days is today or up to
    FOLLOWUP_GRACE_DAYS before; existing rows are left alone (a row another run writes
    at the same moment is skipped by the unique constraint). Returns how many rows it
    wrote or found written. One query per point, whatever the number of learners."""
    points_by_course = {pk: points for pk, points in
                        CoursePage.objects.values_list("pk", "followup_points") if points}
    new: list[FollowUp] = []
    for point in FOLLOWUP_POINTS:
        courses = [pk for pk, points in points_by_course.items() if point in points]
        if not courses:
            continue
        latest = today - timedelta(days=point)
        completions = (Enrolment.objects.filter(
            followup_recipient_q("user__"), course_id__in=courses,
            completed_at__gte=_local_midnight(latest - timedelta(days=FOLLOWUP_GRACE_DAYS)),
            completed_at__lt=_local_midnight(latest + timedelta(days=1)))
            .exclude(followups__point_days=point).values_list("pk", "completed_at"))
        new += [FollowUp(enrolment_id=pk, point_days=point,
                         due_on=timezone.localdate(completed_at) + timedelta(days=point))
                for pk, completed_at in completions]
    FollowUp.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return len(new)


def followups_send(*, today: date | None = None) -> int:
    """Daily (beat): ask "have you used it at work?" of everyone due a question today
    (followups_create_due), by email, and return how many were sent.

    Once per learner per point: the row is unique per enrolment and point, and an email
    goes only for a row without `sent_at`, locked (FOR UPDATE SKIP LOCKED) while it is
    sent and marked sent in the same transaction, so two runs at once never both send
    it. A row not sent (the mail server was down) is retried on later runs while still
    within FOLLOWUP_GRACE_DAYS of its day. Never to an erased, inactive or opted-out
    learner: they are checked again when sending."""
    today = today or timezone.localdate()
    followups_create_due(today=today)
    pending = list(FollowUp.objects.filter(
        followup_recipient_q("enrolment__user__"), sent_at__isnull=True,
        due_on__gte=today - timedelta(days=FOLLOWUP_GRACE_DAYS), due_on__lte=today)
        .order_by("pk").values_list("pk", flat=True))
    sent = 0
    for start in range(0, len(pending), BATCH):
        sent += _send_batch(pending[start:start + BATCH])
    logger.info("follow-up questions for %s: %s sent", today, sent)
    return sent


def _send_batch(followup_ids: list[int]) -> int:
    base = settings.ACADEMY_BASE_URL
    with transaction.atomic():
        followups = list(
            FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("enrolment__user", "enrolment__course")
            .filter(followup_recipient_q("enrolment__user__"), pk__in=followup_ids,
                    sent_at__isnull=True).order_by("pk"))
        done: list[FollowUp] = []
        failure = None
        with get_connection() as connection:
            for followup in followups:
                learner, course = followup.enrolment.user, followup.enrolment.course
                message = EmailMessage(
                    subject=f"Have you used {course.title} at work?",
                    body=render_to_string("learners/email/followup_question.txt", {
                        "learner": learner, "course": course, "followup": followup,
                        "answer_url": base + reverse("followup_answer", args=[followup.pk]),
                        "opt_out_url": base + reverse("followups_opt_out"),
                        "academy_name": settings.ACADEMY_NAME}),
                    to=[learner.email])
                try:
                    connection.send_messages([message])
                except Exception as error:  # record the ones that went, then re-raise
                    failure = error
                    break
                followup.sent_at = timezone.now()
                done.append(followup)
        FollowUp.objects.bulk_update(done, ["sent_at"])
    if failure is not None:
        raise failure
    return len(done)


def followup_how_clean(how: str) -> str:
    """The "how" text as kept: one character per line ending, no space around it."""
    return how.replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def followup_answer(*, followup: FollowUp, user: User, answer: str, how: str = "") -> FollowUp:
    """Record the learner's answer (and, optionally, how they used it). Only the learner
    whose question it is may answer, and only a question that was sent; answering again
    changes the answer. A line manager's confirmation stands only while the answer is
    "yes"."""
    followup = FollowUp.objects.select_for_update(of=("self",)).select_related("enrolment").get(
        pk=followup.pk)
    if followup.enrolment.user_id != user.pk or followup.sent_at is None:
        raise FollowUpRejected("This question is not yours to answer")
    if answer not in FollowUpAnswer.values:
        raise FollowUpRejected("Select whether you have used this at work", field="answer")
    how = followup_how_clean(how)
    if len(how) > FOLLOWUP_HOW_MAX_LENGTH:
        raise FollowUpRejected(
            f"How you used it must be {FOLLOWUP_HOW_MAX_LENGTH} characters or fewer",
            field="how")
    if "\x00" in how:
        raise FollowUpRejected("How you used it must not contain unusual characters",
                               field="how")
    followup.answer, followup.how, followup.answered_at = answer, how, timezone.now()
    if answer != FollowUpAnswer.YES:
        followup.confirmed_by, followup.confirmed_at = None, None
    followup.save(update_fields=["answer", "how", "answered_at", "confirmed_by",
                                 "confirmed_at"])
    return followup


@transaction.atomic
def followup_confirm(*, followup: FollowUp, manager: User) -> FollowUp:
    """The learner's line manager confirms that they have used it at work. Only their
    line manager now (User.line_manager), only for an answer of "yes"; confirming again
    changes nothing."""
    followup = (FollowUp.objects.select_for_update(of=("self",))
                .select_related("enrolment__user").get(pk=followup.pk))
    learner = followup.enrolment.user
    if (not manager.is_active or learner.line_manager_id != manager.pk
            or not learner.is_active):
        raise FollowUpRejected("Only the person's line manager can confirm this")
    if followup.answer != FollowUpAnswer.YES:
        raise FollowUpRejected("You can only confirm that someone has used it at work "
                               "once they have said they have")
    if followup.confirmed_at is None:
        followup.confirmed_by, followup.confirmed_at = manager, timezone.now()
        followup.save(update_fields=["confirmed_by", "confirmed_at"])
    return followup


@dataclass(frozen=True)
class FollowUpOptOutChanged:
    opted_out: bool
    changed: bool


def followups_opt_out(*, user: User, opt_out: bool = True) -> FollowUpOptOutChanged:
    """Stop (or, with opt_out=False, start again) sending the learner follow-up
    questions. Questions already sent stay answerable."""
    if opt_out:
        _row, created = FollowUpOptOut.objects.get_or_create(user=user)
        return FollowUpOptOutChanged(opted_out=True, changed=created)
    deleted, _ = FollowUpOptOut.objects.filter(user=user).delete()
    return FollowUpOptOutChanged(opted_out=False, changed=bool(deleted))
