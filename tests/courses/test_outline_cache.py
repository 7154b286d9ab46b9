"""The course outline is kept per published course tree (issue 15): read with no query
once worked out, shared by the course page and a lesson's previous / next links and
number, and never stale: a lesson published, withdrawn, moved or retitled is seen by
the next learner at once."""

import re

import pytest

from courses.models import LessonPage
from courses.selectors import course_lesson_outline, course_outline
from tests.factories import LessonPageFactory, ModulePageFactory, course_with_lessons

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(catalogue):
    """One course: two modules of two live lessons each."""
    return course_with_lessons(catalogue, modules=2, lessons=2, title="Agile basics")


def lessons_of(course):
    return list(LessonPage.objects.live().descendant_of(course).order_by("path"))


def nav(client, lesson) -> tuple[str, list[tuple[str, str]]]:
    """What a learner's lesson page says: its caption and its (rel, title) links."""
    html = client.get(lesson.url).content.decode()
    caption = re.search(r"Lesson \d+ of \d+: [^<]*", html).group(0)
    section = html.split('aria-label="Lessons"', 1)[1].split("</nav>", 1)[0]
    links = [(rel, re.sub(r"\s+", " ", title).strip()) for rel, title in re.findall(
        r'rel="(prev|next)">.*?link-label">([^<]*)<', section, re.S)]
    return caption, links


def outline_titles(client, course) -> list[str]:
    """The lesson titles in the course page's outline, in order."""
    html = client.get(course.url).content.decode()
    section = html.split("Course outline", 1)[1]
    return re.findall(r'<li><a class="govuk-link" href="[^"]*">([^<]*)</a>', section)


def test_a_kept_outline_is_read_with_no_query(course, django_assert_num_queries):
    worked_out = course_lesson_outline(course=course)
    with django_assert_num_queries(0):
        assert course_lesson_outline(course=course) == worked_out
        course_outline(course=course)
    assert [lesson.title for lesson in worked_out] == [
        "Agile basics lesson 1.1", "Agile basics lesson 1.2",
        "Agile basics lesson 2.1", "Agile basics lesson 2.2"]
    assert worked_out[2].module_title == "Agile basics module 2"
    assert worked_out[2].url == lessons_of(course)[2].url


def test_a_published_lesson_appears_at_once_in_the_links_and_the_outline(client, course):
    first_module = course.get_children().first()
    lessons = lessons_of(course)
    assert nav(client, lessons[1]) == ("Lesson 2 of 4: Agile basics module 1",
                                       [("prev", "Agile basics lesson 1.1"),
                                        ("next", "Agile basics lesson 2.1")])
    new = LessonPageFactory(parent=first_module, title="Late addition", live=False)
    new.save_revision().publish()

    assert nav(client, lessons[1]) == ("Lesson 2 of 5: Agile basics module 1",
                                       [("prev", "Agile basics lesson 1.1"),
                                        ("next", "Late addition")])
    assert "Late addition" in outline_titles(client, course)


def test_an_unpublished_lesson_leaves_the_links_and_the_outline_at_once(client, course):
    lessons = lessons_of(course)
    assert nav(client, lessons[0])[1] == [("next", "Agile basics lesson 1.2")]
    outline_titles(client, course)
    lessons[1].unpublish()

    assert nav(client, lessons[0]) == ("Lesson 1 of 3: Agile basics module 1",
                                       [("next", "Agile basics lesson 2.1")])
    assert "Agile basics lesson 1.2" not in outline_titles(client, course)


def test_a_moved_lesson_takes_its_new_place_at_once(client, course):
    lessons = lessons_of(course)
    second_module = course.get_children().last()
    assert nav(client, lessons[3])[0] == "Lesson 4 of 4: Agile basics module 2"
    lessons[0].move(second_module, pos="last-child")

    assert nav(client, LessonPage.objects.get(pk=lessons[0].pk)) == (
        "Lesson 4 of 4: Agile basics module 2", [("prev", "Agile basics lesson 2.2")])
    assert outline_titles(client, course) == [
        "Agile basics lesson 1.2", "Agile basics lesson 2.1", "Agile basics lesson 2.2",
        "Agile basics lesson 1.1"]


def test_a_retitled_lesson_is_named_anew_at_once(client, course):
    lessons = lessons_of(course)
    assert ("next", "Agile basics lesson 1.2") in nav(client, lessons[0])[1]
    lessons[1].title = "What a sprint is"
    lessons[1].save_revision().publish()

    assert ("next", "What a sprint is") in nav(client, lessons[0])[1]
    assert "What a sprint is" in outline_titles(client, course)


def test_a_draft_change_is_not_shown_to_learners(client, course):
    lessons = lessons_of(course)
    nav(client, lessons[0])
    lessons[1].title = "Not yet"
    lessons[1].save_revision()
    ModulePageFactory(parent=course, title="Draft module", live=False).save_revision()

    assert ("next", "Agile basics lesson 1.2") in nav(client, lessons[0])[1]
    assert "Draft module" not in client.get(course.url).content.decode()


def test_the_outline_leaves_out_lessons_under_an_unpublished_module(course):
    assert len(course_lesson_outline(course=course)) == 4
    course.get_children().last().specific.unpublish()

    assert [lesson.title for lesson in course_lesson_outline(course=course)] == [
        "Agile basics lesson 1.1", "Agile basics lesson 1.2"]
