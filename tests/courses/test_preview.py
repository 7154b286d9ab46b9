"""Issue 13, what was seen: previewing a draft lesson showed "Lesson 1 of 0" and no next
link, so a trainer could not click through a draft course. In a Wagtail preview the
lesson counts and links the course's lessons including drafts (previous / next lead to
those lessons' previews); learners on the live site still never see a draft."""

import re

import pytest
from django.urls import reverse

from tests.factories import LessonPageFactory, ModulePageFactory, UserFactory, course_with_lessons


def view_draft(page):
    return reverse("wagtailadmin_pages:view_draft", args=[page.pk])


def nav_links(html):
    """The lesson navigation's (rel, href, title) links."""
    nav = html.split('aria-label="Lessons"', 1)[1].split("</nav>", 1)[0]
    return [
        (rel, href, re.sub(r"\s+", " ", label).strip())
        for href, rel, label in re.findall(
            r'href="([^"]*)" rel="(prev|next)">.*?link-label">([^<]*)<', nav, re.S)
    ]


def caption(html):
    return re.search(r"Lesson \d+ of \d+", html).group(0)


@pytest.fixture
def course(catalogue):
    """A live course of one module with two live lessons, then a draft lesson and a
    draft module holding a draft lesson."""
    course = course_with_lessons(catalogue, modules=1, lessons=2, title="Agile basics")
    module = course.get_children().first()
    draft = LessonPageFactory(parent=module, title="Draft lesson three", live=False)
    draft.save_revision()
    draft_module = ModulePageFactory(parent=course, title="Draft module", live=False)
    draft_module.save_revision()
    last = LessonPageFactory(parent=draft_module, title="Draft lesson four", live=False)
    last.save_revision()
    return course


@pytest.fixture
def editor(client, db):
    client.force_login(UserFactory(email="editor@example.gov.uk", is_superuser=True,
                                   is_staff=True))
    return client


def lessons_of(course):
    from courses.models import LessonPage

    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def test_previewing_a_draft_lesson_counts_and_links_the_draft_course(editor, course):
    _first, second, third, fourth = lessons_of(course)

    response = editor.get(view_draft(third))

    assert response.status_code == 200
    html = response.content.decode()
    assert caption(html) == "Lesson 3 of 4"
    assert nav_links(html) == [
        ("prev", view_draft(second), second.title),
        ("next", view_draft(fourth), "Draft lesson four"),
    ]


def test_a_trainer_clicks_through_the_whole_draft_course_from_the_first_lesson(editor, course):
    lessons = lessons_of(course)
    url, seen = view_draft(lessons[0]), []
    while url:
        html = editor.get(url).content.decode()
        seen.append(caption(html))
        url = {rel: href for rel, href, _ in nav_links(html)}.get("next")
    assert seen == ["Lesson 1 of 4", "Lesson 2 of 4", "Lesson 3 of 4", "Lesson 4 of 4"]


def test_the_preview_shows_a_drafts_latest_title(editor, course):
    second, third = lessons_of(course)[1:3]
    third.title = "Renamed in draft"
    third.save_revision()

    html = editor.get(view_draft(second)).content.decode()

    assert ("next", view_draft(third), "Renamed in draft") in nav_links(html)


def test_learners_on_the_live_site_never_see_draft_lessons(client, course):
    first, second, third, _fourth = lessons_of(course)
    client.force_login(UserFactory(email="learner@example.gov.uk"))

    html = client.get(second.url).content.decode()

    assert caption(html) == "Lesson 2 of 2"
    assert nav_links(html) == [("prev", first.url, first.title)]
    assert "Draft lesson" not in html
    assert "/admin/" not in html
    assert client.get(third.url).status_code == 404


def test_the_course_preview_outlines_draft_modules_and_lessons_with_preview_links(
        editor, client, course):
    fourth = lessons_of(course)[3]

    html = editor.get(view_draft(course)).content.decode()

    assert "Draft module" in html
    assert f'href="{view_draft(fourth)}">Draft lesson four</a>' in html
    editor.logout()
    live = client.get(course.url).content.decode()
    assert "Draft module" not in live
    assert "Draft lesson" not in live
