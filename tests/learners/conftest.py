import pytest
from django.urls import reverse

from courses.models import LessonPage
from learners.models import Grade, Organisation, Profession
from tests.factories import UserFactory, course_with_lessons, knowledge_check

PASSWORD = "correct-horse-battery"


def lesson_body():
    return [
        {"type": "text", "value": "<p>Teams work in short cycles called sprints.</p>"},
        knowledge_check(),
    ]


@pytest.fixture
def people(db):
    """An organisation, grade and profession to sign up with."""
    return {
        "organisation": Organisation.add_root(name="Department for Tests", slug="dft"),
        "grade": Grade.objects.create(name="EO", rank=3),
        "profession": Profession.objects.create(name="Policy", slug="policy"),
    }


@pytest.fixture
def course(catalogue):
    """A published course: 2 modules of 2 lessons, each with one knowledge check."""
    return course_with_lessons(catalogue, modules=2, lessons=2, body=lesson_body,
                               title="Agile basics", pass_mark=50)


@pytest.fixture
def learner(db):
    return UserFactory(email="sam@example.gov.uk", first_name="Sam", last_name="Okafor")


def lessons_of(course) -> list[LessonPage]:
    return list(LessonPage.objects.live().descendant_of(course).order_by("path"))


def right_answers(lesson, block) -> list[str]:
    return [o.id for o in block.value["options"].bound_blocks if o.value["correct"]]


def wrong_answers(lesson, block) -> list[str]:
    return [next(o.id for o in block.value["options"].bound_blocks if not o.value["correct"])]


def work_through(client, lessons, answers=right_answers):
    """Open each lesson, answer its knowledge checks and mark it complete, over HTTP."""
    for lesson in lessons:
        assert client.get(lesson.url).status_code == 200
        for block in lesson.knowledge_checks():
            response = client.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                                   {"check": block.id, "answer": answers(lesson, block)})
            assert response.status_code == 302
        response = client.post(reverse("lesson_complete", args=[lesson.pk]))
        assert response.status_code == 302


def enrol(client, course):
    return client.post(reverse("enrol", args=[course.pk]))


@pytest.fixture
def certificate(client, course, learner):
    """The learner's certificate for the course, earned through the pages."""
    from django.core.cache import cache

    from learners.models import Certificate

    client.force_login(learner)
    enrol(client, course)
    work_through(client, lessons_of(course))
    client.logout()
    cache.clear()  # the rate limits the journey counted
    return Certificate.objects.get()
