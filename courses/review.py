"""Course review: what a course's submission takes in, and what its approval publishes.

The models are in courses.models.review; docs/decisions.md, "Course review", says how
this sits on Wagtail's workflow. `course_review_publish` is Wagtail's
WAGTAIL_FINISH_WORKFLOW_ACTION, so it is imported while wagtail.models loads: every
import of models stays inside the functions.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def course_review_items_take(*, task_state) -> int:
    """Record, for a course review task just started on a course, every page under the
    course with changes not yet published, at its latest revision. Returns how many."""
    from wagtail.models import Page

    from courses.models import CoursePage, CourseReviewItem

    course = task_state.workflow_state.content_object.specific
    if not isinstance(course, CoursePage):
        return 0
    pages = (Page.objects.descendant_of(course).filter(has_unpublished_changes=True)
             .exclude(latest_revision=None).order_by("path"))
    items = [CourseReviewItem(task_state=task_state, page=page,
                              revision_id=page.latest_revision_id,
                              is_new=not page.live)
             for page in pages]
    CourseReviewItem.objects.bulk_create(items)
    logger.info("course review submitted", extra={
        "course_id": course.pk, "task_state_id": task_state.pk, "pages": len(items)})
    return len(items)


def course_review_task_state(workflow_state):
    """The workflow's latest course review task state, or None (a workflow without a
    course review task, or one that has not reached it)."""
    from courses.models import CourseReviewTask

    return (workflow_state.task_states
            .filter(task__content_type__model=CourseReviewTask._meta.model_name,
                    task__content_type__app_label=CourseReviewTask._meta.app_label)
            .order_by("-started_at", "-pk").first())


@transaction.atomic
def course_review_publish(workflow_state, user=None):
    """Publish what an approved workflow approved: the page (as Wagtail does), then, for a
    course, every page recorded when it was submitted, parents before children, so no
    learner is shown a lesson without its module and course. One transaction."""
    from wagtail.workflows import publish_workflow_state

    publish_workflow_state(workflow_state, user=user)
    task_state = course_review_task_state(workflow_state)
    if task_state is None:
        return
    items = task_state.course_review_items.select_related("revision").order_by("page__path")
    published = 0
    for item in items:
        item.revision.publish(user=user)
        published += 1
    logger.info("course review approved", extra={
        "workflow_state_id": workflow_state.pk, "pages_published": published})


def revision_problems(revision) -> list[str]:
    """Why this revision could not be published, as the editor's Publish would say: the
    checks Wagtail defers while a page is a draft (required fields, and each block's own
    publish checks: captions, alt text, a table's caption, a check's right answer)."""
    from django.core.exceptions import ValidationError
    from django.utils.text import capfirst
    from wagtail.fields import StreamField

    page = revision.as_object()
    problems: list[str] = []
    try:
        page.full_clean()
    except ValidationError as error:
        problems += [f"{capfirst(page._meta.get_field(name).verbose_name)}: "
                     f"{' '.join(messages)}"
                     if name != "__all__" else " ".join(messages)
                     for name, messages in error.message_dict.items()]
    for field in page._meta.get_fields():
        if isinstance(field, StreamField):
            value = getattr(page, field.name)
            try:
                field.stream_block.clean(value)
            except ValidationError as error:
                where = [f"block {index + 1} ({value[index].block.label.lower()})"
                         for index in sorted(getattr(error, "block_errors", {}) or {})]
                problems.append(
                    f"{capfirst(field.verbose_name)}: {', '.join(where) or 'a block'} not "
                    "finished (open the page and choose Publish to see what is missing; "
                    "nothing is published)")
    return problems


def course_review_problems(*, task_state) -> dict:
    """{page title: [problems]} for each page of a course review that could not be
    published as submitted. Approval is not offered while there are any."""
    problems = {}
    entries = [(task_state.workflow_state.content_object, task_state.revision)] + [
        (item.page, item.revision)
        for item in task_state.course_review_items.select_related("page", "revision")
        .order_by("page__path")]
    for page, revision in entries:
        if found := revision_problems(revision):
            problems[revision.object_str or page.title] = found
    return problems
