"""The register of an instructor-led session: who attended and who did not.

The trainer records the fact in the request (the bookings' `attended`, when and by
whom); attending completes the session's module through the same progress recompute as
lessons (services.progress), enqueued after commit for each learner whose mark changed,
so correcting the register (attended to did not attend, or back) recomputes too."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from learners.enqueue import enqueue_on_commit
from learners.models import Booking, BookingStatus, Enrolment, TrainingSession, User
from learners.services.xapi import xapi_sessions_attended


class RegisterRefused(Exception):
    """The register cannot be taken or changed; nothing was recorded."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RegisterOutcome:
    attended: int
    did_not_attend: int
    unmarked: int
    changed: int


def session_register_may_take(*, session: TrainingSession, user: User) -> bool:
    """The session's own trainer and academy admins take the register (and so see the
    reasonable adjustments on it). Other trainers of the course do not."""
    return bool(user.is_authenticated and user.is_active
                and (user.is_superuser or session.trainer_id == user.pk))


def session_register_opens_on(*, session: TrainingSession):
    """The first day the register can be taken: the session's start day, in London."""
    return timezone.localdate(session.starts_at)


def session_register_bookings(*, session: TrainingSession):
    """The people with a place on the session, by name, with their organisation."""
    return (Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
            .select_related("user", "user__organisation")
            .order_by("user__last_name", "user__first_name", "pk"))


def session_register_record(*, session: TrainingSession, marks: dict[int, bool | None],
                            by: User) -> RegisterOutcome:
    """Record the register: `marks` is booking id -> True (attended), False (did not
    attend) or None (not marked). Only the session's trainer or an academy admin, only
    for people with a place (BOOKED) on this session, only from the session's start day
    (London date) and not for a cancelled session; otherwise RegisterRefused and nothing
    is recorded. Writes only the marks that changed, and enqueues the progress recompute
    of the current enrolment on the course of each person whose mark changed."""
    if not session_register_may_take(session=session, user=by):
        raise RegisterRefused("Only the session's trainer or an academy admin can take "
                              "its register.")
    if session.is_cancelled:
        raise RegisterRefused("This session was cancelled, so it has no register.")
    opens_on = session_register_opens_on(session=session)
    if timezone.localdate() < opens_on:
        raise RegisterRefused(
            f"You can take the register from the day of the session, "
            f"{date_format(opens_on, 'j F Y')}.")
    from learners.tasks import enrolment_progress_recompute as recompute

    now = timezone.now()
    with transaction.atomic():
        booked = {booking.pk: booking for booking in
                  Booking.objects.select_for_update().filter(
                      session=session, status=BookingStatus.BOOKED)}
        unknown = [booking_id for booking_id in marks if booking_id not in booked]
        if unknown:
            raise RegisterRefused("Someone on the register no longer has a place on this "
                                  "session. Reload the page and try again.")
        changed = []
        for booking_id, mark in marks.items():
            booking = booked[booking_id]
            if booking.attended is mark:
                continue
            booking.attended = mark
            booking.attendance_recorded_at = None if mark is None else now
            booking.attendance_recorded_by = None if mark is None else by
            changed.append(booking)
        Booking.objects.bulk_update(
            changed, ["attended", "attendance_recorded_at", "attendance_recorded_by"])
        current: dict[int, tuple[int, int]] = {}  # user -> (cycle, enrolment id)
        for enrolment_id, user_id, cycle in Enrolment.objects.filter(
            course_id=session.course_id, user_id__in={b.user_id for b in changed},
        ).values_list("pk", "user_id", "cycle"):
            if user_id not in current or cycle > current[user_id][0]:
                current[user_id] = (cycle, enrolment_id)
        for _, enrolment_id in sorted(current.values(), key=lambda pair: pair[1]):
            enqueue_on_commit(recompute, enrolment_id)
        xapi_sessions_attended(session=session, bookings=changed, enrolment_ids={
            user_id: enrolment_id for user_id, (_, enrolment_id) in current.items()})
    marked = [booking.attended for booking in booked.values()]
    return RegisterOutcome(attended=marked.count(True), did_not_attend=marked.count(False),
                           unmarked=marked.count(None), changed=len(changed))
