"""Reasonable adjustments (issue 16) are seen only by the session's own trainer and
academy admins, and by the person who asked for them: not by other trainers (even of
the same course), HR reporters or other learners. They are in the person's data export
and go when the person's data is erased."""

from contextlib import suppress
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from learners.models import Booking, BookingStatus, Organisation, ReportingScope
from learners.privacy import learner_data_export, learner_erase
from learners.scoping import HR_REPORTERS, TRAINERS
from tests.factories import UserFactory
from tests.learners.session_factories import BookingFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

ADJUSTMENTS = "Uses a wheelchair; needs documents in large print (ref ADJ-70411)"
CANCEL_REASON = "My hospital appointment moved (ref CANCEL-31337)"


@pytest.fixture
def world(site, course):
    organisation = Organisation.add_root(name="Department for Adjustments", slug="dfa")
    trainers, hr_group = Group.objects.get(name=TRAINERS), Group.objects.get(name=HR_REPORTERS)

    def person(email, *groups, **extra):
        user = UserFactory(email=email, organisation=organisation, **extra)
        user.groups.add(*groups)
        return user

    people = {
        "session_trainer": person("st@example.gov.uk", trainers),
        "course_trainer": person("ct@example.gov.uk", trainers),
        "other_trainer": person("ot@example.gov.uk", trainers),
        "hr": person("hr@example.gov.uk", hr_group),
        "admin": person("admin@example.gov.uk", is_superuser=True, is_staff=True),
        "owner": person("owner@example.gov.uk", first_name="Ines", last_name="Adjusted"),
        "classmate": person("classmate@example.gov.uk"),
    }
    ReportingScope.objects.create(user=people["hr"], organisation=organisation)
    course.trainers.add(people["session_trainer"], people["course_trainer"])
    course.save()
    session = TrainingSessionFactory(course=course, trainer=people["session_trainer"],
                                     starts_at=timezone.now() - timedelta(hours=1))
    BookingFactory(session=session, user=people["owner"], adjustments=ADJUSTMENTS)
    BookingFactory(session=session, user=people["classmate"])
    return people, session


def _pages(session, course) -> list[str]:
    """Every page that could show the session or its people."""
    pages = [reverse("session_register", args=[session.pk]), reverse("trainer_dashboard"),
             reverse("trainer_course", args=[course.pk]), reverse("report"),
             reverse("my_learning"), course.url]
    with suppress(NoReverseMatch):  # the learner's page of the session, once installed
        pages.append(reverse("session_detail", args=[session.pk]))
    return pages


@pytest.mark.parametrize(("role", "sees"), [
    ("session_trainer", True), ("admin", True), ("course_trainer", False),
    ("other_trainer", False), ("hr", False), ("classmate", False),
])
def test_only_the_sessions_trainer_and_admins_see_the_adjustments(
    client, world, course, role, sees
):
    people, session = world
    client.force_login(people[role])
    register = client.get(reverse("session_register", args=[session.pk]))
    assert register.status_code == (200 if sees else 404)
    shown = [url for url in _pages(session, course)
             if ADJUSTMENTS in client.get(url).content.decode()]
    assert shown == ([reverse("session_register", args=[session.pk])] if sees else [])


def test_the_register_shows_each_persons_own_adjustments_only(client, world):
    people, session = world
    client.force_login(people["session_trainer"])
    page = client.get(reverse("session_register", args=[session.pk])).content.decode()
    assert page.count("Reasonable adjustments:") == 1
    assert ADJUSTMENTS in page


def test_the_data_export_holds_the_bookings_with_adjustments_and_attendance(world):
    people, session = world
    Booking.objects.filter(user=people["owner"]).update(attended=True)
    data = learner_data_export(user=people["owner"])
    [booking] = data["session_bookings"]
    assert booking["reasonable_adjustments"] == ADJUSTMENTS
    assert booking["attended"] is True
    assert booking["status"] == "Booked"
    assert booking["course"] == session.course.title
    taught = learner_data_export(user=people["session_trainer"])["sessions_you_teach"]
    assert [s["course"] for s in taught] == [session.course.title]


def test_erasure_removes_adjustments_and_cancel_reasons_and_keeps_the_numbers(world):
    people, session = world
    owner = people["owner"]
    earlier = TrainingSessionFactory(course=session.course, trainer=session.trainer)
    BookingFactory(session=earlier, user=owner, status=BookingStatus.CANCELLED,
                   cancel_reason=CANCEL_REASON, adjustments=ADJUSTMENTS)
    learner_erase(user=owner)
    kept = Booking.objects.filter(user=owner)
    assert kept.count() == 2  # the session's numbers still count them
    assert list(kept.values_list("adjustments", "cancel_reason")) == [("", ""), ("", "")]
    assert not Booking.objects.filter(adjustments__contains="ADJ-70411").exists()
    assert not Booking.objects.filter(cancel_reason__contains="CANCEL-31337").exists()
    assert learner_data_export(user=owner)["session_bookings"][0][
        "reasonable_adjustments"] is None
