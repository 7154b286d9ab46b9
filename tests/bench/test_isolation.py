"""The benchmark harness is safe to run beside anything else (issue 15): its database
names are its own, it drops only databases it created, and in Redis it deletes only the
keys it wrote, in a database no other run holds. Against the real PostgreSQL
(DATABASE_URL's server) and a redis-server of the tests' own (a shared Redis may hold
anyone's Celery keys, which the harness rightly refuses)."""

import os
import uuid

import pytest

from bench.isolation import (
    CLAIM_KEY,
    Databases,
    RedisClaim,
    bench_database_name,
    database_url_for,
    database_url_split,
)
from tests.conftest import _missing
from tests.reliability.conftest import free_port, own_redis


@pytest.fixture
def server_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://…")
    return url


@pytest.fixture(scope="module")
def redis_port():
    port = free_port()
    with own_redis(port):
        yield port


@pytest.fixture
def broker(redis_port):
    import redis

    client = redis.Redis(port=redis_port, db=0)
    yield client
    client.flushall()  # the tests' own server
    client.close()


def test_database_names_come_from_database_url_size_and_run():
    server, name = database_url_split("postgres://postgres@db:5432/academy_ci?sslmode=off")
    assert (server, name) == ("postgres://postgres@db:5432?sslmode=off", "academy_ci")
    assert bench_database_name(name, "tiny", "4711ab12") == "academy_ci_bench_tiny_4711ab12"
    assert database_url_for("postgres://u@db:5432/academy_ci?sslmode=off", "other") == (
        "postgres://u@db:5432/other?sslmode=off")


def test_a_long_database_name_keeps_size_and_run_within_postgres_limit():
    name = bench_database_name("a" * 80, "full", "4711ab12")
    assert len(name) == 63
    assert name.endswith("_bench_full_4711ab12")


def test_two_runs_get_different_databases():
    assert bench_database_name("academy", "tiny", "1a") != bench_database_name(
        "academy", "tiny", "2b")


def test_a_database_it_did_not_create_is_never_dropped(server_url):
    base = database_url_split(server_url)[1]
    name = bench_database_name(base, "tiny", f"t{uuid.uuid4().hex[:8]}")
    owner = Databases(server_url)  # say, another run: it creates the database
    owner.create(name)
    try:
        other = Databases(server_url)
        with pytest.raises(ValueError, match="not created by this run"):
            other.drop(name)
        with pytest.raises(SystemExit, match="already exists"):
            other.create(name)  # a name taken is an error, not a reason to drop it
        assert other.drop_created() == []
        assert owner.exists(name)
    finally:
        assert owner.drop_created() == [name]
    assert not owner.exists(name)


def _keys(client, *names):
    return {name for name in names if client.exists(name)}


def test_the_run_deletes_only_the_keys_it_wrote(broker):
    others = [f"someone-else:{uuid.uuid4().hex}", f"celery-but-not-ours:{uuid.uuid4().hex}"]
    for key in others:
        broker.set(key, "theirs")
    claim = RedisClaim(broker, f"t{uuid.uuid4().hex[:8]}")
    try:
        claim.acquire()
        # What the stack writes while the run holds the database.
        broker.lpush("celery", "a task")
        broker.sadd("_kombu.binding.celery", "binding")
        broker.set("academy:1:report-figures", "kept")
        assert claim.release() == 3
        assert _keys(broker, "celery", "_kombu.binding.celery", "academy:1:report-figures",
                     CLAIM_KEY) == set()
        assert _keys(broker, *others) == set(others)
    finally:
        broker.delete(*others)


def test_a_second_run_on_the_same_redis_database_is_refused(broker):
    first = RedisClaim(broker, f"a{uuid.uuid4().hex[:8]}")
    first.acquire()
    try:
        broker.lpush("celery", "the first run's task")
        second = RedisClaim(broker, f"b{uuid.uuid4().hex[:8]}")
        with pytest.raises(SystemExit, match="in use by another benchmark run"):
            second.acquire()
        assert second.release() == 0
        assert broker.lrange("celery", 0, -1) == [b"the first run's task"]
        assert broker.get(CLAIM_KEY) == first.run_id.encode()
    finally:
        first.release()


def test_a_redis_database_holding_someone_elses_queue_is_refused_and_left_alone(broker):
    broker.lpush("celery", "someone else's task")
    try:
        claim = RedisClaim(broker, f"t{uuid.uuid4().hex[:8]}")
        with pytest.raises(SystemExit, match="something else uses it"):
            claim.acquire()
        assert broker.lrange("celery", 0, -1) == [b"someone else's task"]
        assert not broker.exists(CLAIM_KEY)
    finally:
        broker.delete("celery")


def test_keys_of_another_redis_database_are_left_alone(broker, redis_port):
    import redis

    other = redis.Redis(port=redis_port, db=1)  # say, another run's database
    other.lpush("celery", "another run's task")
    other.set("academy:1:page", "another run's cache")
    claim = RedisClaim(broker, f"t{uuid.uuid4().hex[:8]}")
    claim.acquire()
    broker.lpush("celery", "this run's task")
    assert claim.release() == 1
    assert other.lrange("celery", 0, -1) == [b"another run's task"]
    assert other.get("academy:1:page") == b"another run's cache"
