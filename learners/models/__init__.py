from .assessment import AssessmentAttempt
from .followups import (
    FOLLOWUP_HOW_MAX_LENGTH,
    FOLLOWUP_POINTS,
    FollowUp,
    FollowUpAnswer,
    FollowUpOptOut,
)
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
    CertificateStatus,
    ComplianceStatus,
    Enrolment,
    EnrolmentStatus,
    KnowledgeCheckAttempt,
    LessonProgress,
)
from .learning_log import LEARNING_LOG_MAX_LENGTH, LearningLogEntry
from .organisations import Grade, Organisation, Profession
from .programmes import (
    Evidence,
    LedBy,
    PhaseChange,
    Practice,
    PracticePhase,
    Programme,
    ProgrammeMember,
    ProgrammeRole,
)
from .scorm import ScormAttempt, ScormCompletion, ScormSuccess
from .sessions import Booking, BookingStatus, SessionMode, TrainingSession
from .signup import SignUpDomain, learner_q
from .users import User
from .xapi import LrsSettings, XapiActor, XapiStatement

__all__ = [
    "FOLLOWUP_HOW_MAX_LENGTH",
    "FOLLOWUP_POINTS",
    "LEARNING_LOG_MAX_LENGTH",
    "AssessmentAttempt",
    "Booking",
    "BookingStatus",
    "BulkEnrolment",
    "Certificate",
    "CertificateStatus",
    "ComplianceStatus",
    "DeadlineExtension",
    "Enrolment",
    "EnrolmentStatus",
    "Evidence",
    "FollowUp",
    "FollowUpAnswer",
    "FollowUpOptOut",
    "Grade",
    "JobStatus",
    "KnowledgeCheckAttempt",
    "LearningLogEntry",
    "LedBy",
    "LessonProgress",
    "LrsSettings",
    "ManagerDigest",
    "Organisation",
    "PhaseChange",
    "Practice",
    "PracticePhase",
    "Profession",
    "Programme",
    "ProgrammeMember",
    "ProgrammeRole",
    "ReportingScope",
    "RequiredLearning",
    "ScormAttempt",
    "ScormCompletion",
    "ScormSuccess",
    "SessionMode",
    "SignUpDomain",
    "TrackedJob",
    "TrainingSession",
    "User",
    "XapiActor",
    "XapiStatement",
    "learner_q",
]
