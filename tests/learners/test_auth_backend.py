"""The backend that reads the signed-in person on every request (learners.auth,
issue 15): SQL written once from the user model's names, holding to what Django's
ModelBackend gives."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.urls import reverse

from learners.auth import AcademyModelBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_reads_the_person_as_django_does():
    person = UserFactory(first_name="Ama", last_name="Mensah", is_staff=True)
    ours, django = AcademyModelBackend().get_user(person.pk), ModelBackend().get_user(person.pk)
    assert type(ours) is type(django)
    for field in type(person)._meta.concrete_fields:
        assert getattr(ours, field.attname) == getattr(django, field.attname), field.name
    assert ours.get_session_auth_hash() == django.get_session_auth_hash()


@pytest.mark.parametrize("user_id", [987654321, "not a number", None])
def test_no_such_person_is_nobody(user_id):
    UserFactory()
    assert AcademyModelBackend().get_user(user_id) is None


def test_an_account_made_inactive_is_signed_out_on_its_next_request(client):
    person = UserFactory()
    client.force_login(person)
    assert client.get(reverse("my_learning")).status_code == 200
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert AcademyModelBackend().get_user(person.pk) is None
    response = client.get(reverse("my_learning"))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
