"""Bad input gets a 400 that says what is wrong, never a 500 (issue 14): a NUL byte in
the web address or a form, text that is not UTF-8, a value longer than anything the
service asks for, a number too big for a date, a file name too long for the disk and
an API cursor the API never gave out. The fuzz test (test_input_fuzz.py) sends these
everywhere; these are the examples that were found, one per way in."""

import json
from base64 import b64encode

import pytest
from django.urls import reverse
from wagtail.models import APIToken

from config.input_hygiene import FIELD_MAX_CHARS
from tests.factories import UserFactory

ERROR_PAGE = "There is a problem with what you sent"


def _page(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "reason"), [
    ("/certificates/verify/ABC%00DEF/", "NUL character"),
    ("/certificates/verify/?code=ABC%00DEF", "NUL character"),
    ("/courses/?q=agile%00", "NUL character"),
    ("/certificates/verify/?code=%FF%FE", "not UTF-8"),
    ("/courses/?q=" + "x" * (FIELD_MAX_CHARS + 1), f"longer than {FIELD_MAX_CHARS:,}"),
])
def test_bad_input_in_the_web_address_is_a_400_that_says_why(client, site, path, reason):
    response = client.get(path)
    assert response.status_code == 400
    page = _page(response)
    assert ERROR_PAGE in page
    assert reason in page
    assert "govuk-heading-l" in page  # the service's own page, with its header
    assert "Nothing has been changed" in page


@pytest.mark.django_db
def test_a_nul_byte_or_bad_encoding_in_a_form_changes_nothing(client, site):
    user = UserFactory(first_name="Sam")
    client.force_login(user)
    for body in ("first_name=Sa%00m&last_name=Smith", "first_name=Sa%FFm&last_name=Smith",
                 "first_name=" + "S" * (FIELD_MAX_CHARS + 1)):
        response = client.post(reverse("profile"), body,
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, body[:40]
        assert ERROR_PAGE in _page(response)
    user.refresh_from_db()
    assert user.first_name == "Sam"


@pytest.mark.django_db
def test_a_long_value_within_the_limit_reaches_the_form_and_its_own_message(client, site):
    """The layer refuses only what no field takes; a form still says its own limit."""
    user = UserFactory(first_name="Sam")
    client.force_login(user)
    response = client.post(reverse("profile"), {"first_name": "S" * FIELD_MAX_CHARS})
    assert response.status_code == 200
    assert "There is a problem" in _page(response)  # the form's error summary
    user.refresh_from_db()
    assert user.first_name == "Sam"


@pytest.mark.django_db
def test_djangos_own_400s_use_the_same_page(client, site, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.get("/courses/?" + "&".join(f"f{n}=1" for n in range(10)))
    assert response.status_code == 400
    assert ERROR_PAGE in _page(response)


# --- The records API ------------------------------------------------------------------


@pytest.fixture
def api_headers(site):
    admin = UserFactory(is_superuser=True, is_staff=True)
    _token, key = APIToken.create_token(user=admin, name="hygiene")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _cursor(text: str) -> str:
    return b64encode(text.encode()).decode()


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", [
    _cursor("p=abc"), _cursor("p=1\x00"), _cursor("o=-1"), _cursor("o=" + "9" * 40),
    _cursor("p=" + "9" * 40), _cursor("r=perhaps"), "%%%", "bm90IGEgY3Vyc29y!",
    b64encode(b"\xff\xfe").decode(),
])
def test_a_tampered_or_made_up_api_cursor_is_a_400_that_says_so(client, api_headers,
                                                                  cursor):
    response = client.get("/api/v1/records", {"cursor": cursor}, **api_headers)
    assert response.status_code == 400
    assert "cursor" in response.json()["detail"]


@pytest.mark.django_db
def test_the_apis_own_cursors_still_page_through_the_records(client, api_headers):
    response = client.get("/api/v1/records", **api_headers)
    assert response.status_code == 200
    assert response.json()["next"] is None  # one page; a real cursor still decodes:
    response = client.get("/api/v1/records", {"cursor": _cursor("p=1")}, **api_headers)
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_nul_byte_or_bad_encoding_in_a_json_body_is_a_json_400(client, api_headers):
    for body in (json.dumps({"staff_number": "SN\x001"}).encode(), b'{"staff_number": "\xff"}',
                 json.dumps({"staff_number": "9" * (FIELD_MAX_CHARS + 1)}).encode(),
                 b"[" * 100_000 + b"]" * 100_000):
        response = client.put("/api/v1/people/someone@example.gov.uk", body,
                              content_type="application/json", **api_headers)
        assert response.status_code == 400
        assert response.json()["detail"].startswith(("What you sent", "Something you sent"))


# --- Views that passed a value on unchecked ----------------------------------------------


@pytest.mark.django_db
def test_a_picture_name_too_long_for_the_disk_is_not_found(client, site):
    response = client.get(reverse("rendition_serve", args=["x" * 5000 + ".png"]))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["9" * 40, "-" + "9" * 40, "9" * 5000])
def test_a_number_too_big_for_a_date_is_not_a_real_date(client, site, year):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("report"), {"enrolled_from_day": "1",
                                              "enrolled_from_month": "1",
                                              "enrolled_from_year": year})
    assert response.status_code == 200
    assert "Enrolled from must be a real date" in _page(response)
