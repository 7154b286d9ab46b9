"""HR: who may report on which organisations, required learning (with deadline
extensions), bulk enrolment, and line managers' weekly digests."""

from django.conf import settings
from django.db import models

from .jobs import JobStatus, TrackedJob
from .organisations import ScopeWrites


class ScopeWritesQuerySet(ScopeWrites, models.QuerySet):
    pass


class ReportingScope(models.Model):
    """An HR reporter may see the learning records of this organisation and every
    organisation below it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="reporting_scopes")
    organisation = models.ForeignKey("learners.Organisation", on_delete=models.CASCADE,
                                     related_name="+")

    objects = ScopeWritesQuerySet.as_manager()  # its writes change scopes

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
    updated_at = models.DateTimeField(null=True, blank=True)
    # Withdrawn: no longer required. People stay enrolled (nothing they did is lost),
    # but their open enrolments lose the due date and leave the compliance view.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.course_id} due {self.due_on}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class DeadlineExtension(models.Model):
    """More time for one person on one piece of required learning, with the reason HR
    gave. The latest extension is the enrolment's `extended_due_on`; all are kept."""

    enrolment = models.ForeignKey("learners.Enrolment", on_delete=models.CASCADE,
                                  related_name="extensions")
    due_on = models.DateField()
    previous_due_on = models.DateField(null=True, blank=True)
    reason = models.TextField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"enrolment {self.enrolment_id} extended to {self.due_on}"


class ManagerDigest(models.Model):
    """One weekly email to a line manager about direct reports with overdue required
    learning. Unique per manager and week, so running the digest twice sends once."""

    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="+")
    week_of = models.DateField(help_text="The Monday of the week it was sent.")
    overdue_count = models.PositiveIntegerField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["manager", "week_of"],
                                               name="one_digest_per_manager_week")]

    def __str__(self) -> str:
        return f"digest for {self.manager_id}, week of {self.week_of}"


class BulkEnrolment(TrackedJob):
    """An uploaded file of (email, course, due date) rows. It is checked first; HR sees
    what will happen ("Check before you enrol") and confirms; then a task enrols the
    valid rows in chunks. Until `confirmed_at` nothing is enrolled."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    filename = models.CharField(max_length=255)
    rows = models.JSONField(help_text="The valid rows, as the enrolment task reads them.")
    # What the check found, for the "Check before you enrol" page: counts and the
    # rejected rows with their reasons.
    check_report = models.JSONField(default=dict, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    enrolled = models.PositiveIntegerField(default=0)

    PENDING, RUNNING, DONE, FAILED = (JobStatus.PENDING, JobStatus.RUNNING,
                                      JobStatus.DONE, JobStatus.FAILED)

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    def status_payload(self) -> dict:
        return {**super().status_payload(), "enrolled": self.enrolled}
