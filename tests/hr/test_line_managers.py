"""Line managers: HR sets them (page and API, one set of rules), a manager sees their
direct reports' learning on /my-team/ and no one else's."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken

from academy.models import AuditEvent
from learners.models import User
from tests.factories import UserFactory, course_with_lessons
from tests.hr.conftest import enrolment, person

TODAY = timezone.localdate()


def bearer(user):
    _, key = APIToken.create_token(user=user, name="HR system")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def team(tree):
    """A manager in Operations with two people in Team North; someone in the Agency."""
    manager = person(tree["operations"], 1, first_name="Mina", last_name="Manager")
    reports = [person(tree["team-north"], n, last_name=name)
               for n, name in ((2, "Adeyemi"), (3, "Brown"))]
    return {"manager": manager, "reports": reports,
            "outsider": person(tree["agency"], 9, last_name="Outsider")}


def line_manager_url(user):
    return reverse("person_line_manager", args=[user.pk])


# --- HR's page -----------------------------------------------------------------------


def test_hr_sets_a_line_manager_and_staff_number_and_it_is_audited(client, hr, team):
    report = team["reports"][0]
    client.force_login(hr)
    page = client.get(line_manager_url(report))
    assert page.status_code == 200
    assert "Line manager and staff number" in page.content.decode()

    response = client.post(line_manager_url(report), {
        "line_manager_email": "P1@Example.gov.uk", "staff_number": " 100234 "})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.line_manager == team["manager"]
    assert report.staff_number == "100234"
    event = AuditEvent.objects.get(action=AuditEvent.Action.LINE_MANAGER_SET)
    assert event.actor == hr
    assert event.detail == (f"User {report.pk}: line manager none -> user {team['manager'].pk}; "
                            "staff number set")
    assert report.email not in event.detail  # the log outlives people: ids only

    shown = client.get(response["Location"]).content.decode()
    assert "Saved the line manager and staff number of Person Adeyemi" in shown
    assert "Mina Manager (p1@example.gov.uk)" in shown
    assert "100234" in shown


def test_hr_clears_a_line_manager(client, hr, team):
    report = team["reports"][0]
    report.line_manager = team["manager"]
    report.save()
    client.force_login(hr)
    client.post(line_manager_url(report), {"line_manager_email": "", "staff_number": ""})
    report.refresh_from_db()
    assert report.line_manager is None
    assert "line manager user" in AuditEvent.objects.get().detail


@pytest.mark.parametrize(("manager_email", "message"), [
    ("nobody@example.gov.uk",
     "No one with the email nobody@example.gov.uk is in your organisations"),
    ("p9@example.gov.uk", "No one with the email p9@example.gov.uk is in your organisations"),
    ("p2@example.gov.uk", "A person cannot be their own line manager"),
    ("not an email", "Enter the line manager&#x27;s email address in the correct format"),
])
def test_a_bad_line_manager_is_refused_with_a_clear_message_and_changes_nothing(
        client, hr, team, manager_email, message):
    report = team["reports"][0]
    client.force_login(hr)
    response = client.post(line_manager_url(report), {"line_manager_email": manager_email,
                                                      "staff_number": "555"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert message in body
    report.refresh_from_db()
    assert report.line_manager is None
    assert report.staff_number == ""
    assert not AuditEvent.objects.exists()


def test_an_inactive_manager_is_refused(client, hr, team):
    User.objects.filter(pk=team["manager"].pk).update(is_active=False)
    client.force_login(hr)
    response = client.post(line_manager_url(team["reports"][0]),
                           {"line_manager_email": "p1@example.gov.uk"})
    assert "No one with the email p1@example.gov.uk is in your organisations" in (
        response.content.decode())
    assert User.objects.get(pk=team["reports"][0].pk).line_manager is None


def test_someone_who_reports_to_the_person_cannot_be_their_manager(client, hr, team):
    first, second = team["reports"]
    second.line_manager = first
    second.save()
    client.force_login(hr)
    response = client.post(line_manager_url(first), {"line_manager_email": second.email})
    assert "p3@example.gov.uk reports to p2@example.gov.uk" in response.content.decode()
    first.refresh_from_db()
    assert first.line_manager is None


def test_a_staff_number_already_taken_is_refused_and_nothing_changes(client, hr, team):
    first, second = team["reports"]
    User.objects.filter(pk=first.pk).update(staff_number="100234")
    client.force_login(hr)
    response = client.post(line_manager_url(second), {
        "line_manager_email": "p1@example.gov.uk", "staff_number": "100234"})
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Staff number 100234 is already someone else&#x27;s" in body
    assert "Person Adeyemi" not in body  # whose it is stays private
    second.refresh_from_db()
    assert second.line_manager is None  # the valid half was not saved either
    assert second.staff_number == ""


def test_people_outside_the_hr_scope_are_not_found(client, hr, team):
    client.force_login(hr)
    outsider = team["outsider"]
    assert client.get(line_manager_url(outsider)).status_code == 404
    assert client.post(line_manager_url(outsider),
                       {"line_manager_email": "p1@example.gov.uk"}).status_code == 404
    assert User.objects.get(pk=outsider.pk).line_manager is None
    lookup = client.get(reverse("people_lookup"), {"email": outsider.email}).content.decode()
    assert "No one with the email p9@example.gov.uk is in your organisations" in lookup
    assert "Outsider" not in lookup


def test_a_learner_cannot_set_line_managers(client, team):
    client.force_login(team["reports"][1])
    assert client.get(reverse("people_lookup")).status_code == 403
    assert client.post(line_manager_url(team["reports"][0]),
                       {"line_manager_email": team["reports"][1].email}).status_code == 404
    assert User.objects.get(pk=team["reports"][0].pk).line_manager is None


def test_hr_finds_a_person_by_email_and_links_to_their_line_manager_page(client, hr, team):
    client.force_login(hr)
    body = client.get(reverse("people_lookup"), {"email": "P2@example.gov.uk"}).content.decode()
    assert "Person Adeyemi" in body
    assert "None recorded" in body
    assert line_manager_url(team["reports"][0]) in body
    assert "Line managers and staff numbers" in client.get(reverse("report")).content.decode()


# --- The records API -----------------------------------------------------------------


def put(client, user, email, payload):
    return client.put(f"/api/v1/people/{email}", payload, content_type="application/json",
                      **bearer(user))


def test_the_api_sets_a_line_manager_and_staff_number(client, hr, team):
    response = put(client, hr, "P2@example.gov.uk",
                   {"line_manager_email": "p1@example.gov.uk", "staff_number": "100234"})
    assert response.status_code == 200
    assert response.json() == {"email": "p2@example.gov.uk", "name": "Person Adeyemi",
                               "staff_number": "100234", "line_manager": "Mina Manager",
                               "line_manager_email": "p1@example.gov.uk"}
    report = User.objects.get(pk=team["reports"][0].pk)
    assert (report.line_manager, report.staff_number) == (team["manager"], "100234")
    assert AuditEvent.objects.get(action=AuditEvent.Action.LINE_MANAGER_SET).actor == hr


def test_the_api_leaves_a_field_it_is_not_sent_and_clears_one_sent_as_null(client, hr, team):
    report = team["reports"][0]
    User.objects.filter(pk=report.pk).update(line_manager=team["manager"], staff_number="77")
    assert put(client, hr, report.email, {"staff_number": None}).status_code == 200
    report.refresh_from_db()
    assert (report.line_manager, report.staff_number) == (team["manager"], "")
    assert put(client, hr, report.email, {"line_manager_email": None}).status_code == 200
    report.refresh_from_db()
    assert report.line_manager is None


@pytest.mark.parametrize(("payload", "message"), [
    ({"line_manager_email": "nobody@example.gov.uk", "staff_number": "1"},
     "No one with the email nobody@example.gov.uk is in your organisations"),
    ({"line_manager_email": "p2@example.gov.uk"}, "A person cannot be their own line manager"),
    ({"line_manager_email": "p1@example.gov.uk", "staff_number": "100234"},
     "Staff number 100234 is already someone else's"),
    ({"staff_number": ["not", "a", "string"]}, "staff_number"),
])
def test_the_api_refuses_bad_input_with_a_400_and_changes_nothing(client, hr, team, payload,
                                                                   message):
    User.objects.filter(pk=team["reports"][1].pk).update(staff_number="100234")
    response = put(client, hr, "p2@example.gov.uk", payload)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    report = User.objects.get(pk=team["reports"][0].pk)
    assert (report.line_manager, report.staff_number) == (None, "")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.LINE_MANAGER_SET).exists()


def test_the_api_does_not_find_people_outside_the_token_owners_scope(client, hr, team):
    response = put(client, hr, "p9@example.gov.uk", {"line_manager_email": "p1@example.gov.uk"})
    assert response.status_code == 404
    learner = put(client, team["reports"][1], "p2@example.gov.uk", {"staff_number": "5"})
    assert learner.status_code == 404
    assert client.put("/api/v1/people/p2@example.gov.uk", {"staff_number": "5"},
                      content_type="application/json").status_code == 401
    assert not User.objects.exclude(staff_number="").exists()


def test_records_carry_the_staff_number_and_line_manager_without_a_query_per_row(
        client, hr, team, course):
    for n, report in enumerate(team["reports"]):
        User.objects.filter(pk=report.pk).update(line_manager=team["manager"],
                                                 staff_number=f"SN{n}")
        enrolment(report, course)
    headers = bearer(hr)
    client.get("/api/v1/records", **headers)
    with CaptureQueriesContext(connection) as two:
        records = client.get("/api/v1/records", **headers).json()["results"]
    for n in range(4, 12):
        enrolment(person(team["reports"][0].organisation, n), course)
    with CaptureQueriesContext(connection) as ten:
        client.get("/api/v1/records", **headers)
    assert len(two) == len(ten)
    mine = next(r for r in records if r["email"] == "p2@example.gov.uk")
    assert (mine["staff_number"], mine["line_manager"], mine["line_manager_email"]) == (
        "SN0", "Mina Manager", "p1@example.gov.uk")


# --- The manager's view --------------------------------------------------------------


@pytest.fixture
def learning(team, catalogue, course):
    """Required learning for the team: one overdue, one extended, one due later; an
    optional course in progress; someone else's overdue learning."""
    manager, (ade, brown) = team["manager"], team["reports"]
    User.objects.filter(pk__in=[ade.pk, brown.pk]).update(line_manager=manager)
    other = course_with_lessons(catalogue, modules=1, lessons=1, title="Service design")
    optional = course_with_lessons(catalogue, modules=1, lessons=1, title="Kanban")
    enrolment(brown, course, due_on=TODAY + timedelta(days=40), progress_percent=50)
    enrolment(ade, course, due_on=TODAY - timedelta(days=3))
    enrolment(ade, other, due_on=TODAY - timedelta(days=10),
              extended_due_on=TODAY + timedelta(days=5))
    enrolment(brown, optional, progress_percent=25, started_at=timezone.now())
    done = course_with_lessons(catalogue, modules=1, lessons=1, title="Data basics")
    enrolment(brown, done, due_on=TODAY - timedelta(days=30), progress_percent=100,
              completed_at=timezone.now() - timedelta(days=40))
    enrolment(team["outsider"], course, due_on=TODAY - timedelta(days=3))
    return {"other": other, "optional": optional}


