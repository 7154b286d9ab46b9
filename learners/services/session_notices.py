"""Emails about instructor-led sessions: the invitation when someone gets a place, their
place on the waiting list, the update when the details change, the cancellation (of a
person's place or of the whole session), and the reminders a week and a day before.

Each email is sent by a Celery task after the fact is committed (learners.tasks), and is
claimed before it is sent so that a task run twice sends it once: the promotion message
and the reminders by a conditional UPDATE on their own column (durable), the others by
an atomic add of a key to the shared cache for a month (against a redelivered task).
A claim is given back if the sending fails, so the message is not lost either.

Nothing is sent to anyone who no longer counts as a person to write to: an inactive
account, or one that has been erased (learners.privacy)."""

import logging
from contextlib import contextmanager
from datetime import timedelta
from email.mime.text import MIMEText

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from learners.calendar import (
    CANCEL,
    REQUEST,
    session_ical,
    session_local_times,
    session_location,
    session_page_url,
    session_title,
    session_when,
)
from learners.enqueue import enqueue_on_commit
from learners.models import Booking, BookingStatus, SessionMode, TrainingSession, User

logger = logging.getLogger(__name__)

BOOKED, WAITING, PROMOTED, CANCELLED = "booked", "waiting", "promoted", "cancelled"
EVENTS = (BOOKED, WAITING, PROMOTED, CANCELLED)
ERASED_DOMAIN = "@erased.invalid"  # learners.privacy.learner_erase
CLAIM_SECONDS = 31 * 24 * 3600
WEEK, DAY = timedelta(days=7), timedelta(days=1)
REASON_MAX = 1000


def _may_email(user: User) -> bool:
    return user.is_active and bool(user.email) and not user.email.endswith(ERASED_DOMAIN)


def _may_email_q(prefix: str = "user__") -> Q:
    return Q(**{f"{prefix}is_active": True}) & ~Q(**{f"{prefix}email__endswith": ERASED_DOMAIN})


@contextmanager
def _claimed(key: str):
    """Yield whether this run claimed the message named `key` (cache.add is atomic in
    Redis); a claim whose sending raises is given back."""
    claimed = cache.add(f"session-notice:{key}", 1, CLAIM_SECONDS)
    try:
        yield claimed
    except Exception:
        if claimed:
            cache.delete(f"session-notice:{key}")
        raise


def _bookings():
    return Booking.objects.select_related(
        "user", "session__course", "session__module", "session__trainer")


def _context(booking: Booking, **extra) -> dict:
    session = booking.session
    has_place = booking.status == BookingStatus.BOOKED and not session.is_cancelled
    return {
        "booking": booking, "session": session, "user": booking.user,
        "title": session_title(session), "when": session_when(session),
        "online": session.mode == SessionMode.ONLINE,
        "location": session_location(session, with_link=has_place),
        "joining_link": session.joining_link if has_place else "",
        "session_url": session_page_url(session),
        "academy_name": settings.ACADEMY_NAME, **extra,
    }


def _message(booking: Booking, *, subject: str, template: str, context: dict,
             method: str | None = None) -> EmailMessage:
    """A plain-text email to the booking's person; with `method`, the session's calendar
    event attached as text/calendar with that iTIP method."""
    message = EmailMessage(
        subject=subject,
        body=render_to_string(f"learners/email/{template}.txt", context),
        to=[booking.user.email],
    )
    if method:
        ics = session_ical(session=booking.session, method=method, attendee=booking)
        part = MIMEText(ics.decode(), "calendar", "utf-8")
        part.set_param("method", method)
        name = "invitation.ics" if method == REQUEST else "cancellation.ics"
        part.add_header("Content-Disposition", "attachment", filename=name)
        message.attach(part)
    return message


def _when(booking: Booking) -> str:
    start, _end = session_local_times(booking.session)
    return f"{start:%-d %B %Y}"


