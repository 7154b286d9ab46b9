"""Identity (issue 14): one spelling of an email address everywhere; no look-alike
reaching a real account; sign-up and password reset that tell no one which addresses
have accounts, and cannot be used to flood one; 12-character passwords; sign-ins that
end after 12 hours, or 30 minutes idle."""

import re

import pytest
from django.contrib.auth import password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.users.forms import UserCreationForm

from learners.identity import email_normalise
from learners.models import SignUpDomain, User
from learners.session_limits import SEEN_AT, SIGNED_IN_AT
from tests.factories import UserFactory
from tests.learners.conftest import PASSWORD
from tests.learners.conftest import people as people  # the fixture, for sign-up forms

pytestmark = pytest.mark.django_db

OWNER = "admin@example.gov.uk"
# A look-alike of OWNER that PostgreSQL's upper() folds onto it: a dotless i (U+0131).
DOTLESS = "adm\u0131n@example.gov.uk"


@pytest.fixture
def owner():
    return UserFactory(email=OWNER, password=PASSWORD, first_name="Ada", last_name="Owner")


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("sign_in"), {"username": email, "password": password})


# --- One spelling of an address --------------------------------------------------------


def test_a_look_alike_address_does_not_sign_in_to_the_real_account(client, owner):
    response = sign_in(client, DOTLESS)
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert client.get(reverse("my_learning")).status_code == 302  # not signed in


@pytest.mark.parametrize("spelling", ["ADMIN@example.gov.uk", "  admin@EXAMPLE.gov.uk ",
                                      "\uff41\uff44\uff4d\uff49\uff4e@example.gov.uk"])
def test_every_spelling_of_the_address_signs_in_to_the_one_account(client, owner, spelling):
    assert sign_in(client, spelling).status_code == 302
    assert client.get(reverse("my_learning")).status_code == 200


def test_the_lockout_counts_every_spelling_as_one_account(client, owner):
    spellings = ["admin@example.gov.uk", "ADMIN@example.gov.uk",
                 "\uff41dmin@example.gov.uk", " Admin@example.gov.uk", DOTLESS.upper()]
    for spelling in spellings:
        assert sign_in(client, spelling, "wrong-password").status_code == 200
    # The sixth, with the right password, is still refused: five failures were counted
    # against this one account, whatever the spelling.
    locked = sign_in(client, "admin@example.gov.uk", "wrong-password")
    assert locked.status_code in (403, 429)
    assert sign_in(client, "admin@example.gov.uk").status_code in (403, 429)
    assert client.get(reverse("my_learning")).status_code == 302


def test_accounts_admins_make_store_the_one_spelling_and_refuse_look_alikes():
    made = User(email="Jo.Bloggs@Example.GOV.uk", first_name="Jo", last_name="Bloggs")
    made.set_unusable_password()
    made.full_clean()
    assert made.email == "jo.bloggs@example.gov.uk"

    look_alike = User(email=DOTLESS, first_name="Not", last_name="Admin")
    look_alike.set_unusable_password()
    with pytest.raises(ValidationError) as error:
        look_alike.full_clean()
    assert "only the letters a to z" in str(error.value)
    with pytest.raises(ValueError, match="ASCII"):
        User.objects.create_user(email=DOTLESS, password=PASSWORD)
    # A Kelvin sign is a K to NFKC: that address is kate@…, not a look-alike of it.
    assert User.objects.create_user(email="\u212aate@example.gov.uk").email == (
        "kate@example.gov.uk")


def test_the_wagtail_admins_new_user_form_refuses_a_look_alike(owner):
    form = UserCreationForm(data={
        "email": DOTLESS, "first_name": "Not", "last_name": "Admin",
        "password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase",
    })
    assert not form.is_valid()
    assert "only the letters a to z" in str(form.errors)
    assert not User.objects.exclude(pk=owner.pk).exists()


def test_normalising_folds_widths_and_case_and_keeps_look_alikes_apart():
    assert email_normalise(" \uff2a\uff4f@Example.gov.uk ") == "jo@example.gov.uk"
    assert email_normalise(DOTLESS) != OWNER
    assert not email_normalise(DOTLESS).isascii()


# --- Sign-up that lists no one -----------------------------------------------------------


