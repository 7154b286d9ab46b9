"""The learning log: a learner's own notes on the activities and reflections in the
lessons they take. Private to them: no trainer, HR reporter or admin page shows it."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

# The most a learner may write in one answer box (GOV.UK character count, the service
# and a database constraint all use it): about two pages, enough for any reflection.
LEARNING_LOG_MAX_LENGTH = 5000


class LearningLogEntry(models.Model):
    """A learner's answer to one activity block in one lesson: one row per learner,
    lesson and block (by constraint), changed in place. It belongs to the person, not
    to an enrolment, so a new cycle of recurring learning shows the notes they wrote
    before. The activity's title is copied when written, so the log still reads if a
    trainer later changes or removes the activity."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="learning_log_entries")
    # PROTECT, as lesson progress: a lesson learners have written in is unpublished,
    # not deleted, so no one's notes are lost.
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.PROTECT, related_name="+")
    block_id = models.CharField(max_length=64)
    activity_title = models.CharField(max_length=200)
    answer = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson", "block_id"],
                                    name="one_log_entry_per_activity"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("answer"), LEARNING_LOG_MAX_LENGTH),
                name="log_entry_answer_max_length"),
        ]
        verbose_name_plural = "learning log entries"

    def __str__(self) -> str:
        return f"learning log entry on {self.block_id} by user {self.user_id}"
