"""Certificates that must be renewed (issue 17): the expiry date a course's validity
gives at issue (month ends, leap days, the UK date), valid on its last day and expired
the day after, revoked winning over expired, the reminder sent once per certificate, a
learner renewing, and recurring required learning agreeing with the expiry."""

import shutil
import subprocess
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from academy.reports.forms import RequiredLearningForm
from config.celery import app
from learners import services
from learners.models import (
    Certificate,
    CertificateStatus,
    Enrolment,
    Organisation,
    RequiredLearning,
)
from learners.services.certificate_expiry import (
    certificate_expiry_date,
    certificate_expiry_reminders_send,
)
from tests.celery_worker import real_worker, wait_for
from tests.factories import UserFactory, certificate_held, course_with_lessons
from tests.learners.conftest import enrol, lessons_of, work_through

LONDON = ZoneInfo("Europe/London")


# --- The rule for the expiry date ------------------------------------------------------

@pytest.mark.parametrize(("completed_on", "months", "valid_until"), [
    (date(2026, 1, 15), 12, date(2027, 1, 14)),  # the day before the same date
    (date(2026, 1, 1), 1, date(2026, 1, 31)),
    (date(2026, 1, 31), 1, date(2026, 2, 28)),   # no 31 February: to the month's end
    (date(2028, 1, 31), 1, date(2028, 2, 29)),   # ... in a leap year, the 29th
    (date(2026, 1, 29), 1, date(2026, 2, 28)),
    (date(2026, 1, 28), 1, date(2026, 2, 27)),
    (date(2026, 3, 31), 1, date(2026, 4, 30)),
    (date(2026, 12, 31), 2, date(2027, 2, 28)),  # over the year's end
    (date(2028, 2, 29), 12, date(2029, 2, 28)),  # a leap day, into a common year
    (date(2028, 2, 29), 48, date(2032, 2, 28)),  # ... into a leap year
    (date(2027, 2, 28), 12, date(2028, 2, 27)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),  # no 30 February
])
def test_a_certificate_is_valid_to_the_day_before_the_same_date_n_months_on(
        completed_on, months, valid_until):
    assert certificate_expiry_date(completed_on=completed_on, valid_months=months) == valid_until


def test_a_course_without_a_validity_gives_a_certificate_that_does_not_expire():
    assert certificate_expiry_date(completed_on=date(2026, 5, 1), valid_months=None) is None


# --- Issue: the expiry date, the PDF, and a later change to the course -----------------

def _pdf_text(certificate) -> str:
    from tests.conftest import require_tool

    require_tool("pdftotext", "poppler-utils")
    data = certificate.file.open("rb").read()
    return subprocess.run([shutil.which("pdftotext"), "-", "-"], input=data,
                          capture_output=True, check=True, timeout=60).stdout.decode()


def test_completing_a_course_with_a_validity_issues_a_certificate_that_runs_out(
        client, course, learner):
    course.certificate_valid_months = 12
    course.save_revision().publish()
    client.force_login(learner)
    enrol(client, course)
    work_through(client, lessons_of(course))
    certificate = Certificate.objects.get()
    completed_on = timezone.localdate(certificate.enrolment.completed_at)
    assert certificate.expires_on == certificate_expiry_date(completed_on=completed_on,
                                                             valid_months=12)
    until = certificate.expires_on
    assert f"Valid until {until.day} {until:%B %Y}" in _pdf_text(certificate)

    # A later change to the course's validity leaves the certificate as it was issued.
    course.certificate_valid_months = 24
    course.save_revision().publish()
    services.certificate_issue(enrolment_id=certificate.enrolment_id)
    certificate.refresh_from_db()
    assert certificate.expires_on == until


def test_a_certificate_that_does_not_expire_says_no_date(certificate):
    assert certificate.expires_on is None
    assert "Valid until" not in _pdf_text(certificate)


def test_the_completion_date_and_so_the_expiry_are_uk_dates(catalogue, learner):
    # 00:30 on 31 July in London is still 30 July in UTC.
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Risk",
                                 certificate_valid_months=1)
    at = datetime(2026, 7, 31, 0, 30, tzinfo=LONDON)
    enrolment = Enrolment.objects.create(user=learner, course=course, completed_at=at,
                                         progress_percent=100)
    certificate = services.certificate_issue(enrolment_id=enrolment.pk)
    assert certificate.completed_on == date(2026, 7, 31)
    assert certificate.expires_on == date(2026, 8, 30)


# --- Valid, expired, revoked -----------------------------------------------------------

