from .assessment import AssessmentAttempt
from .hr import (
    BulkEnrolment,
    DeadlineExtension,
    ManagerDigest,
    ReportingScope,
    RequiredLearning,
)
from .jobs import JobStatus, TrackedJob
from .learning import (
    Certificate,
    ComplianceStatus,
    Enrolment,
    EnrolmentStatus,
    KnowledgeCheckAttempt,
    LessonProgress,
)
from .learning_log import LEARNING_LOG_MAX_LENGTH, LearningLogEntry
from .organisations import Grade, Organisation, Profession
from .signup import SignUpDomain, learner_q
from .users import User

__all__ = [
    "LEARNING_LOG_MAX_LENGTH",
    "AssessmentAttempt",
    "BulkEnrolment",
    "Certificate",
    "ComplianceStatus",
    "DeadlineExtension",
    "Enrolment",
    "EnrolmentStatus",
    "Grade",
    "JobStatus",
    "KnowledgeCheckAttempt",
    "LearningLogEntry",
    "LessonProgress",
    "ManagerDigest",
    "Organisation",
    "Profession",
    "ReportingScope",
    "RequiredLearning",
    "SignUpDomain",
    "TrackedJob",
    "User",
    "learner_q",
]
