"""Attempts at a course's final assessment (courses.AssessmentPage). The questions
drawn and the order their options were shown in are stored with the attempt, so the
attempt is marked against exactly what the learner saw."""

from django.db import models

from .learning import Enrolment


class AssessmentAttempt(models.Model):
    """One attempt at a final assessment. Started when the learner asks for the
    questions, submitted once with every answer. Numbered per enrolment and assessment,
    unique by constraint, so two starts at once cannot make two attempts."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE,
                                  related_name="assessment_attempts")
    # PROTECT: an assessment someone has taken cannot be deleted, so no result is lost.
    assessment = models.ForeignKey("courses.AssessmentPage", on_delete=models.PROTECT,
                                   related_name="+")
    number = models.PositiveSmallIntegerField()
    # [{"id": question block id, "options": [option ids, in the order shown]}, ...]
    questions = models.JSONField()
    # {question id: [chosen option ids]}; empty until submitted.
    answers = models.JSONField(default=dict, blank=True)
    # The question ids answered wrongly, in the order asked; empty until submitted.
    wrong = models.JSONField(default=list, blank=True)
    score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "assessment", "number"],
                                    name="one_assessment_attempt_per_number"),
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True)
                | models.Q(score_percent__isnull=False),
                name="submitted_attempt_has_score",
            ),
        ]
        ordering = ["number"]

    def __str__(self) -> str:
        return f"attempt {self.number} at assessment {self.assessment_id} " \
               f"for enrolment {self.enrolment_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
