"""The Celery side of tracked jobs (learners.models.TrackedJob)."""

import logging

from celery import Task
from celery.exceptions import Retry
from django.utils import timezone

from learners.models import JobStatus

logger = logging.getLogger(__name__)


class TrackedJobTask(Task):
    """Base for a task whose first argument is the id of a TrackedJob (`job_model`).
    When the task fails for good (its retries used up, or an error it does not retry),
    the job is marked FAILED with the reason, so the person watching it is told instead
    of waiting for ever. A job already DONE is left alone.

    A worker reports the final failure through `on_failure`. Run eagerly (`make run`,
    the tests), Celery raises straight to the caller without calling it, so `__call__`
    marks the job there; a retry raises `Retry`, which is not a final failure."""

    job_model = None

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Retry:
            raise
        except Exception as exc:
            if self.request.is_eager:
                self._mark_failed(args, kwargs, exc)
            raise

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        self._mark_failed(args, kwargs, exc)
        super().on_failure(exc, task_id, args, kwargs, einfo)

    def _mark_failed(self, args, kwargs, exc) -> None:
        job_id = args[0] if args else next(iter(kwargs.values()), None)
        try:
            self.job_model.objects.filter(pk=job_id).exclude(status=JobStatus.DONE).update(
                status=JobStatus.FAILED, finished_at=timezone.now(),
                error=f"{type(exc).__name__}: {exc}"[:2000])
        except Exception:  # the database may be what failed; the reconciler tries again
            logger.exception("could not mark %s %s failed", self.job_model, job_id)
