"""Issue 13: a course is reviewed and published as one.

What was seen: moderation was per page (one module with two lessons meant four
submissions and four approvals), the review list did not say which course a lesson
belongs to, and a lesson could be published before its course. Now a trainer submits the
course once, a moderator sees every new or changed page under it and decides once, and
approval publishes the course, then its modules, then their lessons, together. A single
page of a live course can still be reviewed on its own."""

import pytest
from wagtail.models import Page, PageLogEntry, WorkflowState

from courses.models import CoursePage, CourseReviewItem, LessonPage, ModulePage
from tests.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    UserFactory,
    course_with_lessons,
)
from tests.wagtail_forms import edit_form


def draft(page_factory, **fields):
    page = page_factory(live=False, **fields)
    page.save_revision()
    return page


@pytest.fixture
def draft_course(catalogue):
    """A course never published: two modules of two lessons, all drafts."""
    course = draft(CoursePageFactory, parent=catalogue, title="Running a retrospective")
    for m in (1, 2):
        module = draft(ModulePageFactory, parent=course, title=f"Module {m}")
        for n in (1, 2):
            draft(LessonPageFactory, parent=module, title=f"Lesson {m}.{n}")
    return course


def submit(client, page):
    data = edit_form(client, page)
    data["action-submit"] = "Submit for review"
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


def review_url(course):
    state = CoursePage.objects.get(pk=course.pk).current_workflow_state
    return f"/admin/course-review/{state.current_task_state_id}/"


def test_a_course_is_submitted_once_with_all_its_pages(client, trainer, draft_course):
    client.force_login(trainer)
    submit(client, draft_course)

    states = WorkflowState.objects.filter(status="in_progress")
    assert [state.content_object.pk for state in states] == [draft_course.pk], \
        "one submission, for the course, not one a page"
    items = CourseReviewItem.objects.order_by("page__path")
    assert [item.page.title for item in items] == [
        "Module 1", "Lesson 1.1", "Lesson 1.2", "Module 2", "Lesson 2.1", "Lesson 2.2"]
    assert all(item.is_new for item in items)
    assert not Page.objects.descendant_of(draft_course, inclusive=True).filter(live=True).exists()


def test_moderator_sees_the_whole_course_and_approves_it_once(client, trainer, moderator,
                                                            draft_course):
    client.force_login(trainer)
    submit(client, draft_course)
    client.force_login(moderator)

    dashboard = client.get("/admin/").content.decode()
    assert "Courses waiting for your review" in dashboard
    assert "Review “Running a retrospective”" in dashboard

    review = client.get(review_url(draft_course))
    assert review.status_code == 200
    html = review.content.decode()
    assert "7 pages to publish" in html
    for title in ("Running a retrospective", "Module 1", "Lesson 1.1", "Lesson 2.2"):
        assert title in html
    assert html.count(">New</span>") == 7

    response = client.post(review_url(draft_course), {"decision": "approve", "comment": ""})
    assert response.status_code == 302

    pages = Page.objects.descendant_of(draft_course, inclusive=True)
    assert pages.count() == 7
    assert not pages.filter(live=False).exists(), "everything approved is published"
    assert not pages.filter(has_unpublished_changes=True).exists()
    assert not WorkflowState.objects.filter(status="in_progress").exists()
    # Parents first: no lesson was ever live before its module and course.
    published = list(PageLogEntry.objects.filter(action="wagtail.publish", page__in=pages)
                     .order_by("pk").values_list("page__path", flat=True))
    assert len(published) == 7
    assert published == sorted(published)
    lesson = LessonPage.objects.get(title="Lesson 2.2")
    client.logout()
    assert client.get(draft_course.url).status_code == 200
    assert client.get(lesson.url).status_code == 200