@pytest.fixture
def sign_up_form(people):
    SignUpDomain.objects.create(domain="example.gov.uk", organisation=people["organisation"])

    def form(email):
        return {"first_name": "Priya", "last_name": "Shah", "email": email,
                "organisation": people["organisation"].pk, "grade": people["grade"].pk,
                "profession": people["profession"].pk, "password1": PASSWORD,
                "password2": PASSWORD}
    return form


def _answer(client, response, email):
    """What the person at the keyboard is shown after signing up, with the address
    they typed taken out."""
    page = client.get(response["Location"]).content.decode().replace(email, "ADDRESS")
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)  # new each time
    return response.status_code, response["Location"], page


def test_sign_up_gives_the_same_answer_whether_or_not_the_address_has_an_account(
        client, owner, sign_up_form):
    taken = client.post(reverse("sign_up"), sign_up_form(OWNER.upper()))
    taken_answer = _answer(client, taken, OWNER)
    client.logout()
    new = client.post(reverse("sign_up"), sign_up_form("priya.shah@example.gov.uk"))
    new_answer = _answer(client, new, "priya.shah@example.gov.uk")

    assert taken_answer == new_answer
    assert "Check your email" in new_answer[2]
    assert "already exists" not in taken_answer[2]
    # The owner is told someone tried; the new address gets its confirmation link.
    to_owner, to_new = mail.outbox
    assert to_owner.to == [OWNER]
    assert "You already have an account" in to_owner.subject
    assert "/password-reset/" in to_owner.body
    assert to_new.to == ["priya.shah@example.gov.uk"]
    assert "/sign-up/verify/" in to_new.body
    assert User.objects.filter(email=OWNER).get().first_name == "Ada"  # unchanged


def test_sign_up_refuses_a_look_alike_address(client, owner, sign_up_form):
    response = client.post(reverse("sign_up"), sign_up_form(DOTLESS))
    assert response.status_code == 200
    assert "only the letters a to z" in response.content.decode()
    assert User.objects.count() == 1
    assert not mail.outbox


def test_sign_up_is_limited_per_address(client, owner, sign_up_form):
    for _ in range(3):
        assert client.post(reverse("sign_up"), sign_up_form(OWNER)).status_code == 302
    stopped = client.post(reverse("sign_up"), sign_up_form(OWNER))
    assert stopped.status_code == 429
    assert "You have tried to create an account too many times" in stopped.content.decode()
    assert len(mail.outbox) == 3


def test_sign_up_is_limited_per_ip_address(client, settings, sign_up_form):
    settings.SIGN_UP_RATE_PER_IP = "5/h"
    for n in range(5):
        assert client.post(reverse("sign_up"),
                           sign_up_form(f"person{n}@example.gov.uk")).status_code == 302
    stopped = client.post(reverse("sign_up"), sign_up_form("person9@example.gov.uk"))
    assert stopped.status_code == 429
    assert not User.objects.filter(email="person9@example.gov.uk").exists()


def test_following_the_link_in_the_browser_that_signed_up_signs_in_once(client, sign_up_form):
    client.post(reverse("sign_up"), sign_up_form("priya.shah@example.gov.uk"))
    link = next(line for line in mail.outbox[0].body.splitlines() if "/sign-up/verify/" in line)
    path = link.strip().split("testserver", 1)[1]
    assert "Go to My learning" in client.get(path).content.decode()
    assert client.get(reverse("my_learning")).status_code == 200
    client.post(reverse("sign_out"))
    # Again, signed out: the link confirms (already done) but signs no one in.
    assert "Sign in</a> to start learning" in client.get(path).content.decode()
    assert client.get(reverse("my_learning")).status_code == 302


# --- Password reset ------------------------------------------------------------------------


def test_password_reset_finds_the_account_by_any_spelling_but_not_a_look_alike(client, owner):
    client.post(reverse("password_reset"), {"email": "\uff41dmin@EXAMPLE.gov.uk"})
    client.post(reverse("password_reset"), {"email": DOTLESS})
    [message] = mail.outbox
    assert message.to == [OWNER]


