"""Sending tasks after the request's transaction commits, without ever failing the
request because the broker is down.

The web request has already stored its fact when the task is sent. If Redis cannot be
reached, the learner still gets their page: the failure is logged, and the periodic
reconcilers find the fact without its consequence and enqueue the work again
(docs/reliability.md)."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# Try the broker briefly, then give up and leave the work to the reconciler: a web
# request must not hang while Redis is away.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                 "interval_max": 0.5}


def enqueue(task, *args) -> bool:
    """Send the task now; False (logged) if the broker cannot be reached."""
    try:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY)
    except (BrokerError, ConnectionError, OSError):
        logger.warning("broker unreachable: %s%s left for the reconciler", task.name, args)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """Send the task once the current transaction commits (never if it rolls back), so
    the worker always finds the rows it is given."""
    transaction.on_commit(lambda: enqueue(task, *args))
