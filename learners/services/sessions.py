"""Booking places on instructor-led sessions, cancelling them, and the waiting list.

The rules, each enforced here and nowhere else:
- Every write locks the session's row first (SELECT ... FOR UPDATE), so bookings,
  cancellations and promotions on one session happen one at a time: the number booked
  never exceeds the capacity, and the waiting list (WAITING bookings in pk order) is in
  the order people asked.
- A person has at most one open booking per session (also a unique constraint): booking
  again returns the one they have.
- Someone on the waiting list is never overtaken: while anyone waits, a newcomer joins
  the end of the list, even if a place has just freed (the promotion gives it to the
  head of the list).
- Promotion is derived from the database (free places, people waiting), so running it
  twice, or twice at once, promotes no one extra.
- Booking enrols the person on the course, under the same rule as enrolling: an account
  that does not count as a learner cannot book.

What happens next (emails, calendar invitations) is sent by tasks after the commit
(learners.tasks.session_notice_send, events NOTICE_*)."""

import copy
import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.cache import course_page_version, course_tree_version
from courses.models import CoursePage
from learners.enqueue import enqueue_on_commit
from learners.models import Booking, BookingStatus, TrainingSession, User
from learners.services.enrolments import EnrolmentRefused, enrolment_create

logger = logging.getLogger(__name__)

# The events a booking's notice is sent for (h2's learners.services.session_notices).
NOTICE_BOOKED = "booked"
NOTICE_WAITING = "waiting"
NOTICE_PROMOTED = "promoted"
NOTICE_CANCELLED = "cancelled"


class BookingRefused(Exception):
    """The person may not book this session; `message` says why, in words for them."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CancellationRefused(BookingRefused):
    """The booking may not be cancelled (too late, or no reason); `message` says why and
    what to do instead."""


def _notice(booking: Booking, event: str) -> None:
    from learners.tasks import session_notice_send

    enqueue_on_commit(session_notice_send, booking.pk, event)


def _session_locked(session_id: int) -> TrainingSession:
    """The session, its row locked until the transaction ends: the one lock every write
    on its bookings takes, so they queue up behind each other."""
    return TrainingSession.objects.select_for_update(of=("self",)).get(pk=session_id)


def _booked_count(session: TrainingSession) -> int:
    return Booking.objects.filter(session=session, status=BookingStatus.BOOKED).count()


def session_bookable_refusal(*, session: TrainingSession, now=None) -> str | None:
    """Why the session cannot be booked now (cancelled, started), or None."""
    now = now or timezone.now()
    if session.is_cancelled:
        return "This session has been cancelled, so it cannot be booked."
    if session.starts_at <= now:
        return "This session has already started, so it can no longer be booked."
    return None


def session_cancel_cutoff(*, session: TrainingSession):
    """The last moment a learner can cancel their place themselves."""
    return session.starts_at - timedelta(hours=session.cancel_cutoff_hours)


def _promote(session: TrainingSession, *, now) -> list[Booking]:
    """Give every free place to the head of the waiting list. The caller holds the
    session's lock."""
    if session.is_cancelled or session.starts_at <= now:
        return []
    free = session.capacity - _booked_count(session)
    if free <= 0:
        return []
    promoted = list(Booking.objects.filter(session=session, status=BookingStatus.WAITING)
                    .order_by("pk")[:free])
    for booking in promoted:
        booking.status = BookingStatus.BOOKED
        booking.booked_at = booking.promoted_at = now
        booking.save(update_fields=["status", "booked_at", "promoted_at"])
        _notice(booking, NOTICE_PROMOTED)
        logger.info("promoted booking=%s session=%s", booking.pk, session.pk)
    return promoted


