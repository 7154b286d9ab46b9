"""Course URLs routed from the course tree map (issue 15, courses.routing): a course,
module, lesson or catalogue URL is one query whatever its depth, with the site held in
memory and no view-restriction query when none applies; and what learners are served
is never stale: a page published, unpublished, moved or renamed, a module withdrawn, a
restriction added or a site changed is seen by the next request."""

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from wagtail.models import Page, PageViewRestriction, Site

from courses.models import LessonPage
from courses.routing import CourseRoutingMiddleware
from tests.factories import LessonPageFactory, UserFactory, course_with_lessons

pytestmark = pytest.mark.django_db


def test_the_routing_middleware_is_installed(settings):
    assert "courses.routing.CourseRoutingMiddleware" in settings.MIDDLEWARE


@pytest.fixture
def course(catalogue):
    """A published course of 20 lessons: four modules of five."""
    return course_with_lessons(catalogue, modules=4, lessons=5, title="Agile basics")


def lessons_of(course):
    return list(LessonPage.objects.live().descendant_of(course).order_by("path"))


def route(path):
    """What Wagtail's serve view would serve at `path` for this request, routed as a
    request is: the middleware, then Wagtail's own route_for_request, then its
    view-restriction check."""
    request = RequestFactory().get(path)
    middleware = CourseRoutingMiddleware(lambda request: None)
    middleware(request)
    match = resolve(path)
    middleware.process_view(request, match.func, match.args, match.kwargs)
    result = Page.route_for_request(request, match.args[0])
    if result is None:
        return None
    page = result[0]
    list(page.get_view_restrictions())
    return page


def status(client, path):
    return client.get(path).status_code


def test_every_course_url_routes_in_one_query_whatever_its_depth(
    catalogue, course, django_assert_max_num_queries
):
    module = course.get_children().last()
    pages = [catalogue, course, module, *lessons_of(course)]
    route(course.url)  # the map and the site, once per tree version
    for page in pages:
        with django_assert_max_num_queries(1):
            served = route(page.url)
        assert (served.pk, type(served)) == (page.pk, type(page.specific))


