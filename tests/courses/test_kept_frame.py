"""Markup many requests show alike, kept in the process (content.templatetags.kept_markup,
issue 15): the lesson page's frame (breadcrumbs, heading, the links to the lessons either
side), its "Words used" list, and the site's header and footer. A kept part shows only
what it was given, and every change to what it shows is seen at once; a preview keeps
nothing."""

import re

import pytest
from django.template import Context, Template
from django.test import Client

from courses.models import LessonPage
from tests.factories import UserFactory, course_with_lessons
from tests.learners.conftest import enrol, lessons_of

pytestmark = pytest.mark.django_db


def render(source: str, **context) -> str:
    return Template("{% load kept_markup %}" + source).render(Context(context))


def test_kept_markup_shows_only_what_it_is_given():
    template = Template("{% load kept_markup %}{% keptmarkup name=name %}"
                        "{{ name }}/{{ secret }}{% endkeptmarkup %}")
    assert template.render(Context({"name": "Ana", "secret": "token"})) == "Ana/"
    assert template.render(Context({"name": "Ben", "secret": "token"})) == "Ben/"
    assert template.render(Context({"name": "Ana"})) == "Ana/"


def test_kept_markup_is_kept_by_its_values_or_by_by_alone():
    by_values = Template("{% load kept_markup %}{% keptmarkup items=items %}"
                         "{% for i in items %}{{ i.text }}{% endfor %}{% endkeptmarkup %}")
    assert by_values.render(Context({"items": [{"text": "a"}]})) == "a"
    assert by_values.render(Context({"items": [{"text": "b"}]})) == "b"
    assert len(by_values.nodelist[1].kept) == 2

    by_version = Template("{% load kept_markup %}{% keptmarkup by=version title=title %}"
                          "{{ title }}{% endkeptmarkup %}")
    assert by_version.render(Context({"version": 1, "title": "Old"})) == "Old"
    # The same `by`: what was kept, whatever else is given (by must change with it).
    assert by_version.render(Context({"version": 1, "title": "New"})) == "Old"
    assert by_version.render(Context({"version": 2, "title": "New"})) == "New"
    # `by` None: nothing kept, the contents rendered with the whole context.
    unkept = Template("{% load kept_markup %}{% keptmarkup by=version title=title %}"
                      "{{ title }} {{ other }}{% endkeptmarkup %}")
    assert unkept.render(Context({"version": None, "title": "Draft", "other": "x"})) == \
        "Draft x"
    assert not unkept.nodelist[1].kept


def test_kept_markup_escapes_what_it_shows():
    assert render("{% keptmarkup title=title %}{{ title }}{% endkeptmarkup %}",
                  title="<b>Risks & issues</b>") == "&lt;b&gt;Risks &amp; issues&lt;/b&gt;"


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=2, lessons=3, title="Agile basics")


def frame(page: str) -> tuple[str, str, str]:
    """The breadcrumbs, the heading and the links either side."""
    breadcrumbs = re.search(r'<nav class="govuk-breadcrumbs".*?</nav>', page, re.DOTALL)
    heading = re.search(r'<span class="govuk-caption-l">.*?</h1>', page, re.DOTALL)
    pagination = re.search(r'<nav class="govuk-pagination.*?</nav>', page, re.DOTALL)
    return breadcrumbs.group(0), heading.group(0), pagination.group(0)


def publish(page, **fields):
    page = page.specific
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()


