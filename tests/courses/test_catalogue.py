"""The catalogue at /courses/: published courses, search, filters, pagination."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CoursePageFactory, TopicFactory


def titles(response):
    return [course.title for course in response.context["courses"]]


@pytest.fixture
def courses(catalogue):
    scrum = TopicFactory(name="Scrum")
    research = TopicFactory(name="User research")
    return {
        "scrum": CoursePageFactory(
            parent=catalogue, title="Scrum in government", topic=scrum,
            summary="Sprints, product owners and reviews.", level="intermediate",
            duration_override=170, format="blended",
        ),
        "research": CoursePageFactory(
            parent=catalogue, title="User research for non-researchers", topic=research,
            summary="Watch people use a service and learn from it.", level="introductory",
            duration_override=45, format="self-paced",
        ),
        "advanced": CoursePageFactory(
            parent=catalogue, title="Running service assessments", topic=research,
            summary="Prepare a team for an assessment.", level="advanced",
            duration_override=240, format="in-person",
        ),
    }


def test_catalogue_lists_published_courses_in_title_order(client, courses):
    draft = CoursePageFactory(parent=courses["scrum"].get_parent(), title="A draft course")
    draft.unpublish()
    response = client.get("/courses/")
    assert response.status_code == 200
    assert titles(response) == [
        "Running service assessments", "Scrum in government", "User research for non-researchers",
    ]
    assert b"A draft course" not in response.content


def test_search_finds_a_course_by_a_word_in_its_summary(client, courses):
    response = client.get("/courses/", {"q": "product owners"})
    assert titles(response) == ["Scrum in government"]
    assert b"1 course found" in response.content


def test_search_with_no_match_says_so_and_offers_a_way_back(client, courses):
    response = client.get("/courses/", {"q": "quantum basket weaving"})
    assert titles(response) == []
    assert b"No courses match your search." in response.content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"topic": "scrum"}, ["Scrum in government"]),
        ({"topic": ["scrum", "user-research"]},
         ["Running service assessments", "Scrum in government",
          "User research for non-researchers"]),
        ({"level": "advanced"}, ["Running service assessments"]),
        ({"duration": "under-1-hour"}, ["User research for non-researchers"]),
        ({"duration": "1-to-3-hours"}, ["Scrum in government"]),
        ({"duration": "over-3-hours"}, ["Running service assessments"]),
        ({"format": "self-paced"}, ["User research for non-researchers"]),
        ({"format": ["blended", "in-person"]},
         ["Running service assessments", "Scrum in government"]),
        ({"topic": "user-research", "level": "introductory"},
         ["User research for non-researchers"]),
    ],
)
def test_each_filter_narrows_the_catalogue(client, courses, params, expected):
    assert titles(client.get("/courses/", params)) == expected


def test_search_and_filter_combine(client, courses):
    response = client.get("/courses/", {"q": "assessment", "level": "advanced"})
    assert titles(response) == ["Running service assessments"]
    response = client.get("/courses/", {"q": "assessment", "level": "introductory"})
    assert titles(response) == []


def test_an_unknown_filter_value_gets_a_message_and_filters_nothing(client, courses):
    response = client.get("/courses/", {"level": "expert"})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert len(titles(response)) == 3


def test_catalogue_is_paginated_and_keeps_the_filters(client, catalogue):
    for n in range(12):
        CoursePageFactory(parent=catalogue, title=f"Course {n:02d}", level="advanced")
    first = client.get("/courses/", {"level": "advanced"})
    assert len(titles(first)) == 10
    assert b"level=advanced&amp;page=2" in first.content
    second = client.get("/courses/", {"level": "advanced", "page": 2})
    assert titles(second) == ["Course 10", "Course 11"]


def _catalogue_queries(client, catalogue, count, start=0):
    for n in range(start, start + count):
        CoursePageFactory(parent=catalogue, title=f"Course {n:03d}")
    client.get("/courses/")  # warm per-process caches (content types, site)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/courses/")
        queries = len(captured)
    assert response.status_code == 200
    return queries


@pytest.mark.django_db
def test_catalogue_query_count_is_the_same_for_5_and_50_courses(client, site):
    from courses.models import CataloguePage

    catalogue = CataloguePage.objects.get()
    few = _catalogue_queries(client, catalogue, 5)
    many = _catalogue_queries(client, catalogue, 45, start=5)
    assert few == many


@pytest.mark.parametrize(
    ("query", "expected"),
    [('"scrum', ["Scrum in government"]), ("scrum)", ["Scrum in government"]),
     ('"unbalanced', []), ("AND OR NOT", []), ("<b>scrum</b>", []), ("*", None)],
)
def test_punctuation_in_a_search_never_breaks_it(client, courses, query, expected):
    response = client.get("/courses/", {"q": query})
    assert response.status_code == 200
    if expected is not None:
        assert titles(response) == expected


def _status_line(content: str, title: str) -> str:
    """The text of one course's card on the catalogue, from its title to the next card."""
    card = content.split(f">{title}</a></h3>")[1].split('<li class="app-course-card">')[0]
    return " ".join(card.split())