def session_notice_send(*, booking_id: int, event: str) -> bool:
    """Email the person about their booking; returns whether it sent.

    - "booked": they have a place: the invitation (REQUEST).
    - "waiting": they are Nth on the waiting list (no invitation).
    - "promoted": a place came free and is theirs: the invitation. Told once, claimed by
      setting Booking.promotion_told_at where it is still empty.
    - "cancelled": their booking is cancelled, by them or because the session is. Those
      who had a place get the cancellation (CANCEL) for their calendar.

    Sends nothing when the booking has moved on since (a "booked" message for a place
    already cancelled, a "waiting" one for someone promoted meanwhile)."""
    if event not in EVENTS:
        raise ValueError(f"unknown session notice {event!r}")
    booking = _bookings().filter(pk=booking_id).first()
    if booking is None or not _may_email(booking.user):
        return False
    session = booking.session
    if event in (BOOKED, PROMOTED):
        if booking.status != BookingStatus.BOOKED or session.is_cancelled:
            return False
        if event == PROMOTED:
            return _promotion_send(booking)
        with _claimed(f"{booking.pk}:invitation:{session.sequence}") as claimed:
            if claimed:
                _message(booking, subject=f"Booked: {session_title(session)} on "
                         f"{_when(booking)}", template="session_booked",
                         context=_context(booking), method=REQUEST).send()
        return claimed
    if event == WAITING:
        if booking.status != BookingStatus.WAITING:
            return False
        position = Booking.objects.filter(session=session, status=BookingStatus.WAITING,
                                          pk__lte=booking.pk).count()
        with _claimed(f"{booking.pk}:waiting") as claimed:
            if claimed:
                _message(booking, subject=f"Waiting list: {session_title(session)} on "
                         f"{_when(booking)}", template="session_waiting",
                         context=_context(booking, position=position)).send()
        return claimed
    if booking.status != BookingStatus.CANCELLED:
        return False
    had_place = booking.booked_at is not None
    with _claimed(f"{booking.pk}:cancelled") as claimed:
        if claimed:
            _message(booking, subject=f"Cancelled: {session_title(session)} on "
                     f"{_when(booking)}", template="session_cancelled",
                     context=_context(booking, had_place=had_place),
                     method=CANCEL if had_place else None).send()
    return claimed


def _promotion_send(booking: Booking) -> bool:
    now = timezone.now()
    claimed = Booking.objects.filter(
        pk=booking.pk, status=BookingStatus.BOOKED, promotion_told_at__isnull=True,
    ).update(promotion_told_at=now)
    if not claimed:
        return False
    session = booking.session
    try:
        _message(booking, subject=f"You have a place: {session_title(session)} on "
                 f"{_when(booking)}", template="session_promoted",
                 context=_context(booking), method=REQUEST).send()
    except Exception:
        Booking.objects.filter(pk=booking.pk, promotion_told_at=now).update(
            promotion_told_at=None)
        raise
    # The invitation it carried is the one for this sequence: an update already on its
    # way with the same sequence need not send it again.
    cache.add(f"session-notice:{booking.pk}:invitation:{session.sequence}", 1, CLAIM_SECONDS)
    return True


def session_update_notify(*, session_id: int) -> int:
    """Send the updated invitation (REQUEST, with the session's raised sequence) to
    everyone with a place, after something a calendar shows changed (times, venue,
    link). Once per person per sequence; returns how many were sent."""
    session = TrainingSession.objects.filter(pk=session_id).first()
    if session is None or session.is_cancelled:
        return 0
    bookings = _bookings().filter(_may_email_q(), session=session,
                                  status=BookingStatus.BOOKED).order_by("pk")
    sent = 0
    with get_connection() as connection:
        for booking in bookings:
            with _claimed(f"{booking.pk}:invitation:{session.sequence}") as claimed:
                if claimed:
                    message = _message(
                        booking, subject=f"Changed: {session_title(session)} on "
                        f"{_when(booking)}", template="session_updated",
                        context=_context(booking), method=REQUEST)
                    message.connection = connection
                    message.send()
                    sent += 1
    logger.info("session %s update (sequence %s) sent to %s", session_id, session.sequence,
                sent)
    return sent


def session_may_cancel(*, user: User, session: TrainingSession) -> bool:
    """The session's trainer, the course's trainers and academy admins may cancel it."""
    from learners.scoping import trainer_courses

    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or session.trainer_id == user.pk:
        return True
    return trainer_courses(user).filter(pk=session.course_id).exists()