def test_a_lessons_frame_follows_every_change_at_once(client, course):
    lessons = lessons_of(course)
    module = lessons[1].get_parent()
    client.force_login(UserFactory(email="ana@example.gov.uk"))
    enrol(client, course)
    url = lessons[1].url
    breadcrumbs, heading, pagination = frame(client.get(url).content.decode())
    assert "Agile basics" in breadcrumbs
    assert module.title in breadcrumbs
    assert "Lesson 2 of 6" in heading
    assert lessons[0].title in pagination
    assert lessons[2].title in pagination

    publish(course, title="Agile for beginners")
    publish(module, title="Where to start")
    publish(lessons[1], title="Backlogs, explained", summary="What goes in a backlog.")
    publish(lessons[2], title="Sprints, explained")
    breadcrumbs, heading, pagination = frame(client.get(url).content.decode())
    assert "Agile for beginners" in breadcrumbs
    assert "Where to start" in breadcrumbs
    assert "Backlogs, explained" in heading
    assert "What goes in a backlog." in client.get(url).content.decode()
    assert "Sprints, explained" in pagination

    lessons[0].specific.unpublish()
    breadcrumbs, heading, pagination = frame(client.get(url).content.decode())
    assert "Lesson 1 of 5" in heading
    assert 'rel="prev"' not in pagination


def test_the_same_frame_for_two_learners_and_a_signed_out_reader(course):
    lesson = lessons_of(course)[1]
    ana, ben = Client(), Client()
    ana.force_login(UserFactory(email="ana@example.gov.uk", first_name="Ana"))
    ben.force_login(UserFactory(email="ben@example.gov.uk", first_name="Ben"))
    enrol(ana, course)
    pages = [c.get(lesson.url).content.decode() for c in (ana, ben, Client(), ana)]
    assert len({frame(page) for page in pages}) == 1
    # Each still sees their own state around it.
    assert "You have completed" in pages[0]
    assert "You have completed" not in pages[1]
    assert "Sign in</a> to save your progress" in pages[2]


def test_the_header_shows_each_persons_own_links(course):
    from django.contrib.auth.models import Group

    from learners.scoping import HR_REPORTERS

    reporter = UserFactory(email="hr@example.gov.uk")
    reporter.groups.add(Group.objects.get_or_create(name=HR_REPORTERS)[0])
    learner, hr, reader = Client(), Client(), Client()
    learner.force_login(UserFactory(email="ana@example.gov.uk"))
    hr.force_login(reporter)
    lesson = lessons_of(course)[0]
    for _ in range(2):
        pages = {name: c.get(lesson.url).content.decode()
                 for name, c in (("learner", learner), ("hr", hr), ("reader", reader))}
        assert 'href="/reports/"' in pages["hr"]
        assert 'href="/reports/"' not in pages["learner"]
        assert 'href="/my-learning/"' in pages["learner"]
        assert 'href="/sign-in/"' in pages["reader"]
        assert 'href="/sign-in/"' not in pages["learner"]
    # The current section is marked as such, on each page.
    assert 'aria-current="page"' in learner.get("/my-learning/").content.decode()


def test_a_preview_of_a_draft_title_keeps_nothing(client, course, django_user_model):
    lesson = lessons_of(course)[1]
    client.get(lesson.url)  # the live frame kept
    editor = UserFactory(email="editor@example.gov.uk", is_superuser=True, is_staff=True)
    client.force_login(editor)
    page = LessonPage.objects.get(pk=lesson.pk)
    page.title = "A draft title"
    page.save_revision()
    preview = client.get(f"/admin/pages/{lesson.pk}/view_draft/").content.decode()
    assert "A draft title" in frame(preview)[1]
    assert "A draft title" not in frame(Client().get(lesson.url).content.decode())[1]


def test_kept_markup_refuses_a_value_that_does_not_say_all_it_shows(course):
    """A page's repr is its title: two pages of one title would share markup."""
    with pytest.raises(TypeError, match="cannot be kept by a CoursePage"):
        render("{% keptmarkup page=page %}{{ page.url }}{% endkeptmarkup %}", page=course)


def test_a_lazy_value_is_kept_by_what_it_works_out_to():
    """A lazy object's repr names its function, which a later one can share."""
    from django.utils.functional import SimpleLazyObject

    template = Template("{% load kept_markup %}{% keptmarkup links=links %}"
                        "{% for link in links %}{{ link }}{% endfor %}{% endkeptmarkup %}")
    for links in (["Sign in"], ["Sign out"], ["Sign in"]):
        lazy = SimpleLazyObject(lambda links=links: links)
        assert template.render(Context({"links": lazy})) == links[0]
