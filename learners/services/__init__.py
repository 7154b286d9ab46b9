"""Writes to the learning record. Views and tasks call these; nothing else writes."""

from .certificates import certificate_code_new, certificate_issue, certificate_revoke
from .enrolments import enrolment_confirmation_send, enrolment_create
from .learning import (
    AnswerRejected,
    LessonNotFinished,
    knowledge_check_answer,
    lesson_complete,
    lesson_open,
)
from .progress import enrolment_progress_recompute
from .reconcile import learning_reconcile

__all__ = [
    "AnswerRejected",
    "LessonNotFinished",
    "certificate_code_new",
    "certificate_issue",
    "certificate_revoke",
    "enrolment_confirmation_send",
    "enrolment_create",
    "enrolment_progress_recompute",
    "knowledge_check_answer",
    "learning_reconcile",
    "lesson_complete",
    "lesson_open",
]
