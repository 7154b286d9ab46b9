"""The weekly digest to line managers: one email to each manager with someone overdue,
once a week, whoever runs it and however often."""

from datetime import date, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.utils import timezone

from learners import tasks
from learners.models import ManagerDigest, RequiredLearning, User
from learners.services.managers import manager_digests_send
from tests.factories import course_with_lessons
from tests.hr.conftest import enrolment, person

MONDAY = date(2026, 11, 30)
WEDNESDAY = MONDAY + timedelta(days=2)


@pytest.fixture
def managers(tree):
    """Two managers: Mina's report is overdue, Omar's is not."""
    mina = person(tree["operations"], 1, first_name="Mina", last_name="Manager")
    omar = person(tree["operations"], 2, first_name="Omar", last_name="Onschedule")
    late = person(tree["team-north"], 3, first_name="Lola", last_name="Late", line_manager=mina)
    fine = person(tree["team-north"], 4, first_name="Finn", last_name="Fine", line_manager=omar)
    return {"mina": mina, "omar": omar, "late": late, "fine": fine}


@pytest.fixture
def overdue(managers, course):
    enrolment(managers["late"], course, due_on=MONDAY - timedelta(days=7))
    enrolment(managers["fine"], course, due_on=MONDAY + timedelta(days=7))
    return course


def test_one_email_to_each_manager_with_someone_overdue_and_none_to_others(overdue, managers):
    assert manager_digests_send(today=MONDAY) == 1
    assert [m.to for m in mail.outbox] == [["p1@example.gov.uk"]]
    digest = ManagerDigest.objects.get()
    assert (digest.manager, digest.week_of, digest.overdue_count) == (managers["mina"], MONDAY, 1)
    assert digest.sent_at is not None


def test_the_email_names_the_report_course_and_due_date_and_links_to_my_team(overdue):
    manager_digests_send(today=MONDAY)
    email = mail.outbox[0]
    assert email.subject == "1 overdue required course in your team"
    assert "Lola Late: Agile basics, due 23 November 2026" in email.body
    assert f"{settings.ACADEMY_BASE_URL}/my-team/" in email.body
    assert "Finn" not in email.body


def test_running_it_again_in_the_same_week_sends_nothing_more(overdue):
    assert manager_digests_send(today=MONDAY) == 1
    assert manager_digests_send(today=MONDAY) == 0
    assert manager_digests_send(today=WEDNESDAY) == 0
    assert len(mail.outbox) == 1
    assert ManagerDigest.objects.count() == 1


def test_next_week_the_manager_hears_again(overdue):
    manager_digests_send(today=MONDAY)
    manager_digests_send(today=MONDAY + timedelta(days=7))
    assert len(mail.outbox) == 2
    assert sorted(ManagerDigest.objects.values_list("week_of", flat=True)) == [
        MONDAY, MONDAY + timedelta(days=7)]


def test_a_digest_left_unsent_by_a_crash_is_sent_by_the_next_run_and_only_once(
        overdue, managers):
    # A run created the week's row and died before sending.
    ManagerDigest.objects.create(manager=managers["mina"], week_of=MONDAY, overdue_count=1)
    assert manager_digests_send(today=WEDNESDAY) == 1
    assert len(mail.outbox) == 1
    assert ManagerDigest.objects.get().sent_at is not None
    assert manager_digests_send(today=WEDNESDAY) == 0
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_loses_nothing(overdue, managers, settings):
    settings.EMAIL_BACKEND = "tests.hr.test_manager_digest.RefusingBackend"
    with pytest.raises(ConnectionRefusedError):
        manager_digests_send(today=MONDAY)
    assert ManagerDigest.objects.get().sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert manager_digests_send(today=MONDAY) == 1
    assert len(mail.outbox) == 1


def test_an_inactive_manager_gets_nothing(overdue, managers):
    User.objects.filter(pk=managers["mina"].pk).update(is_active=False)
    assert manager_digests_send(today=MONDAY) == 0
    assert mail.outbox == []
    assert not ManagerDigest.objects.exists()


def test_an_inactive_report_is_not_chased(overdue, managers):
    User.objects.filter(pk=managers["late"].pk).update(is_active=False)
    assert manager_digests_send(today=MONDAY) == 0
    assert mail.outbox == []


def test_an_extension_not_yet_passed_means_no_email(managers, course):
    enrolment(managers["late"], course, due_on=MONDAY - timedelta(days=7),
              extended_due_on=MONDAY + timedelta(days=1))
    assert manager_digests_send(today=MONDAY) == 0
    assert mail.outbox == []
    # Once the extension has passed too, it is overdue.
    assert manager_digests_send(today=MONDAY + timedelta(days=7)) == 1


def test_completed_and_withdrawn_learning_is_not_overdue(managers, course, catalogue):
    enrolment(managers["late"], course, due_on=MONDAY - timedelta(days=7),
              completed_at=timezone.now())
    withdrawn = RequiredLearning.objects.create(course=course, due_on=MONDAY,
                                                withdrawn_at=timezone.now())
    other = course_with_lessons(catalogue, modules=1, lessons=1, title="Data basics")
    enrolment(managers["late"], other, due_on=MONDAY - timedelta(days=7), required_by=withdrawn)
    assert manager_digests_send(today=MONDAY) == 0
    assert mail.outbox == []


def test_a_manager_of_several_gets_one_email_listing_each(overdue, managers, tree, catalogue):
    other = course_with_lessons(catalogue, modules=1, lessons=1, title="Data basics")
    second = person(tree["team-north"], 5, first_name="Sam", last_name="Second",
                    line_manager=managers["mina"])
    enrolment(second, other, due_on=MONDAY - timedelta(days=1))
    enrolment(managers["late"], other, due_on=MONDAY - timedelta(days=2))
    assert manager_digests_send(today=MONDAY) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "3 overdue required courses in your team"
    assert "Lola Late: Agile basics" in body
    assert "Lola Late: Data basics" in body
    assert "Sam Second: Data basics, due 29 November 2026" in body
    assert ManagerDigest.objects.get().overdue_count == 3


def test_the_task_runs_every_monday_at_8am(overdue):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "learners.tasks.manager_digests_send")
    assert entry["schedule"] == crontab(minute=0, hour=8, day_of_week="mon")
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert tasks.manager_digests_send.delay().get() >= 0


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")
