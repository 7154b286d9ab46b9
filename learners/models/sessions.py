"""Instructor-led sessions: a course, or a module of one, taught to a group in a room or
a call, and the people booked on it.

The booking is the fact. Places are handed out under a lock on the session row
(learners.services.sessions), so the number booked never exceeds the capacity and the
waiting list keeps its order however many people book or cancel at once."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class SessionMode(models.TextChoices):
    IN_PERSON = "in person", "In person"
    ONLINE = "online", "Online"


class TrainingSession(models.Model):
    """One sitting of a course, or of one module of it, with a trainer, a start and an
    end, a capacity and a minimum number of people for it to go ahead."""

    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT,
                               related_name="training_sessions")
    # Empty: the session teaches the whole course; otherwise this module of it.
    module = models.ForeignKey("courses.ModulePage", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="training_sessions")
    mode = models.CharField(max_length=20, choices=SessionMode.choices,
                            default=SessionMode.IN_PERSON)
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    venue_accessibility = models.TextField(
        "accessibility of the venue", blank=True,
        help_text="Step-free access, hearing loop, accessible toilets, quiet room, parking.",
    )
    # Shown only to people with a place (and the trainer and admins).
    joining_link = models.URLField(max_length=500, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="sessions_taught")
    capacity = models.PositiveSmallIntegerField(help_text="The most people who can attend.")
    minimum = models.PositiveSmallIntegerField(
        "minimum number", default=0,
        help_text="The fewest people for the session to go ahead.",
    )
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        "cancellation cut-off (hours)", default=48,
        help_text="Learners can cancel their place up to this many hours before the start.",
    )
    # The iCalendar SEQUENCE: raised each time something a calendar shows changes, so
    # calendar programs apply the update (and the cancellation) over the earlier one.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_has_places"),
            models.CheckConstraint(condition=Q(minimum__lte=F("capacity")),
                                   name="session_minimum_within_capacity"),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancelled_reason=""),
                name="session_cancellation_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="session_starts_idx")]

    def __str__(self) -> str:
        return f"session {self.pk} of course {self.course_id} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def ical_uid(self) -> str:
        """Stable for the life of the session, so every update and the cancellation
        replace the same event in people's calendars."""
        host = urlsplit(settings.ACADEMY_BASE_URL).hostname or "academy.invalid"
        return f"training-session-{self.pk}@{host}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class Booking(models.Model):
    """One person's place on, or place in the queue for, one session. A cancelled
    booking is kept (with its reason); booking again makes a new row. At most one
    booking per person per session is not cancelled (by constraint).

    The waiting list is the session's WAITING bookings in `pk` order: rows are
    created under the session's lock, so `pk` order is the order people asked."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT,
                                related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="session_bookings")
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    requested_at = models.DateTimeField(auto_now_add=True)
    # When the person got a place: at once, or when promoted from the waiting list.
    booked_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    # Set once the person has been told they have a place from the waiting list, in
    # the same conditional UPDATE that claims the message, so they are told once.
    promotion_told_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # Reasonable adjustments the person asked for: readable only by the session's
    # trainer and academy admins; in the person's privacy export; erased with them.
    adjustments = models.TextField("reasonable adjustments", blank=True)
    # The register: None until the trainer records it, then attended or not.
    attended = models.BooleanField(null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Reminders, each claimed by a conditional UPDATE so beat never sends one twice.
    week_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    day_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], condition=~Q(status="cancelled"),
                name="one_open_booking_per_session",
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="booking_cancelled_when_cancelled",
            ),
            models.CheckConstraint(
                condition=Q(attended__isnull=True) | Q(status="booked"),
                name="booking_attendance_only_when_booked",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"], name="booking_session_status_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} on session {self.session_id} ({self.status})"
