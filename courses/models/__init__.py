from .catalogue import CataloguePage, Topic
from .course import CoursePage, LessonPage, ModulePage

__all__ = ["CataloguePage", "CoursePage", "LessonPage", "ModulePage", "Topic"]