def test_a_rejected_course_publishes_nothing_and_a_resubmission_takes_new_edits(
        client, trainer, moderator, draft_course):
    client.force_login(trainer)
    submit(client, draft_course)
    client.force_login(moderator)
    refused = client.post(review_url(draft_course), {"decision": "reject", "comment": ""})
    assert "Say what needs to change" in refused.content.decode(), "a reason is required"
    client.post(review_url(draft_course), {"decision": "reject",
                                           "comment": "Lesson 1.2 needs an example."})
    assert not Page.objects.descendant_of(draft_course, inclusive=True).filter(
        live=True).exists()

    client.force_login(trainer)
    lesson = LessonPage.objects.get(title="Lesson 1.2")
    data = edit_form(client, lesson)
    data["title"] = "Lesson 1.2, with an example"
    assert client.post(f"/admin/pages/{lesson.pk}/edit/", data).status_code == 302
    data = edit_form(client, draft_course)
    data["action-submit"] = "Resubmit"
    client.post(f"/admin/pages/{draft_course.pk}/edit/", data)
    latest = CoursePage.objects.get(pk=draft_course.pk).current_workflow_state.current_task_state
    titles = [item.revision.object_str for item in latest.course_review_items.all()]
    assert "Lesson 1.2, with an example" in titles


def test_pages_of_a_course_in_review_are_locked_for_the_trainer(client, trainer, moderator,
                                                              draft_course):
    client.force_login(trainer)
    submit(client, draft_course)
    lesson = LessonPage.objects.get(title="Lesson 1.1")
    assert lesson.get_lock().for_user(trainer)
    assert not lesson.get_lock().for_user(moderator)
    page = client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    assert "which is waiting for review" in page


def test_a_page_of_an_unpublished_course_cannot_be_published_or_submitted_alone(
        client, trainer, moderator, draft_course):
    lesson = LessonPage.objects.get(title="Lesson 1.1")
    client.force_login(trainer)
    editor = client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    assert 'name="action-submit"' not in editor
    assert "Submit the course for review" in editor
    submit(client, lesson)  # posted by hand: saved as a draft, not submitted
    assert not WorkflowState.objects.exists()

    client.force_login(moderator)
    editor = client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    assert 'name="action-publish"' not in editor
    data = edit_form(client, lesson)
    data["action-publish"] = "Publish"
    client.post(f"/admin/pages/{lesson.pk}/edit/", data)
    assert not LessonPage.objects.get(pk=lesson.pk).live


def test_a_new_lesson_under_an_unpublished_module_is_saved_not_submitted(
        client, trainer, draft_course):
    module = ModulePage.objects.get(title="Module 1")
    client.force_login(trainer)
    url = f"/admin/pages/add/courses/lessonpage/{module.pk}/"
    assert 'name="action-submit"' not in client.get(url).content.decode()
    response = client.post(url, {
        "title": "Lesson 1.3", "slug": "lesson-1-3", "summary": "", "body-count": "0",
        "required": "on", "action-submit": "Submit"})
    assert response.status_code == 302
    assert LessonPage.objects.get(title="Lesson 1.3").live is False
    assert not WorkflowState.objects.exists()


def test_a_small_edit_to_a_live_course_is_reviewed_on_its_own(client, trainer, moderator,
                                                            catalogue):
    course = course_with_lessons(catalogue, modules=1, lessons=2, title="Scrum basics")
    lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    other = LessonPage.objects.descendant_of(course).order_by("path").last()
    client.force_login(trainer)
    data = edit_form(client, other)
    data["title"] = "An unreviewed draft"
    client.post(f"/admin/pages/{other.pk}/edit/", data)  # a draft nobody submitted
    data = edit_form(client, lesson)
    data["title"] = "A clearer title"
    data["action-submit"] = "Submit"
    client.post(f"/admin/pages/{lesson.pk}/edit/", data)
    state = LessonPage.objects.get(pk=lesson.pk).current_workflow_state
    assert not CourseReviewItem.objects.exists()

    client.force_login(moderator)
    # The review list says which course the lesson belongs to.
    assert "A clearer title (Scrum basics)" in client.get("/admin/").content.decode()
    client.post(f"/admin/pages/workflow/action/{lesson.pk}/approve/"
                f"{state.current_task_state_id}/", {"comment": ""})
    assert LessonPage.objects.get(pk=lesson.pk).title == "A clearer title"
    assert LessonPage.objects.get(pk=other.pk).title != "An unreviewed draft", \
        "only the page submitted is published"


