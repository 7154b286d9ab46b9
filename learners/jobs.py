"""The Celery side of tracked jobs (learners.models.TrackedJob)."""

import logging

from celery import Task
from django.utils import timezone

from learners.models import JobStatus

logger = logging.getLogger(__name__)


class TrackedJobTask(Task):
    """Base for a task whose first argument is the id of a TrackedJob (`job_model`).
    When the task fails for good (its retries used up, or an error it does not retry),
    the job is marked FAILED with the reason, so the person watching it is told instead
    of waiting for ever. A job already DONE is left alone."""

    job_model = None

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        job_id = args[0] if args else kwargs.get("job_id")
        try:
            self.job_model.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
                status=JobStatus.FAILED, finished_at=timezone.now(),
                error=f"{type(exc).__name__}: {exc}"[:2000])
        except Exception:  # the database may be what failed; the reconciler tries again
            logger.exception("could not mark %s %s failed", self.job_model, job_id)
        super().on_failure(exc, task_id, args, kwargs, einfo)
