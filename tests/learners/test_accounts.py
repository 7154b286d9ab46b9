"""Sign up, sign in, sign out, password reset and profile, with GOV.UK error messages;
bad input changes nothing."""

import pytest
from django.core import mail
from django.urls import reverse

from learners.models import SignUpDomain, User
from tests.learners.conftest import PASSWORD


@pytest.fixture
def form(people):
    SignUpDomain.objects.create(domain="example.gov.uk", organisation=people["organisation"])
    return {
        "first_name": "Priya", "last_name": "Shah", "email": "priya@example.gov.uk",
        "organisation": people["organisation"].pk, "grade": people["grade"].pk,
        "profession": people["profession"].pk, "password1": PASSWORD, "password2": PASSWORD,
    }


def test_sign_up_creates_the_account_and_asks_to_check_email(client, form):
    response = client.post(reverse("sign_up"), form)
    assert response["Location"] == reverse("email_verify_sent")
    user = User.objects.get(email="priya@example.gov.uk")
    assert user.organisation.name == "Department for Tests"
    assert user.email_verified_at is None  # until the emailed link is followed
    assert "priya@example.gov.uk" in client.get(reverse("email_verify_sent")).content.decode()
    # Not signed in yet: signing in straight away would tell a stranger the address was
    # new (tests/security/test_identity.py).
    assert client.get("/my-learning/").status_code == 302


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_name": ""}, "Enter your first name"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"organisation": ""}, "Select your organisation"),
        ({"password2": "something-else-entirely"}, "The passwords do not match"),
        ({"password1": "short", "password2": "short"}, "This password is too short"),
    ],
)
def test_sign_up_errors_are_shown_and_nothing_is_created(client, form, change, message):
    response = client.post(reverse("sign_up"), form | change)
    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert message in content
    assert content.count(message) == 2  # in the summary and by the field
    assert "<title>Error: Create an account" in content
    assert not User.objects.exists()


def test_an_email_can_only_have_one_account(client, form, learner):
    response = client.post(reverse("sign_up"), form | {"email": "SAM@example.gov.uk"})
    assert response["Location"] == reverse("email_verify_sent")  # as for a new address
    assert User.objects.count() == 1
    [message] = mail.outbox
    assert message.to == [learner.email]
    assert "You already have an account" in message.subject


def test_sign_in_and_out(client, learner):
    bad = client.post(reverse("sign_in"), {"username": learner.email, "password": "wrong"})
    assert "Enter a correct email address and password" in bad.content.decode()
    good = client.post(reverse("sign_in"), {"username": "SAM@example.gov.uk",
                                            "password": PASSWORD})
    assert good.status_code == 302
    assert client.get("/my-learning/").status_code == 200
    client.post(reverse("sign_out"))
    assert client.get("/my-learning/").status_code == 302


def test_password_reset_sends_a_link_that_sets_a_new_password(client, learner):
    client.post(reverse("password_reset"), {"email": learner.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.strip().split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Set a new password" in form_page.content.decode()
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "a-brand-new-passphrase",
                                                  "new_password2": "a-brand-new-passphrase"})
    learner.refresh_from_db()
    assert learner.check_password("a-brand-new-passphrase")


def test_profile_edits_are_saved(client, learner, people):
    client.force_login(learner)
    response = client.post(reverse("profile"), {
        "first_name": "Samuel", "last_name": "Okafor",
        "organisation": people["organisation"].pk, "grade": people["grade"].pk,
        "profession": people["profession"].pk,
    })
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.first_name == "Samuel"
    assert learner.grade.name == "EO"
