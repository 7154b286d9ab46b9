"""Moderation gap: a learner could move themselves into any organisation, and so into
its HR reports, from their profile. Now the profile shows the organisation read-only
and HR move people (audited)."""

from django.urls import reverse

from academy.models import AuditEvent
from tests.hr.conftest import enrolment, person


def _profile_post(client, someone, organisation, people_form):
    return client.post(reverse("profile"), {
        "first_name": someone.first_name, "last_name": "Renamed",
        "organisation": organisation.pk, "grade": people_form["grade"],
        "profession": people_form["profession"]})


def test_a_learner_cannot_move_themselves_into_another_organisations_reports(
        client, hr, tree, course, people_form):
    outsider = person(tree["policy"], 7)
    enrolment(outsider, course)
    client.force_login(outsider)
    response = _profile_post(client, outsider, tree["team-north"], people_form)
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.last_name == "Renamed"  # what they may change is saved
    assert outsider.organisation == tree["policy"]
    client.force_login(hr)  # reports on Operations and Team North
    assert "Renamed" not in client.get(reverse("report")).content.decode()


def test_the_profile_shows_the_organisation_read_only_and_says_to_ask_hr(client, tree):
    someone = person(tree["team-north"], 8)
    client.force_login(someone)
    page = client.get(reverse("profile")).content.decode()
    assert "Team North" in page
    assert "ask your HR team to move you" in page
    assert 'name="organisation"' not in page
    assert 'name="grade"' in page


def test_hr_move_someone_between_their_teams_and_it_is_audited(client, hr, tree, course):
    someone = person(tree["team-north"], 9)
    client.force_login(hr)
    response = client.post(reverse("person_team", args=[someone.pk]),
                           {"organisation": tree["operations"].pk})
    assert response.status_code == 302
    someone.refresh_from_db()
    assert someone.organisation == tree["operations"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TEAM_MOVED, actor=hr).exists()
