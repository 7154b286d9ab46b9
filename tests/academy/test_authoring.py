"""Trainers author in the Wagtail admin: sign in with the demo login, edit a lesson,
submit it for moderation; a moderator publishes. Preview works for every page type."""

import pytest
from wagtail.models import Page

from content.models import HomePage, StandardPage
from courses.models import CataloguePage, CoursePage, LessonPage, ModulePage
from tests.wagtail_forms import edit_form

PASSWORD = "learn-digital-2026"


@pytest.fixture
def demo(demo_academy, db):
    """The demo academy (loaded once for this module: tests/conftest.py)."""


def sign_in(client, email):
    response = client.post("/admin/login/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, "the demo login must be accepted"


def test_trainer_signs_in_edits_a_lesson_and_submits_it_for_moderation(client, demo):
    sign_in(client, "trainer@example.gov.uk")
    assert client.get("/admin/").status_code == 200
    lesson = LessonPage.objects.live().order_by("path").first()
    live_title = lesson.title

    data = edit_form(client, lesson)
    data["title"] = "A clearer title for this lesson"
    data["action-submit"] = "Submit to Moderators approval"
    response = client.post(f"/admin/pages/{lesson.pk}/edit/", data)
    assert response.status_code == 302

    lesson.refresh_from_db()
    assert lesson.title == live_title, "a trainer's edit is not live until approved"
    assert lesson.has_unpublished_changes
    assert lesson.current_workflow_state.status == "in_progress"
    assert lesson.get_latest_revision_as_object().title == "A clearer title for this lesson"


def test_trainer_cannot_publish_directly(client, demo):
    sign_in(client, "trainer@example.gov.uk")
    lesson = LessonPage.objects.live().order_by("path").first()
    data = edit_form(client, lesson)
    data["title"] = "Published without approval"
    data["action-publish"] = "Publish"
    client.post(f"/admin/pages/{lesson.pk}/edit/", data)
    lesson.refresh_from_db()
    assert lesson.title != "Published without approval"


def test_moderator_approves_and_the_change_goes_live(client, demo):
    sign_in(client, "trainer@example.gov.uk")
    lesson = LessonPage.objects.live().order_by("path").first()
    data = edit_form(client, lesson)
    data["title"] = "Approved title"
    data["action-submit"] = "Submit"
    client.post(f"/admin/pages/{lesson.pk}/edit/", data)
    client.logout()

    sign_in(client, "admin@example.gov.uk")
    lesson.refresh_from_db()
    state = lesson.current_workflow_state
    task_state = state.current_task_state
    response = client.post(
        f"/admin/pages/workflow/action/{lesson.pk}/approve/{task_state.pk}/",
        {"comment": "Looks good"},
    )
    assert response.status_code in (200, 302)
    lesson.refresh_from_db()
    assert lesson.title == "Approved title"
    assert client.get(lesson.url).status_code == 200


@pytest.mark.parametrize(
    "model", [HomePage, StandardPage, CataloguePage, CoursePage, ModulePage, LessonPage]
)
def test_preview_works_for_every_page_type(client, demo, model):
    sign_in(client, "admin@example.gov.uk")
    page = model.objects.order_by("path").first()
    data = edit_form(client, page)
    data["title"] = "Previewed title"
    url = f"/admin/pages/{page.pk}/edit/preview/"
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.json()["is_valid"] is True
    preview = client.get(url)
    assert preview.status_code == 200
    assert b"Previewed title" in preview.content
    assert Page.objects.get(pk=page.pk).title != "Previewed title"
