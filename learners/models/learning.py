"""A learner's record: enrolments, lesson progress, knowledge-check attempts and
certificates. The web request writes the facts (enrolled, opened, answered, marked
complete); Celery derives the rest (progress, completion, certificate)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from learners.storage import private_storage


class EnrolmentStatus(models.TextChoices):
    """Where a learner is with a course: one rule (learners.selectors), shown the same
    on every page, report, export and the API."""

    NOT_STARTED = "not started", "Not started"
    IN_PROGRESS = "in progress", "In progress"
    COMPLETED = "completed", "Completed"
    OVERDUE = "overdue", "Overdue"


class ComplianceStatus(models.TextChoices):
    """Required learning against its deadline (the extended one, if HR gave more time),
    as HR's compliance view shows it."""

    COMPLETED_ON_TIME = "completed on time", "Completed on time"
    COMPLETED_LATE = "completed late", "Completed late"
    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due soon", "Due soon"
    NOT_YET_DUE = "not yet due", "Not yet due"


class CertificateStatus(models.TextChoices):
    """What a certificate's verify page, the learner's pages and HR say of it. Revoked
    wins over expired (Certificate.status_on)."""

    VALID = "valid", "Valid"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class Enrolment(models.Model):
    """One learner on one course (in one cycle of recurring required learning). Unique
    by constraint, so a double click or two concurrent requests give one row."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="enrolments")
    # PROTECT: a course with learners on it cannot be deleted, so no record is lost.
    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT,
                               related_name="enrolments")
    # Recurring required learning starts a new cycle when the last completion expires;
    # everything else stays in cycle 1.
    cycle = models.PositiveSmallIntegerField(default=1)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    # Required learning: who required it and by when (the earliest due date wins).
    required_by = models.ForeignKey("learners.RequiredLearning", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="enrolments")
    due_on = models.DateField(null=True, blank=True)
    # HR gave this person more time (learners.DeadlineExtension says why). It wins over
    # due_on, and re-expanding the assignment leaves it alone.
    extended_due_on = models.DateField(null=True, blank=True)
    reminder_sent_on = models.DateField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    # Facts recorded by requests: when the learner last did something here.
    last_lesson = models.ForeignKey("courses.LessonPage", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    last_fact_at = models.DateTimeField(null=True, blank=True)

    # Derived by enrolment_progress_recompute (a Celery task) from the facts.
    progress_computed_at = models.DateTimeField(null=True, blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    module_status = models.JSONField(default=dict, blank=True)
    next_lesson = models.ForeignKey("courses.LessonPage", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "cycle"],
                                    name="one_enrolment_per_course_cycle"),
        ]
        indexes = [
            models.Index(fields=["completed_at"], name="enrolment_completed_idx"),
            models.Index(fields=["last_fact_at", "progress_computed_at"],
                         name="enrolment_stale_idx"),
            models.Index(fields=["due_on"], name="enrolment_due_idx"),
            models.Index(fields=["enrolled_at"], name="enrolment_enrolled_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.course_id}"

    @property
    def due_by(self):
        """The date this is due by: the later of the assignment's date and an extension
        for this person (the same rule as learners.selectors.enrolment_due_on)."""
        if self.extended_due_on and (self.due_on is None or self.extended_due_on > self.due_on):
            return self.extended_due_on
        return self.due_on



class LessonProgress(models.Model):
    """A learner's visit to, and completion of, one lesson."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE,
                                  related_name="lesson_progress")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="one_progress_per_lesson"),
        ]
        verbose_name_plural = "lesson progress"

    def __str__(self) -> str:
        return f"lesson {self.lesson_id} for enrolment {self.enrolment_id}"


class KnowledgeCheckAttempt(models.Model):
    """One answer to one knowledge check. Every attempt is kept; the latest counts."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.PROTECT, related_name="+")
    block_id = models.CharField(max_length=64)
    chosen = models.JSONField(default=list)
    correct = models.BooleanField()
    answered_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["enrolment", "block_id", "-answered_at"],
                                name="attempt_latest_idx")]

    def __str__(self) -> str:
        return f"answer to {self.block_id} ({'right' if self.correct else 'wrong'})"


class Certificate(models.Model):
    """Proof that a learner completed a course. Exactly one per enrolment (by
    constraint). Name and title are copied at issue, so the certificate reads the same
    even if the course is later renamed."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT,
                                     related_name="certificate")
    code = models.CharField(max_length=40, unique=True)
    learner_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=255)
    completed_on = models.DateField()
    # The course's duration at issue; empty on certificates issued before it was kept.
    learning_minutes = models.PositiveIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="certificates/", blank=True, storage=private_storage)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    # Open Badges 3.0 (issue 17; learners.services.open_badges): the certificate's fixed
    # bit in the academy's published revocation list (W3C Bitstring Status List),
    # chosen at random when it is issued, unique by constraint; and the random salt of
    # the hashed email in its credential. Empty only between the row and its issue.
    badge_status_index = models.PositiveIntegerField(null=True, blank=True, unique=True)
    badge_salt = models.CharField(max_length=32, blank=True)
    # The last day it is valid, for a course whose certificate must be renewed (issue
    # 17); empty: it does not expire.
    expires_on = models.DateField(null=True, blank=True)
    # When the learner was told it runs out soon: claimed (set) before the email goes,
    # so the reminder is sent once per certificate (learners.services.certificate_expiry).
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="revocation_has_reason",
            ),
        ]
        # HR's "certificate expires within" filter and the daily expiry reminders.
        indexes = [models.Index(fields=["expires_on"], name="certificate_expires_idx")]

    def __str__(self) -> str:
        return f"{self.course_title}: {self.learner_name} ({self.code[:8]}...)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def status_on(self, day) -> "CertificateStatus":
        """Revoked wins; otherwise expired from the day after `expires_on`, valid on
        and before it (and always, where it has no expiry date)."""
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.expires_on is not None and day > self.expires_on:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    @property
    def status(self) -> "CertificateStatus":
        """Its status today, by the UK date (TIME_ZONE, Europe/London)."""
        return self.status_on(timezone.localdate())
