"""Course review in the Wagtail admin: the moderator's view of a whole submitted course,
the dashboard panel that lists courses waiting for review, and the editor's menu items.

Approving and rejecting go through the task's own `on_action`, as Wagtail's workflow
buttons do, so the workflow's history, emails and logs are Wagtail's.
"""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.action_menu import ActionMenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import TaskState

from courses.models import CoursePage, CourseReviewTask
from courses.models.review import CourseTree
from courses.review import course_review_problems


def page_changes(*, page, revision, is_new: bool, request) -> tuple[list, list[str]]:
    """What `revision` changes in `page`, field by field, with Wagtail's own comparison
    (the one its "Compare" view uses); a new page is compared with a blank one. Returns
    the changes a reader can see, and the labels of fields whose words are the same but
    whose markup is not (formatting, a link's address, or the editor's own block keys)."""
    before = type(page)() if is_new else page
    after = revision.as_object()
    comparison = (page.get_edit_handler()
                  .get_bound_panel(instance=page, request=request, form=None)
                  .get_comparison())
    changes, markup_only = [], []
    for compare in comparison:
        diff = compare(before, after)
        if not diff.has_changed():
            continue
        if diff.is_field and not VISIBLE_CHANGE.search(str(diff.htmldiff())):
            markup_only.append(str(diff.field_label()))
        else:
            changes.append(diff)
    return changes, markup_only


# Wagtail's htmldiff marks what was taken out and put in with these classes: alone on a
# span of words, or beside others on a whole block added to or taken from a StreamField
# ("comparison__child-object addition"), as every block of a new lesson is.
VISIBLE_CHANGE = re.compile(r'class="(?:[^"]*\s)?(?:deletion|addition)(?:\s[^"]*)?"')


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve and publish the course"),
                 ("reject", "Request changes")],
        widget=forms.RadioSelect, error_messages={"required": "Choose approve or request changes."},
    )
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 4}), help_text="Required when you request changes: say what to change.")

    def __init__(self, *args, actions: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the reviewer may decide: no approval while a page could not be
        # published (CourseReviewTask.get_actions).
        self.fields["decision"].choices = [
            choice for choice in self.fields["decision"].choices if choice[0] in actions]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("comment", "").strip():
            self.add_error("comment", "Say what needs to change, so the trainer knows.")
        return cleaned


class CourseReviewView(WagtailAdminTemplateMixin, TemplateView):
    """One course submitted for review: every new or changed page, grouped under the
    course in the course's order, and one decision for all of them."""

    template_name = "courses/admin/course_review.html"
    header_icon = "tasks"
    page_title = "Review a course"

    def dispatch(self, request, task_state_id):
        self.task_state = get_object_or_404(
            TaskState.objects.select_related("workflow_state", "revision", "task"),
            pk=task_state_id)
        self.task = self.task_state.task.specific
        self.course = self.task_state.workflow_state.content_object.specific
        if not (isinstance(self.task, CourseReviewTask) and isinstance(self.course, CoursePage)):
            raise Http404
        if not (self.actions or self.course.permissions_for_user(request.user).can_edit()):
            raise PermissionDenied
        return super().dispatch(request)

    def get_page_subtitle(self):
        return self.course.get_admin_display_title()

    def get_breadcrumbs_items(self):
        # As Wagtail's own index views: without this item the header is titled "Home".
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title(),
                                          "sublabel": self.get_page_subtitle()}]

    @cached_property
    def actions(self) -> set[str]:
        """What this user may decide now: nothing once the review is over."""
        if self.task_state.status != TaskState.STATUS_IN_PROGRESS:
            return set()
        return {name for name, _label, _modal in self.task.get_actions(self.course,
                                                                        self.request.user)}

    def entries(self) -> list[dict]:
        course_entry = {"page": self.course, "revision": self.task_state.revision,
                        "is_new": not self.course.live}
        items = [course_entry] + [
            {"page": item.page.specific, "revision": item.revision, "is_new": item.is_new}
            for item in self.task_state.course_review_items
            .select_related("page", "revision").order_by("page__path")
        ]
        for entry in items:
            page = entry["page"]
            entry["level"] = page.depth - self.course.depth
            entry["kind"] = page.specific_class._meta.verbose_name
            entry["changes"], entry["markup_only"] = page_changes(
                page=page, revision=entry["revision"], is_new=entry["is_new"],
                request=self.request)
            entry["preview_url"] = reverse("wagtailadmin_pages:revisions_view",
                                           args=[page.pk, entry["revision"].pk])
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(course=self.course, task_state=self.task_state,
                       entries=self.entries(), can_decide=bool(self.actions),
                       problems=course_review_problems(task_state=self.task_state),
                       form=kwargs.get("form") or ReviewDecisionForm(actions=self.actions))
        return context

    def post(self, request):
        if not self.actions:
            raise PermissionDenied
        form = ReviewDecisionForm(request.POST, actions=self.actions)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        decision = form.cleaned_data["decision"]
        self.task.on_action(self.task_state, request.user, decision,
                            comment=form.cleaned_data["comment"])
        if decision == "approve":
            messages.success(request, f"“{self.course.title}” and its pages are published.")
        else:
            messages.success(request, f"Changes requested to “{self.course.title}”.")
        return redirect("wagtailadmin_home")


