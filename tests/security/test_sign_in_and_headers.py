"""Sign-in throttling and lockout (django-axes), and the Content Security Policy."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _fresh_limits(db):
    cache.clear()


def attempt(client, email, password, ip="203.0.113.7"):
    return client.post(reverse("sign_in"), {"username": email, "password": password},
                       REMOTE_ADDR=ip)


def test_the_sixth_bad_password_for_one_account_from_one_address_is_refused(client, db):
    UserFactory(email="sam@example.gov.uk")
    statuses = [attempt(client, "sam@example.gov.uk", f"wrong-{n}").status_code
                for n in range(5)]
    assert statuses == [200] * 5
    sixth = attempt(client, "sam@example.gov.uk", "wrong-6")
    assert sixth.status_code == 429
    assert "Too many attempts to sign in" in sixth.content.decode()
    # Even the right password is refused while locked out...
    assert attempt(client, "sam@example.gov.uk", PASSWORD).status_code == 429
    # ...but only for that account from that address.
    assert attempt(client, "sam@example.gov.uk", PASSWORD, ip="198.51.100.9").status_code == 302


def test_a_spray_across_accounts_from_one_address_is_refused(client, db, settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = "10/15m"
    for n in range(12):
        UserFactory(email=f"person{n}@example.gov.uk")
    statuses = [attempt(client, f"person{n}@example.gov.uk", "Password1").status_code
                for n in range(12)]
    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]
    assert attempt(client, "person0@example.gov.uk", PASSWORD).status_code == 429
    assert attempt(client, "person0@example.gov.uk", PASSWORD,
                   ip="198.51.100.9").status_code == 302


def test_public_pages_have_a_csp_without_inline_scripts(client, site):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert b"<script>" not in response.content  # no inline script elements


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite_in_production():
    from tests.config.test_production_settings import SAFE, run_with

    code = ("from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
            " s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS > 0)")
    result = run_with(SAFE, "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "True True Lax True True True"
