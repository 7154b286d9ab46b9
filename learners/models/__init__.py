from .learning import Certificate, Enrolment, KnowledgeCheckAttempt, LessonProgress
from .organisations import Grade, Organisation, Profession
from .users import User

__all__ = [
    "Certificate",
    "Enrolment",
    "Grade",
    "KnowledgeCheckAttempt",
    "LessonProgress",
    "Organisation",
    "Profession",
    "User",
]
