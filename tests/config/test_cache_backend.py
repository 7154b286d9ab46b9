"""The production cache backend (config/cache.py): Django's Redis cache, keeping one
Redis client per connection pool instead of making one for every call (issue 15)."""

import uuid

import pytest
from django.conf import settings

from config.cache import HeldClientRedisCache

pytestmark = pytest.mark.redis


@pytest.fixture
def cache():
    """The backend on the test run's own Redis database, under a prefix of this test's
    own; its keys are deleted afterwards (never the whole database)."""
    backend = HeldClientRedisCache(settings.REDIS_URL,
                                   {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})
    made = []
    yield backend, made
    backend.delete_many(made)


def test_the_production_settings_use_it():
    from config.settings import base

    if base.REDIS_URL:
        assert base.CACHES["default"]["BACKEND"] == "config.cache.HeldClientRedisCache"


def test_it_stores_reads_and_counts_through_one_client(cache):
    backend, made = cache
    made += ["a", "n"]
    backend.set("a", {"lesson": 3}, 60)
    assert backend.get("a") == {"lesson": 3}
    assert backend.add("a", "other", 60) is False
    backend.set("n", 1, 60)
    assert backend.incr("n") == 2
    assert backend.get_many(["a", "n", "missing"]) == {"a": {"lesson": 3}, "n": 2}
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client, "one client, kept"
    backend.delete("a")
    assert backend.get("a") is None