@transaction.atomic
def session_book(*, session: TrainingSession, user: User,
                 adjustments: str = "") -> tuple[Booking, bool]:
    """Book the user a place on the session, or, if it is full (or people are already
    waiting), a place on its waiting list; returns (booking, created). Someone who
    already has an open booking gets it back unchanged. Enrols them on the course if
    they are not enrolled. Refused (BookingRefused) for a cancelled or started session
    and for an account that cannot enrol."""
    session = _session_locked(session.pk)
    now = timezone.now()
    refusal = session_bookable_refusal(session=session, now=now)
    existing = (Booking.objects.filter(session=session, user=user)
                .exclude(status=BookingStatus.CANCELLED).first())
    if existing is not None:
        return existing, False
    if refusal:
        raise BookingRefused(refusal)
    try:
        enrolment_create(user=user, course=session.course)
    except EnrolmentRefused as refused:
        if user.email_verified_at is None:
            raise BookingRefused(f"Confirm your email address before you book a place: we "
                                 f"sent a link to {user.email}") from refused
        raise BookingRefused("Your account cannot book places on sessions. Contact your "
                             "academy team.") from refused
    # A place freed but not yet handed on goes to the head of the list first.
    _promote(session, now=now)
    has_place = (_booked_count(session) < session.capacity and not Booking.objects.filter(
        session=session, status=BookingStatus.WAITING).exists())
    booking = Booking.objects.create(
        session=session, user=user, adjustments=adjustments.strip(),
        status=BookingStatus.BOOKED if has_place else BookingStatus.WAITING,
        booked_at=now if has_place else None,
    )
    _notice(booking, NOTICE_BOOKED if has_place else NOTICE_WAITING)
    logger.info("booking=%s session=%s user=%s status=%s", booking.pk, session.pk, user.pk,
                booking.status)
    return booking, True


def booking_may_cancel_late(*, booking: Booking, by: User) -> bool:
    """The session's trainer and academy admins may cancel someone's place after the
    cut-off; the learner may not."""
    return by.is_superuser or by.pk == booking.session.trainer_id


def booking_cancel_allowed_now(*, booking: Booking, by: User, now=None) -> bool:
    """Whether `by` may cancel the booking now: a place up to the session's cut-off
    (later only the trainer or an admin), a place on the waiting list until the start."""
    now = now or timezone.now()
    session = booking.session
    if booking.status == BookingStatus.WAITING:
        late = now >= session.starts_at
    else:
        late = now >= session_cancel_cutoff(session=session)
    return not late or booking_may_cancel_late(booking=booking, by=by)