def test_a_certificate_is_valid_on_its_last_day_and_expired_the_day_after(certificate):
    certificate.expires_on = date(2027, 3, 31)
    assert certificate.status_on(date(2027, 3, 31)) == CertificateStatus.VALID
    assert certificate.status_on(date(2027, 4, 1)) == CertificateStatus.EXPIRED
    certificate.revoked_at = timezone.now()
    assert certificate.status_on(date(2027, 3, 31)) == CertificateStatus.REVOKED
    assert certificate.status_on(date(2027, 4, 1)) == CertificateStatus.REVOKED


def _verify(client, certificate) -> str:
    return client.get(reverse("certificate_verify", args=[certificate.code])).content.decode()


def test_the_verify_page_says_valid_until_on_the_last_day(client, certificate):
    today = timezone.localdate()
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=today)
    page = _verify(client, certificate)
    assert "This certificate is valid" in page
    assert "Valid until" in page
    assert f"{today.day} {today:%B %Y}" in page
    assert "This certificate has expired" not in page


def test_the_verify_page_says_expired_the_day_after(client, certificate):
    yesterday = timezone.localdate() - timedelta(days=1)
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=yesterday)
    page = _verify(client, certificate)
    assert "<title>Certificate expired" in page
    assert "This certificate has expired" in page
    assert f"It was valid until {yesterday.day} {yesterday:%B %Y}" in page
    assert "This certificate is valid" not in page
    assert "This certificate has been revoked" not in page
    assert "govuk-tag--grey\">Expired" in page


def test_the_day_it_expires_is_the_uk_date_not_utc(client, certificate, monkeypatch):
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=date(2026, 7, 14))
    # 23:30 UTC on 14 July is 00:30 on 15 July in London (British Summer Time).
    monkeypatch.setattr(timezone, "now",
                        lambda: datetime(2026, 7, 14, 23, 30, tzinfo=ZoneInfo("UTC")))
    assert "This certificate has expired" in _verify(client, certificate)
    monkeypatch.setattr(timezone, "now",
                        lambda: datetime(2026, 7, 14, 22, 59, tzinfo=ZoneInfo("UTC")))
    assert "This certificate is valid" in _verify(client, certificate)


def test_revoked_wins_over_expired_on_the_verify_page(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=timezone.localdate() - timedelta(days=30))
    services.certificate_revoke(certificate=Certificate.objects.get(pk=certificate.pk),
                                reason="Completed by someone else")
    page = _verify(client, certificate)
    assert "This certificate has been revoked" in page
    assert "This certificate has expired" not in page
    assert "govuk-tag--red\">Revoked" in page


def test_my_learning_shows_each_certificates_status(client, catalogue, learner):
    today = timezone.localdate()
    titles = {"Fire safety": today - timedelta(days=1), "Data protection": today + timedelta(
        days=200), "Security": today + timedelta(days=10)}
    for title, expires_on in titles.items():
        course = course_with_lessons(catalogue, modules=1, lessons=1, title=title)
        certificate_held(learner, course, completed_on=today - timedelta(days=300),
                         expires_on=expires_on)
    client.force_login(learner)
    page = client.get(reverse("my_learning")).content.decode()
    expired, far, _soon = titles.values()
    assert f"Expired</strong> Was valid until {expired.day} {expired:%B %Y}" in page
    assert f"Valid</strong> Valid until {far.day} {far:%B %Y}" in page
    # Renewing opens within the reminder window (and once it has run out), not before.
    assert "Renew<span class=\"govuk-visually-hidden\"> your certificate for Fire safety" in page
    assert "Renew<span class=\"govuk-visually-hidden\"> your certificate for Security" in page
    assert "your certificate for Data protection" not in page


# --- Renewing ------------------------------------------------------------------------

def test_a_learner_renews_an_expiring_certificate_by_completing_the_course_again(
        client, course, learner):
    course.certificate_valid_months = 12
    course.save_revision().publish()
    today = timezone.localdate()
    old = certificate_held(learner, course, completed_on=today - timedelta(days=360),
                           expires_on=today + timedelta(days=4))
    client.force_login(learner)
    page = client.get(course.url).content.decode()
    assert "Start the course again to renew your certificate" in page
    enrol(client, course)
    assert Enrolment.objects.filter(user=learner, course=course).count() == 2
    work_through(client, lessons_of(course))
    new = Certificate.objects.exclude(pk=old.pk).get()
    assert new.enrolment.cycle == 2
    assert new.expires_on == certificate_expiry_date(completed_on=today, valid_months=12)
    # Renewed: no reminder for the old one.
    assert certificate_expiry_reminders_send() == 0
    assert reminders() == []


def test_enrolling_again_long_before_expiry_changes_nothing(client, course, learner):
    today = timezone.localdate()
    certificate_held(learner, course, completed_on=today,
                     expires_on=today + timedelta(days=364))
    client.force_login(learner)
    assert "renew your certificate" not in client.get(course.url).content.decode()
    enrol(client, course)
    assert Enrolment.objects.filter(user=learner, course=course).count() == 1


