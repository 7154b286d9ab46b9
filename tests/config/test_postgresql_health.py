"""The health check of a reused PostgreSQL connection (config/postgresql/base.py): no
round trip for a healthy idle connection, which is kept; a connection whose server
session has ended is closed, and the request's query runs on a new one."""

import time

import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def reused():
    """A connection of its own, as a request finds a persistent one: connected, with
    its health check still to do."""
    other = connections.create_connection("default")
    other.ensure_connection()
    other.health_check_done = False
    yield other
    other.close()


def _pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_healthy_idle_connection_is_kept_without_a_round_trip(reused, tmp_path):
    assert reused.health_check_enabled
    pid = reused.connection.info.backend_pid
    trace = tmp_path / "protocol"
    with trace.open("w") as sink:
        reused.connection.pgconn.trace(sink.fileno())
        reused.close_if_health_check_failed()
        reused.connection.pgconn.untrace()
    assert trace.read_text() == ""  # nothing sent to the server, nothing read
    assert reused.health_check_done
    assert _pid(reused) == pid


def test_a_connection_the_server_ended_is_replaced_before_the_query(reused):
    pid = reused.connection.info.backend_pid
    with connection.cursor() as cursor:  # as a restart does to every session
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while not reused._server_hung_up() and time.monotonic() < deadline:
        time.sleep(0.01)
    reused.close_if_health_check_failed()
    assert reused.connection is None
    assert _pid(reused) != pid  # the request's query, on a new connection


def test_a_connection_in_a_transaction_gets_djangos_own_check(reused):
    reused.connection.execute("BEGIN")
    pid = reused.connection.info.backend_pid
    reused.close_if_health_check_failed()
    assert reused.connection is not None
    assert reused.connection.info.backend_pid == pid
    reused.connection.execute("ROLLBACK")