@pytest.mark.parametrize("email", [OWNER, "nobody@example.gov.uk"])
def test_password_reset_is_limited_per_address_saying_the_same_for_any_address(
        client, owner, email):
    for _ in range(3):
        response = client.post(reverse("password_reset"), {"email": email})
        assert response["Location"] == reverse("password_reset_done")
    stopped = client.post(reverse("password_reset"), {"email": email})
    assert stopped.status_code == 429
    assert "You have asked for too many password reset emails" in stopped.content.decode()
    assert len(mail.outbox) == (3 if email == OWNER else 0)


def test_password_reset_is_limited_per_ip_address(client, owner, settings):
    settings.PASSWORD_RESET_RATE_PER_IP = "5/h"
    for n in range(5):
        client.post(reverse("password_reset"), {"email": f"someone{n}@example.gov.uk"})
    stopped = client.post(reverse("password_reset"), {"email": OWNER})
    assert stopped.status_code == 429
    assert not mail.outbox


# --- Passwords -------------------------------------------------------------------------


def test_a_password_needs_12_characters():
    person = User(email="jo@example.gov.uk", first_name="Jo", last_name="Bloggs")
    with pytest.raises(ValidationError, match="at least 12 characters"):
        password_validation.validate_password("kettle-lamp", person)  # 11
    password_validation.validate_password("kettle-lamps", person)  # 12


def test_the_demo_password_and_the_tests_password_are_long_enough():
    from academy.demo_loader import DEMO_PASSWORD

    person = User(email="jo@example.gov.uk", first_name="Jo", last_name="Bloggs")
    for password in (DEMO_PASSWORD, PASSWORD):
        password_validation.validate_password(password, person)


# --- How long a sign-in lasts ------------------------------------------------------------


def _age(client, *, signed_in_ago: int, seen_ago: int):
    """Move the session's clock back: signed in and last seen this many seconds ago."""
    client.get(reverse("profile"))  # the first request of the sign-in records its times
    session = client.session
    now = session[SIGNED_IN_AT]
    session[SIGNED_IN_AT], session[SEEN_AT] = now - signed_in_ago, now - seen_ago
    session.save()


def test_thirty_minutes_without_a_request_signs_out_with_a_message(client, owner):
    sign_in(client, OWNER)
    _age(client, signed_in_ago=31 * 60, seen_ago=31 * 60)
    response = client.get(reverse("profile"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("sign_in"))
    assert ("You were signed out because you had not used the academy for 30 minutes"
            in response.content.decode())
    assert client.get(reverse("profile")).status_code == 302


def test_a_request_within_thirty_minutes_keeps_the_sign_in(client, owner):
    sign_in(client, OWNER)
    _age(client, signed_in_ago=3 * 60 * 60, seen_ago=29 * 60)
    assert client.get(reverse("profile")).status_code == 200


def test_twelve_hours_after_signing_in_it_ends_however_active(client, owner):
    sign_in(client, OWNER)
    _age(client, signed_in_ago=12 * 60 * 60, seen_ago=60)
    response = client.get(reverse("profile"), follow=True)
    assert "You were signed out because you had been signed in for 12 hours" in (
        response.content.decode())
    assert client.get(reverse("profile")).status_code == 302


def test_the_session_cookie_lives_12_hours(client, owner, settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    response = sign_in(client, OWNER)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 12 * 60 * 60


def test_confirming_while_signed_in_shows_the_page_as_confirmed(client, sign_up_form):
    """The sign-in's own copy of the account was loaded before the link confirmed it: the
    page must not still say "check your email"."""
    client.post(reverse("sign_up"), sign_up_form("priya.shah@example.gov.uk"))
    sign_in(client, "priya.shah@example.gov.uk")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/sign-up/verify/" in line)
    page = client.get(link.strip().split("testserver", 1)[1]).content.decode()
    assert "Your email address is confirmed" in page
    assert "we sent a link to" not in page
    assert "Go to My learning" in page


@pytest.mark.parametrize("path", ["/sign-in/", "/admin/login/", "/django-admin/login/"])
def test_an_over_long_address_is_refused_not_a_500(client, owner, path):
    """Found by the fuzz test: over 255 characters reached django-axes' log column."""
    long_address = "x" * 300 + "@example.gov.uk"
    response = client.post(path, {"username": long_address, "password": PASSWORD})
    assert response.status_code == 200
    if path == "/sign-in/":
        assert "Email address must be 254 characters or fewer" in response.content.decode()