def rows(body):
    import re
    table = body.split("Required learning</h2>", 1)[1].split("</table>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table, re.S)][1:]


def test_a_manager_sees_their_reports_required_learning_overdue_first_done_last(client, team,
                                                                    learning, course):
    client.force_login(team["manager"])
    response = client.get(reverse("my_team"))
    body = response.content.decode()
    assert response.status_code == 200
    due = TODAY - timedelta(days=3)
    extended = TODAY + timedelta(days=5)
    original = TODAY - timedelta(days=10)
    assert rows(body) == [
        f"Person Adeyemi Agile basics {due:%-d %B %Y} 0% Overdue",
        f"Person Adeyemi Service design {extended:%-d %B %Y} Extended from "
        f"{original:%-d %B %Y} 0% Due soon",
        f"Person Brown Agile basics {TODAY + timedelta(days=40):%-d %B %Y} 50% Not yet due",
        f"Person Brown Data basics {TODAY - timedelta(days=30):%-d %B %Y} 100% "
        "Completed on time",
    ]
    assert "Kanban" in body.split("Other courses", 1)[1]
    assert "1 required course overdue in your team" in body
    assert "Outsider" not in body
    assert '<a class="govuk-service-navigation__link" href="/my-team/"' in body


def test_someone_with_no_direct_reports_sees_a_plain_page_and_no_team_link(client, team,
                                                                        learning):
    client.force_login(team["reports"][0])
    response = client.get(reverse("my_team"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "No one has you as their line manager" in body
    assert "Agile basics" not in body
    assert 'href="/my-team/"' not in body
    assert client.get(reverse("my_learning")).status_code == 200


def test_a_report_who_changes_manager_leaves_the_old_managers_view_at_once(
        client, hr, team, learning):
    new_manager = person(team["reports"][0].organisation, 20, last_name="Newboss")
    client.force_login(hr)
    saved = client.post(line_manager_url(team["reports"][0]),
                        {"line_manager_email": new_manager.email}, follow=True)
    assert "Saved the line manager" in saved.content.decode()
    client.force_login(team["manager"])
    old = client.get(reverse("my_team")).content.decode()
    assert "Adeyemi" not in old
    assert "Brown" in old
    client.force_login(new_manager)
    assert "Adeyemi" in client.get(reverse("my_team")).content.decode()


def test_a_deactivated_report_leaves_the_team(client, team, learning):
    User.objects.filter(pk=team["reports"][0].pk).update(is_active=False)
    client.force_login(team["manager"])
    assert "Adeyemi" not in client.get(reverse("my_team")).content.decode()


def test_my_team_needs_sign_in(client):
    response = client.get(reverse("my_team"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign_in"))


def _team_queries(client, manager, organisation, course, start, count):
    for n in range(start, start + count):
        report = person(organisation, n, line_manager=manager)
        enrolment(report, course, due_on=TODAY - timedelta(days=n % 3))
    client.get(reverse("my_team"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("my_team"))
    assert response.status_code == 200
    return len(captured)


def test_my_team_query_count_is_the_same_for_2_and_20_reports(client, tree, course):
    manager = UserFactory(email="boss@example.gov.uk")
    client.force_login(manager)
    two = _team_queries(client, manager, tree["team-north"], course, 100, 2)
    twenty = _team_queries(client, manager, tree["team-north"], course, 102, 18)
    assert User.objects.filter(line_manager=manager).count() == 20
    assert two == twenty
