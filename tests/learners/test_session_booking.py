"""Booking instructor-led sessions: the rules (places, waiting list, cut-off, who may
book), the learner's pages, and the sessions admin's scope."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from learners.models import Booking, BookingStatus, Enrolment, SessionMode, TrainingSession
from learners.services.sessions import (
    BookingRefused,
    CancellationRefused,
    booking_cancel,
    booking_waiting_position,
    session_book,
    session_waitlist_promote,
)
from tests.factories import UserFactory, course_with_lessons
from tests.learners.session_helpers import TrainingSessionFactory, make_trainer_of, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(course, trainer):
    return TrainingSessionFactory(course=course, trainer=trainer, capacity=2)


def _statuses(session) -> list[tuple[str, str]]:
    return list(Booking.objects.filter(session=session).order_by("pk")
                .values_list("user__email", "status"))


# --- Rules -------------------------------------------------------------------------

def test_booking_a_session_with_places_gives_a_place_and_enrols_on_the_course(session,
                                                                             learner):
    booking, created = session_book(session=session, user=learner, adjustments=" Ramp ")
    assert created
    assert booking.status == BookingStatus.BOOKED
    assert booking.booked_at is not None
    assert booking.adjustments == "Ramp"
    assert Enrolment.objects.filter(user=learner, course=session.course).count() == 1


def test_a_full_session_puts_people_on_the_waiting_list_in_the_order_they_asked(session):
    first, second, third, fourth = people(4)
    for person in (first, second, third, fourth):
        session_book(session=session, user=person)
    assert [status for _email, status in _statuses(session)] == [
        BookingStatus.BOOKED, BookingStatus.BOOKED, BookingStatus.WAITING, BookingStatus.WAITING]
    waiting = Booking.objects.filter(session=session, status=BookingStatus.WAITING)
    assert [booking_waiting_position(booking=b) for b in waiting.order_by("pk")] == [1, 2]


def test_booking_again_returns_the_booking_the_person_has(session, learner):
    booking, _ = session_book(session=session, user=learner)
    again, created = session_book(session=session, user=learner, adjustments="Other")
    assert not created
    assert again.pk == booking.pk
    assert Booking.objects.filter(session=session, user=learner).count() == 1


def test_a_cancelled_session_cannot_be_booked(session, learner):
    TrainingSession.objects.filter(pk=session.pk).update(
        cancelled_at=timezone.now(), cancelled_reason="Trainer ill")
    with pytest.raises(BookingRefused, match="cancelled"):
        session_book(session=session, user=learner)
    assert not Booking.objects.exists()
    assert not Enrolment.objects.filter(user=learner).exists()


def test_a_session_that_has_started_cannot_be_booked(session, learner):
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(BookingRefused, match="already started"):
        session_book(session=session, user=learner)
    assert not Booking.objects.exists()


def test_an_unconfirmed_account_cannot_book(session):
    unconfirmed = UserFactory(email="new@example.gov.uk", email_verified_at=None)
    with pytest.raises(BookingRefused, match="Confirm your email address"):
        session_book(session=session, user=unconfirmed)
    assert not Booking.objects.exists()


def test_someone_new_joins_the_end_of_the_list_even_when_a_place_has_just_freed(session):
    first, second, third, fourth = people(4)
    booked, _ = session_book(session=session, user=first)
    session_book(session=session, user=second)
    session_book(session=session, user=third)  # waiting, 1st
    # The place frees; its promotion has not run yet (no transaction commits here).
    booking_cancel(booking=booked, reason="Clash", by=first)
    late, _ = session_book(session=session, user=fourth)
    assert Booking.objects.get(user=third, session=session).status == BookingStatus.BOOKED
    assert late.status == BookingStatus.WAITING


def test_cancelling_after_the_cut_off_is_refused_and_names_the_trainer(course, trainer,
                                                                      learner):
    session = TrainingSessionFactory(course=course, trainer=trainer,
                                     starts_at=timezone.now() + timedelta(hours=24))
    booking, _ = session_book(session=session, user=learner)
    with pytest.raises(CancellationRefused) as refused:
        booking_cancel(booking=booking, reason="Ill", by=learner)
    assert "less than 48 hours before the session starts" in refused.value.message
    assert trainer.email in refused.value.message
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_the_trainer_can_cancel_a_place_after_the_cut_off(course, trainer, learner):
    session = TrainingSessionFactory(course=course, trainer=trainer,
                                     starts_at=timezone.now() + timedelta(hours=2))
    booking, _ = session_book(session=session, user=learner)
    booking = booking_cancel(booking=booking, reason="Called in sick", by=trainer)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Called in sick"


def test_leaving_the_waiting_list_is_allowed_after_the_cut_off(course, trainer):
    session = TrainingSessionFactory(course=course, trainer=trainer, capacity=1,
                                     starts_at=timezone.now() + timedelta(hours=2))
    first, second = people(2)
    session_book(session=session, user=first)
    waiting, _ = session_book(session=session, user=second)
    assert booking_cancel(booking=waiting, reason="No longer needed",
                          by=second).status == BookingStatus.CANCELLED


def test_a_cancellation_needs_a_reason(session, learner):
    booking, _ = session_book(session=session, user=learner)
    with pytest.raises(CancellationRefused, match="Enter a reason"):
        booking_cancel(booking=booking, reason="   ", by=learner)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_promotion_run_twice_promotes_no_one_extra(session):
    first, second, third, fourth = people(4)
    booked, _ = session_book(session=session, user=first)
    for person in (second, third, fourth):
        session_book(session=session, user=person)
    Booking.objects.filter(pk=booked.pk).update(status=BookingStatus.CANCELLED,
                                                cancelled_at=timezone.now(), cancel_reason="x")
    assert len(session_waitlist_promote(session_id=session.pk)) == 1
    assert session_waitlist_promote(session_id=session.pk) == []
    assert Booking.objects.filter(session=session, status=BookingStatus.BOOKED).count() == 2
    assert Booking.objects.get(user=third, session=session).status == BookingStatus.BOOKED


# --- Pages -------------------------------------------------------------------------

def test_the_course_page_lists_upcoming_sessions_with_venue_trainer_and_places(
        client, course, trainer, learner):
    upcoming = TrainingSessionFactory(course=course, trainer=trainer, capacity=3)
    TrainingSessionFactory(course=course, trainer=trainer, venue_name="Cancelled venue",
                           cancelled_at=timezone.now(), cancelled_reason="Trainer ill")
    TrainingSessionFactory(course=course, trainer=trainer, venue_name="Past venue",
                           starts_at=timezone.now() - timedelta(days=1))
    session_book(session=upcoming, user=UserFactory())
    page = client.get(course.url).content.decode()
    assert "Sessions with a trainer" in page
    assert "Leeds Government Hub, room 3.04" in page
    assert "Step-free access; hearing loop in every room." in page
    assert "2 of 3 places left" in page
    assert f"{trainer.first_name} {trainer.last_name}" in page
    assert reverse("session_detail", args=[upcoming.pk]) in page
    assert "Cancelled venue" not in page
    assert "Past venue" not in page


def test_a_course_without_sessions_does_not_mention_them(client, course):
    assert "Sessions with a trainer" not in client.get(course.url).content.decode()


def test_the_session_page_shows_the_time_in_london_and_books_a_place(client, course,
                                                                    trainer, learner):
    # 1 July 2030 09:00 UTC is 10am in London (BST).
    starts = datetime(2030, 7, 1, 9, 0, tzinfo=UTC)
    session = TrainingSessionFactory(course=course, trainer=trainer, starts_at=starts,
                                     ends_at=starts + timedelta(hours=6, minutes=30))
    client.force_login(learner)
    url = reverse("session_detail", args=[session.pk])
    page = client.get(url).content.decode()
    assert "Monday 1 July 2030, 10am to 4:30pm" in page
    assert "Do you need any reasonable adjustments?" in page
    response = client.post(reverse("session_book", args=[session.pk]),
                           {"adjustments": "A hearing loop"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "You have a place on this session." in page
    assert "Cancel your place" in page
    assert Booking.objects.get(user=learner).adjustments == "A hearing loop"


def test_too_long_adjustments_are_refused_with_a_message_and_nothing_booked(
        client, session, learner):
    client.force_login(learner)
    response = client.post(reverse("session_book", args=[session.pk]),
                           {"adjustments": "x" * 2001})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Reasonable adjustments must be 2000 characters or fewer" in page
    assert not Booking.objects.exists()


def test_the_joining_link_is_shown_only_to_people_with_a_place(client, course, trainer):
    session = TrainingSessionFactory(course=course, trainer=trainer, capacity=1,
                                     mode=SessionMode.ONLINE, venue_name="",
                                     joining_link="https://meet.example.gov.uk/secret-room")
    booked, waiting = people(2)
    session_book(session=session, user=booked)
    session_book(session=session, user=waiting)
    url = reverse("session_detail", args=[session.pk])
    assert "secret-room" not in client.get(url).content.decode()
    assert "secret-room" not in client.get(course.url).content.decode()
    client.force_login(waiting)
    page = client.get(url).content.decode()
    assert "secret-room" not in page
    assert "You are 1st on the waiting list" in page
    assert "The joining link is shown once you have a place." in page
    client.force_login(booked)
    assert "https://meet.example.gov.uk/secret-room" in client.get(url).content.decode()


def test_cancelling_without_a_reason_shows_an_error_and_keeps_the_place(client, session,
                                                                       learner):
    session_book(session=session, user=learner)
    client.force_login(learner)
    response = client.post(reverse("booking_cancel", args=[session.pk]), {"reason": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Enter a reason for cancelling" in page
    assert Booking.objects.get(user=learner).status == BookingStatus.BOOKED


@pytest.mark.parametrize(("places", "said"), [
    (1, "Your place has been cancelled."), (0, "You have left the waiting list.")])
def test_cancelling_says_whether_a_place_or_a_waiting_list_spot_was_given_up(
        client, course, trainer, places, said):
    session = TrainingSessionFactory(course=course, trainer=trainer, capacity=1)
    someone, person = people(2)
    if not places:
        session_book(session=session, user=someone)  # the one place goes first
    session_book(session=session, user=person)
    client.force_login(person)
    response = client.post(reverse("booking_cancel", args=[session.pk]),
                           {"reason": "A clash with a team meeting"}, follow=True)
    assert said in response.content.decode()
    assert Booking.objects.get(user=person).status == BookingStatus.CANCELLED


def test_after_the_cut_off_the_cancel_page_says_why_not_and_whom_to_contact(
        client, course, trainer, learner):
    session = TrainingSessionFactory(course=course, trainer=trainer,
                                     starts_at=timezone.now() + timedelta(hours=12))
    session_book(session=session, user=learner)
    client.force_login(learner)
    url = reverse("booking_cancel", args=[session.pk])
    page = client.get(url).content.decode()
    assert "You cannot cancel your place online less than 48 hours" in page
    assert trainer.email in page
    assert 'name="reason"' not in page
    response = client.post(url, {"reason": "Ill"})
    assert response.status_code == 400
    assert Booking.objects.get(user=learner).status == BookingStatus.BOOKED


def test_cancelling_gives_the_place_to_the_first_on_the_waiting_list(client, course,
                                                                     trainer):
    session = TrainingSessionFactory(course=course, trainer=trainer, capacity=1)
    first, second = people(2)
    session_book(session=session, user=first)
    session_book(session=session, user=second)
    client.force_login(first)
    response = client.post(reverse("booking_cancel", args=[session.pk]),
                           {"reason": "A clash with a team meeting"})
    assert response.status_code == 302
    assert Booking.objects.get(user=second).status == BookingStatus.BOOKED
    assert Booking.objects.get(user=second).promoted_at is not None
    cancelled = Booking.objects.get(user=first)
    assert (cancelled.status, cancelled.cancel_reason) == (BookingStatus.CANCELLED,
                                                          "A clash with a team meeting")
    client.force_login(second)
    page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "You have a place on this session." in page
    assert any(second.email in message.to for message in mail.outbox)


def test_my_learning_lists_my_upcoming_sessions(client, course, trainer):
    session = TrainingSessionFactory(course=course, trainer=trainer, capacity=1)
    other, me = people(2)
    session_book(session=session, user=other)
    session_book(session=session, user=me)
    client.force_login(me)
    page = client.get("/my-learning/").content.decode()
    assert "Your sessions" in page
    assert "You are 1st on the waiting list" in page
    assert reverse("session_detail", args=[session.pk]) in page


def test_a_session_of_an_unpublished_course_is_not_found(client, course, trainer, learner):
    session = TrainingSessionFactory(course=course, trainer=trainer)
    course.unpublish()
    client.force_login(learner)
    assert client.get(reverse("session_detail", args=[session.pk])).status_code == 404
    assert client.post(reverse("session_book", args=[session.pk])).status_code == 404


# --- The sessions admin ------------------------------------------------------------

def _form(course, trainer, **changes) -> dict:
    starts = timezone.localtime(timezone.now() + timedelta(days=14)).replace(
        hour=10, minute=0, second=0, microsecond=0)
    data = {
        "course": course.pk, "module": "", "mode": SessionMode.IN_PERSON,
        "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (starts + timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"),
        "trainer": trainer.pk, "venue_name": "Glasgow hub", "venue_address": "1 Atlantic Quay",
        "venue_accessibility": "", "joining_link": "", "capacity": 12, "minimum": 4,
        "cancel_cutoff_hours": 48,
    }
    data.update(changes)
    return data


def test_a_trainer_sees_and_edits_only_the_sessions_of_their_own_courses(
        client, catalogue, course, trainer):
    mine = TrainingSessionFactory(course=course, trainer=trainer, venue_name="My room")
    other_course = course_with_lessons(catalogue, modules=1, lessons=1, title="Other course")
    theirs = TrainingSessionFactory(course=other_course, venue_name="Their room")
    client.force_login(trainer)
    index = client.get(reverse("sessions:index")).content.decode()
    assert "Agile basics" in index
    assert "Other course" not in index
    assert client.get(reverse("sessions:edit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("sessions:edit", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("sessions:edit", args=[theirs.pk]),
                           _form(other_course, trainer))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.venue_name == "Their room"


def test_an_admin_sees_every_session(client, catalogue, course, trainer):
    TrainingSessionFactory(course=course, trainer=trainer)
    other_course = course_with_lessons(catalogue, modules=1, lessons=1, title="Other course")
    TrainingSessionFactory(course=other_course)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    index = client.get(reverse("sessions:index")).content.decode()
    assert "Agile basics" in index
    assert "Other course" in index


def test_the_sessions_list_links_each_session_to_cancelling_it(client, course, trainer):
    live = TrainingSessionFactory(course=course, trainer=trainer)
    gone = TrainingSessionFactory(course=course, trainer=trainer,
                                  cancelled_at=timezone.now(), cancelled_reason="Trainer ill")
    make_trainer_of(course, trainer)
    client.force_login(trainer)
    index = client.get(reverse("sessions:index")).content.decode()
    assert f'href="{reverse("session_cancel", args=[live.pk])}"' in index
    assert "Cancel the session" in index
    assert f'href="{reverse("session_cancel", args=[gone.pk])}"' in index
    assert "Cancelled: see why" in index


def test_a_learner_cannot_open_the_sessions_admin(client, session, learner):
    client.force_login(learner)
    assert client.get(reverse("sessions:index")).status_code in (302, 403)
    assert client.get(reverse("sessions:edit", args=[session.pk])).status_code in (302, 403,
                                                                                  404)


def test_a_trainer_creates_a_session_and_bad_details_are_refused(client, catalogue, course,
                                                                 trainer):
    make_trainer_of(course, trainer)
    other_course = course_with_lessons(catalogue, modules=1, lessons=1, title="Other course")
    foreign_module = other_course.get_children().first()
    client.force_login(trainer)
    url = reverse("sessions:add")
    response = client.post(url, _form(course, trainer, module=foreign_module.pk,
                                      mode=SessionMode.ONLINE, venue_name=""))
    page = response.content.decode()
    assert "Choose a module of the course, or leave it empty" in page
    assert "Enter the joining link for an online session" in page
    assert not TrainingSession.objects.exists()
    response = client.post(url, _form(course, trainer))
    assert response.status_code == 302
    created = TrainingSession.objects.get()
    assert (created.venue_name, created.capacity, created.sequence) == ("Glasgow hub", 12, 0)


def test_changing_the_time_raises_the_calendar_sequence(client, course, trainer):
    make_trainer_of(course, trainer)
    client.force_login(trainer)
    assert client.post(reverse("sessions:add"), _form(course, trainer)).status_code == 302
    session = TrainingSession.objects.get()
    edit = reverse("sessions:edit", args=[session.pk])
    assert client.post(edit, _form(course, trainer, capacity=14)).status_code == 302
    session.refresh_from_db()
    assert (session.capacity, session.sequence) == (14, 0)
    later = timezone.localtime(session.starts_at + timedelta(hours=1))
    assert client.post(edit, _form(course, trainer, capacity=14,
                                   starts_at=later.strftime("%Y-%m-%d %H:%M"))
                       ).status_code == 302
    session.refresh_from_db()
    assert session.sequence == 1
