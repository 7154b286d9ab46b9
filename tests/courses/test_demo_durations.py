"""Issue 13, what was seen: the demo courses claimed 2 to 2¾ hours for about 30 minutes of
reading. Their durations are now worked out from their content, like any course's."""

import math

import pytest

from courses.durations import WORDS_PER_MINUTE
from courses.models import CoursePage, LessonPage
from courses.search import lesson_search_text


@pytest.fixture
def demo(demo_academy, db):
    """The demo academy (loaded once for this module: tests/conftest.py)."""


def test_each_demo_course_shows_the_sum_of_its_lessons_worked_out_from_their_content(
        client, demo):
    catalogue = client.get("/courses/").content.decode()
    for course in CoursePage.objects.live():
        lessons = LessonPage.objects.live().descendant_of(course).filter(required=True)
        assert lessons
        for lesson in lessons:
            words = len(lesson_search_text(body_raw=list(lesson.body.raw_data)).split())
            assert lesson.duration_minutes >= math.ceil(words / WORDS_PER_MINUTE / 2)
            assert lesson.duration_minutes == lesson.worked_out_minutes()
        total = sum(lesson.duration_minutes for lesson in lessons)
        assert course.duration_minutes == total
        assert total < 120, f"{course.title}: {total} minutes"
        hours, minutes = divmod(total, 60)
        shown = " ".join(filter(None, [
            f"{hours} hour{'s' if hours != 1 else ''}" if hours else "",
            f"{minutes} minute{'s' if minutes != 1 else ''}" if minutes else ""]))
        assert f"Takes about:</strong> {shown}" in catalogue
