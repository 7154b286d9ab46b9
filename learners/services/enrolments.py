"""Enrolling on a course, and the confirmation email that follows."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from courses.models import CoursePage
from learners.enqueue import enqueue_on_commit
from learners.models import Enrolment, User

logger = logging.getLogger(__name__)


@transaction.atomic
def enrolment_create(*, user: User, course: CoursePage) -> tuple[Enrolment, bool]:
    """Enrol the user, once. A second call, or a concurrent one, returns the existing
    enrolment: the unique constraint decides, not a check before the insert. The
    confirmation email is sent by a task after the commit."""
    latest = (Enrolment.objects.filter(user=user, course=course).order_by("-cycle")
              .values_list("cycle", flat=True).first())
    enrolment, created = Enrolment.objects.get_or_create(user=user, course=course,
                                                         cycle=latest or 1)
    if created:
        from learners.tasks import enrolment_confirmation_send as task

        enqueue_on_commit(task, enrolment.pk)
        logger.info("enrolled user=%s course=%s", user.pk, course.pk)
    return enrolment, created


def enrolment_confirmation_send(*, enrolment_id: int) -> bool:
    """Email the learner that they are enrolled. Sends at most once per enrolment
    unless a crash falls between sending and recording it; returns whether it sent."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update().select_related("user", "course")
            .get(pk=enrolment_id)
        )
        if enrolment.confirmation_sent_at:
            return False
        course_url = settings.ACADEMY_BASE_URL + enrolment.course.get_url()
        context = {"enrolment": enrolment, "course_url": course_url,
                   "academy_name": settings.ACADEMY_NAME}
        send_mail(
            subject=f"You are enrolled on {enrolment.course.title}",
            message=render_to_string("learners/email/enrolment_confirmation.txt", context),
            from_email=None,
            recipient_list=[enrolment.user.email],
        )
        enrolment.confirmation_sent_at = timezone.now()
        enrolment.save(update_fields=["confirmation_sent_at"])
    return True
