"""Tracked jobs: long work a person starts (an export, a bulk enrolment) that a Celery
task does in the background, with a status and a percent the person can watch."""

from django.db import models


class JobStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class TrackedJob(models.Model):
    """A job with a status, a total and how many of it are processed. FAILED is set
    when its task fails for good (learners.jobs.TrackedJobTask); a job left PENDING or
    RUNNING by a lost message or a dead worker is found by a reconciler and run again.

    Only the person who started a job may see it: `owner_field` names who that is."""

    owner_field = "created_by"

    status = models.CharField(max_length=10, choices=JobStatus.choices,
                              default=JobStatus.PENDING)
    total = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(100 * self.processed / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def status_payload(self) -> dict:
        """What the status page's script reads to move its progress bar."""
        return {"status": self.status, "percent": self.percent,
                "processed": self.processed, "total": self.total}


