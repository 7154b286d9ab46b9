"""Enrolling on a course, and the confirmation email that follows."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from content.sql import values_in
from courses.models import CoursePage
from learners.enqueue import enqueue_on_commit
from learners.models import Enrolment, User
from learners.services.certificate_expiry import certificate_renewal_open
from learners.services.xapi import xapi_enrolment_registered

logger = logging.getLogger(__name__)


class EnrolmentRefused(Exception):
    """The account does not count as a learner (User.objects.learners()), so may not
    enrol; `message` says why, in words for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def enrolment_create(*, user: User, course: CoursePage) -> tuple[Enrolment, bool]:
    """Enrol the user, once. A second call, or a concurrent one, returns the existing
    enrolment: the unique constraint decides, not a check before the insert. The
    confirmation email is sent by a task after the commit. A learner whose certificate
    for the course runs out soon, or has run out (certificate_renewal_open), is enrolled
    on the course's next cycle, to renew it. Someone who does not count
    as a learner (unverified email, a sign-up domain no longer allowed) is refused with
    EnrolmentRefused."""
    if not User.objects.learners().filter(pk=user.pk).exists():
        if user.email_verified_at is None:
            raise EnrolmentRefused(f"Confirm your email address before you enrol: we sent "
                                   f"a link to {user.email}")
        raise EnrolmentRefused("Your account cannot enrol on courses. Contact your "
                               "academy team.")
    latest = (Enrolment.objects.filter(user=user, course=course).order_by("-cycle")
              .select_related("certificate", "required_by")
              .only("cycle", "completed_at", "certificate__expires_on",
                    "certificate__revoked_at", "required_by__recurrence_months",
                    "required_by__withdrawn_at").first())
    cycle, defaults = (latest.cycle if latest else 1), {}
    certificate = getattr(latest, "certificate", None) if latest else None
    if latest and latest.completed_at and certificate_renewal_open(certificate=certificate):
        cycle += 1  # renewing a certificate that runs out soon, or has: the next cycle
        required = latest.required_by
        if required and required.recurrence_months and not required.is_withdrawn:
            # Recurring required learning, renewed before beat started the next cycle:
            # the same requirement, due on the certificate's last valid day (as beat's
            # required_learning_renew would have made it).
            defaults = {"required_by": required, "due_on": certificate.expires_on}
    enrolment, created = Enrolment.objects.get_or_create(user=user, course=course,
                                                         cycle=cycle, defaults=defaults)
    if created:
        from learners.tasks import enrolment_confirmation_send as task

        enqueue_on_commit(task, enrolment.pk)
        xapi_enrolment_registered(enrolment=enrolment)
        logger.info("enrolled user=%s course=%s", user.pk, course.pk)
    return enrolment, created


def enrolment_confirmation_send(*, enrolment_id: int) -> bool:
    """Email the learner that they are enrolled; returns whether it sent."""
    return enrolment_confirmations_send(enrolment_ids=[enrolment_id]) == 1


def enrolment_confirmations_send(*, enrolment_ids: list[int]) -> int:
    """Email each learner that they are enrolled, over one mail connection. Sends at
    most once per enrolment (rows are locked, and ones already sent are skipped) unless
    a crash falls between sending and recording it; returns how many it sent."""
    with transaction.atomic():
        enrolments = list(
            Enrolment.objects.select_for_update(of=("self",)).select_related("user", "course")
            .filter(pk__in=values_in(enrolment_ids), confirmation_sent_at__isnull=True)
            .order_by("pk")
        )
        if not enrolments:
            return 0
        course_urls: dict[int, str] = {}
        messages = []
        for enrolment in enrolments:
            if enrolment.course_id not in course_urls:
                course_urls[enrolment.course_id] = (settings.ACADEMY_BASE_URL
                                                    + enrolment.course.get_url())
            context = {"enrolment": enrolment, "course_url": course_urls[enrolment.course_id],
                       "academy_name": settings.ACADEMY_NAME}
            messages.append(EmailMessage(
                subject=f"You are enrolled on {enrolment.course.title}",
                body=render_to_string("learners/email/enrolment_confirmation.txt", context),
                to=[enrolment.user.email],
            ))
        with get_connection() as connection:
            connection.send_messages(messages)
        Enrolment.objects.filter(pk__in=values_in(e.pk for e in enrolments)).update(
            confirmation_sent_at=timezone.now())
    return len(enrolments)