def course_reviews_waiting(user):
    """The course review task states this user can decide, newest first."""
    states = TaskState.objects.none()
    for task in CourseReviewTask.objects.filter(active=True):
        states = states | task.get_task_states_user_can_moderate(user)
    return states.select_related("workflow_state", "workflow_state__requested_by").order_by(
        "-started_at")


class CourseReviewsPanel(Component):
    """The dashboard's list of whole courses waiting for this moderator."""

    template_name = "courses/admin/course_reviews_panel.html"
    order = 215  # above Wagtail's "Awaiting your review" (220)

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        reviews = []
        for state in course_reviews_waiting(parent_context["request"].user):
            course = state.workflow_state.content_object.specific
            if isinstance(course, CoursePage):
                reviews.append({"course": course, "state": state,
                                "pages": state.course_review_items.count() + 1})
        context["reviews"] = reviews
        return context


class CourseReviewMenuItem(ActionMenuItem):
    """A link in the editor's action menu: to the course's review for a reviewer, or, for
    a page that can only be published with its course, to the course to submit it."""

    icon_name = "tasks"
    name = "action-course-review"

    def __init__(self, *, label, url, order=None):
        super().__init__(order=order)
        self.label = label
        self.url = url

    def get_url(self, parent_context):
        return self.url


def course_review_menu_items(menu_items, request, context) -> None:
    """Wagtail's construct_page_action_menu hook for pages in a course."""
    page = context.get("page")
    parent = context.get("parent_page")
    if context["view"] == "create":
        parent = parent.specific if parent else None
        if not isinstance(parent, CourseTree) or parent.live:
            return
        # A new page under a course or module that is not live is saved as a draft and
        # goes out with its course.
        menu_items[:] = [item for item in menu_items
                         if item.name not in ("action-publish", "action-submit")]
        course = parent.course()
    else:
        page = page.specific if page else None
        if not isinstance(page, CourseTree):
            return
        course = page.course()
        state = course.current_workflow_task_state if course else None
        if state and isinstance(state.task.specific, CourseReviewTask) and \
                state.task.specific.get_actions(course, request.user):
            menu_items.append(CourseReviewMenuItem(
                label="Review the whole course",
                url=reverse("course_review", args=[state.pk]), order=5))
            return
        if page is course or page.parent_is_live():
            return
    if course is not None:
        menu_items.append(CourseReviewMenuItem(
            label="Submit the course for review (publishes this page with it)",
            url=reverse("wagtailadmin_pages:edit", args=[course.pk]), order=900))