def test_the_catalogue_shows_a_signed_in_learners_status_on_each_course(client, courses):
    from django.utils import timezone

    from learners.models import Enrolment
    from tests.factories import UserFactory

    learner = UserFactory()
    Enrolment.objects.create(user=learner, course=courses["scrum"],
                             started_at=timezone.now())
    Enrolment.objects.create(user=learner, course=courses["research"],
                             completed_at=timezone.now())
    due = timezone.localdate() + timezone.timedelta(days=30)
    Enrolment.objects.create(user=learner, course=courses["advanced"], due_on=due)
    client.force_login(learner)
    content = client.get("/courses/").content.decode()
    assert "In progress" in _status_line(content, "Scrum in government")
    assert "Completed" in _status_line(content, "User research for non-researchers")
    required = _status_line(content, "Running service assessments")
    assert f"Due {due:%-d %B %Y}" in required
    assert "Completed" not in _status_line(content, "Scrum in government")


def test_the_catalogue_shows_no_status_to_anyone_not_signed_in(client, courses):
    from learners.models import Enrolment
    from tests.factories import UserFactory

    Enrolment.objects.create(user=UserFactory(), course=courses["scrum"])
    content = client.get("/courses/").content.decode()
    assert "app-course-card__status" not in content
    assert "Enrolled" not in content


def test_an_enrolled_course_not_yet_started_says_enrolled(client, courses):
    from learners.models import Enrolment
    from tests.factories import UserFactory

    learner = UserFactory()
    Enrolment.objects.create(user=learner, course=courses["scrum"])
    client.force_login(learner)
    content = client.get("/courses/").content.decode()
    assert "Enrolled" in _status_line(content, "Scrum in government")
    assert "Enrolled" not in _status_line(content, "Running service assessments")


@pytest.mark.django_db
def test_catalogue_query_count_is_the_same_for_5_and_50_courses_signed_in(client, site):
    from courses.models import CataloguePage, CoursePage
    from learners.models import Enrolment
    from tests.factories import UserFactory

    learner = UserFactory()
    client.force_login(learner)
    catalogue = CataloguePage.objects.get()
    few = _catalogue_queries(client, catalogue, 5)
    for course in CoursePage.objects.all():
        Enrolment.objects.get_or_create(user=learner, course=course)
    many = _catalogue_queries(client, catalogue, 45, start=5)
    for course in CoursePage.objects.all():
        Enrolment.objects.get_or_create(user=learner, course=course)
    assert few == _catalogue_queries(client, catalogue, 0)
    assert few == many


def test_on_a_phone_the_filters_are_folded_and_come_before_no_results(client, courses):
    content = client.get("/courses/", {"level": "advanced"}).content.decode()
    details = content.split('<details class="govuk-details app-filters__details"')[1]
    assert "open" not in details.split(">")[0]
    assert "Filter courses (1 selected)" in content
    assert 'name="level"' in details.split("</details>")[0]


def test_a_search_result_shows_the_learners_status_too(client, courses):
    from django.utils import timezone

    from learners.models import Enrolment
    from tests.factories import UserFactory

    learner = UserFactory()
    Enrolment.objects.create(user=learner, course=courses["scrum"], started_at=timezone.now())
    client.force_login(learner)
    content = client.get("/courses/", {"q": "scrum"}).content.decode()
    assert "In progress" in _status_line(content, "Scrum in government")
