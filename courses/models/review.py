"""A course reviewed and published as one, on Wagtail's own workflow machinery.

`CourseReviewTask` is a Wagtail task type (an approval by chosen groups, like Wagtail's
own): on a course it takes in every page under the course with unpublished changes
(`CourseReviewItem`, one row a page, pinned to the revision that was submitted), and
when the workflow finishes, `courses.review.course_review_publish` publishes the course
and then those revisions, parents first. On any other page it is an ordinary approval of
that one page, so a small edit to a lesson of a live course is still reviewed alone.
See docs/decisions.md, "Course review".
"""

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.locks import WorkflowLock
from wagtail.models import (
    AbstractGroupApprovalTask,
    Page,
    PagePermissionTester,
    PageViewRestriction,
    Revision,
    TaskState,
)


class CourseReviewTask(AbstractGroupApprovalTask):
    """Approval by a group; on a course, of the course and all its changed pages at once."""

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups review a course and all its changed pages "
                 "at once, and approving publishes them together. Any other page is "
                 "reviewed on its own.")

    def get_actions(self, obj, user):
        """A reviewer may always request changes, but approve only a course all of whose
        submitted pages could be published (courses.review.course_review_problems)."""
        actions = super().get_actions(obj, user)
        if actions and isinstance(obj.specific_deferred, CourseTree):
            from courses.review import course_review_problems

            task_state = obj.current_workflow_task_state
            if task_state is not None and course_review_problems(task_state=task_state):
                actions = [action for action in actions if action[0] != "approve"]
        return actions

    class Meta:
        verbose_name = _("Course review")
        verbose_name_plural = _("Course reviews")


class CourseReviewItem(models.Model):
    """A page under a course, as it was when the course was submitted for review."""

    task_state = models.ForeignKey(TaskState, on_delete=models.CASCADE,
                                   related_name="course_review_items")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    # Whether the page was not on the site (never published, or withdrawn) when submitted.
    is_new = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task_state", "page"],
                                               name="course_review_item_once")]

    def __str__(self):
        return f"{self.page} (revision {self.revision_id})"


class CourseReviewLock(WorkflowLock):
    """A page under a course that is waiting for review: only its reviewers may edit it,
    so what they approve is what they saw."""

    def __init__(self, object, task, course):
        super().__init__(object, task)
        self.course = course

    def get_message(self, user):
        if not self.for_user(user):
            return None
        return _("This page is part of the course “%(course)s”, which is waiting for "
                 "review. Only its reviewers can edit it until the review is finished.") % {
            "course": self.course.get_admin_display_title()}


class CourseTreePermissionTester(PagePermissionTester):
    """Nothing in a course is published, or submitted for review on its own, while the
    page above it is not live: a new module or lesson, or anything in a course that has
    never been published, is reviewed and published with its course (issue 13: a lesson
    could be published before its course)."""

    def _parent_live(self) -> bool:
        return self.page.specific_deferred.parent_is_live()

    def can_publish(self):
        return super().can_publish() and self._parent_live()

    def can_submit_for_moderation(self):
        return super().can_submit_for_moderation() and self._parent_live()

    def can_publish_subpage(self):
        return super().can_publish_subpage() and self.page.live


class RoutedFromMap:
    """A page courses.routing may route from its map, which knows whether any view
    restriction applies to the page: when none does, Wagtail's check before serving it
    (two queries: its ancestors, their restrictions) is answered without asking."""

    def get_view_restrictions(self):
        if getattr(self, "_route_unrestricted", False):
            # Known to be empty: its result set already, so reading it compiles nothing
            # (an empty QuerySet's SQL is still built and refused on every read).
            none = PageViewRestriction.objects.none()
            none._result_cache, none._prefetch_done = [], True
            return none
        return super().get_view_restrictions()


class CourseTree(RoutedFromMap):
    """A course or a page in it (module, lesson, final assessment)."""

    def course(self):
        """The course this page is in (itself, for a course)."""
        from courses.models import CoursePage

        if isinstance(self, CoursePage):
            return self
        if not hasattr(self, "_course"):
            # Routed from the course tree map: the course it holds for this version.
            from courses.routing import routed_course

            self._course = (routed_course(self)
                            or CoursePage.objects.ancestor_of(self).first())
        return self._course

    def parent_is_live(self) -> bool:
        parent = self.get_parent()
        return parent is None or parent.live

    def permissions_for_user(self, user):
        return CourseTreePermissionTester(user, self)

    def route(self, request, path_components):
        # Wagtail routes through a parent without asking whether it is live, so a live
        # lesson under a course or module that is not would be served. Nothing under a
        # page that is not live is served.
        if path_components and not self.live:
            raise Http404
        return super().route(request, path_components)


class CourseChildPage(CourseTree):
    """A module, lesson or final assessment: titled with its course in the admin (so a
    review list says which course a lesson belongs to), and locked while its course is
    in review."""

    def get_admin_display_title(self):
        title = super().get_admin_display_title()
        course = self.course()
        return f"{title} ({course.get_admin_display_title()})" if course else title

    def get_lock(self):
        if lock := super().get_lock():
            return lock
        course = self.course()
        task = course.current_workflow_task if course else None
        if isinstance(task, CourseReviewTask):
            return CourseReviewLock(self, task, course)
        return None
