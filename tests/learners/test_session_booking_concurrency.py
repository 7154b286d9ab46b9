"""Bookings, cancellations and promotions at the same moment: real threads on
PostgreSQL, each with its own connection and transaction, released together by a
barrier. The session's row lock decides the order; nothing else may."""

import threading

import pytest
from django.db import connections
from django.utils import timezone

from learners.models import Booking, BookingStatus
from learners.services.sessions import booking_cancel, session_book, session_waitlist_promote
from tests.celery_worker import real_worker, wait_for
from tests.factories import course_with_lessons
from tests.learners.session_helpers import TrainingSessionFactory, people

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_parallel(count: int, action) -> list:
    """Run action(0..count-1) in `count` threads started together; returns each one's
    result or the exception it raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = action(index)
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=1, title="Agile basics")


def _by_pk(session) -> list[Booking]:
    return list(Booking.objects.filter(session=session).order_by("pk"))


def test_fifty_people_booking_ten_places_at_once_give_ten_booked_and_forty_waiting_in_order(
        course):
    session = TrainingSessionFactory(course=course, capacity=10)
    bookers = people(50)
    results = in_parallel(50, lambda i: session_book(session=session, user=bookers[i]))
    assert not [r for r in results if isinstance(r, Exception)], results
    bookings = _by_pk(session)
    statuses = [b.status for b in bookings]
    # Rows are made under the lock, so pk order is the order the lock was granted: the
    # first ten got places, everyone after waits, in that order.
    assert statuses == [BookingStatus.BOOKED] * 10 + [BookingStatus.WAITING] * 40
    assert len({b.user_id for b in bookings}) == 50
    requested = [b.requested_at for b in bookings]
    assert requested == sorted(requested)


def test_the_same_person_booking_twice_at_once_has_one_booking(course):
    session = TrainingSessionFactory(course=course, capacity=10)
    (person,) = people(1)
    results = in_parallel(6, lambda i: session_book(session=session, user=person))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Booking.objects.filter(session=session, user=person).count() == 1
    assert sum(created for _booking, created in results) == 1


def test_concurrent_cancellations_promote_exactly_as_many_people_as_places_freed(course):
    session = TrainingSessionFactory(course=course, capacity=10)
    bookers = people(20)
    for person in bookers:
        session_book(session=session, user=person)
    booked = [b for b in _by_pk(session) if b.status == BookingStatus.BOOKED]
    first_waiting = [b.pk for b in _by_pk(session) if b.status == BookingStatus.WAITING][:6]
    # Six cancel at once; each cancellation's promotion runs (eagerly, after its commit)
    # while the others are still cancelling, and four more book at the same moment.
    late_comers = people(4, prefix="latecomer")

    def act(i):
        if i < 6:
            return booking_cancel(booking=booked[i], reason="Clash", by=booked[i].user)
        return session_book(session=session, user=late_comers[i - 6])

    results = in_parallel(10, act)
    assert not [r for r in results if isinstance(r, Exception)], results
    now_booked = Booking.objects.filter(session=session, status=BookingStatus.BOOKED)
    assert now_booked.count() == 10
    promoted = set(now_booked.filter(promoted_at__isnull=False).values_list("pk", flat=True))
    assert promoted == set(first_waiting)
    # The late comers joined the end of the list, behind the four still waiting.
    waiting = list(Booking.objects.filter(session=session, status=BookingStatus.WAITING)
                   .order_by("pk").values_list("user__email", flat=True))
    assert len(waiting) == 8
    assert set(waiting[4:]) == {p.email for p in late_comers}


def test_the_promotion_run_many_times_at_once_promotes_no_one_extra(course):
    session = TrainingSessionFactory(course=course, capacity=5)
    for person in people(12):
        session_book(session=session, user=person)
    # Three places free without their promotion (as if its task were lost).
    freed = Booking.objects.filter(session=session, status=BookingStatus.BOOKED)[:3]
    Booking.objects.filter(pk__in=[b.pk for b in freed]).update(
        status=BookingStatus.CANCELLED, cancelled_at=timezone.now(), cancel_reason="x")
    results = in_parallel(8, lambda i: session_waitlist_promote(session_id=session.pk))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(len(r) for r in results) == 3
    assert Booking.objects.filter(session=session, status=BookingStatus.BOOKED).count() == 5
    assert Booking.objects.filter(session=session, status=BookingStatus.WAITING).count() == 4


@pytest.mark.redis
def test_a_real_worker_gives_a_cancelled_place_to_the_first_on_the_waiting_list(course,
                                                                                tmp_path):
    session = TrainingSessionFactory(course=course, capacity=1)
    first, second, third = people(3)
    with real_worker(tmp_path):
        place, _ = session_book(session=session, user=first)
        session_book(session=session, user=second)
        session_book(session=session, user=third)
        booking_cancel(booking=place, reason="Moved to another team", by=first)

        def second_has_a_place():
            """the first on the waiting list to be promoted"""
            return Booking.objects.filter(session=session, user=second,
                                          status=BookingStatus.BOOKED).exists()

        wait_for(second_has_a_place)

        def promotion_email_sent():
            """the promotion email to arrive"""
            return any(second.email in path.read_text() and "place" in path.read_text()
                       for path in tmp_path.iterdir())

        wait_for(promotion_email_sent)
    assert Booking.objects.get(session=session, user=third).status == BookingStatus.WAITING
    assert Booking.objects.filter(session=session, status=BookingStatus.BOOKED).count() == 1
