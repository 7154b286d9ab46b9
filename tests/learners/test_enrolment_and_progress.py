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
    assert "1 of 4 required lessons complete" in page
    assert "% of required lessons" not in page
    assert "In progress" in page
    assert "Not started" in page
    assert f'href="{lessons[1].url}" role="button"' in page
    assert ">Continue<" in page


def test_a_lesson_cannot_be_marked_complete_before_its_checks_are_answered(
    signed_in, course, learner
):
    enrol(signed_in, course)
    lesson = lessons_of(course)[0]
    response = signed_in.post(reverse("lesson_complete", args=[lesson.pk]))
    assert response["Location"] == lesson.url  # the top, where the error summary is
    page = signed_in.get(lesson.url).content.decode()
    block = lesson.knowledge_checks()[0]
    message = ("Answer the question \u2018How long is a sprint?\u2019 before you mark this "
               "lesson as complete")
    summary = page[page.index('class="govuk-error-summary"'):page.index("<h1")]
    assert 'data-module="govuk-error-summary"' in summary
    assert f'<a href="#check-{block.id}-1">{message}</a>' in summary
    check = page[page.index(f'id="check-{block.id}"'):]
    assert "govuk-form-group--error" in check
    assert (f'<p class="govuk-error-message" id="check-{block.id}-error">'
            f'<span class="govuk-visually-hidden">Error:</span> {message}</p>') in check
    assert f'id="check-{block.id}-1"' in check
    assert "<title>Error: " in page
    assert "knowledge check in this lesson" not in page
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    # Shown once: reading the lesson again shows no error.
    assert "There is a problem" not in signed_in.get(lesson.url).content.decode()


def test_an_answer_with_no_option_is_rejected_and_stores_nothing(signed_in, course):
    enrol(signed_in, course)
    lesson = lessons_of(course)[0]
    block = lesson.knowledge_checks()[0]
    response = signed_in.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                              {"check": block.id}, follow=True)
    page = response.content.decode()
    assert f'<a href="#check-{block.id}-1">Select an answer</a>' in page
    assert f'id="check-{block.id}-error"><span class="govuk-visually-hidden">Error:</span> ' \
        "Select an answer</p>" in page
    assert not KnowledgeCheckAttempt.objects.exists()


def test_answers_are_marked_on_the_server_and_shown_with_the_explanation(signed_in, course):
    enrol(signed_in, course)
    lesson = lessons_of(course)[0]
    block = lesson.knowledge_checks()[0]
    response = signed_in.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                              {"check": block.id, "answer": wrong_answers(lesson, block)})
    # Lands at the feedback, not the question, so it is in view on a small screen.
    assert response["Location"] == f"{lesson.url}#check-{block.id}-feedback"
    page = signed_in.get(lesson.url).content.decode()
    assert "Not quite" in page
    assert "Sprints are time-boxed." in page
    # The feedback just given is an alert that GOV.UK Frontend focuses; once only.
    feedback = page[page.index(f'id="check-{block.id}-feedback"') - 200:]
    assert 'role="alert"' in feedback[:400]
    assert 'data-module="govuk-notification-banner"' in feedback[:400]
    again = signed_in.get(lesson.url).content.decode()
    assert 'role="alert"' not in again[again.index(f'id="check-{block.id}"'):]
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
    assert "Go back to the lessons and try the knowledge checks again" not in page
    wrong = page[page.index('id="wrong-answer-lessons"'):]
    wrong = wrong[:wrong.index("</ul>")]
    assert [f'<a class="govuk-link" href="{lesson.url}">{lesson.title}</a>'
            for lesson in lessons_of(course)] == [
        line[line.index("<a"):line.index("</a>") + 4] for line in wrong.split("<li>")[1:]]
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


def test_below_the_pass_mark_the_course_page_lists_only_lessons_with_wrong_answers(
    signed_in, course, learner
):
    enrol(signed_in, course)  # pass mark 50%: 1 right of 4 is below it
    lessons = lessons_of(course)
    work_through(signed_in, lessons[:1])
    work_through(signed_in, lessons[1:], answers=wrong_answers)
    page = signed_in.get(course.url).content.decode()
    wrong = page[page.index('id="wrong-answer-lessons"'):]
    wrong = wrong[:wrong.index("</ul>")]
    assert [lesson.title for lesson in lessons if lesson.url in wrong] == [
        lesson.title for lesson in lessons[1:]]
    assert lessons[0].url not in wrong


def test_the_pages_after_the_last_lesson_show_progress_without_waiting_for_the_worker(
    signed_in, course, learner
):
    """The recompute task after commit may lag behind; the request itself brings the
    learner's own progress up to date. A plain Client runs no on-commit callbacks, so
    no task runs for the last lesson."""
    enrol(signed_in, course)
    lessons = lessons_of(course)
    work_through(signed_in, lessons[:-1])
    last = lessons[-1]
    lagging = Client()
    lagging.force_login(learner)
    lagging.get(last.url)
    block = last.knowledge_checks()[0]
    lagging.post(reverse("knowledge_check_answer", args=[last.pk]),
                 {"check": block.id, "answer": right_answers(last, block)})
    response = lagging.post(reverse("lesson_complete", args=[last.pk]))
    assert response["Location"] == course.url
    page = lagging.get(course.url).content.decode()
    assert "4 of 4 required lessons complete" in page
    assert ">Completed<" in page
    assert "In progress" not in page[page.index("Your progress"):]
    assert not Certificate.objects.exists()  # the worker's part, still to come


def test_the_lesson_page_says_how_many_lessons_are_done_not_a_percentage(
    signed_in, course, learner
):
    enrol(signed_in, course)
    lessons = lessons_of(course)
    work_through(signed_in, lessons[:1])
    page = signed_in.get(lessons[1].url).content.decode()
    assert "You have completed 1 of 4 required lessons in this course." in page


def test_feedback_never_ends_with_two_full_stops(signed_in, catalogue, learner):
    from tests.factories import knowledge_check

    course = course_with_lessons(catalogue, modules=1, lessons=1, body=lambda: [
        knowledge_check(question="Which is true?", options=["Sprints end.", "Sprints never end"],
                        correct=(0,)),
    ])
    enrol(signed_in, course)
    lesson = lessons_of(course)[0]
    block = lesson.knowledge_checks()[0]
    signed_in.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                   {"check": block.id, "answer": wrong_answers(lesson, block)})
    page = signed_in.get(lesson.url).content.decode()
    assert "The right answer is: Sprints end.</p>" in page
    assert "..<" not in page
