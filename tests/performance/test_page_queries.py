"""Every query a page costs (issue 15), for a signed-in learner enrolled on a 20-lesson
course, on the second view (the first records the visit and warms what a running server
keeps warm, the person's row among it): routing, the page and the learner's own record. Exact
numbers, so they cannot creep back; the department-size benchmark shows they stay flat
with 100,000 people (bench/RESULTS.md)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import LessonPage
from tests.factories import UserFactory, activity, course_with_lessons, knowledge_check
from tests.learners.conftest import enrol

pytestmark = pytest.mark.django_db

# Issue 15's ceilings, and the counts now (session from the cache; the person; the page
# routed in one query; the learner's own record). Issue 16 added one to the course page
# (its upcoming sessions with their places) and two to My learning (your sessions; your
# follow-up questions). My learning then came down to the person and one query for
# the enrolments (courses from the course tree's cache; attempts, follow-up questions
# and sessions asked for only when there are some). The catalogue's cards and filters,
# and the course page's trainers, final assessment, sessions and outline are kept in the
# cache (courses.fragments), so those two pages are the person, routing and the
# learner's own. The lesson's answers and notes are read in its enrolment's row
# (learners.selectors.enrolment_get), so it was the person, routing and that row. The
# person's row is now kept in the process between their requests while no write has
# changed it (learners.people_kept), so a second view does not read it:
CEILINGS = {"lesson": 10, "course": 8, "catalogue": 6, "my learning": 6}
NOW = {"lesson": 2, "course": 2, "catalogue": 2, "my learning": 1}


def lesson_body():
    return [
        {"type": "text", "value": "<p>In a sprint the team plans, builds and reviews.</p>"},
        knowledge_check(),
        activity(),
    ]


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=4, lessons=5, body=lesson_body,
                               title="Agile at scale")


@pytest.fixture
def pages(client, catalogue, course):
    learner = UserFactory(email="queries@example.gov.uk")
    client.force_login(learner)
    assert enrol(client, course).status_code == 302
    lesson = LessonPage.objects.live().descendant_of(course).order_by("path")[6]
    # A running server has served a course page since the last publish, so it holds the
    # course tree map (and the Site with it) that every page then reads from memory.
    assert client.get(lesson.url).status_code == 200
    return {"lesson": lesson.url, "course": course.url, "catalogue": catalogue.url,
            "my learning": "/my-learning/"}


def queries_for(client, path: str) -> list[str]:
    assert client.get(path).status_code == 200  # the first view warms
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in captured]


@pytest.mark.parametrize("page", list(CEILINGS))
def test_each_page_costs_what_it_does_now(client, pages, page):
    assert NOW[page] <= CEILINGS[page]
    queries = queries_for(client, pages[page])
    assert len(queries) == NOW[page], "\n".join(queries)


def test_a_lesson_costs_the_same_in_a_course_of_two_lessons(client, catalogue, pages):
    small = course_with_lessons(catalogue, modules=1, lessons=2, body=lesson_body,
                                title="Agile in brief")
    assert enrol(client, small).status_code == 302
    lesson = LessonPage.objects.live().descendant_of(small).order_by("path")[1]
    assert len(queries_for(client, lesson.url)) == NOW["lesson"]
