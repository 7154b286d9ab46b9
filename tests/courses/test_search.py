"""Catalogue search finds what the courses teach: lesson text, module and course
titles and summaries, topics and the glossary, with typo tolerance. Runs against the
demo academy on whichever database DATABASE_URL names (PostgreSQL or SQLite)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import course_with_lessons


@pytest.fixture(scope="module")
def demo(demo_academy):
    """The demo academy, loaded once for the module (tests/conftest.py)."""


def found(response):
    """What the page offers, in order: courses, the lessons named under "Found in",
    and glossary terms."""
    search = response.context["form"].search
    courses = list(response.context["courses"])
    return {
        "courses": [c.title for c in courses],
        "lessons": [lesson.title for c in courses for lesson in c.search_matches],
        "terms": [t.term for t in search.glossary],
    }


# (query, where the answer shows, what must be among the first three there): "lesson"
# is a lesson named under "Found in" (in page order), "course" a course result, "term"
# a glossary definition. Each is true of the demo content (academy/demo/*.yaml).
QUERIES = [
    ("kanban", "lesson", "The rhythm of an agile team"),
    ("kanban", "course", "Agile foundations"),
    ("kanban", "term", "Kanban"),
    ("accessibility", "course", "User research for non-researchers"),
    ("accessibility", "term", "Accessibility"),
    ("MVP", "term", "Minimum viable product"),
    ("minimum viable product", "term", "Minimum viable product"),
    ("scrum", "course", "Agile foundations"),
    ("scrum", "lesson", "Empiricism: how Scrum helps a team learn"),
    ("srcum", "lesson", "Empiricism: how Scrum helps a team learn"),
    ("reserch", "term", "User research"),
    ("reserch", "course", "User research for non-researchers"),
    ("user research", "lesson", "User needs, not assumptions"),
    ("sprint", "lesson", "The Sprint and its events"),
    ("backlog", "lesson", "Teams, backlogs and user stories"),
    ("stand-up", "lesson", "The rhythm of an agile team"),
    ("discovery", "lesson", "Discovery: understanding the problem first"),
    ("alpha", "lesson", "Alpha: trying ideas cheaply"),
    ("beta", "lesson", "Beta: running a real service while you improve it"),
    ("service standard", "lesson", "Service assessments, live and retirement"),
    ("service standard", "term", "Service Standard"),
    ("retrospective", "lesson", "The Sprint and its events"),
    ("product owner", "lesson", "Being a product owner in government"),
    ("persona", "lesson", "From findings to action"),
    ("prototype", "lesson", "Alpha: trying ideas cheaply"),
    ("iteration", "term", "Iteration"),
    ("assisted digital", "lesson", "Who your users really are"),
    ("assisted digital", "term", "Assisted digital"),
    ("GOV.UK", "course", "Iterating public services (discovery, alpha, beta, live)"),
    ("user needs", "lesson", "User needs, not assumptions"),
    ("definition of done", "lesson", "The artefacts and their commitments"),
    ("definition of done", "term", "Definition of done"),
    ("velocity", "lesson", "Spotting common anti-patterns"),
    ("show and tell", "term", "Show and tell"),
    ("waterfall", "lesson", "The trouble with big-bang delivery"),
    ("usability testing", "term", "Usability testing"),
    ("hypothesis", "term", "Hypothesis"),
    ("multidisciplinary team", "term", "Multidisciplinary team"),
]


@pytest.mark.parametrize(("query", "where", "expected"), QUERIES)
def test_search_finds_what_the_courses_teach(demo, db, client, query, where, expected):
    response = client.get("/courses/", {"q": query})
    assert response.status_code == 200
    top_three = found(response)[where + "s"][:3]
    assert expected in top_three, f"{query!r}: {expected!r} not in {top_three}"


def test_a_course_result_links_to_the_lesson_that_matched(demo, db, client):
    from courses.models import LessonPage

    lesson = LessonPage.objects.get(title="The rhythm of an agile team")
    response = client.get("/courses/", {"q": "kanban"})
    html = response.content.decode()
    assert "Found in:" in html
    assert f'href="{lesson.url}">The rhythm of an agile team</a>' in html


def test_a_glossary_match_shows_the_definition_and_links_to_the_glossary(demo, db, client):
    response = client.get("/courses/", {"q": "MVP"})
    html = response.content.decode()
    assert "In the glossary" in html
    assert 'href="/glossary/#term-minimum-viable-product">Minimum viable product</a>' in html
    assert "The simplest version of a product or service" in html


def test_a_draft_glossary_term_is_not_found_until_it_is_published(demo, db, client):
    from content.models import GlossaryTerm

    GlossaryTerm.objects.filter(term="Minimum viable product").update(live=False)
    html = client.get("/courses/", {"q": "MVP"}).content.decode()
    assert "Minimum viable product" not in html
    assert client.get("/courses/", {"q": "vyable"}).context["form"].search.suggestion != "viable"


@pytest.mark.parametrize(("typo", "meant"), [("srcum", "scrum"), ("reserch", "research")])
def test_a_misspelt_search_shows_results_for_the_nearest_word(demo, db, client, typo, meant):
    response = client.get("/courses/", {"q": typo})
    assert response.context["form"].search.suggestion == meant
    html = response.content.decode()
    assert f"We found nothing for “{typo}”, so these are the results for" in html
    assert found(response)["courses"]


def test_a_search_for_nothing_known_says_so_and_suggests_nothing(demo, db, client):
    response = client.get("/courses/", {"q": "quantum basket weaving"})
    assert found(response) == {"courses": [], "lessons": [], "terms": []}
    assert response.context["form"].search.suggestion == ""
    assert b"No courses match your search." in response.content


def test_search_respects_the_filters(demo, db, client):
    response = client.get("/courses/", {"q": "kanban", "topic": "scrum"})
    assert found(response)["courses"] == ["Scrum in government"]


def test_publishing_a_lesson_makes_its_new_text_searchable(demo, db, client):
    from courses.models import LessonPage

    lesson = LessonPage.objects.get(title="The rhythm of an agile team")
    assert "The rhythm of an agile team" not in found(
        client.get("/courses/", {"q": "okapi"}))["lessons"]
    lesson.body = [{"type": "text", "value": "<p>An okapi on the board.</p>"}]
    lesson.save_revision().publish()
    assert found(client.get("/courses/", {"q": "okapi"}))["lessons"] == [
        "The rhythm of an agile team"]


def _search_queries(client, query):
    client.get("/courses/", {"q": query})  # warm per-process caches (content types, site)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/courses/", {"q": query})
    assert response.status_code == 200
    return len(captured), found(response)


def test_search_query_count_is_the_same_for_1_and_100_results(demo, db, client):
    from courses.models import CataloguePage, LessonPage
    from courses.search import lesson_search_text_update

    catalogue = CataloguePage.objects.get()

    def build(first, courses, lessons):
        for n in range(first, first + courses):
            course_with_lessons(
                catalogue, modules=1, lessons=lessons, title=f"Zoology {n:03d}",
                body=[{"type": "text", "value": "<p>Watch the zebrafish swim.</p>"}],
            )
        for lesson in LessonPage.objects.filter(title__startswith="Zoology"):
            lesson_search_text_update(lesson=lesson)

    build(0, 1, 1)
    one, one_found = _search_queries(client, "zebrafish")
    assert one_found["lessons"] == ["Zoology 000 lesson 1.1"]
    build(1, 11, 9)
    hundred, hundred_found = _search_queries(client, "zebrafish")
    assert len(hundred_found["courses"]) == 10  # the first page of 12
    assert LessonPage.objects.filter(search_text__contains="zebrafish").count() == 100
    assert hundred == one