# --- The reminder ----------------------------------------------------------------------

@pytest.fixture
def expiring(catalogue, settings):
    """Sam's certificate runs out in 20 days: within the 30-day window."""
    settings.CERTIFICATE_EXPIRY_REMINDER_DAYS = 30
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Fire safety",
                                 certificate_valid_months=12)
    sam = UserFactory(email="sam@example.gov.uk", first_name="Sam", last_name="Okafor")
    today = timezone.localdate()
    return certificate_held(sam, course, completed_on=today - timedelta(days=345),
                            expires_on=today + timedelta(days=20))


def reminders():
    return [m for m in mail.outbox if "runs out on" in m.subject]


def test_the_reminder_is_sent_once_however_often_the_task_runs(expiring, settings):
    from learners.tasks import certificate_expiry_remind

    assert certificate_expiry_remind.delay().get() == 1
    assert certificate_expiry_remind.delay().get() == 0
    assert certificate_expiry_reminders_send() == 0
    [message] = reminders()
    until = expiring.expires_on
    assert message.to == ["sam@example.gov.uk"]
    assert message.subject == (f"Your certificate for Fire safety runs out on "
                               f"{until.day} {until:%B %Y}")
    course_url = settings.ACADEMY_BASE_URL + expiring.enrolment.course.url
    assert course_url in message.body
    assert "complete the course again" in message.body
    expiring.refresh_from_db()
    assert expiring.expiry_reminder_sent_at is not None


def test_the_window_edges(expiring):
    today = timezone.localdate()
    Certificate.objects.filter(pk=expiring.pk).update(expires_on=today + timedelta(days=31))
    assert certificate_expiry_reminders_send() == 0
    Certificate.objects.filter(pk=expiring.pk).update(expires_on=today + timedelta(days=30))
    assert certificate_expiry_reminders_send() == 1


def test_no_reminder_for_an_expired_revoked_or_renewed_certificate(expiring, catalogue):
    today = timezone.localdate()
    sam, course = expiring.enrolment.user, expiring.enrolment.course
    Certificate.objects.filter(pk=expiring.pk).update(expires_on=today - timedelta(days=1))
    assert certificate_expiry_reminders_send() == 0
    Certificate.objects.filter(pk=expiring.pk).update(expires_on=today + timedelta(days=5))
    services.certificate_revoke(certificate=Certificate.objects.get(pk=expiring.pk),
                                reason="Issued in error")
    assert certificate_expiry_reminders_send() == 0
    Certificate.objects.filter(pk=expiring.pk).update(revoked_at=None, revoked_reason="")
    renewal = certificate_held(sam, course, completed_on=today, cycle=2,
                               expires_on=today + timedelta(days=364))
    assert certificate_expiry_reminders_send() == 0
    # A renewal that was itself revoked does not count: the reminder goes.
    services.certificate_revoke(certificate=renewal, reason="Completed by someone else")
    assert certificate_expiry_reminders_send() == 1
    assert len(reminders()) == 1


def test_no_reminder_for_someone_who_may_not_be_emailed(expiring):
    expiring.enrolment.user.__class__.objects.filter(pk=expiring.enrolment.user_id).update(
        is_active=False)
    assert certificate_expiry_reminders_send() == 0
    assert reminders() == []


def test_a_failed_send_gives_the_claim_back(expiring, settings):
    settings.EMAIL_BACKEND = "tests.learners.test_certificate_expiry.BrokenBackend"
    with pytest.raises(ConnectionError):
        certificate_expiry_reminders_send()
    expiring.refresh_from_db()
    assert expiring.expiry_reminder_sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert certificate_expiry_reminders_send() == 1


class BrokenBackend(BaseEmailBackend):
    """A mail server that is down: every send raises."""

    def send_messages(self, messages):
        raise ConnectionError("the mail server is down")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_one_reminder(expiring):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(certificate_expiry_reminders_send())
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [0, 1]
    assert len(reminders()) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_daily_task_sends_once_through_a_real_celery_worker(catalogue, tmp_path):
    from learners.tasks import certificate_expiry_remind as task

    course = course_with_lessons(catalogue, modules=1, lessons=1, title="First aid",
                                 certificate_valid_months=36)
    wren = UserFactory(email="wren@example.gov.uk", first_name="Wren")
    today = timezone.localdate()
    certificate = certificate_held(wren, course, completed_on=today - timedelta(days=1000),
                                   expires_on=today + timedelta(days=7))
    with real_worker(tmp_path):
        queue = app.conf.task_default_queue
        task.delay()
        task.delay()  # twice, at once, by the worker's two processes

        def sent():
            """the reminder claimed and sent"""
            return Certificate.objects.filter(pk=certificate.pk,
                                              expiry_reminder_sent_at__isnull=False).exists()

        def taken():
            """both runs taken off the queue (stopping the worker lets them finish)"""
            with app.connection_for_write() as broker:
                return broker.default_channel.client.llen(queue) == 0

        wait_for(sent)
        wait_for(taken)
    emails = "".join(path.read_text() for path in tmp_path.iterdir())
    assert emails.count("Subject: Your certificate for First aid runs out on") == 1
    assert "wren@example.gov.uk" in emails


