"""The attempt limit and the wait hold when two requests arrive at once: two real
threads on PostgreSQL, each with its own connection. The first holds its transaction
open until the second is seen waiting on a lock, so the two truly overlap."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from learners.models import AssessmentAttempt, Enrolment
from learners.services import (
    AssessmentUnavailable,
    assessment_attempt_start,
    assessment_attempt_submit,
)
from tests.factories import course_with_lessons
from tests.learners.assessment_helpers import add_assessment, correct_ids, wrong_ids
from tests.learners.conftest import lesson_body, lessons_of

pytestmark = [pytest.mark.postgres,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def setting(catalogue, learner):
    course = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                 pass_mark=60)
    assessment = add_assessment(course, lessons_of(course), size=4, per_attempt=3,
                                attempts=3, wait_hours=0)
    enrolment = Enrolment.objects.create(user=learner, course=course)
    return assessment, enrolment


def _answers(attempt, pick):
    return {q["id"]: pick(attempt.assessment, q["id"]) for q in attempt.questions}


def _someone_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def _overlap(first, second):
    """Run `first` in a transaction held open until `second`, started meanwhile in
    another thread, is waiting on a lock (or has finished without waiting). Returns
    each one's result or the exception it raised."""
    results: dict[str, object] = {}
    holding, release = threading.Event(), threading.Event()

    def run_first():
        try:
            with transaction.atomic():
                results["first"] = first()
                holding.set()
                release.wait(timeout=20)
        except Exception as error:
            results["first"] = error
            holding.set()
        finally:
            connections.close_all()

    def run_second():
        holding.wait(timeout=20)
        try:
            results["second"] = second()
        except Exception as error:
            results["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    holding.wait(timeout=20)
    deadline = time.monotonic() + 10
    # Poll the database for the second request's lock wait: the state itself.
    while (time.monotonic() < deadline and "second" not in results
           and not _someone_waits_on_a_lock()):
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    return results["first"], results["second"]


def _submitted_attempts(enrolment, n, pick=wrong_ids):
    for _ in range(n):
        attempt = assessment_attempt_start(enrolment=enrolment, assessment=enrolment_assessment(
            enrolment))
        assessment_attempt_submit(attempt=attempt, answers=_answers(attempt, pick))


def enrolment_assessment(enrolment):
    from courses.models import AssessmentPage

    return AssessmentPage.objects.child_of(enrolment.course).get()


@pytest.mark.parametrize("used", [0, 2])
def test_two_starts_at_once_make_one_attempt(setting, used):
    assessment, enrolment = setting
    _submitted_attempts(enrolment, used)

    def begin():
        return assessment_attempt_start(enrolment=enrolment, assessment=assessment)

    first, second = _overlap(begin, begin)
    assert isinstance(first, AssessmentAttempt), first
    assert isinstance(second, AssessmentAttempt), second
    assert first.pk == second.pk
    assert first.number == used + 1
    assert AssessmentAttempt.objects.filter(enrolment=enrolment).count() == used + 1


def test_two_submissions_of_the_last_attempt_at_once_count_once_and_the_limit_holds(setting):
    assessment, enrolment = setting
    _submitted_attempts(enrolment, 2)
    attempt = assessment_attempt_start(enrolment=enrolment, assessment=assessment)
    assert attempt.number == 3

    first, second = _overlap(
        lambda: assessment_attempt_submit(attempt=attempt, answers=_answers(attempt, wrong_ids)),
        lambda: assessment_attempt_submit(attempt=attempt,
                                          answers=_answers(attempt, correct_ids)),
    )
    assert isinstance(first, AssessmentAttempt)
    assert isinstance(second, AssessmentAttempt)
    attempt.refresh_from_db()
    # The first submission stands; the second, arriving meanwhile, changed nothing.
    assert attempt.score_percent == 0 == second.score_percent
    assert attempt.submitted_at == second.submitted_at
    with pytest.raises(AssessmentUnavailable, match="You have used all 3 attempts"):
        assessment_attempt_start(enrolment=enrolment, assessment=assessment)
    assert AssessmentAttempt.objects.filter(enrolment=enrolment).count() == 3


def test_a_start_during_a_submission_waits_for_it_and_then_the_wait_holds(setting):
    assessment, enrolment = setting
    assessment.wait_hours = 1
    assessment.save_revision().publish()
    attempt = assessment_attempt_start(enrolment=enrolment, assessment=assessment)

    first, second = _overlap(
        lambda: assessment_attempt_submit(attempt=attempt, answers=_answers(attempt, wrong_ids)),
        lambda: assessment_attempt_start(enrolment=enrolment, assessment=assessment),
    )
    assert isinstance(first, AssessmentAttempt)
    assert isinstance(second, AssessmentUnavailable), second
    assert second.message.startswith("You can try again from ")
    assert AssessmentAttempt.objects.filter(enrolment=enrolment).count() == 1
    ready = first.submitted_at + timedelta(hours=1)
    assert ready > timezone.now()
