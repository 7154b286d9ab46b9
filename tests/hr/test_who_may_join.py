"""Who may join (issue 12): self sign-up verifies the email address before anything
counts, only allowed email domains may sign up (and only into their organisation's part
of the tree), and an account that does not count as a learner cannot enrol, gets no
required learning and is in no report, API response or export."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken

from academy.models import AuditEvent, Export
from academy.reports.services import export_build
from learners.models import Enrolment, RequiredLearning, SignUpDomain, User
from learners.services import accounts, required_learning_expand, required_learning_remind
from tests.factories import UserFactory
from tests.hr.conftest import person
from tests.learners.conftest import PASSWORD

DUE = timezone.localdate() + timezone.timedelta(days=30)


@pytest.fixture
def required(hr, tree, course):
    """Operations must do the course: its people are enrolled with a due date."""
    assignment = RequiredLearning.objects.create(course=course, due_on=DUE, created_by=hr)
    assignment.organisations.set([tree["operations"]])
    return assignment


@pytest.fixture
def allowed(tree):
    """example.gov.uk may join the Department (and every team below it)."""
    return SignUpDomain.objects.create(domain="example.gov.uk", organisation=tree["department"])


def sign_up_form(tree, grades, professions, **change):
    return {"first_name": "Gill", "last_name": "Mailer", "email": "someone@example.gov.uk",
            "organisation": tree["team-north"].pk, "grade": grades["EO"].pk,
            "profession": professions["policy"].pk, "password1": PASSWORD,
            "password2": PASSWORD} | change


def verification_link(message) -> str:
    return re.search(r"https?://\S+?(/sign-up/verify/\S+/)", message.body).group(1)


def report_and_api(client, viewer) -> str:
    """What HR sees of their organisations: the report page and the records API."""
    client.force_login(viewer)
    page = client.get(reverse("report") + "?columns=email").content.decode()
    _token, key = APIToken.create_token(user=viewer, name="test")
    api = client.get("/api/v1/records", HTTP_AUTHORIZATION=f"Bearer {key}").content.decode()
    return page + api


# --- What was seen ---------------------------------------------------------------------


def test_a_gmail_address_cannot_join_a_real_team_or_count(client, tree, grades, professions,
                                                          hr, course, required, allowed):
    response = client.post(reverse("sign_up"), sign_up_form(
        tree, grades, professions, email="someone@gmail.com"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert body.count("You cannot create an account with an email address ending in "
                      "@gmail.com") == 2
    assert not User.objects.filter(email="someone@gmail.com").exists()
    assert "Your work email address, ending in @example.gov.uk" in body  # the hint
    assert not Enrolment.objects.exists()
    assert "someone@gmail.com" not in report_and_api(client, hr)


def test_signing_up_counts_for_nothing_until_the_email_is_verified(
        client, tree, grades, professions, hr, course, required, allowed):
    response = client.post(reverse("sign_up"), sign_up_form(tree, grades, professions))
    assert response["Location"] == reverse("email_verify_sent")
    user = User.objects.get(email="someone@example.gov.uk")
    assert user.email_verified_at is None
    assert user.signed_up_at is not None
    assert not Enrolment.objects.filter(user=user).exists()  # no required learning yet
    sent = client.get(reverse("email_verify_sent")).content.decode()
    assert "Check your email" in sent
    assert "someone@example.gov.uk" in sent
    # They may sign in before confirming, and are told what to do.
    assert client.post(reverse("sign_in"), {"username": "someone@example.gov.uk",
                                            "password": PASSWORD}).status_code == 302
    # Enrolling is refused, with a reason, on the course page.
    refused = client.post(reverse("enrol", args=[course.pk]), follow=True).content.decode()
    assert "Confirm your email address before you enrol" in refused
    assert not Enrolment.objects.filter(user=user).exists()
    # Signed-in pages say what to do.
    assert "we sent a link to someone@example.gov.uk" in client.get(
        reverse("my_learning")).content.decode()
    assert "Mailer" not in report_and_api(client, hr)

    [message] = mail.outbox
    assert message.to == ["someone@example.gov.uk"]
    client.logout()
    verified = client.get(verification_link(message))
    assert "Your email address is confirmed" in verified.content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert Enrolment.objects.get(user=user, course=course).due_on == DUE
    assert "Mailer" in report_and_api(client, hr)
    client.force_login(user)
    assert client.post(reverse("enrol", args=[course.pk])).status_code == 302


# --- Sign-up rules ----------------------------------------------------------------------


def test_with_no_allowed_domains_sign_up_is_closed(client, tree, grades, professions):
    page = client.get(reverse("sign_up")).content.decode()
    assert "You cannot create your own account on this academy" in page
    assert "<form" not in page.split('id="main-content"', 1)[-1]
    client.post(reverse("sign_up"), sign_up_form(tree, grades, professions))
    assert not User.objects.filter(email="someone@example.gov.uk").exists()


def test_a_team_outside_the_domains_organisation_is_an_error(client, tree, grades,
                                                             professions):
    SignUpDomain.objects.create(domain="example.gov.uk", organisation=tree["operations"])
    SignUpDomain.objects.create(domain="policy.example.gov.uk", organisation=tree["policy"])
    response = client.post(reverse("sign_up"), sign_up_form(
        tree, grades, professions, organisation=tree["policy"].pk))
    body = response.content.decode()
    assert body.count("People whose email address ends in @example.gov.uk can only join "
                      "Operations or a team in it") == 2
    assert not User.objects.filter(email="someone@example.gov.uk").exists()


def test_an_expired_or_forged_link_changes_nothing(client, tree, grades, professions,
                                                   allowed, monkeypatch):
    client.post(reverse("sign_up"), sign_up_form(tree, grades, professions))
    user = User.objects.get(email="someone@example.gov.uk")
    link = verification_link(mail.outbox[0])
    forged = link.replace(link.split("/")[-2], link.split("/")[-2][:-3] + "abc")
    for path in (forged, reverse("email_verify", args=["not-a-token"])):
        response = client.get(path)
        assert response.status_code == 400
        assert "This link has expired or is not right" in response.content.decode()
    token = signing.dumps({"user": user.pk, "email": user.email}, salt="wrong-salt")
    assert client.get(reverse("email_verify", args=[token])).status_code == 400
    # The real link, once it is older than it may be.
    monkeypatch.setattr(accounts, "VERIFY_LINK_MAX_AGE", timedelta(seconds=-1))
    assert client.get(link).status_code == 400
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_send_the_link_again_is_rate_limited(client, tree, grades, professions, allowed):
    client.post(reverse("sign_up"), sign_up_form(tree, grades, professions))
    for _ in range(5):
        client.post(reverse("email_verify_resend"))
    sent = len(mail.outbox)
    assert 2 <= sent <= 4
    response = client.post(reverse("email_verify_resend"), follow=True)
    assert len(mail.outbox) == sent
    assert "You have asked for the link too many times" in response.content.decode()


def test_removing_a_domain_stops_its_accounts_counting(client, tree, grades, professions,
                                                       hr, course, required, allowed):
    client.post(reverse("sign_up"), sign_up_form(tree, grades, professions))
    client.get(verification_link(mail.outbox[0]))
    assert "Mailer" in report_and_api(client, hr)
    allowed.delete()
    assert "Mailer" not in report_and_api(client, hr)
    user = User.objects.get(email="someone@example.gov.uk")
    assert user not in User.objects.learners()
    # Vouched-for accounts on the same domain still count.
    assert person(tree["team-north"], 7) in User.objects.learners()


def test_unverified_and_not_allowed_accounts_are_in_no_export(client, tree, hr, course):
    counted = person(tree["team-north"], 1, last_name="Counted")
    unverified = person(tree["team-north"], 2, last_name="Unverified",
                        email_verified_at=None, signed_up_at=timezone.now())
    unlisted = person(tree["team-north"], 3, last_name="Unlisted",
                      signed_up_at=timezone.now())
    for user in (counted, unverified, unlisted):
        Enrolment.objects.create(user=user, course=course)
    export = Export.objects.create(requested_by=hr, format="csv", filters={})
    export = export_build(export_id=export.pk)
    content = export.file.open("rb").read().decode()
    assert "Counted" in content
    assert "Unverified" not in content
    assert "Unlisted" not in content


def test_accounts_hr_and_admins_make_are_verified(db):
    assert UserFactory().email_verified_at is not None
    assert User.objects.create_superuser(email="root@example.gov.uk",
                                         password=PASSWORD).email_verified_at is not None


# --- HR moves people between their own teams ---------------------------------------------


def test_hr_moves_a_person_within_their_scope_and_required_learning_follows(
        client, tree, hr, course, required):
    policy_person = person(tree["operations"], 5, last_name="Mover")
    required_learning_expand(assignment_id=required.pk)
    assert Enrolment.objects.get(user=policy_person).due_on == DUE
    client.force_login(hr)
    page = client.get(reverse("person_team", args=[policy_person.pk])).content.decode()
    assert "Team North" in page
    assert "Agency" not in page
    assert "Policy" not in page
    response = client.post(reverse("person_team", args=[policy_person.pk]),
                           {"organisation": tree["team-north"].pk})
    assert response.status_code == 302
    policy_person.refresh_from_db()
    assert policy_person.organisation == tree["team-north"]
    assert AuditEvent.objects.get(action=AuditEvent.Action.TEAM_MOVED).actor == hr


def test_moving_someone_out_of_hr_scope_is_refused_and_changes_nothing(client, tree, hr,
                                                                       course, required):
    mover = person(tree["team-north"], 6, last_name="Stayer")
    required_learning_expand(assignment_id=required.pk)
    client.force_login(hr)
    response = client.post(reverse("person_team", args=[mover.pk]),
                           {"organisation": tree["agency"].pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("Select a team in your organisations") == 2
    mover.refresh_from_db()
    assert mover.organisation == tree["team-north"]
    assert Enrolment.objects.get(user=mover).due_on == DUE
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TEAM_MOVED).exists()
    # Someone outside HR's scope cannot be moved at all (the 404 of no one).
    outsider = person(tree["policy"], 8)
    assert client.post(reverse("person_team", args=[outsider.pk]),
                       {"organisation": tree["team-north"].pk}).status_code == 404


def test_moving_releases_the_old_teams_required_learning(client, tree, hr, course, required,
                                                         django_capture_on_commit_callbacks):
    mover = person(tree["team-north"], 9, last_name="Leaver")
    required_learning_expand(assignment_id=required.pk)
    assert Enrolment.objects.get(user=mover).due_on == DUE
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True, is_staff=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("person_team", args=[mover.pk]), {"organisation": tree["policy"].pk})
    enrolment = Enrolment.objects.get(user=mover)
    assert enrolment.due_on is None
    assert enrolment.required_by is None


# --- Admin and demo --------------------------------------------------------------------


def test_an_admin_allows_a_domain_in_the_wagtail_admin(client, tree):
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(reverse("sign_up_domains:add"), {
        "domain": " @Example.GOV.uk ", "organisation": tree["operations"].pk})
    assert response.status_code == 302
    assert SignUpDomain.objects.get().domain == "example.gov.uk"
    bad = client.post(reverse("sign_up_domains:add"), {
        "domain": "someone@gmail.com", "organisation": tree["operations"].pk})
    assert "Enter a domain like example.gov.uk" in bad.content.decode()
    assert SignUpDomain.objects.count() == 1


def test_the_demo_lets_example_gov_uk_sign_up_anywhere_in_the_department(catalogue):
    from academy.demo_loader import _load_people_structure, _load_users
    from academy.setup import academy_roles_ensure

    academy_roles_ensure()
    _load_people_structure()
    _load_users()
    domain = SignUpDomain.objects.get()
    assert domain.domain == "example.gov.uk"
    assert domain.organisation.is_root()
    assert User.objects.learners().filter(email="learner@example.gov.uk").exists()


def test_someone_who_signed_up_cannot_move_themselves_out_of_their_domains_part_of_the_tree(
        client, tree, grades, professions):
    """Nor within it: HR move people (tests/hr/test_profile_organisation.py)."""
    SignUpDomain.objects.create(domain="example.gov.uk", organisation=tree["operations"])
    client.post(reverse("sign_up"), sign_up_form(tree, grades, professions))
    user = User.objects.get(email="someone@example.gov.uk")
    client.force_login(user)
    response = client.post(reverse("profile"), {
        "first_name": "Gill", "last_name": "Mailer", "organisation": tree["policy"].pk,
        "grade": grades["EO"].pk, "profession": professions["policy"].pk})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.organisation == tree["team-north"]


def test_reminders_go_only_to_people_who_count(tree, hr, course, required):
    counted = person(tree["team-north"], 1, last_name="Counted")
    lapsed = person(tree["team-north"], 2, last_name="Lapsed", signed_up_at=timezone.now())
    for user in (counted, lapsed):  # due tomorrow
        Enrolment.objects.create(user=user, course=course, required_by=required,
                                 due_on=timezone.localdate() + timedelta(days=1))
    assert required_learning_remind()["due_soon"] == 1
    assert [m.to for m in mail.outbox] == [[counted.email]]
