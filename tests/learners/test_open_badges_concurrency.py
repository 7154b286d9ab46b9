"""Two certificates issued at once never share a bit of the badges' revocation list: two
real threads on PostgreSQL, each with its own connection, draw the same bit; the first
holds its transaction open until the second is seen waiting on the unique index, and the
second then draws again."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from learners.models import Certificate, Enrolment
from learners.services.badge_status import badge_status_allocate
from tests.factories import UserFactory, course_with_lessons
from tests.learners.conftest import lesson_body

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _certificate(course, email: str) -> Certificate:
    enrolment = Enrolment.objects.create(user=UserFactory(email=email), course=course,
                                         completed_at=timezone.now())
    return Certificate.objects.create(enrolment=enrolment, code=email[:20],
                                      learner_name=email, course_title=course.title,
                                      completed_on=timezone.localdate())


def _someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def test_two_certificates_issued_at_once_drawing_one_bit_get_two(catalogue, monkeypatch):
    course = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body)
    first, second = _certificate(course, "first@example.gov.uk"), _certificate(
        course, "second@example.gov.uk")
    draws, drawn = [4242, 4242, 777], threading.Lock()

    def draw(self, n):
        with drawn:
            return draws.pop(0)

    monkeypatch.setattr("secrets.SystemRandom.randrange", draw)
    results: dict[str, object] = {}
    holding, release = threading.Event(), threading.Event()

    def run_first():
        try:
            with transaction.atomic():
                results["first"] = badge_status_allocate(certificate_id=first.pk)
                holding.set()
                release.wait(timeout=20)
        finally:
            holding.set()
            connections.close_all()

    def run_second():
        holding.wait(timeout=20)
        try:
            results["second"] = badge_status_allocate(certificate_id=second.pk)
        except Exception as error:  # reported by the assertion below
            results["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    holding.wait(timeout=20)
    deadline = time.monotonic() + 10
    waited = False
    while time.monotonic() < deadline and "second" not in results:
        if _someone_waits_on_a_lock():
            waited = True
            break
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=30)

    assert waited, "the second never waited on the first's bit"
    assert results == {"first": 4242, "second": 777}
    assert dict(Certificate.objects.values_list("pk", "badge_status_index")) == {
        first.pk: 4242, second.pk: 777}
    assert draws == []
