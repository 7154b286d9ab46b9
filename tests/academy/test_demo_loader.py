"""The demo academy loads completely, and loading it again changes nothing."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from courses.models import CoursePage, LessonPage, ModulePage

DEMO_COURSES = {
    "Agile foundations",
    "Scrum in government",
    "User research for non-researchers",
    "Iterating public services (discovery, alpha, beta, live)",
}


def table_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"content", "courses", "learners", "wagtailcore", "auth",
                                     "wagtaildocs", "wagtailimages", "wagtailsearch"}
    }


def revision_ids():
    revision = apps.get_model("wagtailcore", "Revision")
    return list(revision.objects.order_by("pk").values_list("pk", flat=True))


@pytest.fixture
def loaded(demo_academy, db):
    """What `load_demo_academy` printed; the run's shared load (tests/conftest.py)."""
    return demo_academy


def test_demo_loads_four_complete_courses(loaded):
    assert set(CoursePage.objects.live().values_list("title", flat=True)) == DEMO_COURSES
    for course in CoursePage.objects.all():
        modules = ModulePage.objects.child_of(course)
        assert modules.count() >= 3, course.title
        for module in modules:
            lessons = LessonPage.objects.child_of(module)
            assert lessons.count() >= 2, module.title
            for lesson in lessons:
                assert len(lesson.knowledge_checks()) >= 1, lesson.title
                words = sum(len(block.render_as_block().split()) for block in lesson.body
                            if block.block_type == "text")
                assert words >= 300, f"{lesson.title}: {words} words"


def test_demo_has_people_roles_a_glossary_and_the_readmes_sign_ins(loaded):
    from django.contrib.auth import get_user_model

    from content.models import GlossaryTerm
    from learners.models import Grade, Organisation

    assert GlossaryTerm.objects.count() >= 25
    User = get_user_model()
    assert User.objects.get(email="trainer@example.gov.uk").groups.filter(name="Trainers").exists()
    assert User.objects.get(email="hr@example.gov.uk").groups.filter(name="HR reporters").exists()
    assert User.objects.get(email="admin@example.gov.uk").is_superuser
    assert User.objects.get(email="learner@example.gov.uk").check_password("learn-digital-2026")
    assert Organisation.objects.count() >= 5
    assert list(Grade.objects.values_list("name", flat=True))[:3] == ["AA", "AO", "EO"]
    # The sign-ins it prints are the README's, each with the demo password.
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    listed = set(re.findall(r"\| ([a-z]+@example\.gov\.uk) \| learn-digital-2026 \|", readme))
    printed = set(re.findall(r"^  \w+ +([a-z]+@example\.gov\.uk)$", loaded, re.MULTILINE))
    assert "coach@example.gov.uk" in printed
    assert printed == listed
    for email in printed:
        assert User.objects.get(email=email).check_password("learn-digital-2026")


def test_loading_the_demo_twice_changes_nothing(loaded):
    before = table_counts()
    revisions = revision_ids()
    call_command("load_demo_academy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert table_counts() == before
    assert revision_ids() == revisions


def test_demo_pages_serve(client, loaded):
    assert client.get("/").status_code == 200
    catalogue = client.get("/courses/").content.decode()
    for title in DEMO_COURSES:
        assert title.replace("(", "").split(" ")[0] in catalogue
    lesson = LessonPage.objects.live().first()
    response = client.get(lesson.url)
    assert response.status_code == 200
    assert b"app-glossary__definition" in response.content


def test_demo_has_its_scorm_package_once_in_a_user_research_lesson(client, loaded):
    """Issue 17: the demo's own SCORM 1.2 package (academy/demo/scorm/), uploaded once
    by the demo trainer, runs in "User needs, not assumptions"."""
    from content.models import ScormPackage, ScormVersion

    package = ScormPackage.objects.get()
    assert package.version == ScormVersion.SCORM_12
    assert package.launch_path == "index.html"
    assert package.title == "Spot the user need"
    assert package.identifier == "digital-academy-demo-spot-the-user-need"
    assert package.file_count == 4
    assert package.uploaded_by.email == "trainer@example.gov.uk"
    lesson = LessonPage.objects.live().get(slug="user-needs-not-assumptions")
    assert lesson.scorm_package_ids() == [package.pk]
    block = next(block for block in lesson.body if block.block_type == "scorm_package")
    assert block.value["minutes"] == 5
    assert "four short statements" in block.value["introduction"].source
    html = client.get(lesson.url).content.decode()
    assert "E-learning: Spot the user need" in html
    assert "four short statements" in html


def test_demo_user_research_certificates_last_a_year_and_its_package_is_passed(loaded):
    """Issue 17: User research's certificate is valid for 12 months, which no recurring
    required learning on it in the demo outlasts (CoursePage.clean would refuse). (The
    certificates themselves are issued once the load commits: see the SQLite check.)"""
    from learners.models import LessonProgress, ScormAttempt, ScormSuccess

    course = CoursePage.objects.get(slug="user-research-for-non-researchers")
    assert course.certificate_valid_months == 12
    course.full_clean()
    assert set(CoursePage.objects.exclude(pk=course.pk).values_list(
        "certificate_valid_months", flat=True)) == {None}
    # Those who finished the lesson passed the package, as its page would report it.
    lesson = LessonPage.objects.get(slug="user-needs-not-assumptions")
    finished = LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False)
    attempts = ScormAttempt.objects.filter(lesson=lesson)
    assert finished.exists()
    assert set(attempts.values_list("enrolment_id", flat=True)) == set(
        finished.values_list("enrolment_id", flat=True))
    assert set(attempts.values_list("success_status", flat=True)) == {ScormSuccess.PASSED}
    assert not attempts.filter(finished_at__isnull=True).exists()
