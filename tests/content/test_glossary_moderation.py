"""Moderation gap: a trainer's glossary term went live on every lesson at once. Now a
trainer's new or changed term is a draft until a moderator publishes it; lessons and
the glossary page show only published terms."""

import pytest
from django.urls import reverse

from content.models import GlossaryTerm
from tests.factories import GlossaryTermFactory, LessonPageFactory, course_with_lessons

ADD = "wagtailsnippets_content_glossaryterm:add"
EDIT = "wagtailsnippets_content_glossaryterm:edit"


@pytest.fixture
def lesson(catalogue):
    course = course_with_lessons(catalogue, modules=1, lessons=0)
    return LessonPageFactory(parent=course.get_children().first(), body=[
        {"type": "text", "value": "<p>Each increment is shown at the review.</p>"}])


def _term_form(**fields):
    return {"term": "Increment", "definition": "A usable piece of the product.",
            "also_matches": "", "link_term": "on", **fields}


def _seen(client, lesson) -> tuple[str, str]:
    client.logout()
    return client.get(lesson.url).content.decode(), client.get("/glossary/").content.decode()


def test_a_trainers_new_term_is_a_draft_until_a_moderator_publishes_it(
        client, trainer, moderator, lesson):
    client.force_login(trainer)
    # Even asking to publish: a trainer has no publish permission.
    response = client.post(reverse(ADD), _term_form(**{"action-publish": "action-publish"}))
    assert response.status_code in (200, 302)
    term = GlossaryTerm.objects.get(term="Increment")
    assert not term.live
    response = client.post(reverse(EDIT, args=[term.pk]),
                           _term_form(**{"action-submit": "action-submit"}))
    assert response.status_code == 302
    term.refresh_from_db()
    assert not term.live
    assert term.workflow_in_progress  # in the moderators' "Awaiting your review"
    lesson_page, glossary_page = _seen(client, lesson)
    assert "A usable piece of the product." not in lesson_page
    assert "app-glossary__term" not in lesson_page
    assert "Increment" not in glossary_page

    client.force_login(moderator)
    response = client.post(reverse(EDIT, args=[term.pk]),
                           _term_form(**{"action-publish": "action-publish"}))
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.live
    lesson_page, glossary_page = _seen(client, lesson)
    assert '<span class="app-glossary__term">increment</span>' in lesson_page
    assert "A usable piece of the product." in glossary_page


def test_a_trainers_change_to_a_live_term_waits_for_a_moderator(client, trainer, lesson):
    term = GlossaryTermFactory(term="Increment", definition="A usable piece of the product.")
    client.force_login(trainer)
    client.post(reverse(EDIT, args=[term.pk]),
                _term_form(definition="Anything at all, says the trainer."))
    term.refresh_from_db()
    assert term.has_unpublished_changes
    assert term.definition == "A usable piece of the product."
    lesson_page, glossary_page = _seen(client, lesson)
    for page in (lesson_page, glossary_page):
        assert "A usable piece of the product." in page
        assert "says the trainer" not in page


def test_a_lesson_block_naming_an_unpublished_term_shows_nothing_of_it(client, lesson):
    draft = GlossaryTermFactory(term="Velocity", definition="Work done in a sprint.",
                                live=False)
    lesson.body = [{"type": "glossary_term", "value": {"term": draft.pk}}]
    lesson.save_revision().publish()
    lesson_page, _ = _seen(client, lesson)
    assert "Work done in a sprint." not in lesson_page
