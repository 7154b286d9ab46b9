"""An organisation tree, people in it, and an HR reporter scoped to part of it."""

import pytest
from django.contrib.auth.models import Group

from learners.models import Enrolment, Grade, Organisation, Profession, ReportingScope
from learners.scoping import HR_REPORTERS
from tests.factories import UserFactory, course_with_lessons
from tests.learners.conftest import lesson_body


@pytest.fixture
def tree(db):
    department = Organisation.add_root(name="Department", slug="department")
    operations = department.add_child(name="Operations", slug="operations")
    north = operations.add_child(name="Team North", slug="team-north")
    policy = department.add_child(name="Policy", slug="policy")
    agency = Organisation.add_root(name="Agency", slug="agency")
    return {o.slug: Organisation.objects.get(pk=o.pk)
            for o in (department, operations, north, policy, agency)}


@pytest.fixture
def grades(db):
    return {name: Grade.objects.create(name=name, rank=rank)
            for rank, name in enumerate(["AO", "EO", "HEO"], start=1)}


@pytest.fixture
def professions(db):
    return {slug: Profession.objects.create(name=slug.title(), slug=slug)
            for slug in ("policy", "digital")}


def reporter(site, organisation, email="hr@example.gov.uk"):
    user = UserFactory(email=email, first_name="Hana", last_name="Reporter")
    user.groups.add(Group.objects.get(name=HR_REPORTERS))
    ReportingScope.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def hr(site, tree):
    """Reports on Operations (and Team North below it)."""
    return reporter(site, tree["operations"])


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=2, body=lesson_body,
                               title="Agile basics")


def person(organisation, n, **fields):
    fields = {"first_name": "Person", "last_name": f"Number{n:04d}"} | fields
    return UserFactory(email=f"p{n}@example.gov.uk", organisation=organisation, **fields)


def enrolment(user, course, **fields):
    return Enrolment.objects.create(user=user, course=course, **fields)


@pytest.fixture
def people_form(grades, professions):
    return {"first_name": "New", "last_name": "Joiner", "grade": grades["EO"].pk,
            "profession": professions["policy"].pk, "password1": "correct-horse-battery",
            "password2": "correct-horse-battery"}


def date_parts(name: str, day) -> dict:
    """A date as a GOV.UK date input posts it: day, month and year boxes."""
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month),
            f"{name}_year": str(day.year)}
