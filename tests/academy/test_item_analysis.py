"""Item analysis for trainers: figures checked against a known set of knowledge-check
attempts, small numbers suppressed, and only the course's trainers (and admins) see it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone

from academy.item_analysis import knowledge_checks_analyse, lessons_where_learners_stop
from academy.setup import TRAINERS
from courses.models import LessonPage
from learners.models import Enrolment, KnowledgeCheckAttempt
from tests.factories import UserFactory, course_with_lessons, knowledge_check

pytestmark = pytest.mark.django_db

SPRINT = ["A fixed length of a month or less", "As long as the work takes", "Exactly one year"]


@pytest.fixture
def course(catalogue):
    course = course_with_lessons(
        catalogue, modules=1, lessons=3, title="Scrum in practice",
        body=lambda: [{"type": "text", "value": "<p>Read.</p>"},
                      knowledge_check("How long is a sprint?", correct=(0,), options=SPRINT)])
    trainer = UserFactory(email="tess.trainer@example.gov.uk")
    trainer.groups.add(Group.objects.get_or_create(name=TRAINERS)[0])
    course.trainers.add(trainer)
    course.save()
    return course


def lessons(course):
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def check_of(lesson):
    block = lesson.knowledge_checks()[0]
    return block.id, [option.id for option in block.value["options"].bound_blocks]


def answer(enrolment, lesson, chosen, correct, minutes):
    block_id, _ = check_of(lesson)
    attempt = KnowledgeCheckAttempt.objects.create(
        enrolment=enrolment, lesson=lesson, block_id=block_id, chosen=chosen, correct=correct)
    # answered_at is set on create; put the attempts in a known order.
    KnowledgeCheckAttempt.objects.filter(pk=attempt.pk).update(
        answered_at=timezone.now() - timedelta(hours=1) + timedelta(minutes=minutes))


def enrolments(course, n):
    return [Enrolment.objects.create(user=UserFactory(), course=course) for _ in range(n)]


@override_settings(REPORT_MIN_GROUP_SIZE=5)
def test_figures_count_each_learners_first_answer(course):
    first, second, _third = lessons(course)
    _, (right, slow, year) = check_of(first)
    people = enrolments(course, 6)
    # Six learners answer the first lesson's check. First answers: four right, one
    # "as long as it takes", one "a year". Two of them then try again and get it right,
    # and one right learner answers again wrongly: neither changes the first answers.
    for enrolment in people[:4]:
        answer(enrolment, first, [right], True, minutes=1)
    answer(people[4], first, [slow], False, minutes=1)
    answer(people[5], first, [year], False, minutes=1)
    answer(people[4], first, [right], True, minutes=5)
    answer(people[5], first, [right], True, minutes=5)
    answer(people[0], first, [year], False, minutes=9)
    # Only two answer the second lesson's check: fewer than five.
    _, (right2, _s, _y) = check_of(second)
    for enrolment in people[:2]:
        answer(enrolment, second, [right2], True, minutes=1)

    checks = knowledge_checks_analyse(course=course)

    assert [c.lesson.pk for c in checks] == [lesson.pk for lesson in lessons(course)]
    one = checks[0]
    assert (one.answered, one.right_first_time, one.suppressed) == (6, 4, False)
    assert one.right_first_time_percent == 67
    assert [(o.text, o.correct, o.chosen, o.percent) for o in one.options] == [
        (SPRINT[0], True, 4, 67), (SPRINT[1], False, 1, 17), (SPRINT[2], False, 1, 17)]
    two = checks[1]
    assert (two.answered, two.suppressed, two.right_first_time, two.options) == (2, True, 0, [])
    three = checks[2]
    assert (three.answered, three.suppressed) == (0, True)


@override_settings(REPORT_MIN_GROUP_SIZE=3)
def test_the_lessons_where_learners_stop_count_unfinished_learners_only(course):
    first, second, third = lessons(course)
    people = enrolments(course, 8)
    for enrolment in people[:4]:
        enrolment.last_lesson = second
    for enrolment in people[4:6]:
        enrolment.last_lesson = first
    people[6].last_lesson = third
    people[6].completed_at = timezone.now()  # finished: not a stop
    for enrolment in people[:7]:
        enrolment.save()
    # people[7] enrolled and never opened a lesson: not counted.

    stops = lessons_where_learners_stop(course=course)

    assert [(s.lesson.pk, s.learners, s.suppressed) for s in stops] == [
        (second.pk, 4, False), (first.pk, 2, True)]


@override_settings(REPORT_MIN_GROUP_SIZE=2)
def test_the_page_shows_the_figures_and_hides_small_numbers(client, course):
    first, second, _ = lessons(course)
    _, (right, slow, _year) = check_of(first)
    people = enrolments(course, 3)
    answer(people[0], first, [right], True, minutes=1)
    answer(people[1], first, [right], True, minutes=1)
    answer(people[2], first, [slow], False, minutes=1)
    people[2].last_lesson = second
    people[2].save()

    client.force_login(course.trainers.get())
    response = client.get(f"/trainer/courses/{course.pk}/knowledge-checks/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "How learners answer the knowledge checks" in html
    assert "Answered by 3 learners. 67% were right first time." in html
    assert html.count("Answered by fewer than 2 learners.") == 2
    assert "Where learners stop" in html
    assert "<td class=\"govuk-table__cell govuk-table__cell--numeric\">fewer than 2</td>" in html


def test_a_trainer_of_another_course_and_a_learner_see_nothing(client, course, catalogue):
    other = course_with_lessons(catalogue, modules=1, lessons=1, title="Other course")
    other_trainer = UserFactory(email="otto.trainer@example.gov.uk")
    other_trainer.groups.add(Group.objects.get_or_create(name=TRAINERS)[0])
    other.trainers.add(other_trainer)
    other.save()
    url = f"/trainer/courses/{course.pk}/knowledge-checks/"

    client.force_login(other_trainer)
    assert client.get(url).status_code == 404
    assert client.get(f"/trainer/courses/{other.pk}/knowledge-checks/").status_code == 200
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(email="root@example.gov.uk", is_superuser=True))
    assert client.get(url).status_code == 200
