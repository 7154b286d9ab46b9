"""The records API (tokens, filters, scope, cursor pages, OpenAPI) and trainer views."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import APIToken

from academy.models import AuditEvent
from tests.factories import UserFactory, course_with_lessons
from tests.hr.conftest import enrolment, person
from tests.learners.conftest import lesson_body


def bearer(user):
    _, key = APIToken.create_token(user=user, name="HR system")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def records(tree, course):
    now = timezone.now()
    inside = [person(tree["team-north"], n) for n in range(5)]
    for n, someone in enumerate(inside):
        enrolment(someone, course, completed_at=now if n < 2 else None)
    enrolment(person(tree["agency"], 90), course, completed_at=now)
    return inside


def test_records_need_a_token(client, records):
    assert client.get("/api/v1/records").status_code == 401
    assert client.get("/api/v1/records", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401


def test_records_are_scoped_filtered_and_audited(client, hr, records):
    response = client.get("/api/v1/records", {"status": "completed"}, **bearer(hr))
    assert response.status_code == 200
    body = response.json()
    emails = sorted(item["email"] for item in body["results"])
    assert emails == ["p0@example.gov.uk", "p1@example.gov.uk"]
    assert body["results"][0]["course"] == "Agile basics"
    assert body["results"][0]["status"] == "completed"
    event = AuditEvent.objects.get(action=AuditEvent.API_READ)
    assert event.actor == hr
    assert event.filters == {"status": "completed"}


def test_records_are_cursor_paginated(client, hr, records):
    headers = bearer(hr)
    first = client.get("/api/v1/records", {"page_size": 2}, **headers).json()
    assert len(first["results"]) == 2
    seen = [item["id"] for item in first["results"]]
    cursor_url = first["next"]
    while cursor_url:
        page = client.get(cursor_url, **headers).json()
        seen += [item["id"] for item in page["results"]]
        cursor_url = page["next"]
    assert len(seen) == len(set(seen)) == 5


def test_a_learners_token_reads_nothing(client, records):
    response = client.get("/api/v1/records", **bearer(records[0]))
    assert response.status_code == 403
    assert "p1@example.gov.uk" not in response.content.decode()


def test_bad_filters_get_a_clear_400(client, hr, records):
    response = client.get("/api/v1/records", {"organisation": "agency"}, **bearer(hr))
    assert response.status_code == 400
    assert "organisation" in response.json()["detail"]


def test_the_api_has_an_openapi_document_and_docs_page(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/records" in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"//cdn" not in docs.content  # served from this app, not a CDN


@pytest.fixture
def trainer(site, catalogue, course):
    user = UserFactory(email="trainer@example.gov.uk", first_name="Tia", last_name="Trainer")
    user.groups.add(Group.objects.get(name="Trainers"))
    course.trainers.add(user)
    course.save()  # a ParentalManyToManyField is written when the page is saved
    return user


def test_a_trainer_sees_progress_on_their_own_courses_only(client, trainer, tree, catalogue,
                                                           course):
    other = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                title="Not theirs")
    enrolment(person(tree["team-north"], 1), course, completed_at=timezone.now())
    enrolment(person(tree["team-north"], 2), course, last_fact_at=timezone.now())
    enrolment(person(tree["team-north"], 3), other)
    client.force_login(trainer)
    dashboard = client.get("/trainer/")
    assert [c.title for c in dashboard.context["courses"]] == ["Agile basics"]
    row = dashboard.context["courses"][0]
    assert (row.enrolled, row.started, row.completed) == (2, 1, 1)
    page = client.get(f"/trainer/courses/{course.pk}/").content.decode()
    assert "Number0001" in page
    assert "Number0002" in page
    assert "Completed" in page
    refused = client.get(f"/trainer/courses/{other.pk}/")
    assert refused.status_code == 404
    assert "Number0003" not in refused.content.decode()