# --- Recurring required learning and the certificate's expiry ------------------------

@pytest.fixture
def hr_course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=1, title="Security",
                               certificate_valid_months=12)


def _form(hr_course, viewer, organisation, recurrence):
    return RequiredLearningForm({
        "course": hr_course.pk, "organisations": [organisation.pk],
        "due_on_day": "1", "due_on_month": "1",
        "due_on_year": str(timezone.localdate().year + 1),
        "recurrence_months": recurrence}, viewer=viewer)


def test_required_learning_cannot_repeat_less_often_than_the_certificate_lasts(
        hr_course, admin_user):
    organisation = Organisation.add_root(name="Department", slug="department")
    form = _form(hr_course, admin_user, organisation, "24")
    assert not form.is_valid()
    assert form.errors["recurrence_months"] == [
        "The certificate for Security is valid for 12 months, so people must renew it at "
        "least every 12 months. Choose 12 months or fewer, or ask the course's trainer to "
        "change how long its certificate is valid"]
    assert RequiredLearning.objects.count() == 0
    assert _form(hr_course, admin_user, organisation, "12").is_valid()
    assert _form(hr_course, admin_user, organisation, "6").is_valid()
    assert _form(hr_course, admin_user, organisation, "").is_valid()


def test_a_course_cannot_be_valid_for_less_than_its_required_learning_repeats(hr_course):
    RequiredLearning.objects.create(course=hr_course, due_on=timezone.localdate(),
                                    recurrence_months=12)
    hr_course.certificate_valid_months = 6
    with pytest.raises(ValidationError) as refused:
        hr_course.full_clean()
    assert refused.value.message_dict["certificate_valid_months"] == [
        "This course is required learning that people repeat every 12 months. Its "
        "certificate must be valid for at least that long, so that it does not run out "
        "before they must renew: enter 12 or more, or ask HR to repeat the required "
        "learning more often"]
    hr_course.certificate_valid_months = 12
    hr_course.full_clean()


def test_the_trainer_sets_the_validity_in_the_course_settings(client, hr_course, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("wagtailadmin_pages:edit", args=[hr_course.pk])).content.decode()
    assert "Certificate valid for (months)" in page
    assert "certificates already issued keep the date they have" in page


def test_the_next_cycle_is_due_on_the_last_day_the_certificate_is_valid(hr_course):
    organisation = Organisation.add_root(name="Department", slug="department")
    sam = UserFactory(email="sam@example.gov.uk", organisation=organisation)
    assignment = RequiredLearning.objects.create(course=hr_course, due_on=date(2026, 1, 1),
                                                 recurrence_months=12)
    assignment.organisations.add(organisation)
    today = timezone.localdate()
    completed_on = today - timedelta(days=350)
    certificate = certificate_held(sam, hr_course, completed_on=completed_on,
                                   expires_on=certificate_expiry_date(
                                       completed_on=completed_on, valid_months=12))
    assert services.required_learning_renew() == 1
    renewal = Enrolment.objects.get(user=sam, course=hr_course, cycle=2)
    assert renewal.due_on == certificate.expires_on
    assert renewal.required_by == assignment


def test_renewing_recurring_required_learning_early_keeps_the_requirement(
        client, hr_course):
    organisation = Organisation.add_root(name="Department", slug="department")
    sam = UserFactory(email="sam@example.gov.uk", organisation=organisation)
    assignment = RequiredLearning.objects.create(course=hr_course, due_on=date(2026, 1, 1),
                                                 recurrence_months=12)
    today = timezone.localdate()
    certificate = certificate_held(sam, hr_course, completed_on=today - timedelta(days=355),
                                   expires_on=today + timedelta(days=9))
    Enrolment.objects.filter(pk=certificate.enrolment_id).update(required_by=assignment)
    client.force_login(sam)
    enrol(client, hr_course)
    renewal = Enrolment.objects.get(user=sam, course=hr_course, cycle=2)
    assert renewal.required_by == assignment
    assert renewal.due_on == certificate.expires_on
    assert services.required_learning_renew() == 0  # beat makes no other cycle
