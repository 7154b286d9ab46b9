from .hr import BulkEnrolment, ReportingScope, RequiredLearning
from .learning import Certificate, Enrolment, KnowledgeCheckAttempt, LessonProgress
from .organisations import Grade, Organisation, Profession
from .users import User

__all__ = [
    "BulkEnrolment",
    "Certificate",
    "Enrolment",
    "Grade",
    "KnowledgeCheckAttempt",
    "LessonProgress",
    "Organisation",
    "Profession",
    "ReportingScope",
    "RequiredLearning",
    "User",
]
