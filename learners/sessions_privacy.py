"""Instructor-led sessions in the learner's data export and in erasure, as a provider
(learners.privacy): the person's bookings (with the reasonable adjustments they asked
for, why they cancelled, and whether they attended), and the sessions they teach."""

from learners.models import Booking, TrainingSession, User
from learners.privacy import PrivacyProvider
from learners.privacy_tables import ANONYMISED, Handling

ERASED_TEXT = ""


def _iso(value):
    return value.isoformat() if value else None


def sessions_data_export(user: User) -> dict:
    """Their bookings, every one (cancelled ones too), with their adjustments and the
    register's mark; the sessions they teach."""
    bookings = (Booking.objects.filter(user=user)
                .select_related("session__course", "session__module")
                .order_by("session__starts_at", "pk"))
    taught = (TrainingSession.objects.filter(trainer=user).select_related("course", "module")
              .order_by("starts_at", "pk"))
    return {
        "session_bookings": [{
            "course": b.session.course.title,
            "module": b.session.module.title if b.session.module else None,
            "session_starts_at": _iso(b.session.starts_at), "mode": b.session.mode,
            "status": b.get_status_display(), "requested_at": _iso(b.requested_at),
            "booked_at": _iso(b.booked_at), "cancelled_at": _iso(b.cancelled_at),
            "cancel_reason": b.cancel_reason or None,
            "reasonable_adjustments": b.adjustments or None,
            "attended": b.attended, "attendance_recorded_at": _iso(b.attendance_recorded_at),
        } for b in bookings],
        "sessions_you_teach": [{
            "course": s.course.title, "module": s.module.title if s.module else None,
            "starts_at": _iso(s.starts_at), "ends_at": _iso(s.ends_at),
            "cancelled_at": _iso(s.cancelled_at),
        } for s in taught],
    }


def sessions_data_erase(user: User) -> None:
    """What they wrote on their bookings (reasonable adjustments, which can be about
    their health, and why they cancelled) is erased; the bookings stay, pointing at the
    pseudonymised account, so a session's numbers and the attendance figures still
    count. Sessions they taught stay, pointing at the pseudonymised account."""
    Booking.objects.filter(user=user).update(adjustments=ERASED_TEXT,
                                             cancel_reason=ERASED_TEXT)


COVERAGE = {
    "learners.Booking": (
        "exported (every booking: status, reasonable adjustments, cancel reason, attendance)",
        "adjustments and cancel reason erased; kept for the session's numbers; "
        "marks they recorded as a trainer kept, pointing at the pseudonymised account"),
    "learners.TrainingSession": (
        "exported (the sessions you teach)",
        "kept: the session happened; points at the pseudonymised trainer"),
}
TABLES: dict[str, Handling] = {
    "learners.Booking": Handling(ANONYMISED, "adjustments and cancel reason erased; "
                                 "the person's name replaced in others' texts",
                                 ("adjustments", "cancel_reason")),
    "learners.TrainingSession": Handling(ANONYMISED, "the trainer's name replaced in the "
                                         "cancellation reason; kept for the record",
                                         ("cancelled_reason",)),
}
PROVIDER = PrivacyProvider(app_label="learners.sessions", coverage=COVERAGE, tables=TABLES,
                           export=sessions_data_export, erase=sessions_data_erase)
