"""Enrolment is once only; progress and completion follow the facts; tasks are
idempotent; the reconciler fills gaps exactly once."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learners import services, tasks
from learners.models import Certificate, Enrolment, KnowledgeCheckAttempt, LessonProgress
from tests.factories import course_with_lessons
from tests.learners.conftest import (
    enrol,
    lesson_body,
    lessons_of,
    right_answers,
    work_through,
    wrong_answers,
)


@pytest.fixture
def signed_in(client, learner):
    client.force_login(learner)
    return client


def snapshot(enrolment):
    """Everything the tasks derive, as the database holds it."""
    enrolment.refresh_from_db()
    certificate = Certificate.objects.filter(enrolment=enrolment).values(
        "pk", "code", "file", "completed_on").first()
    return {
        "enrolment": Enrolment.objects.filter(pk=enrolment.pk).values(
            "progress_percent", "score_percent", "module_status", "next_lesson_id",
            "completed_at", "started_at", "confirmation_sent_at").get(),
        "certificate": certificate,
        "certificates": Certificate.objects.count(),
    }


def test_enrolling_twice_gives_one_enrolment(signed_in, course, learner):
    enrol(signed_in, course)
    enrol(signed_in, course)
    assert Enrolment.objects.filter(user=learner, course=course).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_enrol_requests_give_one_enrolment(course, learner):
    barrier = threading.Barrier(2)
    statuses = []

    def click():
        client = Client()
        client.force_login(learner)
        barrier.wait()
        statuses.append(enrol(client, course).status_code)
        connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert Enrolment.objects.filter(user=learner, course=course).count() == 1


def test_enrolled_course_page_shows_progress_modules_and_continue(signed_in, course, learner):
    enrol(signed_in, course)
    lessons = lessons_of(course)
    work_through(signed_in, lessons[:1])
    page = signed_in.get(course.url).content.decode()
    assert "25% of required lessons complete" in page
    assert "In progress" in page
    assert "Not started" in page
    assert f'href="{lessons[1].url}" role="button"' in page
    assert ">Continue<" in page


def test_a_lesson_cannot_be_marked_complete_before_its_checks_are_answered(
    signed_in, course, learner
):
    enrol(signed_in, course)
    lesson = lessons_of(course)[0]
    response = signed_in.post(reverse("lesson_complete", args=[lesson.pk]), follow=True)
    assert "Answer the 1 knowledge check in this lesson before marking it complete" in (
        response.content.decode())
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_an_answer_with_no_option_is_rejected_and_stores_nothing(signed_in, course):
    enrol(signed_in, course)
    lesson = lessons_of(course)[0]
    block = lesson.knowledge_checks()[0]
    response = signed_in.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                              {"check": block.id}, follow=True)
    assert "Select an answer" in response.content.decode()
    assert not KnowledgeCheckAttempt.objects.exists()


def test_answers_are_marked_on_the_server_and_shown_with_the_explanation(signed_in, course):
    enrol(signed_in, course)
    lesson = lessons_of(course)[0]
    block = lesson.knowledge_checks()[0]
    signed_in.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                   {"check": block.id, "answer": wrong_answers(lesson, block)})
    page = signed_in.get(lesson.url).content.decode()
    assert "Not quite" in page
    assert "Sprints are time-boxed." in page
    attempt = KnowledgeCheckAttempt.objects.get()
    assert attempt.correct is False


def test_completing_lessons_out_of_order_completes_the_course(signed_in, course, learner):
    enrol(signed_in, course)
    work_through(signed_in, list(reversed(lessons_of(course))))
    enrolment = Enrolment.objects.get(user=learner)
    assert enrolment.completed_at is not None
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_below_the_pass_mark_the_course_is_not_complete_until_answers_improve(
    signed_in, course, learner
):
    enrol(signed_in, course)  # pass mark 50%
    work_through(signed_in, lessons_of(course), answers=wrong_answers)
    enrolment = Enrolment.objects.get(user=learner)
    assert enrolment.progress_percent == 100
    assert enrolment.score_percent == 0
    assert enrolment.completed_at is None
    page = signed_in.get(course.url).content.decode()
    assert "you need 50% of knowledge checks right" in page
    lessons = lessons_of(course)
    for lesson in lessons[:2]:
        block = lesson.knowledge_checks()[0]
        signed_in.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                       {"check": block.id, "answer": right_answers(lesson, block)})
    enrolment.refresh_from_db()
    assert enrolment.score_percent == 50
    assert enrolment.completed_at is not None


def test_optional_lessons_are_not_needed_to_complete(signed_in, catalogue, learner):
    course = course_with_lessons(catalogue, modules=1, lessons=2, body=lesson_body)
    optional = lessons_of(course)[1]
    optional.required = False
    optional.save_revision().publish()
    enrol(signed_in, course)
    work_through(signed_in, lessons_of(course)[:1])
    assert Enrolment.objects.get(user=learner).completed_at is not None


def test_completed_at_is_set_once(signed_in, course, learner, django_capture_on_commit_callbacks):
    enrol(signed_in, course)
    work_through(signed_in, lessons_of(course))
    enrolment = Enrolment.objects.get(user=learner)
    first = enrolment.completed_at
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_progress_recompute(enrolment_id=enrolment.pk)
    enrolment.refresh_from_db()
    assert enrolment.completed_at == first


def test_running_every_task_again_gives_the_same_database_state(
    signed_in, course, learner, django_capture_on_commit_callbacks
):
    enrol(signed_in, course)
    work_through(signed_in, lessons_of(course))
    enrolment = Enrolment.objects.get(user=learner)
    before = snapshot(enrolment)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.enrolment_progress_recompute.delay(enrolment.pk)
            tasks.certificate_issue.delay(enrolment.pk)
            tasks.enrolment_confirmation_send.delay(enrolment.pk)
            tasks.learning_reconcile.delay()
    assert snapshot(enrolment) == before


def test_the_reconciler_issues_a_missing_certificate_exactly_once(
    signed_in, course, learner, django_capture_on_commit_callbacks
):
    enrol(signed_in, course)
    work_through(signed_in, lessons_of(course))
    enrolment = Enrolment.objects.get(user=learner)
    Certificate.objects.all().delete()  # as if the certificate task were lost
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            services.learning_reconcile(grace=timezone.timedelta(0))
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    assert Certificate.objects.get().file


def test_the_reconciler_recomputes_progress_whose_facts_are_newer(
    signed_in, course, learner, django_capture_on_commit_callbacks
):
    enrol(signed_in, course)
    work_through(signed_in, lessons_of(course)[:2])
    enrolment = Enrolment.objects.get(user=learner)
    # As if the recompute after the last fact had been lost:
    Enrolment.objects.filter(pk=enrolment.pk).update(progress_percent=0, progress_computed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.learning_reconcile(grace=timezone.timedelta(0))
    assert counts["progress"] == 1
    enrolment.refresh_from_db()
    assert enrolment.progress_percent == 50
    assert services.learning_reconcile(grace=timezone.timedelta(0))["progress"] == 0


def test_my_learning_lists_in_progress_and_completed(signed_in, course, catalogue, learner):
    other = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                title="Scrum basics")
    enrol(signed_in, course)
    enrol(signed_in, other)
    work_through(signed_in, lessons_of(other))
    page = signed_in.get("/my-learning/").content.decode()
    in_progress, completed = page.split("Completed</h2>")
    assert "Agile basics" in in_progress
    assert "0%" in in_progress
    assert "Scrum basics" in completed
    assert "Download certificate" in completed


def _my_learning_queries(client, catalogue, learner, count, start):
    for n in range(start, start + count):
        course = course_with_lessons(catalogue, modules=1, lessons=1, title=f"Course {n}")
        Enrolment.objects.create(user=learner, course=course,
                                 completed_at=timezone.now() if n % 2 else None)
    client.get("/my-learning/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/my-learning/")
        queries = len(captured)
    assert response.status_code == 200
    return queries


def test_my_learning_query_count_is_the_same_at_2_and_20_enrolments(
    signed_in, catalogue, learner
):
    two = _my_learning_queries(signed_in, catalogue, learner, 2, 0)
    twenty = _my_learning_queries(signed_in, catalogue, learner, 18, 2)
    assert Enrolment.objects.filter(user=learner).count() == 20
    assert two == twenty


def test_my_learning_actions_are_not_inside_a_sideways_scrolling_table(
    signed_in, course, catalogue, learner
):
    other = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                title="Scrum basics")
    enrol(signed_in, course)
    enrol(signed_in, other)
    work_through(signed_in, lessons_of(other))
    page = signed_in.get("/my-learning/").content.decode()
    assert "<table" not in page
    assert "app-table-scroll" not in page
    assert 'role="region"' not in page
    for action in ("Start", "Download certificate"):
        card = page.split(f">{action}<")[0].rsplit('<div class="govuk-summary-card">', 1)[1]
        assert "govuk-summary-card__actions" in card
