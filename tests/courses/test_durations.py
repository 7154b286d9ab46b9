"""Issue 13, what was seen: course durations were typed by hand (40 minutes entered for
20 minutes of lessons, and the catalogue showed 40). Durations are worked out from the
content (courses.durations), with an optional override."""

import re

import pytest

from courses.durations import MINUTES_PER_ACTIVITY, MINUTES_PER_KNOWLEDGE_CHECK, WORDS_PER_MINUTE
from courses.models import CoursePage, LessonPage
from tests.factories import LessonPageFactory, course_with_lessons, knowledge_check


def prose(words):
    return {"type": "text", "value": "<p>" + " ".join(["word"] * words) + "</p>"}


def activity():
    return {"type": "activity", "value": {"kind": "reflection", "title": "Think",
                                          "prompt": "<p>When did you last change a plan?</p>"}}


def test_the_stated_rates():
    assert (WORDS_PER_MINUTE, MINUTES_PER_KNOWLEDGE_CHECK, MINUTES_PER_ACTIVITY) == (200, 1, 5)


@pytest.fixture
def module(catalogue):
    course = course_with_lessons(catalogue, modules=1, lessons=0, title="Timed course",
                                 duration_override=None)
    return course.get_children().first()


def test_a_lesson_of_n_words_and_k_checks_takes_reading_time_plus_a_minute_a_check(module):
    lesson = LessonPageFactory(parent=module, body=[
        prose(1000), knowledge_check(), knowledge_check(), knowledge_check(), activity()])

    lesson.refresh_from_db()

    assert lesson.duration_minutes == 1000 // 200 + 3 * 1 + 5


def test_reading_time_rounds_up_and_a_video_counts_its_length(module):
    video = {"type": "video", "value": {"title": "A stand-up", "video": None, "video_url": "",
                                        "minutes": 7, "transcript": "<p>" + "w " * 900 + "</p>"}}
    lesson = LessonPageFactory(parent=module, body=[prose(201), video])
    assert LessonPage.objects.get(pk=lesson.pk).duration_minutes == 2 + 7


def test_a_video_of_unknown_length_counts_reading_its_transcript(module):
    video = {"type": "video", "value": {"title": "A stand-up", "video": None, "video_url": "",
                                        "transcript": "<p>" + "w " * 400 + "</p>"}}
    lesson = LessonPageFactory(parent=module, body=[video])
    assert LessonPage.objects.get(pk=lesson.pk).duration_minutes == 3  # 400 + 2 title words


def test_the_override_wins(module):
    lesson = LessonPageFactory(parent=module, body=[prose(1000)], duration_override=12)
    assert LessonPage.objects.get(pk=lesson.pk).duration_minutes == 12


def test_the_course_sums_its_required_published_lessons_and_the_catalogue_shows_it(
        client, module):
    course = module.get_parent().specific
    LessonPageFactory(parent=module, body=[prose(2000)])  # 10 minutes
    LessonPageFactory(parent=module, body=[prose(2000)], required=False)  # optional
    draft = LessonPageFactory(parent=module, body=[prose(4000)], live=False)
    last = LessonPageFactory(parent=module, body=[prose(1000), knowledge_check()])  # 6
    last.save_revision().publish()  # publishing a lesson works the course out again

    assert CoursePage.objects.get(pk=course.pk).duration_minutes == 16
    assert "Takes about:</strong> 16 minutes" in client.get("/courses/").content.decode()

    draft.save_revision().publish()
    assert CoursePage.objects.get(pk=course.pk).duration_minutes == 36
    draft.refresh_from_db()
    draft.unpublish()
    assert CoursePage.objects.get(pk=course.pk).duration_minutes == 16


def test_the_course_override_wins(module):
    course = module.get_parent().specific
    LessonPageFactory(parent=module, body=[prose(2000)]).save_revision().publish()
    course.duration_override = 240
    course.save_revision().publish()
    assert CoursePage.objects.get(pk=course.pk).duration_minutes == 240


def test_the_editor_shows_the_worked_out_figure_and_offers_an_override(client, module):
    from django.utils.html import escape

    from courses.durations import DURATION_HELP
    from tests.factories import UserFactory

    lesson = LessonPageFactory(parent=module, body=[prose(1400), knowledge_check()])
    client.force_login(UserFactory(email="editor@example.gov.uk", is_superuser=True,
                                   is_staff=True))

    html = client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()

    assert escape(DURATION_HELP) in html
    assert 'name="duration_override"' in html
    assert 'name="duration_minutes"' not in html  # worked out, not typed
    section = html.split("Takes about (minutes)", 1)[1].split("override the duration", 1)[0]
    assert re.search(r">\s*8\s*<", section)  # 1400 words: 7 minutes, and 1 for the check
