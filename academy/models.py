"""Records the site keeps about reporting: exports and the audit log. (API tokens are
Wagtail's own `APIToken`.)"""

import uuid

from django.conf import settings
from django.db import models


class Export(models.Model):
    """A CSV or Excel file of the completion report for the filters chosen, built by a
    Celery task. Only the person who asked can download it, until it expires."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUS_CHOICES = [(s, s.capitalize()) for s in (PENDING, RUNNING, DONE, FAILED)]
    FORMAT_CHOICES = [("csv", "CSV"), ("xlsx", "Excel (.xlsx)")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="+")
    format = models.CharField(max_length=4, choices=FORMAT_CHOICES)
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    total = models.PositiveIntegerField(null=True, blank=True)
    rows_written = models.PositiveIntegerField(default=0)
    # How many times a worker started building it: more than one means a redelivery.
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="export_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} export ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(100 * self.rows_written / self.total))


class AuditEvent(models.Model):
    """Who looked at or took other people's learning records, when, with which filters,
    and how many rows. It holds the actor's id, not their name or email, and never
    the records themselves."""

    REPORT_VIEW, EXPORT, API_READ = "report_view", "export", "api_read"
    ACTION_CHOICES = [(REPORT_VIEW, "Viewed detailed report"), (EXPORT, "Exported"),
                      (API_READ, "Read through the API")]

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(max_length=20, choices=ACTION_CHOICES)
    filters = models.JSONField(default=dict)
    row_count = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"


class TaskFailure(models.Model):
    """A background task that failed for good (after its retries), recorded where an
    admin can see it (Django admin). The reconcilers retry the work itself later."""

    task_name = models.CharField(max_length=200)
    task_id = models.CharField(max_length=100, blank=True)
    args = models.JSONField(default=list)
    exception = models.TextField()
    failed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.task_name} failed at {self.failed_at:%Y-%m-%d %H:%M}"
