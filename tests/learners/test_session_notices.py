"""Emails about sessions: what each says and carries, each sent once however often its
task runs, reminders a week and a day before, a trainer cancelling a whole session, and
nothing ever to an erased person."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from learners.models import Booking, BookingStatus, SessionMode
from learners.privacy import learner_erase
from learners.services.session_notices import (
    session_cancel,
    session_notice_send,
    session_reminders_send,
    session_update_notify,
)
from learners.tasks import session_notice_send as session_notice_task
from tests.celery_worker import real_worker, wait_for
from tests.conftest import _member_of
from tests.factories import UserFactory, course_with_lessons
from tests.learners.session_factories import BookingFactory, TrainingSessionFactory

LINK = "https://meet.example.gov.uk/j/987-654"


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=1, title="Running a retro")


@pytest.fixture
def trainer(course):
    person = _member_of("Trainers", "tess.trainer@example.gov.uk")
    course.trainers.add(person)
    course.save()
    return person


@pytest.fixture
def session(course, trainer):
    return TrainingSessionFactory(course=course, trainer=trainer, capacity=2)


def person(first, last):
    return UserFactory(email=f"{first.lower()}.{last.lower()}@example.gov.uk",
                       first_name=first, last_name=last)


def calendar_part(message):
    """The text/calendar attachment of a sent email: (its Content-Type header, the
    parsed calendar), or None."""
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            return part["Content-Type"], Calendar.from_ical(part.get_payload(decode=True))
    return None


# --- One person's notices -------------------------------------------------------------


def test_a_booked_place_brings_the_invitation_once(session):
    booking = BookingFactory(session=session, user=person("Amara", "Osei"))

    assert session_notice_send(booking_id=booking.pk, event="booked") is True
    assert session_notice_send(booking_id=booking.pk, event="booked") is False

    (message,) = mail.outbox
    assert message.to == ["amara.osei@example.gov.uk"]
    assert message.subject.startswith("Booked: Running a retro on ")
    assert "You have a place on this session" in message.body
    assert "Where: 102 Petty France, room 4.12, 102 Petty France, London SW1H 9AJ" in message.body
    assert f"http://testserver/learning/sessions/{session.pk}/" in message.body
    content_type, calendar = calendar_part(message)
    assert content_type.startswith("text/calendar")
    assert 'method="REQUEST"' in content_type
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.events
    assert str(event["UID"]) == session.ical_uid
    assert event["SEQUENCE"] == 0
    assert str(event["ATTENDEE"]) == "mailto:amara.osei@example.gov.uk"


def test_an_online_invitation_carries_the_joining_link(course, trainer):
    online = TrainingSessionFactory(course=course, trainer=trainer, mode=SessionMode.ONLINE,
                                    venue_name="", venue_address="", joining_link=LINK)
    booking = BookingFactory(session=online, user=person("Bea", "Online"))

    session_notice_send(booking_id=booking.pk, event="booked")

    (message,) = mail.outbox
    assert f"Joining link: {LINK}" in message.body
    _content_type, calendar = calendar_part(message)
    assert str(calendar.events[0]["URL"]) == LINK


def test_the_waiting_list_email_says_your_number_and_has_no_invitation(course, trainer):
    online = TrainingSessionFactory(course=course, trainer=trainer, mode=SessionMode.ONLINE,
                                    venue_name="", venue_address="", joining_link=LINK,
                                    capacity=1)
    BookingFactory(session=online)
    BookingFactory(session=online, status=BookingStatus.WAITING)
    second = BookingFactory(session=online, status=BookingStatus.WAITING,
                            user=person("Cai", "Waiting"))

    assert session_notice_send(booking_id=second.pk, event="waiting") is True
    session_notice_send(booking_id=second.pk, event="waiting")

    (message,) = mail.outbox
    assert message.subject.startswith("Waiting list: Running a retro on ")
    assert "You are number 2 on the list" in message.body
    assert LINK not in message.body
    assert calendar_part(message) is None


def test_promotion_is_told_once_with_the_invitation_however_often_the_task_runs(session):
    promoted = BookingFactory(session=session, user=person("Dev", "Promoted"),
                              promoted_at=timezone.now())

    session_notice_task.delay(promoted.pk, "promoted")
    session_notice_task.delay(promoted.pk, "promoted")
    # The invitation it carried is not sent again by the "booked" notice either.
    session_notice_send(booking_id=promoted.pk, event="booked")

    (message,) = mail.outbox
    assert message.subject.startswith("You have a place: Running a retro on ")
    assert "A place has come free and it is yours" in message.body
    _content_type, calendar = calendar_part(message)
    assert calendar["METHOD"] == "REQUEST"
    promoted.refresh_from_db()
    assert promoted.promotion_told_at is not None


def test_a_notice_for_a_booking_that_has_moved_on_is_not_sent(session):
    cancelled = BookingFactory(session=session, status=BookingStatus.CANCELLED)
    waiting_then_booked = BookingFactory(session=session)

    assert session_notice_send(booking_id=cancelled.pk, event="booked") is False
    assert session_notice_send(booking_id=cancelled.pk, event="promoted") is False
    assert session_notice_send(booking_id=waiting_then_booked.pk, event="waiting") is False
    assert mail.outbox == []
    with pytest.raises(ValueError, match="unknown session notice"):
        session_notice_send(booking_id=cancelled.pk, event="moved")


def test_cancelling_your_place_sends_the_calendar_cancellation(session):
    booking = BookingFactory(session=session, user=person("Eve", "Cancels"),
                             status=BookingStatus.CANCELLED, booked_at=timezone.now())

    assert session_notice_send(booking_id=booking.pk, event="cancelled") is True
    assert session_notice_send(booking_id=booking.pk, event="cancelled") is False

    (message,) = mail.outbox
    assert message.subject.startswith("Cancelled: Running a retro on ")
    assert "Your place on this session is cancelled" in message.body
    content_type, calendar = calendar_part(message)
    assert 'method="CANCEL"' in content_type
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.events
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == session.ical_uid
    assert event["SEQUENCE"] == session.sequence


def test_leaving_the_waiting_list_is_confirmed_without_a_calendar_cancellation(session):
    booking = BookingFactory(session=session, user=person("Fin", "Leaves"),
                             status=BookingStatus.CANCELLED)
    assert booking.booked_at is None

    session_notice_send(booking_id=booking.pk, event="cancelled")

    (message,) = mail.outbox
    assert "You have left the waiting list for this session" in message.body
    assert calendar_part(message) is None


def test_a_changed_session_sends_the_update_to_people_with_a_place_once(course, trainer):
    online = TrainingSessionFactory(course=course, trainer=trainer, mode=SessionMode.ONLINE,
                                    venue_name="", venue_address="", joining_link=LINK,
                                    capacity=1)
    booked = BookingFactory(session=online, user=person("Gus", "Booked"))
    BookingFactory(session=online, status=BookingStatus.WAITING, user=person("Hal", "Waits"))
    BookingFactory(session=online, status=BookingStatus.CANCELLED, user=person("Ida", "Gone"))
    session_notice_send(booking_id=booked.pk, event="booked")
    mail.outbox.clear()

    online.starts_at += timedelta(hours=1)
    online.ends_at += timedelta(hours=1)
    online.sequence += 1
    online.save()
    assert session_update_notify(session_id=online.pk) == 1
    assert session_update_notify(session_id=online.pk) == 0

    (message,) = mail.outbox
    assert message.to == ["gus.booked@example.gov.uk"]
    assert message.subject.startswith("Changed: Running a retro on ")
    _content_type, calendar = calendar_part(message)
    (event,) = calendar.events
    assert calendar["METHOD"] == "REQUEST"
    assert event["SEQUENCE"] == 1
    assert str(event["UID"]) == online.ical_uid
    assert event.start == online.starts_at.replace(microsecond=0)
    assert str(event["URL"]) == LINK


# --- Reminders ------------------------------------------------------------------------


def _booked_days_before(session, days, name):
    return BookingFactory(session=session, user=person(name, "Reminded"),
                          booked_at=session.starts_at - timedelta(days=days))


def test_the_week_reminder_goes_once_when_the_session_is_a_week_away(course, trainer):
    now = timezone.now()
    in_a_week = TrainingSessionFactory(course=course, trainer=trainer,
                                       starts_at=now + timedelta(days=7))
    later = TrainingSessionFactory(course=course, trainer=trainer,
                                   starts_at=now + timedelta(days=7, minutes=1))
    booking = _booked_days_before(in_a_week, 20, "Jo")
    not_yet = _booked_days_before(later, 20, "Kit")

    assert session_reminders_send(now=now) == {"week": 1, "day": 0}
    assert session_reminders_send(now=now) == {"week": 0, "day": 0}

    (message,) = mail.outbox
    assert message.to == [booking.user.email]
    assert message.subject.startswith("Next week: Running a retro on ")
    assert "Your session is a week away" in message.body
    booking.refresh_from_db()
    not_yet.refresh_from_db()
    assert booking.week_reminder_sent_at == now
    assert not_yet.week_reminder_sent_at is None


def test_the_day_reminder_goes_once_in_the_last_day(course, trainer):
    now = timezone.now()
    tomorrow = TrainingSessionFactory(course=course, trainer=trainer,
                                      starts_at=now + timedelta(hours=24))
    in_25_hours = TrainingSessionFactory(course=course, trainer=trainer,
                                         starts_at=now + timedelta(hours=25))
    booking = _booked_days_before(tomorrow, 20, "Lou")
    _booked_days_before(in_25_hours, 20, "Max")
    # Both had the week reminder six days ago.
    Booking.objects.update(week_reminder_sent_at=now - timedelta(days=6))

    assert session_reminders_send(now=now) == {"week": 0, "day": 1}
    assert session_reminders_send(now=now + timedelta(minutes=30)) == {"week": 0, "day": 0}

    (message,) = mail.outbox
    assert message.to == [booking.user.email]
    assert message.subject == "Tomorrow: Running a retro"
    assert "Your session is tomorrow" in message.body
    assert calendar_part(message) is None


def test_someone_booking_three_days_before_gets_only_the_day_reminder(course, trainer):
    now = timezone.now()
    session = TrainingSessionFactory(course=course, trainer=trainer,
                                     starts_at=now + timedelta(days=3))
    late = BookingFactory(session=session, user=person("Nia", "Late"), booked_at=now)

    # Every hour from booking until the session starts, as beat would.
    sent = [session_reminders_send(now=now + timedelta(hours=h)) for h in range(72)]

    assert sum(s["week"] for s in sent) == 0
    assert sum(s["day"] for s in sent) == 1
    (message,) = mail.outbox
    assert message.to == [late.user.email]
    assert message.subject == "Tomorrow: Running a retro"


def test_a_whole_run_of_beat_sends_each_reminder_once(course, trainer):
    now = timezone.now()
    session = TrainingSessionFactory(course=course, trainer=trainer,
                                     starts_at=now + timedelta(days=10))
    early = BookingFactory(session=session, user=person("Oli", "Early"), booked_at=now)

    for hour in range(10 * 24):
        session_reminders_send(now=now + timedelta(hours=hour))

    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Next week", "Tomorrow"]
    assert {m.to[0] for m in mail.outbox} == {early.user.email}


def test_no_reminders_for_the_waiting_list_a_cancelled_session_or_the_erased(course, trainer):
    now = timezone.now()
    session = TrainingSessionFactory(course=course, trainer=trainer,
                                     starts_at=now + timedelta(hours=20))
    cancelled = TrainingSessionFactory(course=course, trainer=trainer,
                                       starts_at=now + timedelta(hours=20),
                                       cancelled_at=now, cancelled_reason="The room flooded")
    BookingFactory(session=session, status=BookingStatus.WAITING)
    _booked_days_before(cancelled, 10, "Pat")
    erased = _booked_days_before(session, 10, "Quinn")
    learner_erase(user=erased.user)

    assert session_reminders_send(now=now) == {"week": 0, "day": 0}
    assert mail.outbox == []


def test_nothing_is_sent_to_an_erased_or_inactive_person(session):
    erased = BookingFactory(session=session, user=person("Ray", "Erased"))
    inactive = BookingFactory(session=session, user=person("Sol", "Left"))
    learner_erase(user=erased.user)
    inactive.user.is_active = False
    inactive.user.save()

    for booking in (erased, inactive):
        for event in ("booked", "promoted"):
            assert session_notice_send(booking_id=booking.pk, event=event) is False
    session.sequence += 1
    session.save()
    assert session_update_notify(session_id=session.pk) == 0
    assert mail.outbox == []


def test_beat_runs_the_reminders_every_hour_and_every_scheduled_task_exists():
    from django.conf import settings

    from config.celery import app

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "learners.tasks.session_reminders_send")
    assert entry["schedule"] == 60 * 60
    app.loader.import_default_modules()
    missing = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()} - set(app.tasks)
    assert not missing, f"beat names tasks that do not exist: {missing}"


# --- A trainer cancels the whole session ----------------------------------------------


def test_cancelling_a_session_tells_everyone_booked_and_waiting_and_promotes_no_one(
        session, trainer, django_capture_on_commit_callbacks):
    booked = [BookingFactory(session=session, user=person(n, "Booked")) for n in ("Tom", "Uma")]
    waiting = BookingFactory(session=session, status=BookingStatus.WAITING,
                             user=person("Vic", "Waiting"))
    erased = BookingFactory(session=session, status=BookingStatus.WAITING,
                            user=person("Wyn", "Erased"))
    learner_erase(user=erased.user)
    gone = BookingFactory(session=session, status=BookingStatus.CANCELLED,
                          user=person("Xan", "Gone"))

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = session_cancel(session=session, reason="The trainer is ill. We will "
                                   "run it again in May.", by=trainer)

    assert cancelled.cancelled_at is not None
    assert cancelled.sequence == 1
    statuses = dict(Booking.objects.filter(session=session).values_list("pk", "status"))
    assert set(statuses.values()) == {BookingStatus.CANCELLED}
    assert Booking.objects.get(pk=waiting.pk).cancel_reason == (
        "The session was cancelled: The trainer is ill. We will run it again in May.")
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {b.user.email for b in booked} | {waiting.user.email}
    assert gone.user.email not in sent
    for booking in booked:
        message = sent[booking.user.email]
        assert "The session you had a place on is cancelled" in message.body
        assert "Reason: The trainer is ill. We will run it again in May." in message.body
        _content_type, calendar = calendar_part(message)
        (event,) = calendar.events
        assert calendar["METHOD"] == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] == 1
        assert str(event["UID"]) == session.ical_uid
    told = sent[waiting.user.email]
    assert "The session you were on the waiting list for is cancelled" in told.body
    assert calendar_part(told) is None


def test_cancelling_twice_changes_nothing_and_tells_no_one_again(
        session, trainer, django_capture_on_commit_callbacks):
    BookingFactory(session=session, user=person("Yan", "Booked"))
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, reason="No room", by=trainer)
    with django_capture_on_commit_callbacks(execute=True):
        again = session_cancel(session=session, reason="Another reason", by=trainer)

    assert again.sequence == 1
    assert again.cancelled_reason == "No room"
    assert len(mail.outbox) == 1


def test_only_its_trainers_and_admins_cancel_a_session_and_only_with_a_reason(
        session, catalogue):
    BookingFactory(session=session)
    other_trainer = _member_of("Trainers", "olu.other@example.gov.uk")
    course_with_lessons(catalogue, modules=1, lessons=1).trainers.add(other_trainer)
    admin = UserFactory(email="ali.admin@example.gov.uk", is_superuser=True)

    with pytest.raises(PermissionDenied):
        session_cancel(session=session, reason="Mine now", by=other_trainer)
    with pytest.raises(ValidationError, match="Enter why the session is cancelled"):
        session_cancel(session=session, reason="   ", by=admin)
    started = TrainingSessionFactory(course=session.course, trainer=session.trainer,
                                     starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(ValidationError, match="has started"):
        session_cancel(session=started, reason="Too late", by=admin)

    session.refresh_from_db()
    started.refresh_from_db()
    assert session.cancelled_at is None
    assert session.sequence == 0
    assert started.cancelled_at is None
    assert not Booking.objects.filter(status=BookingStatus.CANCELLED).exists()


# --- The admin page -------------------------------------------------------------------


def test_the_trainer_cancels_a_session_in_the_admin_giving_a_reason(client, session, trainer):
    BookingFactory(session=session, user=person("Zoe", "Booked"))
    BookingFactory(session=session, status=BookingStatus.WAITING)
    url = reverse("session_cancel", args=[session.pk])
    client.force_login(trainer)

    page = client.get(url)
    assert page.status_code == 200
    assert "1 with a place, 1 on the waiting list" in page.content.decode()

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "Enter why the session is cancelled" in refused.content.decode()
    session.refresh_from_db()
    assert session.cancelled_at is None

    done = client.post(url, {"reason": "The venue is closed for repairs"}, follow=True)
    body = done.content.decode()
    assert "This session is cancelled." in body
    assert "Reason: The venue is closed for repairs" in body
    session.refresh_from_db()
    assert session.cancelled_reason == "The venue is closed for repairs"


@pytest.mark.parametrize("who", ["learner", "other trainer", "anonymous"])
def test_no_one_else_may_open_the_cancel_page(client, session, catalogue, who):
    if who == "learner":
        client.force_login(BookingFactory(session=session).user)
    elif who == "other trainer":
        other = _member_of("Trainers", "olu.other@example.gov.uk")
        course_with_lessons(catalogue, modules=1, lessons=1).trainers.add(other)
        client.force_login(other)
    url = reverse("session_cancel", args=[session.pk])

    # Signed out, or without the admin: to sign in; a trainer of another course: the
    # 404 of a session that does not exist.
    refusal = 404 if who == "other trainer" else 302
    assert client.get(url).status_code == refusal
    response = client.post(url, {"reason": "Not mine to cancel"})

    assert response.status_code == refusal
    session.refresh_from_db()
    assert session.cancelled_at is None


# --- Through a real Celery worker ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_sends_the_invitation(catalogue, tmp_path):
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Running a retro")
    session = TrainingSessionFactory(course=course)
    booking = BookingFactory(session=session, user=person("Ash", "Worker"))

    with real_worker(tmp_path):
        session_notice_task.delay(booking.pk, "booked")

        def sent():
            """the invitation in the worker's mail folder"""
            return "".join(p.read_text() for p in tmp_path.iterdir())

        text = wait_for(sent)
    assert "ash.worker@example.gov.uk" in text
    assert "Subject: Booked: Running a retro on" in text
    assert 'Content-Type: text/calendar; charset="utf-8"; method="REQUEST"' in text


def test_a_promotion_whose_email_was_lost_is_told_by_the_hourly_run_once(session):
    now = timezone.now()
    lost = BookingFactory(session=session, user=person("Bo", "Lost"),
                          promoted_at=now - timedelta(minutes=30))
    BookingFactory(session=session, user=person("Cy", "Justnow"), promoted_at=now)

    from learners.tasks import session_reminders_send as hourly

    assert hourly.delay().get() == {"week": 0, "day": 0, "promotions": 1}
    assert hourly.delay().get() == {"week": 0, "day": 0, "promotions": 0}

    (message,) = mail.outbox
    assert message.to == [lost.user.email]
    assert message.subject.startswith("You have a place: ")
