"""The signed-in person's row kept in the process between their requests
(learners.people_kept, issue 15): no query for it on a second page, and every way their
row can change is seen by their very next request."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learners.auth import _user_fetch
from learners.models import Organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
# How the backend reads the signed-in person (learners.auth), without the id
PERSON_READ = _user_fetch().sql.split("%s")[0]


def person_reads(client, path) -> tuple[int, object]:
    """How many times a view of `path` read a person's row, and the response."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    reads = [query["sql"] for query in queries.captured_queries
             if query["sql"].startswith(PERSON_READ)]
    return len(reads), response


def signed_in(client, person):
    client.force_login(person)
    assert client.get(reverse("profile")).status_code == 200  # the process sees the session
    return client


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_a_second_page_reads_no_person_row(client):
    signed_in(client, UserFactory())
    reads, response = person_reads(client, reverse("my_learning"))
    assert response.status_code == 200
    assert reads == 0


def test_a_new_password_set_elsewhere_signs_the_session_out_at_once(client):
    person = UserFactory()
    signed_in(client, person)
    person.set_password("another-long-password-2026")
    person.save()
    assert signed_out(client.get(reverse("my_learning")))


def test_a_bulk_deactivation_signs_the_session_out_at_once(client):
    person = UserFactory()
    signed_in(client, person)
    User.objects.filter(pk=person.pk).update(is_active=False)  # no signal
    assert signed_out(client.get(reverse("my_learning")))


def test_a_bulk_move_to_another_organisation_is_seen_at_once(client):
    first = Organisation.add_root(name="Department for Tests", slug="dft")
    second = Organisation.add_root(name="Agency for Trials", slug="aft")
    person = UserFactory(organisation=first)
    signed_in(client, person)
    assert "Department for Tests" in client.get(reverse("profile")).content.decode()
    person.organisation = second
    User.objects.bulk_update([person], ["organisation"])  # no signal either
    page = client.get(reverse("profile")).content.decode()
    assert "Agency for Trials" in page
    assert "Department for Tests" not in page


def test_a_name_saved_elsewhere_is_seen_at_once(client):
    person = UserFactory(first_name="Sam")
    signed_in(client, person)
    again = User.objects.get(pk=person.pk)
    again.first_name = "Samira"
    again.save(update_fields=["first_name"])
    reads, response = person_reads(client, reverse("profile"))
    assert reads == 1
    assert 'value="Samira"' in response.content.decode()


def test_a_deleted_manager_is_cleared_from_their_reports_rows(client):
    manager = UserFactory()
    report = UserFactory(line_manager=manager)
    signed_in(client, report)
    manager.delete()  # Django clears line_manager on the reports without a signal each
    reads, response = person_reads(client, reverse("my_learning"))
    assert response.status_code == 200
    assert reads == 1
    assert response.wsgi_request.user.line_manager_id is None


def test_each_session_is_given_its_own_person(client):
    from tests.conftest import CommittingClient

    first, second = UserFactory(first_name="Ada"), UserFactory(first_name="Bea")
    other = CommittingClient()
    signed_in(client, first)
    signed_in(other, second)
    for _ in range(2):
        assert client.get(reverse("profile")).wsgi_request.user == first
        assert other.get(reverse("profile")).wsgi_request.user == second
        assert 'value="Ada"' in client.get(reverse("profile")).content.decode()
        assert 'value="Bea"' in other.get(reverse("profile")).content.decode()


def test_signing_in_as_someone_else_in_the_same_browser_gives_them(client):
    first, second = UserFactory(), UserFactory()
    signed_in(client, first)
    client.post(reverse("sign_out"))
    signed_in(client, second)
    assert client.get(reverse("profile")).wsgi_request.user == second


def test_a_deleted_person_is_signed_out(client):
    person = UserFactory()
    signed_in(client, person)
    User.objects.filter(pk=person.pk).delete()
    assert signed_out(client.get(reverse("my_learning")))


def test_with_the_cache_unreadable_the_row_is_read_each_time(client, monkeypatch):
    from django.core.cache import cache

    signed_in(client, UserFactory())

    def unreadable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", unreadable)
    monkeypatch.setattr(cache, "get", unreadable)
    reads, response = person_reads(client, reverse("my_learning"))
    assert response.status_code == 200
    assert reads == 1
