"""The whole journey over HTTP: sign up, enrol, learn, complete, one certificate,
verified. Once with tasks run eagerly, once through a real Celery worker consuming
from the real Redis, on PostgreSQL."""

import pytest
from django.core import mail
from django.urls import reverse

from learners.models import Certificate, Enrolment, SignUpDomain, User
from learners.services.accounts import email_verification_token
from tests.celery_worker import real_worker, wait_for
from tests.learners.conftest import PASSWORD, lessons_of, work_through


def sign_up(client, people):
    SignUpDomain.objects.get_or_create(domain="example.gov.uk",
                                       defaults={"organisation": people["organisation"]})
    response = client.post(reverse("sign_up"), {
        "first_name": "Priya", "last_name": "Shah", "email": "Priya.Shah@example.gov.uk",
        "organisation": people["organisation"].pk, "grade": people["grade"].pk,
        "profession": people["profession"].pk, "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="priya.shah@example.gov.uk")
    # The link emailed to them (tests/hr/test_who_may_join.py reads it from the email).
    client.get(reverse("email_verify", args=[email_verification_token(user=user)]))
    return user


def journey(client, people, course):
    user = sign_up(client, people)
    page = client.get(course.url).content.decode()
    assert "Enrol on this course" in page
    assert client.post(reverse("enrol", args=[course.pk])).status_code == 302
    work_through(client, lessons_of(course))
    return user


def assert_certified(client, user, course):
    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.completed_at is not None
    assert enrolment.progress_percent == 100
    assert enrolment.score_percent == 100
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert Certificate.objects.count() == 1
    assert certificate.learner_name == "Priya Shah"
    assert certificate.file.read(5) == b"%PDF-"
    verify = client.get(reverse("certificate_verify", args=[certificate.code]))
    assert verify.status_code == 200
    assert "This certificate is valid" in verify.content.decode()
    assert "Priya Shah" in verify.content.decode()
    my_learning = client.get("/my-learning/").content.decode()
    assert "Download certificate" in my_learning
    download = client.get(reverse("certificate_download", args=[certificate.code]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_whole_journey_with_tasks_run_eagerly(client, people, course):
    user = journey(client, people, course)
    assert_certified(client, user, course)
    assert [m.to for m in mail.outbox] == [["priya.shah@example.gov.uk"]] * 2
    assert mail.outbox[0].subject.startswith("Confirm your email address")
    assert "You are enrolled on Agile basics" in mail.outbox[1].subject


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_whole_journey_through_a_real_celery_worker(client, people, course, tmp_path):
    with real_worker(tmp_path):
        user = journey(client, people, course)

        def certified():
            """a certificate with its PDF"""
            return Certificate.objects.filter(enrolment__user=user).exclude(file="").exists()

        wait_for(certified)
        wait_for(lambda: Enrolment.objects.filter(confirmation_sent_at__isnull=False).exists())
    assert_certified(client, user, course)
    sent = "".join(path.read_text() for path in tmp_path.iterdir())
    assert "You are enrolled on Agile basics" in sent
    assert "priya.shah@example.gov.uk" in sent
