"""Trainers author a course's final assessment in the Wagtail admin: the editor
refuses an impossible draw, a valid change goes to moderation, a course may have only
one, and the preview shows the whole pool with its right answers."""

from courses.models import AssessmentPage, CataloguePage, CoursePage
from tests.academy.test_authoring import demo, edit_form, sign_in  # noqa: F401 - fixture
from tests.factories import course_with_lessons

ADD = "/admin/pages/add/courses/assessmentpage/{}/"


def test_a_trainer_edits_the_final_assessment_and_bad_settings_change_nothing(client, demo):  # noqa: F811
    sign_in(client, "trainer@example.gov.uk")
    assessment = AssessmentPage.objects.live().order_by("path").first()
    pool_size = len(assessment.question_ids())

    data = edit_form(client, assessment)
    data["questions_per_attempt"] = str(pool_size + 1)
    data["action-submit"] = "Submit to Moderators approval"
    response = client.post(f"/admin/pages/{assessment.pk}/edit/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"The pool has {pool_size} questions: draw no more than that" in page
    assessment.refresh_from_db()
    assert assessment.questions_per_attempt == 5
    assert not assessment.has_unpublished_changes

    data["questions_per_attempt"] = "4"
    response = client.post(f"/admin/pages/{assessment.pk}/edit/", data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.questions_per_attempt == 5, "not live until a moderator approves"
    assert assessment.get_latest_revision_as_object().questions_per_attempt == 4

    # One final assessment a course: the editor will not add a second.
    course = CoursePage.objects.ancestor_of(assessment).get()
    assert client.get(ADD.format(course.pk)).status_code in (302, 403)


def test_a_course_without_one_can_have_a_final_assessment_and_the_preview_shows_the_pool(
    client, demo  # noqa: F811
):
    sign_in(client, "trainer@example.gov.uk")
    course = course_with_lessons(CataloguePage.objects.get(), modules=1, lessons=1,
                                 title="A course with no assessment yet")
    assert client.get(ADD.format(course.pk)).status_code == 200

    sign_in(client, "admin@example.gov.uk")
    other = AssessmentPage.objects.live().order_by("path").first()
    url = f"/admin/pages/{other.pk}/edit/preview/"
    assert client.post(url, edit_form(client, other)).json()["is_valid"] is True
    preview = client.get(url).content.decode()
    blocks = list(other.pool)
    assert preview.count("Right answer") == sum(
        1 for b in blocks for o in b.value["options"] if o["correct"])
    for block in blocks:
        assert block.value["question"] in preview
