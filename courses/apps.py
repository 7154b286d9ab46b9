from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from wagtail.signals import page_published

        from courses.models import LessonPage

        page_published.connect(_lesson_published, sender=LessonPage,
                               dispatch_uid="courses_lesson_search_text")


def _lesson_published(sender, instance, **kwargs):
    """Keep the lesson's searchable text in step with what learners see."""
    from courses.search import lesson_search_text_update

    lesson_search_text_update(lesson=instance)
