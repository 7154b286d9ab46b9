"""Checks the services the academy depends on, for /healthz and monitoring."""

import logging

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health: database unreachable")
        return "unavailable"
    return "ok"


def broker_status() -> str:
    """'ok' when Redis answers a PING; 'in-process' when no broker is configured
    (the embedded demo runs tasks eagerly and needs none)."""
    if not settings.REDIS_URL:
        return "in-process"
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        logger.warning("health: broker unreachable at %s", settings.REDIS_URL.split("@")[-1])
        return "unavailable"
    finally:
        client.close()
    return "ok"


def health_report() -> dict:
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(status in ("ok", "in-process") for status in checks.values())
    return {"status": "ok" if healthy else "unavailable", **checks}
