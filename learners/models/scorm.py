"""A learner's attempts at a SCORM package in a lesson (issue 17). The runtime data the
package writes (`cmi.*`, flattened: {"cmi.core.lesson_location": "page-3", ...}) is kept
per attempt, validated before it is stored (learners.services.scorm), so reopening the
lesson resumes where the learner left off. The completion, success and score it reports
are copied into columns: what the lesson's completion is worked out from."""

from django.db import models

from .learning import Enrolment


class ScormCompletion(models.TextChoices):
    """SCORM 2004's completion_status; SCORM 1.2's lesson_status maps onto it."""

    UNKNOWN = "unknown", "Not reported"
    NOT_ATTEMPTED = "not attempted", "Not attempted"
    INCOMPLETE = "incomplete", "Incomplete"
    COMPLETED = "completed", "Completed"


class ScormSuccess(models.TextChoices):
    UNKNOWN = "unknown", "Not reported"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class ScormAttempt(models.Model):
    """One attempt at one package in one lesson. Numbered per enrolment, lesson and
    package, unique by constraint (two first opens at once make one attempt 1). An
    attempt the package finished (terminated without "suspend") is closed: the next
    launch starts attempt n + 1; otherwise the next launch resumes this one."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE,
                                  related_name="scorm_attempts")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.PROTECT, related_name="+")
    # PROTECT: a package someone has run cannot be deleted, so no result is lost.
    package = models.ForeignKey("content.ScormPackage", on_delete=models.PROTECT,
                                related_name="attempts")
    number = models.PositiveSmallIntegerField()
    # The package's own data, flattened keys; read-only keys (the learner's id and
    # name, entry, credit, mode) are never stored: the launch sets them.
    cmi = models.JSONField(default=dict, blank=True)
    completion_status = models.CharField(max_length=20, choices=ScormCompletion.choices,
                                         default=ScormCompletion.UNKNOWN)
    success_status = models.CharField(max_length=20, choices=ScormSuccess.choices,
                                      default=ScormSuccess.UNKNOWN)
    score_raw = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    score_scaled = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    # The score as a whole percentage (scaled, or raw within min..max), checked against
    # the course's pass mark.
    score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    commits = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson", "package", "number"],
                                    name="one_scorm_attempt_per_number"),
        ]
        ordering = ["enrolment", "lesson", "package", "number"]

    def __str__(self) -> str:
        return (f"attempt {self.number} at package {self.package_id} "
                f"for enrolment {self.enrolment_id}")
