"""Access that outlives its scope: an HR reporter's required-learning pages show only
their own organisations' names and people, when an assignment also covers others."""

import pytest
from django.urls import reverse
from django.utils import timezone

from academy.reports.required import required_learning_create
from tests.factories import UserFactory
from tests.hr.conftest import person

DUE = timezone.localdate() + timezone.timedelta(days=30)


@pytest.fixture
def across_two(tree, course, django_capture_on_commit_callbacks):
    """Required of Operations (the reporter's) and of the Agency (not theirs)."""
    for n in range(2):
        person(tree["team-north"], n)
    for n in range(10, 17):
        person(tree["agency"], n)
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True, is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):  # enrols them
        return required_learning_create(viewer=admin, course=course, due_on=DUE,
                                        organisations=[tree["operations"], tree["agency"]])


def test_the_list_names_only_the_reporters_organisations(client, hr, across_two):
    client.force_login(hr)
    page = client.get(reverse("required_learning")).content.decode()
    assert "Operations and other organisations" in page
    assert "Agency" not in page
    assert "Number0010" not in page


def test_one_assignment_names_and_counts_only_the_reporters_people(client, hr, across_two):
    client.force_login(hr)
    page = client.get(reverse("required_learning_detail", args=[across_two.pk])).content.decode()
    assert "Operations and other organisations" in page
    assert "Agency" not in page
    assert "Number0001" in page
    assert "Number0010" not in page
    assert ">2<" in page.replace(" ", "").replace("\n", "")  # people in their organisations


def test_an_academy_admin_sees_every_organisation(client, across_two):
    from learners.models import User

    client.force_login(User.objects.get(email="admin@example.gov.uk"))
    page = client.get(reverse("required_learning")).content.decode()
    assert "Operations, Agency" in page or "Agency, Operations" in page
    assert "other organisations" not in page
