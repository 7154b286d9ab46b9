"""The learning log: a learner keeps their own answer to each activity or reflection in
a lesson. Private to them (learners.selectors reads it for them alone)."""

from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

from courses.models import LessonPage
from learners.models import LEARNING_LOG_MAX_LENGTH, Enrolment, LearningLogEntry
from learners.selectors import lesson_activities


class LearningLogEntryRejected(Exception):
    """The answer cannot be kept: too long, with a character the database cannot store,
    empty, or for an activity that is not in the published lesson."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class LearningLogOutcome(StrEnum):
    SAVED = "saved"
    REMOVED = "removed"


@dataclass(frozen=True)
class LearningLogSaved:
    outcome: LearningLogOutcome
    activity_title: str


def learning_log_answer_clean(answer: str) -> str:
    """The answer as it is kept: line endings as one character each (as the browser's
    character count counts them), no space around it."""
    return answer.replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def learning_log_entry_save(
    *, enrolment: Enrolment, lesson: LessonPage, block_id: str, answer: str
) -> LearningLogSaved:
    """Keep the enrolled learner's answer to one activity block of the published lesson
    in their learning log: written the first time, changed in place after (saving the
    same words again changes nothing, not even the date). An empty answer removes an
    entry that exists. Raises LearningLogEntryRejected, changing nothing, for an answer
    over LEARNING_LOG_MAX_LENGTH characters or with a null character, an empty answer
    with nothing to remove, or a block that is not an activity in this lesson."""
    activity = lesson_activities(lesson=lesson).get(block_id)
    if activity is None:
        raise LearningLogEntryRejected(
            "This activity is no longer in the lesson. Reload the page.")
    title = activity["title"]
    if "\x00" in answer:
        raise LearningLogEntryRejected(
            f"Your answer to \u2018{title}\u2019 contains a character that cannot be "
            "saved (a null character). It has been taken out: check your answer and "
            "save it again")
    answer = learning_log_answer_clean(answer)
    if len(answer) > LEARNING_LOG_MAX_LENGTH:
        raise LearningLogEntryRejected(
            f"Your answer to \u2018{title}\u2019 must be {LEARNING_LOG_MAX_LENGTH:,} "
            "characters or fewer")
    key = {"user": enrolment.user, "lesson": lesson, "block_id": block_id}
    if not answer:
        if LearningLogEntry.objects.filter(**key).delete()[0]:
            return LearningLogSaved(LearningLogOutcome.REMOVED, title)
        raise LearningLogEntryRejected(f"Write your answer to \u2018{title}\u2019 "
                                       "before you save it")
    entry, created = LearningLogEntry.objects.select_for_update().get_or_create(
        **key, defaults={"activity_title": title, "answer": answer})
    if not created and (entry.answer, entry.activity_title) != (answer, title):
        entry.answer, entry.activity_title = answer, title
        entry.save(update_fields=["answer", "activity_title", "updated_at"])
    return LearningLogSaved(LearningLogOutcome.SAVED, title)
