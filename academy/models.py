"""Records the site keeps about reporting: exports and the audit log. (API tokens are
Wagtail's own `APIToken`.)"""

import uuid

from django.conf import settings
from django.db import models

from learners.models import JobStatus, TrackedJob
from learners.storage import private_storage


class Export(TrackedJob):
    """A CSV or Excel file of the completion report for the filters chosen, built by a
    Celery task. Only the person who asked can download it, until it expires."""

    owner_field = "requested_by"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (.xlsx)"

    PENDING, RUNNING, DONE, FAILED = (JobStatus.PENDING, JobStatus.RUNNING,
                                      JobStatus.DONE, JobStatus.FAILED)
    FORMAT_CHOICES = Format.choices

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="+")
    format = models.CharField(max_length=4, choices=Format.choices)
    filters = models.JSONField(default=dict)
    # How many times a worker started building it: more than one means a redelivery.
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True, storage=private_storage)
    started_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The organisations (tree paths) whose records it holds, fixed when it is built;
    # null: everyone (an academy admin's) or not yet built. A download needs the
    # downloader's scope now to cover them (academy.reports.views.export_download).
    scope_paths = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="export_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} export ({self.status})"

    def status_payload(self) -> dict:
        from django.urls import reverse

        return {**super().status_payload(),
                "download_url": reverse("export_download", args=[self.pk])
                if self.status == JobStatus.DONE else None}


class AuditEvent(models.Model):
    """Who looked at or took other people's learning records, when, with which filters,
    and how many rows. It holds the actor's id, not their name or email, and never
    the records themselves."""

    class Action(models.TextChoices):
        REPORT_VIEW = "report_view", "Viewed detailed report"
        COMPLIANCE_VIEW = "compliance_view", "Viewed compliance"
        EXPORT = "export", "Exported"
        API_READ = "api_read", "Read through the API"
        BULK_ENROLMENT = "bulk_enrolment", "Enrolled people from a file"
        REQUIRED_LEARNING_SET = "required_set", "Set required learning"
        REQUIRED_LEARNING_CHANGED = "required_changed", "Changed required learning"
        REQUIRED_LEARNING_WITHDRAWN = "required_withdrawn", "Withdrew required learning"
        DEADLINE_EXTENDED = "deadline_extended", "Extended a deadline"
        LINE_MANAGER_SET = "line_manager_set", "Set a line manager"
        TEAM_MOVED = "team_moved", "Moved someone to another team"

    REPORT_VIEW, EXPORT, API_READ = Action.REPORT_VIEW, Action.EXPORT, Action.API_READ
    ACTION_CHOICES = Action.choices

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(max_length=20, choices=ACTION_CHOICES)
    filters = models.JSONField(default=dict)
    row_count = models.PositiveIntegerField()
    # For changes: what changed, in words ("Due date 31 March 2027 -> 30 April 2027").
    detail = models.TextField(blank=True)
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
