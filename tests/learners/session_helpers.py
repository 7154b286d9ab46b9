"""Test data for the booking tests: the shared session factory with a venue whose
accessibility is described, its trainer listed as a trainer of the course, and a few
people to book."""

import factory

from courses.models import CoursePage
from tests.factories import UserFactory
from tests.learners import session_factories


class TrainingSessionFactory(session_factories.TrainingSessionFactory):
    """An in-person session a week from now (pass `course`, a live CoursePage), 10
    places, cut-off 48 hours before; its trainer is made a trainer of the course."""

    class Meta:
        skip_postgeneration_save = True

    venue_name = "Leeds Government Hub, room 3.04"
    venue_address = "7 and 8 Wellington Place\nLeeds\nLS1 4AP"
    venue_accessibility = "Step-free access; hearing loop in every room."

    @factory.post_generation
    def trains_course(self, create, extracted, **kwargs):
        if create:
            make_trainer_of(self.course, self.trainer)


def make_trainer_of(course, user) -> None:
    """List the user as a trainer of the course (a ParentalManyToManyField's add() is
    kept on the page object until the page is saved: write the row itself)."""
    CoursePage.trainers.through.objects.get_or_create(coursepage_id=course.pk,
                                                      user_id=user.pk)


def people(n: int, prefix: str = "booker") -> list:
    return [UserFactory(email=f"{prefix}{i}@example.gov.uk") for i in range(n)]
