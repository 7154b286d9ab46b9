"""Writes to the learning record. Views and tasks call these; nothing else writes."""

from .assessment import (
    AnswersIncomplete,
    AssessmentState,
    AssessmentStatus,
    AssessmentUnavailable,
    assessment_attempt_start,
    assessment_attempt_submit,
    assessment_state_get,
    assessment_states_for_enrolments,
)
from .bulk import bulk_enrolment_process, enrolments_ensure
from .certificates import certificate_code_new, certificate_issue, certificate_revoke
from .enrolments import (
    enrolment_confirmation_send,
    enrolment_confirmations_send,
    enrolment_create,
)
from .learning import (
    AnswerRejected,
    LessonNotFinished,
    knowledge_check_answer,
    lesson_complete,
    lesson_open,
)
from .learning_log import (
    LearningLogEntryRejected,
    LearningLogOutcome,
    learning_log_entry_save,
)
from .managers import manager_digests_send
from .progress import (
    enrolment_lesson_counts,
    enrolment_progress_recompute,
    enrolment_wrong_answer_lessons,
)
from .reconcile import learning_reconcile
from .required import (
    required_learning_audience,
    required_learning_expand,
    required_learning_for_user,
    required_learning_reconcile,
    required_learning_remind,
    required_learning_renew,
)

__all__ = [
    "AnswerRejected",
    "AnswersIncomplete",
    "AssessmentState",
    "AssessmentStatus",
    "AssessmentUnavailable",
    "LearningLogEntryRejected",
    "LearningLogOutcome",
    "LessonNotFinished",
    "assessment_attempt_start",
    "assessment_attempt_submit",
    "assessment_state_get",
    "assessment_states_for_enrolments",
    "bulk_enrolment_process",
    "certificate_code_new",
    "certificate_issue",
    "certificate_revoke",
    "enrolment_confirmation_send",
    "enrolment_confirmations_send",
    "enrolment_create",
    "enrolment_lesson_counts",
    "enrolment_progress_recompute",
    "enrolment_wrong_answer_lessons",
    "enrolments_ensure",
    "knowledge_check_answer",
    "learning_log_entry_save",
    "learning_reconcile",
    "lesson_complete",
    "lesson_open",
    "manager_digests_send",
    "required_learning_audience",
    "required_learning_expand",
    "required_learning_for_user",
    "required_learning_reconcile",
    "required_learning_remind",
    "required_learning_renew",
]
