from .assessment import AssessmentPoolBlock, AssessmentQuestionBlock
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
from .media import DiagramBlock, ImageBlock, TableBlock
from .scorm import ScormPackageBlock
from .standard import StandardPageBlock

__all__ = [
    "ActivityBlock",
    "AssessmentPoolBlock",
    "AssessmentQuestionBlock",
    "CalloutBlock",
    "DiagramBlock",
    "GlossaryTermBlock",
    "ImageBlock",
    "KnowledgeCheckBlock",
    "KnowledgeCheckResult",
    "LessonBodyBlock",
    "ResourceBlock",
    "ScormPackageBlock",
    "StandardPageBlock",
    "TableBlock",
    "VideoBlock",
    "knowledge_check_mark",
]
