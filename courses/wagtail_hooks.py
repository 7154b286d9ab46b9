from django.contrib import messages
from django.urls import path
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.models import CoursePage, CourseReviewTask, Topic
from courses.review import course_review_problems
from courses.review_admin import CourseReviewsPanel, CourseReviewView, course_review_menu_items


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Course topics"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "slug"]


register_snippet(TopicViewSet)


# Course review (courses.review_admin; docs/decisions.md, "Course review").
@hooks.register("register_admin_urls")
def course_review_urls():
    return [path("course-review/<int:task_state_id>/", CourseReviewView.as_view(),
                 name="course_review")]


@hooks.register("construct_homepage_panels")
def course_reviews_panel(request, panels):
    panels.append(CourseReviewsPanel())


hooks.register("construct_page_action_menu", course_review_menu_items)


@hooks.register("after_edit_page")
def course_review_problems_warning(request, page):
    """A trainer who has just submitted a course is told at once which of its pages a
    moderator could not approve as they are (the review lists them too)."""
    state = page.current_workflow_task_state if isinstance(page.specific, CoursePage) else None
    if state is None or not isinstance(state.task.specific, CourseReviewTask):
        return
    problems = course_review_problems(task_state=state)
    if problems:
        messages.warning(request, "Submitted, but these pages cannot be published as they "
                         "are, so the moderator will ask for changes: " + "; ".join(
                             f"{title}: {' '.join(found)}" for title, found in problems.items()))
