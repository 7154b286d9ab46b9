"""UK GDPR: a learner downloads everything held about them; an admin erases a learner
safely; every model that refers to a user is covered by one or the other."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from academy.reports.selectors import report_summary_get
from learners.models import Certificate, Enrolment
from learners.privacy import COVERAGE
from learners.selectors import enrolments_annotate_status
from tests.learners.conftest import PASSWORD, enrol, lessons_of, work_through


@pytest.fixture
def finished(client, course, learner):
    client.force_login(learner)
    enrol(client, course)
    work_through(client, lessons_of(course))
    return learner


def test_every_model_that_refers_to_a_user_is_covered():
    user_model = get_user_model()
    referring = {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "related_model", None) is user_model and not field.auto_created
        and (field.many_to_one or field.one_to_one or field.many_to_many)
    }
    missing = referring - set(COVERAGE)
    assert not missing, f"say how export and erasure handle: {sorted(missing)}"
    assert all(export and erase for export, erase in COVERAGE.values())


def test_a_learner_downloads_everything_held_about_them(client, finished):
    response = client.get(reverse("my_data"))
    assert response["Content-Disposition"] == 'attachment; filename="my-academy-data.json"'
    data = response.json()
    assert data["profile"]["email"] == "sam@example.gov.uk"
    assert [e["course"] for e in data["enrolments"]] == ["Agile basics"]
    assert len(data["lesson_progress"]) == 4
    assert len(data["knowledge_check_answers"]) == 4
    assert data["certificates"][0]["code"] == Certificate.objects.get().code


def test_the_data_download_is_only_ever_your_own(client, finished, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="other@example.gov.uk"))
    data = client.get(reverse("my_data")).json()
    assert data["profile"]["email"] == "other@example.gov.uk"
    assert data["enrolments"] == []
    assert "sam@example.gov.uk" not in str(data)


def test_erasure_removes_personal_data_and_keeps_the_counts(client, finished, course):
    everyone = enrolments_annotate_status(queryset=Enrolment.objects.all())
    before = report_summary_get(queryset=everyone)
    certificate = Certificate.objects.get()
    pdf = certificate.file.name
    call_command("erase_learner", "sam@example.gov.uk", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = get_user_model().objects.get(pk=finished.pk)
    assert user.email == f"erased-{user.pk}@erased.invalid"
    assert (user.first_name, user.last_name) == ("Erased", "learner")
    assert not user.is_active
    assert not user.has_usable_password()
    certificate.refresh_from_db()
    assert certificate.learner_name == "Erased learner"
    assert certificate.revoked_at is not None
    assert not certificate.file
    assert not certificate.file.storage.exists(pdf)
    assert report_summary_get(queryset=everyone) == before
    # They can no longer sign in, and their old session no longer works.
    assert client.get("/my-learning/").status_code == 302
    client.logout()
    response = client.post(reverse("sign_in"), {"username": "sam@example.gov.uk",
                                                "password": PASSWORD})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    verify = client.get(reverse("certificate_verify", args=[certificate.code])).content.decode()
    assert "Sam" not in verify
    assert "revoked" in verify


def test_erasing_again_is_safe(finished):
    from learners.privacy import learner_erase

    learner_erase(user=finished)
    once = get_user_model().objects.filter(pk=finished.pk).values().get()
    learner_erase(user=get_user_model().objects.get(pk=finished.pk))
    twice = get_user_model().objects.filter(pk=finished.pk).values().get()
    once.pop("password")
    twice.pop("password")
    assert once == twice
    assert Enrolment.objects.filter(user=finished).count() == 1


def test_line_management_and_extensions_are_downloaded_and_erased(client, finished):
    """Who manages whom, staff numbers, and the reasons for more time (which can be
    personal) are in the learner's download, and go when they are erased."""
    from django.utils import timezone

    from learners.models import DeadlineExtension, ManagerDigest
    from learners.privacy import learner_erase
    from tests.factories import UserFactory

    manager = UserFactory(email="manager@example.gov.uk", first_name="Mo", last_name="Nager")
    report = UserFactory(email="report@example.gov.uk", line_manager=finished)
    finished.line_manager = manager
    finished.staff_number = "DPS000123"
    finished.save()
    enrolment = Enrolment.objects.get(user=finished)
    DeadlineExtension.objects.create(enrolment=enrolment, due_on=timezone.localdate(),
                                     reason="Caring for a relative", granted_by=manager)
    ManagerDigest.objects.create(manager=finished, week_of=timezone.localdate(),
                                 overdue_count=1)
    client.force_login(finished)
    data = client.get(reverse("my_data")).json()
    assert data["profile"]["staff_number"] == "DPS000123"
    assert data["profile"]["line_manager"] == "Mo Nager"
    assert data["profile"]["people_you_line_manage"] == 1
    assert data["deadline_extensions"][0]["reason"] == "Caring for a relative"
    assert len(data["line_manager_digests_sent_to_you"]) == 1

    learner_erase(user=finished)
    finished.refresh_from_db()
    report.refresh_from_db()
    assert (finished.staff_number, finished.line_manager) == ("", None)
    assert report.line_manager is None
    assert not ManagerDigest.objects.filter(manager=finished).exists()
    assert "Caring" not in DeadlineExtension.objects.get().reason
