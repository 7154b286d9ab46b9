"""Certificates that must be renewed (issue 17): the expiry date a course's validity
gives a certificate at issue, whether a learner may renew, and the reminder before a
certificate runs out.

The rules, in one place:
- A certificate for a course valid for N months is valid up to and including the day
  before the same date N months after completion. Where that month has no such date
  (the 31st into a 30-day month, 29 February into a year that is not a leap year), the
  date N months on is the first of the month after, so the certificate is valid to the
  last day of the shorter month: completed 31 January, valid 1 month, valid to 28 (or
  29) February; completed 29 February 2028, valid 12 months, valid to 28 February 2029.
- It is valid on its expiry date and expired from the next day, by the UK date
  (TIME_ZONE, Europe/London): Certificate.status_on. Revoked wins over expired.
- A certificate is renewed when the same person holds a certificate for the same
  course from a later cycle that is valid today (not revoked, not expired).
"""

import calendar
import logging
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from learners.models import Certificate, learner_q

logger = logging.getLogger(__name__)


def certificate_expiry_date(*, completed_on: date, valid_months: int | None) -> date | None:
    """The last day a certificate completed on `completed_on` is valid, for a course
    whose certificate is valid for `valid_months` months (None: it does not expire).
    See this module's docstring for the rule."""
    if not valid_months:
        return None
    target = date(completed_on.year, completed_on.month, 1) + relativedelta(months=valid_months)
    if completed_on.day > calendar.monthrange(target.year, target.month)[1]:
        anniversary = target + relativedelta(months=1)  # the 1st of the month after
    else:
        anniversary = target.replace(day=completed_on.day)
    return anniversary - timedelta(days=1)


def renewed_q(*, today: date, enrolment: str = "enrolment__") -> Q:
    """For a Certificate (or, with enrolment="", for its Enrolment): the same person
    holds a certificate for the same course from a later cycle that is valid today."""
    later = Certificate.objects.filter(
        enrolment__user_id=OuterRef(f"{enrolment}user_id"),
        enrolment__course_id=OuterRef(f"{enrolment}course_id"),
        enrolment__cycle__gt=OuterRef(f"{enrolment}cycle"),
        revoked_at__isnull=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return Q(Exists(later))


def certificate_renewal_open(*, certificate: Certificate | None, today: date | None = None,
                             ) -> bool:
    """Whether a learner may start the course again to renew this certificate: it has
    an expiry date, is not revoked, and runs out within the reminder window
    (CERTIFICATE_EXPIRY_REMINDER_DAYS) or already has."""
    if certificate is None or certificate.expires_on is None or certificate.is_revoked:
        return False
    today = today or timezone.localdate()
    return certificate.expires_on <= today + timedelta(
        days=settings.CERTIFICATE_EXPIRY_REMINDER_DAYS)


CERTIFICATE_EXPIRES_WITHIN = (30, 60, 90)  # HR's choices of window, in days
EXPIRED = "expired"


def enrolments_certificate_expiring(*, queryset: QuerySet, window: str,
                                    today: date | None = None) -> QuerySet:
    """Narrow enrolments to those whose certificate runs out within `window` days from
    today (both days included: "30", "60" or "90") or has run out (EXPIRED), not
    revoked and not renewed. HR's "certificate expires" filter."""
    today = today or timezone.localdate()
    queryset = queryset.filter(certificate__revoked_at__isnull=True).exclude(
        renewed_q(today=today, enrolment=""))
    if window == EXPIRED:
        return queryset.filter(certificate__expires_on__lt=today)
    return queryset.filter(certificate__expires_on__gte=today,
                           certificate__expires_on__lte=today + timedelta(days=int(window)))


def certificates_expiring(*, today: date, within_days: int) -> QuerySet[Certificate]:
    """Certificates that run out between today and `within_days` days from now (both
    included), not revoked and not renewed."""
    return Certificate.objects.filter(
        revoked_at__isnull=True, expires_on__gte=today,
        expires_on__lte=today + timedelta(days=within_days),
    ).exclude(renewed_q(today=today))


def certificate_expiry_reminders_send(*, today: date | None = None) -> int:
    """Daily (celery beat): email each learner whose certificate runs out within
    CERTIFICATE_EXPIRY_REMINDER_DAYS, with a link to the course to renew it. Once per
    certificate: each is claimed by a conditional UPDATE of expiry_reminder_sent_at
    before its email goes, so beat running twice, or two workers at once, never sends
    two; a send that fails gives the claim back (tried again the next day). Nothing for
    revoked or renewed certificates, or for people who may not be emailed (inactive,
    erased, unverified). Returns how many were sent."""
    today = today or timezone.localdate()
    due = certificates_expiring(
        today=today, within_days=settings.CERTIFICATE_EXPIRY_REMINDER_DAYS,
    ).filter(learner_q("enrolment__user__"), expiry_reminder_sent_at__isnull=True)
    sent = 0
    ids = list(due.order_by("expires_on", "pk").values_list("pk", flat=True))
    if not ids:
        return 0
    with get_connection() as connection:
        for certificate_id in ids:
            if _reminder_send(certificate_id, connection=connection):
                sent += 1
    logger.info("certificate expiry reminders sent: %s", sent)
    return sent


def _reminder_send(certificate_id: int, *, connection) -> bool:
    now = timezone.now()
    claimed = Certificate.objects.filter(
        pk=certificate_id, expiry_reminder_sent_at__isnull=True, revoked_at__isnull=True,
    ).update(expiry_reminder_sent_at=now)
    if not claimed:
        return False
    certificate = Certificate.objects.select_related(
        "enrolment__user", "enrolment__course").get(pk=certificate_id)
    course = certificate.enrolment.course
    context = {"certificate": certificate, "user": certificate.enrolment.user,
               "course_url": settings.ACADEMY_BASE_URL + course.get_url(),
               "academy_name": settings.ACADEMY_NAME}
    try:
        send_mail(
            subject=f"Your certificate for {certificate.course_title} runs out on "
                    f"{certificate.expires_on.day} {certificate.expires_on:%B %Y}",
            message=render_to_string("learners/email/certificate_expiry_reminder.txt",
                                     context),
            from_email=None, recipient_list=[certificate.enrolment.user.email],
            connection=connection,
        )
    except Exception:
        Certificate.objects.filter(pk=certificate_id, expiry_reminder_sent_at=now).update(
            expiry_reminder_sent_at=None)
        raise
    return True
