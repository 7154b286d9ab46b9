"""Celery signal handlers (wired in AcademyConfig.ready)."""

import logging

logger = logging.getLogger(__name__)


def record_task_failure(sender=None, task_id=None, exception=None, args=None, **kwargs):
    """Keep a record of a task that failed for good, for admins to see."""
    from academy.models import TaskFailure

    try:
        TaskFailure.objects.create(
            task_name=getattr(sender, "name", str(sender)), task_id=task_id or "",
            args=list(args or []), exception=f"{type(exception).__name__}: {exception}"[:2000])
    except Exception:  # the database may be the thing that failed
        logger.exception("could not record the failure of task %s", task_id)
