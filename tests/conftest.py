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


class _SharedDemo:
    """The demo academy, loaded once for the whole run inside a transaction that is
    rolled back when the first test that does not ask for it begins. The tests that ask
    for it run first (pytest_collection_modifyitems), so one load serves them all; a
    load takes tens of seconds on PostgreSQL."""

    output: str | None = None
    _atomic = None
    _unblocked = None
    released = False

    def load(self, django_db_blocker) -> str:
        from io import StringIO

        from django.core.management import call_command
        from django.db import transaction

        if self.released:
            raise pytest.UsageError("demo_academy was asked for after the tests that share "
                                    "it had finished: it must be asked for by the test "
                                    "itself or its fixtures, so it is sorted first")
        if self.output is None:
            self._unblocked = django_db_blocker.unblock()
            self._unblocked.__enter__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            out = StringIO()
            call_command("load_demo_academy", stdout=out)
            self.output = out.getvalue()
        return self.output

    def release(self) -> None:
        from django.db import transaction

        if self._atomic is not None:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
            self._unblocked.__exit__(None, None, None)
            self._atomic = self._unblocked = None
        self.released = True


_shared_demo = _SharedDemo()


@pytest.fixture(scope="session")
def demo_academy(django_db_setup, django_db_blocker):
    """The whole demo academy (the text load_demo_academy printed), shared by every test
    that asks for it; each test runs in a savepoint inside it. Not for transactional
    tests (their data must be committed): build their data with factories."""
    yield _shared_demo.load(django_db_blocker)
    _shared_demo.release()


def _wants_demo(item) -> bool:
    return "demo_academy" in getattr(item, "fixturenames", ())


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """The first test without the demo rolls it back, before any of its fixtures run:
    its data and every later test's start from the migrated database alone."""
    if not _wants_demo(item) and not _shared_demo.released and _shared_demo.output:
        _shared_demo.release()


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
    """The tests that share the demo academy run first, in their own order, so it is
    loaded once (_SharedDemo). Transactional tests must restore the migrated data
    (Wagtail's root page, content types) they flush, or every later test loses it:
    insist on serialized_rollback."""
    items.sort(key=lambda item: not _wants_demo(item))
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
