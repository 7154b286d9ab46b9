"""Instructor-led sessions for the demo academy: three upcoming sessions taught by the
demo trainer, at times relative to today (so the demo never goes stale).

- Agile foundations, in person at a government hub: one place left.
- Scrum in government, online: plenty of places; the demo learner has one.
- User research for non-researchers, in person: full, with two people waiting.

Skipped once any session exists (idempotent, like the rest of the demo)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from courses.models import CoursePage
from learners.models import SessionMode, TrainingSession
from learners.services.sessions import session_book

LONDON = ZoneInfo("Europe/London")

BIRMINGHAM_HUB = {
    "venue_name": "Birmingham Government Hub, room 4.12",
    "venue_address": "23 Stephenson Street\nBirmingham\nB2 4BJ",
    "venue_accessibility": (
        "Step-free access from the main entrance on Stephenson Street; lifts to every "
        "floor. Hearing loop in room 4.12. Accessible toilets on each floor. A quiet room "
        "is on the 4th floor. Blue Badge parking can be arranged with 2 days' notice. "
        "New Street station is a 3-minute walk."
    ),
}
DARLINGTON_CAMPUS = {
    "venue_name": "Darlington Economic Campus, Feethams House, training room 2",
    "venue_address": "Feethams House\nFeethams\nDarlington\nDL1 5QA",
    "venue_accessibility": (
        "Level access from Feethams; automatic doors and lifts. Hearing loop available on "
        "request. Accessible toilets on the ground and first floors. Seating with arms "
        "and a height-adjustable desk in the room."
    ),
}


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    """`days` from today at this time in London (BST or GMT as it falls)."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def demo_sessions_load() -> list[TrainingSession]:
    """Create the demo sessions and their bookings; returns the sessions created."""
    if TrainingSession.objects.exists():
        return []
    User = get_user_model()
    trainer = User.objects.get(email="trainer@example.gov.uk")
    courses = {c.title: c for c in CoursePage.objects.live()}
    people = list(User.objects.filter(email__endswith="@demo.example.gov.uk").order_by("pk"))
    learner = User.objects.get(email="learner@example.gov.uk")

    nearly_full = TrainingSession.objects.create(
        course=courses["Agile foundations"], mode=SessionMode.IN_PERSON,
        starts_at=_at(10, 10), ends_at=_at(10, 16), trainer=trainer, capacity=12, minimum=6,
        cancel_cutoff_hours=48, **BIRMINGHAM_HUB,
    )
    online = TrainingSession.objects.create(
        course=courses["Scrum in government"], mode=SessionMode.ONLINE,
        joining_link="https://meet.example.gov.uk/academy/scrum-in-government-live",
        starts_at=_at(17, 9, 30), ends_at=_at(17, 12, 30), trainer=trainer, capacity=20,
        minimum=5, cancel_cutoff_hours=24,
    )
    full = TrainingSession.objects.create(
        course=courses["User research for non-researchers"], mode=SessionMode.IN_PERSON,
        starts_at=_at(24, 10), ends_at=_at(24, 15, 30), trainer=trainer, capacity=6,
        minimum=4, cancel_cutoff_hours=72, **DARLINGTON_CAMPUS,
    )
    for person in people[:11]:
        session_book(session=nearly_full, user=person)
    for person in people[11:15]:
        session_book(session=online, user=person)
    session_book(session=online, user=learner,
                 adjustments="I use a screen reader: please share slides before the session.")
    for person in people[15:23]:  # 6 places, then 2 on the waiting list
        session_book(session=full, user=person)
    return [nearly_full, online, full]
