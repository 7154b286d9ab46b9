from .assessment import AssessmentOptionBlock, AssessmentPoolBlock, AssessmentQuestionBlock
from .lesson import (
    ActivityBlock,
    CalloutBlock,
    GlossaryTermBlock,
    KnowledgeCheckBlock,
    KnowledgeCheckResult,
    LessonBodyBlock,
    ResourceBlock,
    VideoBlock,
    knowledge_check_mark,
)
from .standard import StandardPageBlock

__all__ = [
    "ActivityBlock",
    "AssessmentOptionBlock",
    "AssessmentPoolBlock",
    "AssessmentQuestionBlock",
    "CalloutBlock",
    "GlossaryTermBlock",
    "KnowledgeCheckBlock",
    "KnowledgeCheckResult",
    "LessonBodyBlock",
    "ResourceBlock",
    "StandardPageBlock",
    "VideoBlock",
    "knowledge_check_mark",
]
