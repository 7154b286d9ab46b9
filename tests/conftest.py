"""Shared fixtures. Tests marked `postgres` or `redis` need the real services: they
skip with the reason when the service is absent, and fail instead when
ACADEMY_REQUIRE_SERVICES=1 (as in CI)."""

import os

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, TestCase

REQUIRE_SERVICES = os.environ.get("ACADEMY_REQUIRE_SERVICES") == "1"


def _missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and ACADEMY_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(reason)


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError:
        return False
    return True


@pytest.fixture(autouse=True)
def _rate_limits_cleared():
    """Each test starts with no rate limit counted (the test settings keep them in this
    process's memory): sign-ups and password resets from 127.0.0.1 add up otherwise."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _require_marked_services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("redis") and not redis_available():
        _missing("needs Redis: set REDIS_URL=redis://… to a running server")


def pytest_sessionstart(session):
    if REQUIRE_SERVICES and connection.vendor != "postgresql":
        raise pytest.UsageError(
            "ACADEMY_REQUIRE_SERVICES=1 but DATABASE_URL is not PostgreSQL"
        )


class CommittingClient(Client):
    """A test client whose requests run their on-commit callbacks (enqueued tasks),
    as a real request's would when its transaction commits. Tests run inside a
    transaction that never commits, so without this no task would ever run."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


@pytest.fixture
def client():
    return CommittingClient()


@pytest.fixture
def site(db):
    """The academy's structure: home, catalogue at /courses/, footer pages, roles."""
    from academy.setup import academy_roles_ensure, academy_site_ensure

    home = academy_site_ensure()
    academy_roles_ensure()
    return home


@pytest.fixture(scope="module")
def demo_academy(django_db_setup, django_db_blocker):
    """The whole demo academy, loaded once for a test module and rolled back after it;
    each test runs in a savepoint inside it. Loading it takes tens of seconds, so a
    module that needs it shares one load. Not for transactional tests (their data must
    be committed): build their data with factories."""
    from django.db import transaction

    from academy.demo_loader import demo_academy_load

    with django_db_blocker.unblock(), transaction.atomic():
        demo_academy_load()
        yield
        transaction.set_rollback(True)


def _member_of(group_name: str, email: str):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(email=email)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def trainer(site):
    """A member of the Trainers group (academy.setup gives it the admin)."""
    from learners.scoping import TRAINERS

    return _member_of(TRAINERS, "trainer@example.gov.uk")


@pytest.fixture
def moderator(site):
    """A member of Wagtail's Moderators group, which approves and publishes."""
    from academy.setup import MODERATORS

    return _member_of(MODERATORS, "moderator@example.gov.uk")


@pytest.fixture
def catalogue(site):
    from courses.models import CataloguePage

    return CataloguePage.objects.get()


def pytest_collection_modifyitems(items):
    """Transactional tests must restore the migrated data (Wagtail's root page, content
    types) they flush, or every later test loses it: insist on serialized_rollback."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get(
            "serialized_rollback"
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: use django_db(transaction=True, serialized_rollback=True)"
            )


def require_tool(command: str, package: str) -> None:
    """Skip (or, with ACADEMY_REQUIRE_SERVICES=1, fail) when a command-line tool a test
    uses is missing. .ci/run installs them."""
    import shutil

    if shutil.which(command) is None:
        _missing(f"needs `{command}` (Debian package {package})")
