"""The course tree is home → catalogue → course → module → lesson (and a course's
final assessment beside its modules), and nothing else."""

import pytest

from content.models import HomePage, StandardPage
from courses.models import AssessmentPage, CataloguePage, CoursePage, LessonPage, ModulePage


@pytest.mark.parametrize(
    ("child", "allowed_parents"),
    [
        (CataloguePage, {HomePage}),
        (CoursePage, {CataloguePage}),
        (ModulePage, {CoursePage}),
        (LessonPage, {ModulePage}),
        (AssessmentPage, {CoursePage}),
    ],
)
def test_each_course_page_type_has_exactly_one_kind_of_parent(child, allowed_parents):
    assert set(child.allowed_parent_page_models()) == allowed_parents


@pytest.mark.parametrize(
    ("parent", "allowed_children"),
    [
        (CataloguePage, {CoursePage}),
        (CoursePage, {ModulePage, AssessmentPage}),
        (ModulePage, {LessonPage}),
        (LessonPage, set()),
        (AssessmentPage, set()),
    ],
)
def test_each_course_page_type_allows_only_the_next_level_below(parent, allowed_children):
    assert set(parent.allowed_subpage_models()) == allowed_children


def test_lesson_cannot_be_created_directly_under_a_course_or_the_catalogue(catalogue):
    from tests.factories import CoursePageFactory

    course = CoursePageFactory(parent=catalogue)
    assert not LessonPage.can_create_at(course)
    assert not LessonPage.can_create_at(catalogue)
    assert ModulePage.can_create_at(course)


def test_there_is_one_catalogue_and_standard_pages_hang_off_home(site):
    assert not CataloguePage.can_create_at(site)  # max_count = 1, and it exists
    assert StandardPage.can_create_at(site)


def test_admin_refuses_to_add_a_lesson_under_the_catalogue(client, catalogue, admin_user):
    client.force_login(admin_user)
    url = f"/admin/pages/add/courses/lessonpage/{catalogue.pk}/"
    response = client.get(url, follow=True)
    assert response.redirect_chain, "the add form must not be shown"
    assert b"Sorry, you do not have permission to access this area." in response.content
    client.post(url, {"title": "Stray lesson", "slug": "stray-lesson"})
    assert not LessonPage.objects.exists()