@transaction.atomic
def session_cancel(*, session: TrainingSession, reason: str, by: User) -> TrainingSession:
    """Cancel the whole session, under its row lock: record when and why, raise its
    sequence (so calendars apply the cancellation), and cancel every open booking, places
    and waiting list alike, so no one is moved into a place. Everyone booked or waiting
    is emailed after the commit (those with a place get the calendar cancellation).
    Refused (ValidationError) without a reason or once the session has started;
    PermissionDenied for anyone but its trainers and admins. Cancelling again changes
    nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the session is cancelled"})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": f"The reason must be {REASON_MAX} characters or fewer"})
    if not session_may_cancel(user=by, session=session):
        raise PermissionDenied("Only the session's trainers and academy admins can cancel it")
    locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if locked.is_cancelled:
        return locked
    now = timezone.now()
    if locked.starts_at <= now:
        raise ValidationError(
            {"reason": "This session has started, so it can no longer be cancelled"})
    locked.cancelled_at = now
    locked.cancelled_reason = reason
    locked.sequence += 1
    locked.save(update_fields=["cancelled_at", "cancelled_reason", "sequence", "updated_at"])
    open_bookings = Booking.objects.filter(session=locked).exclude(
        status=BookingStatus.CANCELLED)
    booking_ids = list(open_bookings.order_by("pk").values_list("pk", flat=True))
    open_bookings.update(status=BookingStatus.CANCELLED, cancelled_at=now,
                         cancel_reason=f"The session was cancelled: {reason}")
    from learners.tasks import session_notice_send as task

    for booking_id in booking_ids:
        enqueue_on_commit(task, booking_id, CANCELLED)
    logger.info("session %s cancelled by user %s: %s bookings cancelled", locked.pk, by.pk,
                len(booking_ids))
    return locked


def session_reminders_send(*, now=None) -> dict[str, int]:
    """Email everyone with a place a reminder a week before their session and another a
    day before, each once per booking: claimed by a conditional UPDATE of
    week_reminder_sent_at / day_reminder_sent_at, so beat running twice, or two workers
    at once, never sends one twice. The week reminder goes while the session is 1 to 7
    days away, and only to people who booked at least a week ahead; the day reminder in
    the last day before it, to people who booked at least a day ahead (a late booker has
    just had the invitation). Returns how many of each were sent."""
    now = now or timezone.now()
    due = Booking.objects.filter(
        _may_email_q(), status=BookingStatus.BOOKED, session__cancelled_at__isnull=True,
    )
    week = due.filter(
        week_reminder_sent_at__isnull=True, session__starts_at__gt=now + DAY,
        session__starts_at__lte=now + WEEK,
        booked_at__lte=_start_minus(WEEK),
    )
    day = due.filter(
        day_reminder_sent_at__isnull=True, session__starts_at__gt=now,
        session__starts_at__lte=now + DAY, booked_at__lte=_start_minus(DAY),
    )
    counts = {"week": 0, "day": 0}
    with get_connection() as connection:
        for kind, field, queryset in (("week", "week_reminder_sent_at", week),
                                      ("day", "day_reminder_sent_at", day)):
            for booking_id in list(queryset.values_list("pk", flat=True)):
                if _reminder_send(booking_id, kind=kind, field=field, now=now,
                                  connection=connection):
                    counts[kind] += 1
    if counts["week"] or counts["day"]:
        logger.info("session reminders sent: %s", counts)
    return counts


def session_promotions_reconcile(*, now=None) -> int:
    """Periodic (with the reminders): enqueue the "you have a place" email again for
    anyone promoted from the waiting list more than ten minutes ago who has not been
    told (a lost message, or a send that failed), while the session is still to come.
    The notice claims promotion_told_at, so this never tells anyone twice. Returns how
    many were enqueued."""
    from learners.enqueue import enqueue
    from learners.tasks import session_notice_send as task

    now = now or timezone.now()
    untold = list(Booking.objects.filter(
        _may_email_q(), status=BookingStatus.BOOKED, promoted_at__isnull=False,
        promoted_at__lte=now - timedelta(minutes=10), promotion_told_at__isnull=True,
        session__cancelled_at__isnull=True, session__starts_at__gt=now,
    ).values_list("pk", flat=True))
    for booking_id in untold:
        enqueue(task, booking_id, PROMOTED)
    return len(untold)


def _start_minus(delta: timedelta):
    return F("session__starts_at") - delta


def _reminder_send(booking_id: int, *, kind: str, field: str, now, connection) -> bool:
    claimed = Booking.objects.filter(
        pk=booking_id, status=BookingStatus.BOOKED, **{f"{field}__isnull": True},
    ).update(**{field: now})
    if not claimed:
        return False
    booking = _bookings().get(pk=booking_id)
    session = booking.session
    subject = (f"Next week: {session_title(session)} on {_when(booking)}" if kind == "week"
               else f"Tomorrow: {session_title(session)}")
    try:
        message = _message(booking, subject=subject, template="session_reminder",
                           context=_context(booking, kind=kind, is_today=(
                               timezone.localdate(session.starts_at) == timezone.localdate(now))))
        message.connection = connection
        message.send()
    except Exception:
        Booking.objects.filter(pk=booking_id, **{field: now}).update(**{field: None})
        raise
    return True


def session_booking_counts(*, session: TrainingSession) -> dict[str, int]:
    """How many people have a place on the session, and how many wait (one query)."""
    return Booking.objects.filter(session=session).aggregate(
        booked=Count("pk", filter=Q(status=BookingStatus.BOOKED)),
        waiting=Count("pk", filter=Q(status=BookingStatus.WAITING)))
