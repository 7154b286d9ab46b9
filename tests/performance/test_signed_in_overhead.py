"""What being signed in costs every page (issue 15): the session and the person, and no
query for the navigation or Wagtail's editor bar once the person's roles are kept;
changes of role still show at once, and nobody is shown another person's links."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from academy.setup import TRAINERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/glossary/"  # a page of the academy's own, with the service navigation


def _view(client, path=PAGE):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return response, [query["sql"] for query in captured]


def _links(response) -> list[str]:
    return [item["text"] for item in response.context["navigation"]]


def test_a_learners_second_page_reads_no_roles_and_no_permissions(client, site):
    client.force_login(UserFactory())
    _view(client)
    _response, queries = _view(client)
    for table in ("auth_group", "auth_permission", "\"line_manager_id\" ="):
        assert not [sql for sql in queries if table in sql], table


def test_a_learner_sees_no_editor_bar_and_a_trainer_does(client, trainer):
    client.force_login(UserFactory())
    assert b"wagtail-userbar" not in _view(client)[0].content
    client.force_login(trainer)
    assert b"wagtail-userbar" in _view(client)[0].content


def test_joining_or_leaving_a_group_shows_on_the_next_page(client, site):
    person = UserFactory()
    client.force_login(person)
    assert "Your courses" not in _links(_view(client)[0])
    trainers = Group.objects.get(name=TRAINERS)
    person.groups.add(trainers)
    assert "Your courses" in _links(_view(client)[0])
    trainers.user_set.remove(person)  # the other side of the relation
    assert "Your courses" not in _links(_view(client)[0])
    trainers.user_set.add(person)
    assert "Your courses" in _links(_view(client)[0])
    trainers.user_set.clear()
    assert "Your courses" not in _links(_view(client)[0])


def test_kept_roles_are_each_persons_own(client, trainer):
    client.force_login(trainer)
    assert "Your courses" in _links(_view(client)[0])
    client.force_login(UserFactory())
    assert "Your courses" not in _links(_view(client)[0])
    client.logout()
    assert _links(_view(client)[0])[-1] == "Create an account"


def test_a_signed_in_page_reads_the_session_from_the_cache(client, site):
    """Sessions are on the cache with the database behind them: a repeat page reads
    no session row."""
    client.force_login(UserFactory())
    _view(client)
    _response, queries = _view(client)
    assert not [sql for sql in queries if "django_session" in sql]


def test_roles_are_kept_in_each_process_between_pages(client, site):
    """The second page reads the person's roles neither from the database nor from the
    cache: this process keeps them under the roles version read with the request."""
    from django.core.cache import cache

    from academy.roles import VERSION_KEY, _roles_key
    from courses.cache import version_token
    from learners.scoping import HR_REPORTERS

    person = UserFactory()
    person.groups.add(Group.objects.get(name=HR_REPORTERS))
    client.force_login(person)
    assert "Reports" in _links(_view(client)[0])
    cache.delete(_roles_key(version_token(VERSION_KEY), person.pk))
    response, queries = _view(client)
    assert "Reports" in _links(response)
    assert not [sql for sql in queries if "auth_group" in sql]


def test_a_new_direct_report_shows_once_the_kept_roles_run_out(client, site, monkeypatch):
    """A direct report can arrive with no signal (a bulk file): kept roles, in the cache
    or in a process, are used only until ROLES_SECONDS after they were worked out."""
    import academy.roles

    monkeypatch.setattr(academy.roles, "ROLES_SECONDS", 0)
    manager = UserFactory()
    client.force_login(manager)
    assert "Your team" not in _links(_view(client)[0])
    UserFactory(line_manager=manager)
    assert "Your team" in _links(_view(client)[0])


def cache_reads(monkeypatch) -> list[tuple[str, tuple]]:
    """Every read of the cache from here on, as (method, keys): the real cache still
    answers (counted like queries, not mocked)."""
    from django.core.cache import caches

    backend, reads, inside = caches["default"], [], []
    for name in ("get", "get_many"):
        real = getattr(backend, name)

        def counted(keys, *args, _real=real, _name=name, **kwargs):
            if not inside:  # not a get that the test cache's get_many makes
                reads.append((_name, tuple(keys) if _name == "get_many" else (keys,)))
            inside.append(_name)
            try:
                return _real(keys, *args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, name, counted)
    return reads


def test_a_signed_in_page_reads_its_session_with_the_versions(client, site, monkeypatch):
    """The session is read in the request's first cache round trip, with the version
    tokens every page reads (config.middleware.SessionWithVersionsMiddleware): one
    round trip for both, and the person is signed in from it."""
    person = UserFactory(first_name="Ada")
    client.force_login(person)
    _view(client)
    session_key = client.session.cache_key
    reads = cache_reads(monkeypatch)
    response, queries = _view(client)
    assert "Sign out" in _links(response)
    assert reads[0][0] == "get_many"
    assert session_key in reads[0][1]
    assert "courses:tree-version" in reads[0][1]
    assert [keys for _, keys in reads if session_key in keys] == [reads[0][1]]
    assert not [sql for sql in queries if "django_session" in sql]


def test_a_session_gone_from_the_cache_is_read_from_the_database(client, site):
    from django.core.cache import cache

    client.force_login(UserFactory())
    _view(client)
    cache.delete(client.session.cache_key)
    response, queries = _view(client)
    assert "Sign out" in _links(response)
    assert [sql for sql in queries if "django_session" in sql]
    _response, queries = _view(client)  # and back in the cache
    assert not [sql for sql in queries if "django_session" in sql]


def test_an_unknown_session_cookie_is_signed_out(client, site):
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    response, _ = _view(client)
    assert _links(response)[-1] == "Create an account"
