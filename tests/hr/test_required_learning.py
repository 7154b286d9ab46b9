"""Required learning: an audience enrolled with a due date, idempotently; new joiners
get it too; learners see it with "overdue"; reminders go once."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from learners import services
from learners.models import Enrolment, RequiredLearning, SignUpDomain
from tests.hr.conftest import date_parts, person, reporter
from tests.hr.test_who_may_join import verification_link

DUE = timezone.localdate() + timezone.timedelta(days=30)


@pytest.fixture
def audience(tree, grades):
    return [person(tree["operations"], 1, grade=grades["EO"]),
            person(tree["team-north"], 2, grade=grades["EO"]),
            person(tree["team-north"], 3, grade=grades["HEO"]),
            person(tree["policy"], 4, grade=grades["EO"])]


def assign(client, course, tree, grades=(), due=DUE):
    return client.post(reverse("required_learning"), {
        "course": course.pk, "organisations": [tree["operations"].pk],
        "grades": [g.pk for g in grades], **date_parts("due_on", due),
    })


def test_assigning_enrols_the_audience_below_the_organisation(client, hr, tree, course,
                                                              audience):
    client.force_login(hr)
    response = assign(client, course, tree)
    assert response.status_code == 302
    enrolled = set(Enrolment.objects.filter(course=course).values_list("user__last_name",
                                                                          flat=True))
    assert enrolled == {"Number0001", "Number0002", "Number0003"}
    assert set(Enrolment.objects.values_list("due_on", flat=True)) == {DUE}
    assert RequiredLearning.objects.get().expanded_count == 3


def test_grades_narrow_the_audience(client, hr, tree, course, audience, grades):
    client.force_login(hr)
    assign(client, course, tree, grades=[grades["EO"]])
    assert set(Enrolment.objects.values_list("user__last_name", flat=True)) == {
        "Number0001", "Number0002"}


def test_expanding_twice_gives_the_same_enrolments(client, hr, tree, course, audience,
                                                   django_capture_on_commit_callbacks):
    client.force_login(hr)
    assign(client, course, tree)
    before = list(Enrolment.objects.order_by("pk").values_list("pk", "user_id", "due_on"))
    with django_capture_on_commit_callbacks(execute=True):
        services.required_learning_expand(assignment_id=RequiredLearning.objects.get().pk)
    after = list(Enrolment.objects.order_by("pk").values_list("pk", "user_id", "due_on"))
    assert after == before


def test_a_new_joiner_gets_required_learning(client, hr, tree, course, audience, people_form):
    client.force_login(hr)
    assign(client, course, tree)
    client.logout()
    SignUpDomain.objects.create(domain="example.gov.uk", organisation=tree["department"])
    response = client.post(reverse("sign_up"), people_form | {
        "organisation": tree["team-north"].pk, "email": "new.joiner@example.gov.uk"})
    assert response.status_code == 302
    # Given only once they confirm their email address (tests/hr/test_who_may_join.py).
    assert not Enrolment.objects.filter(user__email="new.joiner@example.gov.uk").exists()
    client.get(verification_link(mail.outbox[-1]))
    joined = Enrolment.objects.get(user__email="new.joiner@example.gov.uk")
    assert joined.due_on == DUE
    assert joined.course == course


def test_someone_moving_into_the_audience_gets_it(client, site, hr, tree, course, audience):
    client.force_login(hr)
    assign(client, course, tree)
    mover = audience[3]  # in Policy, outside the audience
    # HR move people (a learner's profile no longer changes their organisation).
    client.force_login(reporter(site, tree["department"], email="dept-hr@example.gov.uk"))
    client.post(reverse("person_team", args=[mover.pk]),
                {"organisation": tree["team-north"].pk})
    assert Enrolment.objects.filter(user=mover, course=course, due_on=DUE).exists()


def test_an_earlier_voluntary_enrolment_becomes_required(client, hr, tree, course, audience):
    Enrolment.objects.create(user=audience[0], course=course)
    client.force_login(hr)
    assign(client, course, tree)
    assert Enrolment.objects.get(user=audience[0]).due_on == DUE


def test_a_reporter_cannot_assign_outside_their_organisations(client, hr, tree, course):
    client.force_login(hr)
    response = client.post(reverse("required_learning"), {
        "course": course.pk, "organisations": [tree["agency"].pk], **date_parts("due_on", DUE)})
    assert "Select a valid choice" in response.content.decode()
    assert not RequiredLearning.objects.exists()


def test_a_due_date_in_the_past_is_refused(client, hr, tree, course):
    client.force_login(hr)
    response = assign(client, course, tree, due=timezone.localdate() - timezone.timedelta(1))
    assert "The due date must be today or in the future" in response.content.decode()
    assert not RequiredLearning.objects.exists()


def test_my_learning_shows_required_courses_with_due_dates_and_overdue(client, tree, course,
                                                                      audience):
    Enrolment.objects.create(user=audience[0], course=course,
                             due_on=timezone.localdate() - timezone.timedelta(days=2))
    client.force_login(audience[0])
    page = client.get("/my-learning/").content.decode()
    required = page.split("Required</h2>")[1].split("</table>")[0]
    assert "Agile basics" in required
    assert "Overdue" in required


def test_reminders_go_before_the_due_date_and_when_overdue_once_each(tree, course, audience):
    today = timezone.localdate()
    soon = Enrolment.objects.create(user=audience[0], course=course,
                                    due_on=today + timezone.timedelta(days=3))
    late = Enrolment.objects.create(user=audience[1], course=course,
                                    due_on=today - timezone.timedelta(days=1))
    Enrolment.objects.create(user=audience[2], course=course,
                             due_on=today + timezone.timedelta(days=60))
    assert services.required_learning_remind() == {"due_soon": 1, "overdue": 1}
    assert sorted(m.to[0] for m in mail.outbox) == [soon.user.email, late.user.email]
    assert any(m.subject.startswith("Overdue: Agile basics") for m in mail.outbox)
    assert services.required_learning_remind() == {"due_soon": 0, "overdue": 0}


def test_recurring_learning_starts_a_new_cycle_before_the_completion_expires(
    client, hr, tree, course, audience
):
    client.force_login(hr)
    client.post(reverse("required_learning"), {
        "course": course.pk, "organisations": [tree["team-north"].pk],
        **date_parts("due_on", DUE), "recurrence_months": 12})
    done = Enrolment.objects.get(user=audience[1])
    year_ago = timezone.now() - timezone.timedelta(days=350)
    Enrolment.objects.filter(pk=done.pk).update(completed_at=year_ago)
    assert services.required_learning_renew() == 1
    assert services.required_learning_renew() == 0  # idempotent
    renewal = Enrolment.objects.get(user=audience[1], cycle=2)
    assert renewal.due_on == timezone.localdate(year_ago).replace(
        year=timezone.localdate(year_ago).year + 1)
    assert renewal.completed_at is None
    assert Enrolment.objects.filter(user=audience[2]).count() == 1  # not completed: no renewal
    client.force_login(audience[1])
    page = client.get(course.url).content.decode()
    assert "0 of 2 required lessons complete" in page  # the course page shows the new cycle