def test_nothing_under_a_page_that_is_not_live_is_served(client, catalogue):
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Withdrawn course")
    lesson = LessonPage.objects.descendant_of(course).get()
    assert client.get(lesson.url).status_code == 200
    CoursePage.objects.filter(pk=course.pk).update(live=False)
    assert client.get(lesson.url).status_code == 404, \
        "a live lesson under a course that is not live is not shown"


def test_only_a_reviewer_may_decide(client, trainer, draft_course):
    client.force_login(trainer)
    submit(client, draft_course)
    assert client.get(review_url(draft_course)).status_code == 200  # they may look
    response = client.post(review_url(draft_course), {"decision": "approve", "comment": ""})
    assert response.status_code == 302  # Wagtail's "no permission": back to the dashboard
    assert "Your decision" not in client.get(review_url(draft_course)).content.decode()
    assert not CoursePage.objects.get(pk=draft_course.pk).live
    learner = UserFactory(email="learner@example.gov.uk")
    client.force_login(learner)
    assert client.get(review_url(draft_course)).status_code in (302, 403)


def test_a_change_of_markup_alone_is_named_not_shown_as_a_change_of_words(
        client, trainer, moderator, catalogue):
    # The editor keeps rich text with its own block keys: resubmitting a course as it was
    # changes the markup of "Who it is for" but not one word of it.
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Agile basics",
                                 audience="<ul><li>policy officers</li><li>caseworkers</li></ul>")
    client.force_login(trainer)
    submit(client, course)
    client.force_login(moderator)
    html = client.get(review_url(course)).content.decode()
    assert "1 page to publish" in html
    assert "Same words, different formatting or link addresses in: Who it is for" in html
    assert 'class="deletion"' not in html
    assert 'class="addition"' not in html


def test_a_course_with_a_page_that_could_not_be_published_cannot_be_approved(
        client, trainer, moderator, draft_course):
    # A draft may be unfinished (Wagtail defers required checks while it is a draft);
    # approving the course must not publish what the editor's Publish would refuse.
    lesson = LessonPage.objects.get(title="Lesson 1.2")
    lesson.body = [{"type": "callout", "value": {"style": "information", "title": "",
                                                 "text": "<p></p>"}}]
    lesson.save_revision()
    client.force_login(trainer)
    submit(client, draft_course)
    told = client.get(f"/admin/pages/{draft_course.pk}/edit/").content.decode()
    assert "Submitted, but these pages cannot be published as they are" in told
    client.force_login(moderator)

    html = client.get(review_url(draft_course)).content.decode()
    assert "This course cannot be approved yet" in html
    assert "Lesson 1.2: Body: block 1 (callout) not finished" in html
    assert 'value="approve"' not in html
    response = client.post(review_url(draft_course), {"decision": "approve", "comment": ""})
    assert "Select a valid choice" in response.content.decode()
    state = CoursePage.objects.get(pk=draft_course.pk).current_workflow_state
    wagtail_approve = client.post(f"/admin/pages/workflow/action/{draft_course.pk}/approve/"
                                  f"{state.current_task_state_id}/", {"comment": ""})
    assert wagtail_approve.status_code in (302, 403)
    assert not Page.objects.descendant_of(draft_course, inclusive=True).filter(
        live=True).exists(), "nothing published"
    client.post(review_url(draft_course), {"decision": "reject", "comment": "Finish 1.2."})
    assert CoursePage.objects.get(pk=draft_course.pk).current_workflow_state.status == \
        "needs_changes"


# Wagtail marks a block added to a StreamField with "comparison__child-object addition";
# the review took that for a change of markup alone and hid every block of a new lesson.
def test_a_new_lessons_blocks_are_shown_in_the_review(
        client, trainer, moderator, draft_course):
    lesson = LessonPage.objects.get(title="Lesson 1.1")
    lesson.body = [{"type": "activity", "value": {
        "kind": "activity", "title": "Plan your next retrospective",
        "prompt": "<p>Write down one question you will ask your team.</p>"}}]
    lesson.save_revision()
    client.force_login(trainer)
    submit(client, draft_course)

    client.force_login(moderator)
    html = client.get(review_url(draft_course)).content.decode()
    assert "Write down one question you will ask your team." in html
    assert "Same words, different formatting" not in html