@transaction.atomic
def booking_cancel(*, booking: Booking, reason: str, by: User) -> Booking:
    """Cancel a place, or leave the waiting list, with a reason. A learner cannot cancel
    a place after the session's cut-off (CancellationRefused says why and whom to
    contact); leaving the waiting list is allowed until the session starts. A freed
    place goes to the head of the waiting list by a task after the commit. Cancelling a
    cancelled booking changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise CancellationRefused("Enter a reason for cancelling")
    session = _session_locked(booking.session_id)
    booking = Booking.objects.select_related("session__trainer").get(pk=booking.pk)
    if booking.status == BookingStatus.CANCELLED:
        return booking
    now = timezone.now()
    if not booking_cancel_allowed_now(booking=booking, by=by, now=now):
        raise CancellationRefused(booking_cancel_refusal_message(session=booking.session))
    was_booked = booking.status == BookingStatus.BOOKED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancel_reason = reason
    booking.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    _notice(booking, NOTICE_CANCELLED)
    if was_booked:
        from learners.tasks import session_waitlist_promote as task

        enqueue_on_commit(task, session.pk)
    logger.info("cancelled booking=%s session=%s by=%s", booking.pk, session.pk, by.pk)
    return booking


def booking_cancel_refusal_message(*, session: TrainingSession) -> str:
    """Why a learner cannot cancel their place now, and whom to ask instead."""
    trainer = session.trainer
    hours = session.cancel_cutoff_hours
    return (f"You cannot cancel your place online less than {hours} hour{'s' if hours != 1 else ''}"
            f" before the session starts. Contact the trainer, {trainer.get_full_name()}, at "
            f"{trainer.email} if you cannot attend.")


@transaction.atomic
def session_waitlist_promote(*, session_id: int) -> list[Booking]:
    """Give every free place on the session to the people at the head of its waiting
    list, in order, and tell each of them (after the commit). Derived from the
    database under the session's lock: a second run, or one at the same time, finds
    no free place and promotes no one. Returns the bookings promoted."""
    session = _session_locked(session_id)
    return _promote(session, now=timezone.now())


def sessions_waitlist_reconcile() -> int:
    """Periodic (celery beat): enqueue the promotion for every upcoming session with a
    free place and someone waiting (a promotion whose task was lost). Returns how many
    were enqueued."""
    from learners.enqueue import enqueue
    from learners.tasks import session_waitlist_promote as task

    sessions = (TrainingSession.objects
                .filter(cancelled_at__isnull=True, starts_at__gt=timezone.now())
                .annotate(booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)),
                          waiting=Count("bookings",
                                        filter=Q(bookings__status=BookingStatus.WAITING)))
                .filter(waiting__gt=0))
    due = [s.pk for s in sessions if s.booked < s.capacity]
    for session_id in due:
        enqueue(task, session_id)
    return len(due)


# What a learner's calendar shows of a session: a change to any of these is sent to
# the people booked as an update (the iCalendar SEQUENCE goes up).
CALENDAR_FIELDS = frozenset({"mode", "venue_name", "venue_address", "venue_accessibility",
                             "joining_link", "starts_at", "ends_at"})


@transaction.atomic
def training_session_save(*, session: TrainingSession,
                          changed: set[str] | frozenset[str] = frozenset()) -> TrainingSession:
    """Save a session created or edited by a trainer or an admin (the Wagtail admin's
    form). An edit to what a calendar shows raises its `sequence` and sends everyone
    booked the update after the commit; more places go to the waiting list."""
    if session.pk is None:
        session.save()
        logger.info("session created session=%s course=%s", session.pk, session.course_id)
        return session
    locked = _session_locked(session.pk)
    # A cancellation is not the form's to change (nor to undo with a stale copy).
    session.cancelled_at, session.cancelled_reason = locked.cancelled_at, locked.cancelled_reason
    calendar_changed = bool(CALENDAR_FIELDS & set(changed))
    if calendar_changed:
        session.sequence = locked.sequence + 1
    else:
        session.sequence = locked.sequence
    session.save()
    if calendar_changed:
        from learners.tasks import session_update_notify

        enqueue_on_commit(session_update_notify, session.pk)
    if "capacity" in changed and session.capacity > locked.capacity:
        from learners.tasks import session_waitlist_promote as task

        enqueue_on_commit(task, session.pk)
    logger.info("session saved session=%s changed=%s", session.pk, sorted(changed))
    return session


def session_booked_count(*, session: TrainingSession) -> int:
    """How many people have a place."""
    return _booked_count(session)


# --- Selectors ---------------------------------------------------------------------

def sessions_annotate_places(queryset: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    """Each session with `booked_count` and `waiting_count`, in the same query."""
    return queryset.annotate(
        booked_count=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)),
        waiting_count=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)),
    )


def session_places_left(*, session: TrainingSession) -> int:
    """How many places are free (0 when full). Uses `booked_count` when annotated."""
    booked = getattr(session, "booked_count", None)
    if booked is None:
        booked = _booked_count(session)
    return max(session.capacity - booked, 0)


def sessions_upcoming_for_course(*, course: CoursePage) -> QuerySet[TrainingSession]:
    """The course's sessions not yet started and not cancelled, soonest first, with
    their trainer, module and counts of people booked and waiting: one query."""
    return sessions_annotate_places(
        TrainingSession.objects.filter(course=course, cancelled_at__isnull=True,
                                       starts_at__gt=timezone.now())
        .select_related("trainer", "module")
    ).order_by("starts_at", "pk")


# The course page's sessions, kept per course under the course tree version (a module
# renamed) and the course page version (courses.cache: any session or booking written,
# a trainer renamed), in this process as well as in the cache.
COURSE_SESSIONS_SECONDS = 24 * 60 * 60
_course_sessions_kept: dict[tuple[str, str], dict[int, tuple[TrainingSession, ...]]] = {}
_KEPT_MAX = 1000


def course_sessions_upcoming(*, course: CoursePage, now=None) -> list[TrainingSession]:
    """sessions_upcoming_for_course as the course page shows it, each with
    `places_left` (0 while anyone waits: a freed place is theirs). Each call has its own
    copies. Sessions that have started since they were kept are left out here, so what
    is kept needs no expiry by time."""
    now = now or timezone.now()
    tree, page = course_tree_version(), course_page_version()
    if tree is None or page is None or course.pk is None:
        sessions = _course_sessions_build(course=course)
    else:
        kept = _course_sessions_kept.get((tree, page))
        if kept is None:
            _course_sessions_kept.clear()
            kept = _course_sessions_kept.setdefault((tree, page), {})
        sessions = kept.get(course.pk)
        if sessions is None:
            key = f"learners:course-sessions:{tree}:{page}:{course.pk}"
            sessions = cache.get(key)
            if sessions is None:
                sessions = _course_sessions_build(course=course)
                cache.set(key, sessions, timeout=COURSE_SESSIONS_SECONDS)
            if len(kept) < _KEPT_MAX:
                kept[course.pk] = sessions
    return [copy.copy(session) for session in sessions if session.starts_at > now]


def _course_sessions_build(*, course: CoursePage) -> tuple[TrainingSession, ...]:
    sessions = tuple(sessions_upcoming_for_course(course=course).only(
        *(f.attname for f in TrainingSession._meta.concrete_fields),
        "trainer__first_name", "trainer__last_name", "trainer__email",
        "module__title"))
    for session in sessions:
        session.places_left = (0 if session.waiting_count
                               else session_places_left(session=session))
    return sessions


def session_get_for_learner(*, session_id: int) -> TrainingSession:
    """A session as its page shows it (course, module, trainer, counts); raises
    TrainingSession.DoesNotExist. Sessions of unpublished courses are not found."""
    return sessions_annotate_places(
        TrainingSession.objects.select_related("course", "module", "trainer")
        .filter(course__live=True)
    ).get(pk=session_id)


def booking_open_for(*, session: TrainingSession, user: User) -> Booking | None:
    """The user's booking on the session that is not cancelled, or None."""
    if not user.is_authenticated:
        return None
    mine = (Booking.objects.filter(session=session, user=user)
            .exclude(status=BookingStatus.CANCELLED).first())
    if mine is not None:
        mine.session = session
    return mine


