"""A learner sees and changes only their own record: another learner's progress and
certificate are invisible (404), and nothing leaks."""

import pytest
from django.urls import reverse

from learners.models import Certificate, Enrolment, KnowledgeCheckAttempt, LessonProgress
from tests.factories import UserFactory
from tests.learners.conftest import enrol, lessons_of, work_through


@pytest.fixture
def owner_done(client, course, learner):
    """Sam has completed the course and holds its certificate."""
    client.force_login(learner)
    enrol(client, course)
    work_through(client, lessons_of(course))
    client.logout()
    return Certificate.objects.get(enrolment__user=learner)


@pytest.fixture
def intruder(client, db):
    other = UserFactory(email="other@example.gov.uk", first_name="Alex", last_name="Other")
    client.force_login(other)
    return other


def test_another_learner_cannot_download_the_certificate(client, owner_done, intruder):
    response = client.get(reverse("certificate_download", args=[owner_done.code]))
    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_signed_out_visitors_cannot_download_a_certificate(client, owner_done):
    response = client.get(reverse("certificate_download", args=[owner_done.code]))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_an_admin_can_download_any_certificate(client, owner_done, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("certificate_download", args=[owner_done.code])).status_code == 200


def test_another_learner_sees_none_of_the_owners_progress(client, course, owner_done, intruder):
    page = client.get(course.url).content.decode()
    assert "Your progress" not in page
    assert "100%" not in page
    assert "Enrol on this course" in page
    assert "Sam" not in client.get("/my-learning/").content.decode()


def test_another_learner_cannot_answer_or_complete_on_the_owners_enrolment(
    client, course, owner_done, intruder
):
    lesson = lessons_of(course)[0]
    block = lesson.knowledge_checks()[0]
    before = (KnowledgeCheckAttempt.objects.count(), LessonProgress.objects.count())
    answer = client.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                         {"check": block.id, "answer": ["x"]})
    complete = client.post(reverse("lesson_complete", args=[lesson.pk]))
    assert answer.status_code == 404
    assert complete.status_code == 404
    assert (KnowledgeCheckAttempt.objects.count(), LessonProgress.objects.count()) == before
    assert Enrolment.objects.filter(user=intruder).count() == 0


def test_learning_actions_need_a_post_and_a_sign_in(client, course):
    lesson = lessons_of(course)[0]
    assert client.get(reverse("lesson_complete", args=[lesson.pk])).status_code == 405
    response = client.post(reverse("enrol", args=[course.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
    assert not Enrolment.objects.exists()
