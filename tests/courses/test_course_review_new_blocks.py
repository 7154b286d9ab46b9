"""The review shows a new lesson's blocks: Wagtail marks a block added to a StreamField
with "comparison__child-object addition", and the review took that for a change of
markup alone ("Same words, different formatting"), hiding every block of a new lesson."""

from courses.models import LessonPage
from tests.courses.test_course_review import (  # noqa: F401 - fixtures
    draft_course,
    moderator,
    review_url,
    submit,
    trainer,
)


def test_a_new_lessons_blocks_are_shown_in_the_review(
        client, trainer, moderator, draft_course):  # noqa: F811 - fixtures
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