def booking_waiting_position(*, booking: Booking) -> int | None:
    """1 for the head of the waiting list; None when not waiting."""
    if booking.status != BookingStatus.WAITING:
        return None
    return Booking.objects.filter(session_id=booking.session_id, status=BookingStatus.WAITING,
                                  pk__lte=booking.pk).count()


def bookings_open(*, user: User, upcoming: bool = True) -> QuerySet[Booking]:
    """The user's open bookings (booked or waiting); only on sessions not yet ended when
    `upcoming`. Unordered, nothing joined: for a count or an Exists."""
    queryset = Booking.objects.filter(user=user).exclude(status=BookingStatus.CANCELLED)
    if upcoming:
        queryset = queryset.filter(session__ends_at__gt=timezone.now())
    return queryset


# What My learning shows of a booking and its session.
BOOKING_LIST_FIELDS = (
    "status", "session__id", "session__mode", "session__venue_name", "session__starts_at",
    "session__ends_at", "session__cancelled_at", "session__course__title",
    "session__module__title",
)


def bookings_for_user(*, user: User, upcoming: bool = True) -> QuerySet[Booking]:
    """The user's open bookings (bookings_open), soonest first, with what My learning
    shows of the session and the titles of its course and module. Each has
    `waiting_position` (meaningful only when waiting): one query in all."""
    ahead = (Booking.objects.filter(session_id=OuterRef("session_id"),
                                    status=BookingStatus.WAITING, pk__lte=OuterRef("pk"))
             .order_by().values("session_id").annotate(n=Count("pk")).values("n"))
    return (bookings_open(user=user, upcoming=upcoming)
            .select_related("session__course", "session__module")
            .only(*BOOKING_LIST_FIELDS)
            .annotate(waiting_position=Coalesce(Subquery(ahead), 0))
            .order_by("session__starts_at", "pk"))
