from .assessment import AssessmentPage
from .catalogue import CataloguePage, Topic
from .course import CoursePage, LessonPage, ModulePage

__all__ = ["AssessmentPage", "CataloguePage", "CoursePage", "LessonPage", "ModulePage", "Topic"]
