""""Have you used it at work?": one question to a learner 30, 60 or 90 days after they
complete a course (the points each course asks at: CoursePage.followup_points), their
answer, and their line manager's confirmation. Sent by beat (learners.services.followups),
once per enrolment and point by constraint."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from courses.followups import FOLLOWUP_POINTS

# The most a learner may write in "How did you use it?": a paragraph or two.
FOLLOWUP_HOW_MAX_LENGTH = 1200


class FollowUpAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NOT_YET = "not yet", "Not yet"
    NOT_RELEVANT = "not relevant", "Not relevant to my role"


class FollowUp(models.Model):
    """The question "have you used this at work?" for one completed enrolment at one
    point (30, 60 or 90 days after completion). The row is written before the email is
    sent; `sent_at` is set once the mail server has accepted it."""

    enrolment = models.ForeignKey("learners.Enrolment", on_delete=models.CASCADE,
                                  related_name="followups")
    point_days = models.PositiveSmallIntegerField(
        choices=[(days, f"{days} days") for days in FOLLOWUP_POINTS])
    # The day the question became due: the completion date (Europe/London) + point_days.
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=FollowUpAnswer.choices, blank=True)
    how = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The learner's line manager when they confirmed (kept if the person later moves).
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "point_days"],
                                    name="one_followup_per_enrolment_point"),
            models.CheckConstraint(condition=Q(point_days__in=FOLLOWUP_POINTS),
                                   name="followup_point_is_30_60_or_90"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("how"), FOLLOWUP_HOW_MAX_LENGTH),
                name="followup_how_max_length"),
            models.CheckConstraint(
                condition=Q(answer="") | Q(answered_at__isnull=False),
                name="followup_answer_has_time"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(answer=FollowUpAnswer.YES),
                name="followup_only_yes_confirmed"),
        ]
        indexes = [models.Index(fields=["sent_at", "due_on"], name="followup_pending_idx")]

    def __str__(self) -> str:
        return f"follow-up at {self.point_days} days on enrolment {self.enrolment_id}"


class FollowUpOptOut(models.Model):
    """A learner who asked not to be sent follow-up questions. Its presence is the fact;
    opting back in deletes it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="followup_opt_out")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"follow-up opt-out of user {self.user_id}"
