from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished, task_submitted

        from courses.cache import course_tree_signals_connect
        from courses.models import LessonPage

        course_tree_signals_connect()
        page_published.connect(_lesson_published, sender=LessonPage,
                               dispatch_uid="courses_lesson_search_text")
        page_published.connect(_lesson_duration_changed, sender=LessonPage,
                               dispatch_uid="courses_lesson_published_duration")
        page_unpublished.connect(_lesson_duration_changed, sender=LessonPage,
                                 dispatch_uid="courses_lesson_unpublished_duration")
        task_submitted.connect(_task_submitted, dispatch_uid="courses_course_review_items")


def _lesson_published(sender, instance, **kwargs):
    """Keep the lesson's searchable text in step with what learners see."""
    from courses.search import lesson_search_text_update

    lesson_search_text_update(lesson=instance)



def _lesson_duration_changed(sender, instance, **kwargs):
    """A lesson published or withdrawn changes its course's worked out duration."""
    from courses.models import CoursePage

    course = CoursePage.objects.ancestor_of(instance).first()
    if course is not None:
        CoursePage.objects.filter(pk=course.pk).update(
            duration_minutes=course.worked_out_minutes())


def _task_submitted(sender, instance, **kwargs):
    """A course submitted for course review takes in its changed pages, as they are now."""
    from courses.models import CourseReviewTask
    from courses.review import course_review_items_take

    if isinstance(instance.task.specific, CourseReviewTask):
        course_review_items_take(task_state=instance)
