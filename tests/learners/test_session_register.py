"""The register of an instructor-led session (issue 16): attending completes the
session's module through the same progress recompute as lessons; a no-show or an
unmarked register does not; correcting the register recomputes both ways; the register
opens on the session's day, for people with a place, to the trainer and admins."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from learners.models import Booking, BookingStatus, Certificate, Enrolment, EnrolmentStatus
from learners.services.register import RegisterRefused, session_register_record
from tests.factories import UserFactory, course_with_lessons
from tests.learners.conftest import enrol, lessons_of, work_through
from tests.learners.session_factories import BookingFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(catalogue):
    """Two modules of two lessons, no knowledge checks."""
    return course_with_lessons(catalogue, modules=2, lessons=2, title="Service design")


@pytest.fixture
def modules(course):
    return list(course.get_children().specific().order_by("path"))


@pytest.fixture
def session(course, modules):
    """A session of the second module that started an hour ago."""
    starts = timezone.now() - timedelta(hours=1)
    return TrainingSessionFactory(course=course, module=modules[1], starts_at=starts)


@pytest.fixture
def enrolled(client, course, learner):
    client.force_login(learner)
    enrol(client, course)
    return Enrolment.objects.get(user=learner, course=course)


def take(session, marks, *, by=None, callbacks):
    with callbacks(execute=True):
        return session_register_record(session=session, marks=marks,
                                       by=by or session.trainer)


def test_attending_completes_the_sessions_module_and_nothing_else(
    course, modules, session, enrolled, django_capture_on_commit_callbacks
):
    booking = BookingFactory(session=session, user=enrolled.user)
    outcome = take(session, {booking.pk: True}, callbacks=django_capture_on_commit_callbacks)
    assert (outcome.attended, outcome.did_not_attend, outcome.changed) == (1, 0, 1)
    enrolled.refresh_from_db()
    assert enrolled.module_status == {str(modules[0].pk): EnrolmentStatus.NOT_STARTED,
                                      str(modules[1].pk): EnrolmentStatus.COMPLETED}
    assert enrolled.progress_percent == 50
    assert enrolled.next_lesson_id == lessons_of(course)[0].pk
    assert enrolled.completed_at is None
    booking.refresh_from_db()
    assert booking.attendance_recorded_by == session.trainer
    assert booking.attendance_recorded_at is not None


def test_attending_the_last_requirement_completes_the_course_and_issues_the_certificate(
    client, course, session, enrolled, django_capture_on_commit_callbacks
):
    work_through(client, lessons_of(course)[:2])  # the first module, by lessons
    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 50
    booking = BookingFactory(session=session, user=enrolled.user)
    take(session, {booking.pk: True}, callbacks=django_capture_on_commit_callbacks)
    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 100
    assert enrolled.completed_at is not None
    assert enrolled.next_lesson_id is None
    assert Certificate.objects.filter(enrolment=enrolled).exclude(file="").count() == 1


def test_a_session_of_the_whole_course_completes_every_module(
    course, modules, enrolled, django_capture_on_commit_callbacks
):
    session = TrainingSessionFactory(course=course, starts_at=timezone.now())
    booking = BookingFactory(session=session, user=enrolled.user)
    take(session, {booking.pk: True}, callbacks=django_capture_on_commit_callbacks)
    enrolled.refresh_from_db()
    assert set(enrolled.module_status.values()) == {EnrolmentStatus.COMPLETED}
    assert enrolled.completed_at is not None


@pytest.mark.parametrize("mark", [False, None])
def test_a_no_show_or_an_unmarked_register_completes_nothing(
    course, session, enrolled, mark, django_capture_on_commit_callbacks
):
    booking = BookingFactory(session=session, user=enrolled.user)
    take(session, {booking.pk: mark}, callbacks=django_capture_on_commit_callbacks)
    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 0
    assert EnrolmentStatus.COMPLETED not in enrolled.module_status.values()
    booking.refresh_from_db()
    assert booking.attended is mark


def test_correcting_the_register_recomputes_progress_both_ways(
    modules, session, enrolled, django_capture_on_commit_callbacks
):
    booking = BookingFactory(session=session, user=enrolled.user)
    take(session, {booking.pk: True}, callbacks=django_capture_on_commit_callbacks)
    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 50
    take(session, {booking.pk: False}, callbacks=django_capture_on_commit_callbacks)
    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 0
    assert enrolled.module_status[str(modules[1].pk)] == EnrolmentStatus.NOT_STARTED
    take(session, {booking.pk: True}, callbacks=django_capture_on_commit_callbacks)
    enrolled.refresh_from_db()
    assert enrolled.progress_percent == 50


def test_attendance_at_a_cancelled_session_does_not_count(
    session, enrolled, django_capture_on_commit_callbacks
):
    booking = BookingFactory(session=session, user=enrolled.user)
    take(session, {booking.pk: True}, callbacks=django_capture_on_commit_callbacks)
    type(session).objects.filter(pk=session.pk).update(
        cancelled_at=timezone.now(), cancelled_reason="The trainer is ill.")
    from learners.services import enrolment_progress_recompute

    enrolment = enrolment_progress_recompute(enrolment_id=enrolled.pk)
    assert enrolment.progress_percent == 0


def test_a_module_with_only_a_session_is_a_step_of_its_own(
    catalogue, client, learner, django_capture_on_commit_callbacks
):
    from tests.factories import ModulePageFactory

    course = course_with_lessons(catalogue, modules=1, lessons=2, title="Workshops")
    workshop = ModulePageFactory(parent=course, title="Workshop day")
    client.force_login(learner)
    enrol(client, course)
    work_through(client, lessons_of(course))
    enrolment = Enrolment.objects.get(user=learner, course=course)
    assert enrolment.completed_at is not None  # no session yet: the lessons are all
    session = TrainingSessionFactory(course=course, module=workshop,
                                     starts_at=timezone.now())
    from learners.services import enrolment_progress_recompute

    assert enrolment_progress_recompute(enrolment_id=enrolment.pk).progress_percent == 66
    booking = BookingFactory(session=session, user=learner)
    take(session, {booking.pk: True}, callbacks=django_capture_on_commit_callbacks)
    enrolment.refresh_from_db()
    assert enrolment.progress_percent == 100
    assert enrolment.module_status[str(workshop.pk)] == EnrolmentStatus.COMPLETED


def test_the_register_is_refused_before_the_day_of_the_session(
    course, enrolled, django_capture_on_commit_callbacks
):
    tomorrow = timezone.localtime() + timedelta(days=1)
    session = TrainingSessionFactory(course=course, starts_at=tomorrow.replace(hour=9))
    booking = BookingFactory(session=session, user=enrolled.user)
    with pytest.raises(RegisterRefused, match="from the day of the session"):
        take(session, {booking.pk: True}, callbacks=django_capture_on_commit_callbacks)
    booking.refresh_from_db()
    assert booking.attended is None


@pytest.mark.parametrize("status", [BookingStatus.WAITING, BookingStatus.CANCELLED])
def test_only_people_with_a_place_are_on_the_register(
    session, enrolled, status, django_capture_on_commit_callbacks
):
    placed = BookingFactory(session=session)
    other = BookingFactory(session=session, user=enrolled.user, status=status)
    with pytest.raises(RegisterRefused, match="no longer has a place"):
        take(session, {placed.pk: True, other.pk: True},
             callbacks=django_capture_on_commit_callbacks)
    assert not Booking.objects.filter(attended__isnull=False).exists()


def test_a_booking_of_another_session_is_refused(
    course, session, django_capture_on_commit_callbacks
):
    elsewhere = BookingFactory(session=TrainingSessionFactory(course=course,
                                                              starts_at=timezone.now()))
    with pytest.raises(RegisterRefused):
        take(session, {elsewhere.pk: True}, callbacks=django_capture_on_commit_callbacks)
    elsewhere.refresh_from_db()
    assert elsewhere.attended is None


def test_only_the_sessions_trainer_or_an_admin_takes_the_register(
    session, trainer, django_capture_on_commit_callbacks
):
    booking = BookingFactory(session=session)
    for outsider in (trainer, booking.user, UserFactory()):
        with pytest.raises(RegisterRefused, match="trainer or an academy admin"):
            take(session, {booking.pk: True}, by=outsider,
                 callbacks=django_capture_on_commit_callbacks)
    assert Booking.objects.get(pk=booking.pk).attended is None
    admin = UserFactory(is_superuser=True)
    take(session, {booking.pk: False}, by=admin, callbacks=django_capture_on_commit_callbacks)
    assert Booking.objects.get(pk=booking.pk).attended is False


# --- The register page ----------------------------------------------------------------


def test_the_register_page_saves_and_says_how_many_attended(client, session):
    came, missed = BookingFactory(session=session), BookingFactory(session=session)
    BookingFactory(session=session, status=BookingStatus.WAITING)  # not on the register
    client.force_login(session.trainer)
    url = reverse("session_register", args=[session.pk])
    page = client.get(url).content.decode()
    assert page.count('class="govuk-fieldset"') == 2
    response = client.post(url, {f"booking-{came.pk}": "attended",
                                 f"booking-{missed.pk}": "absent"}, follow=True)
    assert "Register saved: 1 attended, 1 did not attend" in response.content.decode()
    assert dict(Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
                .values_list("pk", "attended")) == {came.pk: True, missed.pk: False}


def test_the_register_page_asks_for_everyone_and_saves_nothing_until_then(client, session):
    marked = BookingFactory(session=session)
    unmarked = BookingFactory(session=session, user=UserFactory(first_name="Kit",
                                                                last_name="Unmarked"))
    client.force_login(session.trainer)
    response = client.post(reverse("session_register", args=[session.pk]),
                           {f"booking-{marked.pk}": "attended",
                            f"booking-{unmarked.pk}": "maybe"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'<a href="#booking-{unmarked.pk}">Select whether Kit Unmarked attended</a>' in page
    assert f'id="booking-{unmarked.pk}-error"' in page
    assert "<title>Error:" in page
    assert not Booking.objects.filter(attended__isnull=False).exists()


def test_before_the_day_the_page_lists_people_and_has_no_form(client, course):
    tomorrow = timezone.localtime() + timedelta(days=1)
    session = TrainingSessionFactory(course=course, starts_at=tomorrow.replace(hour=9))
    BookingFactory(session=session, adjustments="A quiet room for breaks")
    client.force_login(session.trainer)
    page = client.get(reverse("session_register", args=[session.pk])).content.decode()
    assert "You can take the register from the day of the session" in page
    assert "A quiet room for breaks" in page
    assert "<form method=\"post\"" not in page


def test_the_trainer_dashboard_lists_the_sessions_they_teach(client, session, course):
    BookingFactory(session=session)
    someone_elses = TrainingSessionFactory(course=course)
    client.force_login(session.trainer)
    page = client.get(reverse("trainer_dashboard")).content.decode()
    assert reverse("session_register", args=[session.pk]) in page
    assert "1 of 10 places taken." in page
    assert "Below its minimum" not in page  # the factory's minimum is 0
    assert reverse("session_register", args=[someone_elses.pk]) not in page


def test_the_trainer_dashboard_says_when_a_session_is_below_its_minimum(client, course):
    session = TrainingSessionFactory(course=course, minimum=3)  # a week ahead
    BookingFactory(session=session)
    client.force_login(session.trainer)
    page = client.get(reverse("trainer_dashboard")).content.decode()
    assert "1 of 10 places taken." in page
    assert "Below its minimum" in page
    assert "It needs at least 3 people to go ahead." in page
    for _ in range(9):
        BookingFactory(session=session)
    BookingFactory(session=session, status=BookingStatus.WAITING)
    page = client.get(reverse("trainer_dashboard")).content.decode()
    assert "10 of 10 places taken, 1 on the waiting list." in page
    assert "Below its minimum" not in page


def test_a_session_past_is_not_said_to_be_below_its_minimum(client, session):
    session.minimum = 3  # started an hour ago, one person booked
    session.save()
    BookingFactory(session=session)
    client.force_login(session.trainer)
    page = client.get(reverse("trainer_dashboard")).content.decode()
    assert "1 of 10 places taken." in page
    assert "Below its minimum" not in page
