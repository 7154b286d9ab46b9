from .assessment import AssessmentPage
from .catalogue import CataloguePage, Topic
from .course import CoursePage, LessonPage, ModulePage
from .review import CourseReviewItem, CourseReviewTask

__all__ = ["AssessmentPage", "CataloguePage", "CoursePage", "CourseReviewItem", "CourseReviewTask",
           "LessonPage", "ModulePage", "Topic"]