def warm_view(client, lesson):
    """A signed-in learner's second view of the lesson, and the SQL it ran."""
    client.force_login(UserFactory())
    client.get(lesson.url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(lesson.url)
    assert response.status_code == 200
    return response, captured


def test_a_learners_lesson_view_asks_nothing_of_the_site_or_restrictions(client, course):
    response, captured = warm_view(client, lessons_of(course)[17])
    assert b"Agile basics lesson 4.3" in response.content
    asked = " ".join(query["sql"] for query in captured)
    assert "wagtailcore_site" not in asked
    assert "wagtailcore_pageviewrestriction" not in asked


def test_a_course_page_reads_its_topic_with_it_and_its_catalogue_not_at_all(
    client, catalogue, course
):
    client.get(course.url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(course.url)
    content = response.content.decode()
    assert f'href="{catalogue.url}">Courses</a>' in content
    assert "Agile ways of working" in content  # the topic
    asked = [query["sql"] for query in captured]
    assert not [sql for sql in asked if 'FROM "courses_topic"' in sql]
    assert not [sql for sql in asked if f"\"path\" = '{catalogue.path}'" in sql]


def test_a_lesson_reads_its_course_once_a_version_and_sees_a_change_at_once(client, course):
    """The course above a lesson is held with the map: not read again on the next view,
    and a new title published is on the lesson's next view."""
    client.force_login(UserFactory())
    lesson = lessons_of(course)[6]
    client.get(lesson.url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(lesson.url)
    assert ">Agile basics<" in response.content.decode()
    asked = [query["sql"] for query in captured]
    assert not [sql for sql in asked if 'FROM "courses_coursepage"' in sql], \
        "the course is held with the map, not read on every view"
    course.title = "Agile for teams"
    course.save_revision().publish()
    content = client.get(lesson.url).content.decode()
    assert ">Agile for teams<" in content
    assert ">Agile basics<" not in content


def test_what_one_view_sets_on_the_held_course_is_not_seen_by_the_next(client, course):
    from courses.routing import course_tree_routes

    client.force_login(UserFactory())
    lesson = lessons_of(course)[2]
    client.get(lesson.url)
    routes = course_tree_routes(build=False)
    held = routes.courses[course.pk]
    first = routes.course_for(route(lesson.url))
    first.learner_enrolment = "someone else's"
    second = routes.course_for(route(lesson.url))
    assert first is not held
    assert second is not held
    assert second is not first
    assert not hasattr(second, "learner_enrolment")


def test_a_newly_published_lesson_is_served_at_once(client, course):
    module = course.get_children().first()
    draft = LessonPageFactory(parent=module, title="Late addition", live=False)
    draft.save_revision()
    assert status(client, draft.url) == 404
    draft.get_latest_revision().publish()
    assert status(client, draft.url) == 200


@pytest.mark.parametrize("withdraw", ["unpublish", "delete"])
def test_an_unpublished_or_deleted_lesson_404s_at_once(client, course, withdraw):
    lesson = lessons_of(course)[3]
    url = lesson.url
    assert status(client, url) == 200
    getattr(lesson, withdraw)()
    assert status(client, url) == 404


def test_a_moved_lesson_is_served_at_its_new_url_and_404s_at_its_old(client, course):
    lesson = lessons_of(course)[0]
    old_url = lesson.url
    assert status(client, old_url) == 200
    lesson.move(course.get_children().last(), pos="last-child")
    new_url = LessonPage.objects.get(pk=lesson.pk).url
    assert new_url != old_url
    assert status(client, new_url) == 200
    # Not served there: Wagtail's redirect (made on the move) answers the 404.
    response = client.get(old_url)
    assert (response.status_code, response["Location"]) == (301, new_url)


@pytest.mark.parametrize("renamed", ["lesson", "module"])
def test_a_renamed_lesson_or_module_serves_the_lesson_at_its_new_url_only(
    client, course, renamed
):
    lesson = lessons_of(course)[0]
    page = lesson if renamed == "lesson" else course.get_children().first().specific
    old_url = lesson.url
    assert status(client, old_url) == 200
    page.slug = "first-steps"
    page.save_revision().publish()
    new_url = LessonPage.objects.get(pk=lesson.pk).url
    assert new_url != old_url
    assert status(client, old_url) == 404
    assert status(client, new_url) == 200


def test_nothing_under_an_unpublished_module_or_course_is_served(client, course):
    module = course.get_children().first().specific
    first, last = lessons_of(course)[0], lessons_of(course)[-1]
    assert status(client, first.url) == 200
    module.unpublish()
    assert LessonPage.objects.get(pk=first.pk).live  # the lesson itself is still live
    assert status(client, first.url) == 404
    assert status(client, module.url) == 404
    assert status(client, last.url) == 200
    course.unpublish()
    assert status(client, last.url) == 404


def test_a_view_restriction_added_to_a_course_applies_at_once(client, course):
    lesson = lessons_of(course)[8]
    assert status(client, lesson.url) == 200
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(lesson.url)
    assert response.status_code == 302
    assert "next=" in response["Location"]
    client.force_login(UserFactory())
    assert status(client, lesson.url) == 200


def test_a_restricted_catalogue_lists_no_private_course(client, catalogue, course):
    private = course_with_lessons(catalogue, modules=1, lessons=1, title="Private course")
    assert b"Private course" in client.get(catalogue.url).content
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    content = client.get(catalogue.url).content
    assert b"Private course" not in content
    assert b"Agile basics" in content


def test_a_site_change_is_seen_at_once(client, catalogue, course):
    assert status(client, "/agile-basics/") == 404
    Site.objects.create(hostname="testserver", port=80, root_page=catalogue)
    assert status(client, "/agile-basics/") == 200
    assert status(client, "/courses/agile-basics/") == 404  # not under this site now


def test_links_on_a_page_follow_a_site_change_at_once(client, catalogue, course):
    """The site root paths Wagtail builds addresses from are held with the course tree
    map (one cache read less a page), and a site change makes a new map."""
    lesson = lessons_of(course)[0]
    module = lesson.get_parent()
    before = client.get(lesson.url).content.decode()
    assert 'href="/courses/agile-basics/"' in before
    Site.objects.create(hostname="testserver", port=80, root_page=catalogue)
    after = client.get(f"/agile-basics/{module.slug}/{lesson.slug}/").content.decode()
    assert 'href="/agile-basics/"' in after
    assert 'href="/courses/agile-basics/"' not in after


def test_unknown_addresses_still_404(client, course):
    assert status(client, "/courses/agile-basics/no-such-module/") == 404
    assert status(client, course.url + "agile-basics-module-1/nothing/") == 404


def test_a_routed_page_is_the_page_the_orm_would_fetch(
    client, catalogue, course, django_assert_num_queries
):
    """The routed fetch is SQL written by hand (courses.routing.PageFetch): every field of
    every kind of course page, and the course's topic, as the ORM has them."""
    from courses.routing import course_tree_routes

    client.get(course.url)  # the map for this version
    module = course.get_children().specific().first()
    pages = [catalogue.specific, course.specific, module, lessons_of(course)[4]]
    site, routes = Site.objects.get(is_default_site=True), course_tree_routes()
    for expected in pages:
        model = type(expected)
        path = expected.url_path.split("/", 2)[2]
        routes.route_for(site=site, path=path)  # the page type known (ContentType's cache)
        with django_assert_num_queries(1):
            routed = routes.route_for(site=site, path=path)
        page = routed.page
        assert type(page) is model
        fresh = model.objects.get(pk=expected.pk)
        for field in model._meta.concrete_fields:
            assert getattr(page, field.attname) == getattr(fresh, field.attname), field.name
        if model is type(course.specific):
            topic = fresh.topic
            assert topic is not None
            with django_assert_num_queries(0):
                assert page.topic == topic
                assert page.topic.name == topic.name


# --- The routed page kept by its rows' versions (PostgreSQL; courses.routing.PageFetch) --

@pytest.mark.postgres  # rows' versions are PostgreSQL's
def test_a_routed_lesson_is_kept_and_its_next_view_reads_only_its_rows_versions(
    client, course
):
    lesson = lessons_of(course)[5]
    response, captured = warm_view(client, lesson)
    assert lesson.title in response.content.decode()
    routed = [query["sql"] for query in captured if "xmin" in query["sql"]]
    assert len(routed) == 1, "the page's rows' versions, read once"
    assert '"body"' not in routed[0], "its row is not read again"


@pytest.mark.postgres  # rows' versions are PostgreSQL's
@pytest.mark.parametrize("table", ["page", "lesson"])
def test_a_routed_lesson_changed_behind_every_signal_is_served_as_it_now_is(
    client, course, table
):
    """QuerySet.update sends no signal and leaves the course tree version as it was: the
    kept page is still not served, because the row it was made from has been replaced.
    (What the page shows in markup kept by the tree version, its heading and summary, is
    another matter: tests/courses/test_kept_frame.py.)"""
    from courses.cache import course_tree_version

    lesson = lessons_of(course)[5]
    assert "Fresh words" not in client.get(lesson.url).content.decode()
    client.get(lesson.url)  # now served from the kept page
    version = course_tree_version()
    if table == "page":  # Wagtail's own table
        Page.objects.filter(pk=lesson.pk).update(title="Fresh words")
    else:  # the lesson's table
        LessonPage.objects.filter(pk=lesson.pk).update(summary="Fresh words")
    assert course_tree_version() == version
    routed = route(lesson.url)
    assert "Fresh words" in (routed.title, routed.summary)
    if table == "page":  # and in the page's <title>, which is not kept
        assert "<title>Fresh words" in client.get(lesson.url).content.decode()


@pytest.mark.postgres  # rows' versions are PostgreSQL's
def test_a_course_is_served_with_its_topic_as_it_now_is(client, course):
    from courses.models import Topic

    topic = Topic.objects.create(name="Ways of working")
    type(course).objects.filter(pk=course.pk).update(topic=topic)
    course.refresh_from_db()
    client.get(course.url)
    client.get(course.url)
    Topic.objects.filter(pk=topic.pk).update(name="Ways of delivery")
    routed = route(course.url)
    assert routed.topic.name == "Ways of delivery"


@pytest.mark.postgres  # rows' versions are PostgreSQL's
def test_a_kept_page_is_each_requests_own_copy(client, course):
    lesson = lessons_of(course)[4]
    client.get(lesson.url)
    first = route(lesson.url)
    first.learner_enrolment = "someone else's"
    second = route(lesson.url)
    assert second is not first
    assert second.pk == first.pk
    assert not hasattr(second, "learner_enrolment")


@pytest.mark.postgres  # rows' versions are PostgreSQL's
def test_a_kept_lesson_above_an_unpublished_module_is_not_served(client, course):
    """The checks of a fresh fetch are made with the rows' versions too: a module made
    not live behind every signal hides its kept lessons at once."""
    module = course.get_children().first()
    lesson = lessons_of(course)[0]
    client.get(lesson.url)
    assert status(client, lesson.url) == 200
    Page.objects.filter(pk=module.pk).update(live=False)
    assert status(client, lesson.url) == 404


# --- A course page's path resolved with Wagtail's pattern first (config.urls_pages_first)

def test_a_course_pages_path_is_resolved_pages_first_once_seen_to_reach_wagtail(
    client, course, settings
):
    lesson = lessons_of(course)[3]
    client.force_login(UserFactory())
    first = client.get(lesson.url)
    second = client.get(lesson.url)
    assert not hasattr(first.wsgi_request, "urlconf")
    assert second.wsgi_request.urlconf == settings.PAGES_FIRST_URLCONF
    assert second.status_code == first.status_code == 200
    assert second.resolver_match.func is first.resolver_match.func
    assert second.resolver_match.args == first.resolver_match.args
    # Links the page reverses are the site's (the course's, the glossary's).
    for link in ('href="/glossary/"', f'href="{course.url}"'):
        assert link in first.content.decode()
        assert link in second.content.decode()
    # A path the site's own URLs give to another view never is.
    assert not hasattr(client.get("/my-learning/").wsgi_request, "urlconf")
    assert not hasattr(client.get("/my-learning/").wsgi_request, "urlconf")


def test_the_pages_first_urls_resolve_and_reverse_as_the_sites_do(course):
    from django.urls import reverse

    from config import urls, urls_pages_first

    lesson = lessons_of(course)[0]
    for path in (lesson.url, course.url, "/courses/"):
        site, pages_first = resolve(path, urls), resolve(path, urls_pages_first)
        assert (pages_first.func, pages_first.args) == (site.func, site.args)
    for name, args in [("my_learning", []), ("glossary", []), ("healthz", []),
                       ("lesson_complete", [lesson.pk]), ("wagtail_serve", ["courses/"]),
                       ("wagtailadmin_home", [])]:
        assert reverse(name, urls_pages_first, args) == reverse(name, urls, args)
    assert urls_pages_first.handler400 == urls.handler400
