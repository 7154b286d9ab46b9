"""HR: who may report on which organisations, required learning, bulk enrolment."""

from django.conf import settings
from django.db import models


class ReportingScope(models.Model):
    """An HR reporter may see the learning records of this organisation and every
    organisation below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reporting_scopes")
    organisation = models.ForeignKey("learners.Organisation", on_delete=models.CASCADE,
                                     related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"],
                                               name="one_scope_per_organisation")]

    def __str__(self) -> str:
        return f"{self.user} reports on {self.organisation}"


class RequiredLearning(models.Model):
    """A course assigned to an audience with a due date: everyone in the chosen
    organisations (and below), optionally only some grades or professions."""

    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT,
                               related_name="required_learning")
    organisations = models.ManyToManyField("learners.Organisation", related_name="+")
    grades = models.ManyToManyField("learners.Grade", blank=True, related_name="+")
    professions = models.ManyToManyField("learners.Profession", blank=True, related_name="+")
    due_on = models.DateField()
    recurrence_months = models.PositiveSmallIntegerField(
        null=True, blank=True,
        help_text="Repeat every this many months after completion (blank: once).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expanded_at = models.DateTimeField(null=True, blank=True)
    expanded_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.course_id} due {self.due_on}"


class BulkEnrolment(models.Model):
    """A validated CSV of (email, course, due date) rows, enrolled by a task in chunks."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUS_CHOICES = [(s, s.capitalize()) for s in (PENDING, RUNNING, DONE, FAILED)]

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    rows = models.JSONField(help_text="[[user_id, course_id, due_on or null], ...]")
    total = models.PositiveIntegerField()
    processed = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)
