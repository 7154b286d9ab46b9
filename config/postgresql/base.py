"""Django's PostgreSQL backend, with its health check of a reused connection made
without a round trip to the server (issue 15).

CONN_HEALTH_CHECKS makes Django check a persistent connection before the first query of
each request, so a request after a PostgreSQL restart reconnects instead of failing
(docs/reliability.md). Django's check is `SELECT 1`: a round trip on every request that
reads the database, as many as the signed-in static page's one query of its own. Here an
idle connection is taken as usable unless the server has already said goodbye: a server
that stops or restarts ends each session with a message and closes the socket, which
leaves the idle socket readable. Anything readable on an idle connection (nothing should
be) closes it and the request connects afresh; a connection that is not idle (never the
case between requests under autocommit) gets Django's own check. A server gone without
a word (a cut cable) is found by the first query failing, as with no health check; Django
then closes the connection at the end of that request, and the next one reconnects."""

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg.pq import TransactionStatus


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def close_if_health_check_failed(self):
        if (self.pool or self.connection is None or not self.health_check_enabled
                or self.health_check_done):
            return super().close_if_health_check_failed()
        if self._server_hung_up():
            self.close()
        self.health_check_done = True

    def _server_hung_up(self) -> bool:
        connection = self.connection
        if connection.closed or connection.broken:
            return True
        if connection.info.transaction_status != TransactionStatus.IDLE:
            return not self.is_usable()
        poller = select.poll()  # not select.select: no limit on the descriptor's number
        poller.register(connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))  # readable, or hung up or in error (always reported)
