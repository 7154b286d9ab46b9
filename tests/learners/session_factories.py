"""Factories for instructor-led sessions and bookings, shared by the session tests."""

from datetime import timedelta

import factory
from django.utils import timezone

from learners.models import Booking, BookingStatus, SessionMode, TrainingSession
from tests.factories import UserFactory


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    """A session of `course` (pass one) a week from now, two hours long, ten places."""

    class Meta:
        model = TrainingSession

    module = None
    mode = SessionMode.IN_PERSON
    venue_name = "102 Petty France, room 4.12"
    venue_address = "102 Petty France, London SW1H 9AJ"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    trainer = factory.SubFactory(UserFactory, first_name="Tess", last_name="Trainer")
    capacity = 10
    minimum = 0


class BookingFactory(factory.django.DjangoModelFactory):
    """A place (BOOKED) on `session` for a new person; pass status= for others."""

    class Meta:
        model = Booking

    session = factory.SubFactory(TrainingSessionFactory)
    user = factory.SubFactory(UserFactory)
    status = BookingStatus.BOOKED
    booked_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == BookingStatus.BOOKED else None)
    cancelled_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == BookingStatus.CANCELLED else None)
