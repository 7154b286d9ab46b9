""""Have you used it at work?": sent once at each point (30, 60, 90 days after
completion, Europe/London dates), never before, never to an erased, inactive or
opted-out learner; answered only by the learner, confirmed only by their line manager."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from config.celery import app
from learners.models import Enrolment, FollowUp, FollowUpAnswer, FollowUpOptOut
from learners.privacy import learner_data_export, learner_erase
from learners.services.followups import (
    FOLLOWUP_GRACE_DAYS,
    FollowUpRejected,
    followup_answer,
    followup_confirm,
    followups_send,
)
from tests.celery_worker import real_worker, wait_for
from tests.factories import UserFactory, course_with_lessons

LONDON = ZoneInfo("Europe/London")
# Completed late on a summer evening in London: 1 June by London's calendar, whose
# points fall on 1 July, 31 July and 30 August.
COMPLETED = datetime(2026, 6, 1, 23, 30, tzinfo=LONDON)
DAY = date(2026, 6, 1)


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=1, title="User research basics")


@pytest.fixture
def learner(db):
    return UserFactory(email="sam@example.gov.uk", first_name="Sam", last_name="Okafor")


def completed(user, course, at=COMPLETED) -> Enrolment:
    return Enrolment.objects.create(user=user, course=course, completed_at=at,
                                    progress_percent=100)


def rows():
    return sorted((email, point, sent_at is None) for email, point, sent_at in
                  FollowUp.objects.values_list("enrolment__user__email", "point_days", "sent_at"))


def sent_question(user, course, point=30) -> FollowUp:
    enrolment = Enrolment.objects.filter(user=user, course=course).first() or completed(
        user, course)
    assert followups_send(today=DAY + timedelta(days=point)) >= 1
    return FollowUp.objects.get(enrolment=enrolment, point_days=point)


def test_each_question_is_sent_once_at_each_point_when_the_task_runs_twice(learner, course):
    completed(learner, course)
    for point in (30, 60, 90):
        today = DAY + timedelta(days=point)
        assert followups_send(today=today) == 1
        assert followups_send(today=today) == 0
        assert followups_send(today=today + timedelta(days=1)) == 0
    assert rows() == [("sam@example.gov.uk", 30, False), ("sam@example.gov.uk", 60, False),
                      ("sam@example.gov.uk", 90, False)]
    assert [m.to for m in mail.outbox] == [["sam@example.gov.uk"]] * 3
    assert {m.subject for m in mail.outbox} == {"Have you used User research basics at work?"}
    question = FollowUp.objects.get(point_days=60)
    assert reverse("followup_answer", args=[question.pk]) in mail.outbox[1].body
    assert "You completed User research basics on 1 June 2026" in mail.outbox[1].body
    assert reverse("followups_opt_out") in mail.outbox[1].body


def test_not_before_the_day_by_the_london_calendar_and_then_on_it(learner, course):
    completed(learner, course)  # 22:30 UTC on 1 June: still 1 June in London
    assert followups_send(today=date(2026, 6, 30)) == 0
    assert rows() == []
    assert followups_send(today=date(2026, 7, 1)) == 1
    assert FollowUp.objects.get().due_on == date(2026, 7, 1)
    assert followups_send(today=date(2026, 7, 30)) == 0  # 59 days: not yet the second
    assert followups_send(today=date(2026, 7, 31)) == 1


def test_a_missed_day_is_caught_up_within_the_grace_period_and_never_after(
        learner, course, catalogue):
    completed(learner, course)
    other = UserFactory(email="late@example.gov.uk")
    completed(other, course, at=COMPLETED - timedelta(days=1))  # one day older
    # The first run in weeks: the 30-day question of the one completed on 1 June is
    # FOLLOWUP_GRACE_DAYS late (sent); the other's is a day beyond (never sent).
    assert followups_send(today=DAY + timedelta(days=30 + FOLLOWUP_GRACE_DAYS)) == 1
    assert rows() == [("sam@example.gov.uk", 30, False)]
    assert [m.to for m in mail.outbox] == [["sam@example.gov.uk"]]


def test_switching_follow_ups_on_does_not_ask_old_completions(learner, course):
    completed(learner, course, at=COMPLETED - timedelta(days=400))
    for days in range(0, 120, 7):
        followups_send(today=DAY + timedelta(days=days))
    assert rows() == []
    assert mail.outbox == []


def test_a_course_asks_only_at_its_own_points(learner, course, catalogue):
    none = course_with_lessons(catalogue, modules=1, lessons=1, title="Asks nothing",
                               followup_points=[])
    sixty = course_with_lessons(catalogue, modules=1, lessons=1, title="Asks at sixty",
                                followup_points=[60])
    completed(learner, none)
    completed(learner, sixty)
    for point in (30, 60, 90):
        followups_send(today=DAY + timedelta(days=point))
    assert list(FollowUp.objects.values_list("enrolment__course__title", "point_days")) == [
        ("Asks at sixty", 60)]
    assert [m.subject for m in mail.outbox] == ["Have you used Asks at sixty at work?"]


def test_a_course_may_ask_only_at_30_60_or_90_days(course):
    course.followup_points = [30, 45]
    with pytest.raises(ValidationError, match="Choose from 30, 60 and 90 days"):
        course.full_clean()
    course.followup_points = [90, 30, 30]
    course.save()
    course.refresh_from_db()
    assert course.followup_points == [30, 90]


def test_never_to_erased_inactive_unverified_or_opted_out_learners(learner, course, client):
    erased, inactive, unverified, stopped = (
        UserFactory(email=f"{name}@example.gov.uk", first_name=name.title())
        for name in ("erased", "inactive", "unverified", "stopped"))
    for user in (learner, erased, inactive, unverified, stopped):
        completed(user, course)
    learner_erase(user=erased)
    inactive.is_active = False
    inactive.save()
    unverified.email_verified_at = None
    unverified.save()
    client.force_login(stopped)
    client.post(reverse("followups_opt_out"), {"choice": "stop"})
    assert FollowUpOptOut.objects.filter(user=stopped).exists()

    for point in (30, 60, 90):
        followups_send(today=DAY + timedelta(days=point))
    assert {e for (e, _p, _s) in rows()} == {"sam@example.gov.uk"}
    assert {tuple(m.to) for m in mail.outbox} == {("sam@example.gov.uk",)}


def test_a_question_written_but_not_sent_goes_to_no_one_erased_since(learner, course):
    """The row is written, then the learner is erased before the email goes (the mail
    server was down): it is never sent."""
    completed(learner, course)
    FollowUp.objects.create(enrolment=Enrolment.objects.get(), point_days=30,
                            due_on=DAY + timedelta(days=30))
    learner_erase(user=learner)
    assert followups_send(today=DAY + timedelta(days=31)) == 0
    assert mail.outbox == []
    assert not FollowUp.objects.exists()


def test_opting_back_in_asks_again(learner, course, client):
    completed(learner, course)
    client.force_login(learner)
    client.post(reverse("followups_opt_out"), {"choice": "stop"})
    page = client.get(reverse("followups_opt_out")).content.decode()
    assert "You have asked us not to send you these questions" in page
    assert followups_send(today=DAY + timedelta(days=30)) == 0
    client.post(reverse("followups_opt_out"), {"choice": "start"})
    assert not FollowUpOptOut.objects.exists()
    assert followups_send(today=DAY + timedelta(days=30)) == 1


def test_my_learning_shows_the_question_until_it_is_answered(client, learner, course):
    question = sent_question(learner, course)
    client.force_login(learner)
    page = client.get(reverse("my_learning")).content.decode()
    assert "Have you used it at work?" in page
    assert reverse("followup_answer", args=[question.pk]) in page
    response = client.post(reverse("followup_answer", args=[question.pk]),
                           {"answer": "yes",
                            "how": "  I ran a round of interviews\r\nwith users. "})
    assert response.status_code == 302
    assert response["Location"] == reverse("my_learning")
    question.refresh_from_db()
    assert (question.answer, question.how) == ("yes", "I ran a round of interviews\nwith users.")
    assert question.answered_at is not None
    page = client.get(reverse("my_learning")).content.decode()
    assert "Your answer about User research basics is saved" in page
    assert reverse("followup_answer", args=[question.pk]) not in page


def test_answering_without_a_choice_shows_the_error_and_changes_nothing(client, learner, course):
    question = sent_question(learner, course)
    client.force_login(learner)
    response = client.post(reverse("followup_answer", args=[question.pk]),
                           {"how": "Something I wrote"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert page.count("Select whether you have used this at work") == 2  # summary + inline
    assert 'href="#id_answer_0"' in page
    assert "Something I wrote" in page  # what they typed is kept in the box
    assert "<title>Error: Have you used User research basics at work?" in page
    response = client.post(reverse("followup_answer", args=[question.pk]),
                           {"answer": "maybe"})
    assert "Select whether you have used this at work" in response.content.decode()
    response = client.post(reverse("followup_answer", args=[question.pk]),
                           {"answer": "yes", "how": "x" * 1201})
    assert "How you used it must be 1200 characters or fewer" in response.content.decode()
    question.refresh_from_db()
    assert (question.answer, question.how, question.answered_at) == ("", "", None)


def test_only_the_learner_answers_their_question(client, learner, course):
    question = sent_question(learner, course)
    manager = UserFactory(email="manager@example.gov.uk")
    learner.line_manager = manager
    learner.save()
    for someone in (manager, UserFactory(email="other@example.gov.uk")):
        client.force_login(someone)
        assert client.get(reverse("followup_answer", args=[question.pk])).status_code == 404
        response = client.post(reverse("followup_answer", args=[question.pk]), {"answer": "yes"})
        assert response.status_code == 404
        with pytest.raises(FollowUpRejected):
            followup_answer(followup=question, user=someone, answer="yes")
    client.logout()
    response = client.post(reverse("followup_answer", args=[question.pk]), {"answer": "yes"})
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    question.refresh_from_db()
    assert question.answer == ""


def test_a_question_not_yet_sent_cannot_be_answered(client, learner, course):
    enrolment = completed(learner, course)
    unsent = FollowUp.objects.create(enrolment=enrolment, point_days=30, due_on=DAY)
    client.force_login(learner)
    assert client.get(reverse("followup_answer", args=[unsent.pk])).status_code == 404


def test_only_the_line_manager_confirms_and_only_a_yes(client, learner, course):
    manager = UserFactory(email="manager@example.gov.uk", first_name="Mo")
    learner.line_manager = manager
    learner.save()
    question = sent_question(learner, course)
    followup_answer(followup=question, user=learner, answer=FollowUpAnswer.NOT_YET)
    with pytest.raises(FollowUpRejected, match="once they have said they have"):
        followup_confirm(followup=question, manager=manager)
    followup_answer(followup=question, user=learner, answer=FollowUpAnswer.YES,
                    how="Ran a usability session")

    someone_else = UserFactory(email="other@example.gov.uk")
    client.force_login(someone_else)
    page = client.get(reverse("team_followups")).content.decode()
    assert "Okafor" not in page
    response = client.post(reverse("team_followups"), {"followup": question.pk})
    assert response.status_code == 404
    with pytest.raises(FollowUpRejected, match="Only the person's line manager"):
        followup_confirm(followup=question, manager=someone_else)
    question.refresh_from_db()
    assert question.confirmed_at is None

    client.force_login(manager)
    page = client.get(reverse("team_followups")).content.decode()
    assert "Sam Okafor" in page
    assert "Ran a usability session" in page
    response = client.post(reverse("team_followups"), {"followup": question.pk}, follow=True)
    assert "You confirmed that Sam Okafor has used User research basics at work" in (
        response.content.decode())
    question.refresh_from_db()
    assert question.confirmed_by == manager
    assert question.confirmed_at is not None
    # The learner changes their answer: the confirmation no longer stands.
    followup_answer(followup=question, user=learner, answer=FollowUpAnswer.NOT_RELEVANT)
    question.refresh_from_db()
    assert (question.confirmed_by, question.confirmed_at) == (None, None)


def test_the_data_export_holds_the_questions_and_erasure_removes_them(learner, course):
    question = sent_question(learner, course)
    followup_answer(followup=question, user=learner, answer="yes", how="Wrote user needs")
    FollowUpOptOut.objects.create(user=learner)
    data = learner_data_export(user=learner)
    assert data["used_at_work_questions"][0]["how"] == "Wrote user needs"
    assert data["used_at_work_questions"][0]["answer"] == "Yes"
    assert data["used_at_work_questions_stopped_at"] is not None
    learner_erase(user=learner)
    assert not FollowUp.objects.exists()
    assert not FollowUpOptOut.objects.exists()


def test_erasing_a_line_manager_keeps_the_confirmation_without_their_name(learner, course):
    manager = UserFactory(email="manager@example.gov.uk")
    learner.line_manager = manager
    learner.save()
    question = sent_question(learner, course)
    followup_answer(followup=question, user=learner, answer="yes")
    followup_confirm(followup=question, manager=manager)
    assert learner_data_export(user=manager)["used_at_work_you_confirmed"][0]["course"] == (
        "User research basics")
    learner_erase(user=manager)
    question.refresh_from_db()
    assert question.confirmed_by is None
    assert question.confirmed_at is not None


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_daily_task_sends_through_a_real_celery_worker(catalogue, tmp_path):
    from learners.tasks import followups_send as task

    learner = UserFactory(email="worker.learner@example.gov.uk", first_name="Wren")
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Plan a sprint")
    completed(learner, course, at=timezone.now() - timedelta(days=30))
    with real_worker(tmp_path):
        queue = app.conf.task_default_queue
        task.delay()
        task.delay()  # run twice, at once, by the worker's two processes

        def sent():
            """the 30-day question marked sent"""
            return FollowUp.objects.filter(point_days=30, sent_at__isnull=False).exists()

        def taken():
            """both runs taken off the queue (stopping the worker lets them finish)"""
            with app.connection_for_write() as connection:
                return connection.default_channel.client.llen(queue) == 0

        wait_for(sent)
        wait_for(taken)
    assert FollowUp.objects.count() == 1
    emails = "".join(path.read_text() for path in tmp_path.iterdir())
    assert emails.count("Subject: Have you used Plan a sprint at work?") == 1
    assert "worker.learner@example.gov.uk" in emails


def test_trainers_choose_the_points_in_the_course_editor(client, course):
    from courses.models import CoursePage

    field = CoursePage._meta.get_field("followup_points").formfield()
    assert field.clean([]) == []  # none ticked: the course asks nothing
    assert field.clean(["90", "30"]) == [90, 30]
    with pytest.raises(ValidationError):
        field.clean(["45"])
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    assert "Ask learners whether they have used this at work" in page
    ticked = re.findall(r'<input type="checkbox" name="followup_points" value="(\d+)"[^>]*checked',
                        page)
    assert ticked == ["30", "60", "90"]
