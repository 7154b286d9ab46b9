"""The final assessment: questions drawn from a pool, options shuffled, nothing of the
answers in the page before submission, a limit on attempts and a wait between them,
marking on the server, and the pass mark deciding completion."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.blocks.struct_block import StructBlockValidationError

from content.blocks import AssessmentQuestionBlock
from courses.models import AssessmentPage
from learners.models import AssessmentAttempt, Certificate, Enrolment
from learners.templatetags.learning import govuk_time
from tests.factories import UserFactory, course_with_lessons
from tests.learners.assessment_helpers import (
    EXPLANATION,
    add_assessment,
    answers_for,
    correct_ids,
    input_tags,
    pool,
    start,
    submit,
)
from tests.learners.conftest import enrol, lesson_body, lessons_of, work_through


@pytest.fixture
def assessed(catalogue):
    """A course (pass mark 60) with 2 lessons and a final assessment: 5 of 6 questions
    drawn, 3 attempts, an hour between them."""
    course = course_with_lessons(catalogue, modules=1, lessons=2, body=lesson_body,
                                 title="Assessed course", pass_mark=60)
    assessment = add_assessment(course, lessons_of(course))
    return course, assessment


@pytest.fixture
def taking(client, assessed, learner):
    course, _assessment = assessed
    client.force_login(learner)
    enrol(client, course)
    return client


def _attempt(learner) -> AssessmentAttempt:
    return AssessmentAttempt.objects.filter(enrolment__user=learner).latest("number")


def _let_the_wait_pass(learner):
    AssessmentAttempt.objects.filter(enrolment__user=learner).update(
        submitted_at=timezone.now() - timedelta(hours=2))


# --- Drawing and shuffling -----------------------------------------------------------


def test_an_attempt_draws_the_set_number_of_questions_from_the_pool(taking, assessed, learner):
    _course, assessment = assessed
    response = start(taking, assessment)
    attempt = _attempt(learner)
    assert response["Location"] == reverse("assessment_attempt", args=[attempt.pk])
    ids = [q["id"] for q in attempt.questions]
    assert len(ids) == 5 == len(set(ids))
    assert set(ids) <= set(assessment.question_ids())
    page = taking.get(response["Location"]).content.decode()
    assert page.count('class="govuk-fieldset"') == 5
    assert "Question 5 of 5" in page


def test_options_are_shuffled_per_attempt_and_shown_in_that_order(client, assessed):
    course, assessment = assessed
    orders: dict[str, set[tuple[str, ...]]] = {}
    drawn: set[tuple[str, ...]] = set()
    for n in range(12):
        person = UserFactory(email=f"shuffle{n}@example.gov.uk")
        client.force_login(person)
        enrol(client, course)
        start(client, assessment)
        attempt = _attempt(person)
        drawn.add(tuple(sorted(q["id"] for q in attempt.questions)))
        for q in attempt.questions:
            orders.setdefault(q["id"], set()).add(tuple(q["options"]))
        # The page shows the options in the attempt's order.
        page = client.get(reverse("assessment_attempt", args=[attempt.pk])).content.decode()
        for q in attempt.questions:
            shown = re.findall(rf'name="answer-{q["id"]}" type="\w+" value="([^"]+)"', page)
            assert shown == q["options"]
    # 12 attempts of 4 options: the chance that any question kept one order is negligible.
    assert all(len(seen) > 1 for seen in orders.values()), orders
    assert len(drawn) > 1  # and not always the same 5 of the 6


def test_single_answer_questions_are_radios_and_multiple_answer_are_checkboxes(
    taking, assessed, learner
):
    _course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    page = taking.get(reverse("assessment_attempt", args=[attempt.pk])).content.decode()
    for q in attempt.questions:
        multiple = len(correct_ids(assessment, q["id"])) > 1
        kind = "checkbox" if multiple else "radio"
        assert re.search(rf'name="answer-{q["id"]}" type="{kind}"', page)
    assert "Select all that apply." in page
    assert "Select one answer." in page


def test_the_page_before_submission_holds_nothing_about_the_right_answers(
    taking, assessed, learner
):
    _course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    page = taking.get(reverse("assessment_attempt", args=[attempt.pk])).content.decode()
    assert EXPLANATION not in page
    assert "correct" not in page.lower()
    # Every option's input is the same markup but for its id and value: no flag,
    # class or data attribute tells a right option from a wrong one.
    for q in attempt.questions:
        tags = [t for t in input_tags(page) if f'name="answer-{q["id"]}"' in t]
        assert len(tags) == 4
        shapes = {re.sub(r'(id|value)="[^"]*"', "", tag) for tag in tags}
        assert len(shapes) == 1, shapes


# --- Submitting ----------------------------------------------------------------------


def test_unanswered_questions_give_govuk_errors_and_save_nothing(taking, assessed, learner):
    _course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    first = attempt.questions[0]
    data = {f"answer-{first['id']}": correct_ids(assessment, first["id"])}
    response = submit(taking, attempt, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "There is a problem" in page
    for n, q in enumerate(attempt.questions[1:], start=2):
        assert f'href="#question-{q["id"]}-1"' in page
        assert re.search(rf"Question {n}: Select (an answer|all the answers that apply)", page)
    assert page.count('class="govuk-error-message"') == 4
    # The answer given is still chosen, and still no answers are in the page.
    checked = [t for t in input_tags(page) if f'name="answer-{first["id"]}"' in t
               and "checked" in t]
    assert len(checked) == len(data[f"answer-{first['id']}"])
    assert EXPLANATION not in page
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    assert attempt.answers == {}
    assert attempt.score_percent is None


def test_an_option_from_another_question_is_not_an_answer(taking, assessed, learner):
    _course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    data = answers_for(attempt, right=5)
    one, two = attempt.questions[0]["id"], attempt.questions[1]["id"]
    data[f"answer-{one}"] = data[f"answer-{two}"]
    response = submit(taking, attempt, data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_the_result_says_which_questions_were_wrong_and_which_lesson_teaches_each(
    taking, assessed, learner
):
    _course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    response = submit(taking, attempt, answers_for(attempt, right=3))
    assert response["Location"] == reverse("assessment_attempt", args=[attempt.pk])
    page = taking.get(response["Location"]).content.decode()
    attempt.refresh_from_db()
    assert attempt.score_percent == 60
    assert "You passed" in page
    assert "you scored 60%" in page
    wrong_list = page.split('id="wrong-questions"')[1].split("</ul>")[0]
    pool_blocks = assessment.questions_by_id()
    for q in attempt.questions[3:]:
        block = pool_blocks[q["id"]]
        assert block.value["question"] in wrong_list
        assert f'href="{block.value["lesson"].specific.url}"' in wrong_list
    for q in attempt.questions[:3]:
        assert pool_blocks[q["id"]].value["question"] not in wrong_list


def test_right_answers_are_revealed_only_after_passing_or_using_every_attempt(
    taking, assessed, learner
):
    _course, assessment = assessed
    for n in range(3):
        start(taking, assessment)
        attempt = _attempt(learner)
        submit(taking, attempt, answers_for(attempt, right=1))
        page = taking.get(reverse("assessment_attempt", args=[attempt.pk])).content.decode()
        if n < 2:
            assert EXPLANATION not in page
            assert "Right answer" not in page
            assert "The right answers and explanations are shown once you pass" in page
        _let_the_wait_pass(learner)
    assert EXPLANATION in page
    assert "Right answer" in page


def test_submitting_twice_changes_nothing(taking, assessed, learner):
    _course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    submit(taking, attempt, answers_for(attempt, right=1))
    submit(taking, attempt, answers_for(attempt, right=5))
    attempt.refresh_from_db()
    assert attempt.score_percent == 20
    assert AssessmentAttempt.objects.filter(enrolment__user=learner).count() == 1


# --- Limits --------------------------------------------------------------------------


def test_starting_again_before_submitting_returns_the_same_attempt(taking, assessed, learner):
    _course, assessment = assessed
    first = start(taking, assessment)["Location"]
    second = start(taking, assessment)["Location"]
    assert first == second
    assert AssessmentAttempt.objects.count() == 1


def test_a_learner_must_wait_between_attempts(taking, assessed, learner):
    _course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    submit(taking, attempt, answers_for(attempt, right=0))
    attempt.refresh_from_db()
    response = start(taking, assessment)
    assert response["Location"] == reverse("assessment", args=[assessment.pk])
    page = taking.get(response["Location"]).content.decode()
    ready = timezone.localtime(attempt.submitted_at + timedelta(hours=1, minutes=1))
    expected = f"You can try again from {govuk_time(ready)} on {ready.day} {ready:%B}"
    assert expected in page
    assert AssessmentAttempt.objects.count() == 1
    _let_the_wait_pass(learner)
    start(taking, assessment)
    assert AssessmentAttempt.objects.count() == 2


def test_a_learner_has_a_limited_number_of_attempts(taking, assessed, learner):
    _course, assessment = assessed
    for _ in range(3):
        start(taking, assessment)
        attempt = _attempt(learner)
        submit(taking, attempt, answers_for(attempt, right=0))
        _let_the_wait_pass(learner)
    page = taking.get(start(taking, assessment)["Location"]).content.decode()
    assert "You have used all 3 attempts \u2014 contact the course trainer" in page
    assert AssessmentAttempt.objects.count() == 3
    assert "Try again" not in page


def test_no_new_attempt_once_passed(taking, assessed, learner):
    _course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    submit(taking, attempt, answers_for(attempt, right=5))
    _let_the_wait_pass(learner)
    start(taking, assessment)
    assert AssessmentAttempt.objects.count() == 1


# --- Completion ----------------------------------------------------------------------


def _enrolment(learner, course) -> Enrolment:
    return Enrolment.objects.get(user=learner, course=course)


def test_the_pass_mark_decides_completion(taking, assessed, learner):
    course, assessment = assessed
    work_through(taking, lessons_of(course))
    enrolment = _enrolment(learner, course)
    assert enrolment.completed_at is None, "lessons alone do not complete an assessed course"
    assert enrolment.score_percent is None

    start(taking, assessment)
    attempt = _attempt(learner)
    submit(taking, attempt, answers_for(attempt, right=2))  # 40%, below 60%
    enrolment = _enrolment(learner, course)
    assert enrolment.score_percent == 40
    assert enrolment.completed_at is None
    assert not Certificate.objects.exists()

    _let_the_wait_pass(learner)
    start(taking, assessment)
    attempt = _attempt(learner)
    submit(taking, attempt, answers_for(attempt, right=3))  # 60%: at the pass mark
    enrolment = _enrolment(learner, course)
    assert enrolment.score_percent == 60
    assert enrolment.completed_at is not None
    assert Certificate.objects.filter(enrolment=enrolment).exists()
    page = taking.get(course.url).content.decode()
    assert "You completed this course" in page  # shown at once, not after a recompute
    assert "best final assessment score 60%" in page


def test_passing_the_assessment_before_the_lessons_completes_with_the_last_lesson(
    taking, assessed, learner
):
    course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    submit(taking, attempt, answers_for(attempt, right=5))
    assert _enrolment(learner, course).completed_at is None
    work_through(taking, lessons_of(course))
    assert _enrolment(learner, course).completed_at is not None


def test_a_draft_assessment_does_not_change_the_course_rule(client, catalogue, learner):
    course = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                 pass_mark=50)
    assessment = add_assessment(course, lessons_of(course))
    assessment.unpublish()
    client.force_login(learner)
    enrol(client, course)
    work_through(client, lessons_of(course))
    assert _enrolment(learner, course).completed_at is not None


# --- Pages ---------------------------------------------------------------------------


def test_the_course_page_shows_the_assessment_as_the_last_step(taking, assessed, learner):
    course, assessment = assessed
    page = taking.get(course.url).content.decode()
    assert re.search(r'2\. (<a [^>]*>)?Final assessment', page)
    assert "Final assessment: " not in page  # the title says it once
    assert "60% in the final assessment" in page
    assert "Not started" in page
    assert "Start the assessment" in page
    start(taking, assessment)
    attempt = _attempt(learner)
    submit(taking, attempt, answers_for(attempt, right=0))
    page = taking.get(course.url).content.decode()
    assert "You have used 1 of 3 attempts" in page
    assert "You can try again from" in page


def test_my_learning_shows_the_assessment_state(taking, assessed, learner):
    course, assessment = assessed
    page = taking.get(reverse("my_learning")).content.decode()
    assert "Final assessment" in page
    assert "Not started" in page
    action = page.split('class="govuk-summary-card__action">')[1].split("</li>")[0]
    assert ">Start<" in action, action  # just enrolled: the lessons come first
    start(taking, assessment)
    attempt = _attempt(learner)
    submit(taking, attempt, answers_for(attempt, right=1))
    page = taking.get(reverse("my_learning")).content.decode()
    assert "1 of 3 attempts used, best score 20%" in page
    # The card's action: the lessons first; the assessment once they are done.
    action = page.split('class="govuk-summary-card__action">')[1].split("</li>")[0]
    assert ">Start<" in action or ">Continue<" in action
    work_through(taking, lessons_of(course))
    page = taking.get(reverse("my_learning")).content.decode()
    action = page.split('class="govuk-summary-card__action">')[1].split("</li>")[0]
    assert f'href="{reverse("assessment", args=[assessment.pk])}"' in action
    assert "Final assessment" in action


def test_my_learning_queries_do_not_grow_with_assessed_courses(
    client, catalogue, learner, django_assert_max_num_queries
):
    client.force_login(learner)
    client.get(reverse("my_learning"))  # the session's first page reads its roles once
    counts = []
    for n in range(3):
        course = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                     title=f"Assessed {n}")
        add_assessment(course, lessons_of(course))
        enrol(client, course)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("my_learning"))
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_only_the_enrolled_learner_sees_the_assessment_and_their_attempts(
    client, taking, assessed, learner
):
    course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    other = UserFactory(email="other@example.gov.uk")
    client.force_login(other)
    assert client.get(reverse("assessment", args=[assessment.pk])).status_code == 404
    assert start(client, assessment).status_code == 404
    enrol(client, course)  # enrolled too, but the attempt is still someone else's
    assert client.get(reverse("assessment_attempt", args=[attempt.pk])).status_code == 404
    assert submit(client, attempt, answers_for(attempt, right=5)).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_the_assessment_page_sends_learners_to_the_learning_pages(taking, assessed):
    _course, assessment = assessed
    response = taking.get(assessment.url)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment", args=[assessment.pk])


# --- Authoring -----------------------------------------------------------------------


def test_a_question_needs_a_correct_option():
    block = AssessmentQuestionBlock()
    value = block.to_python({"question": "Which?", "explanation": "<p>Why.</p>",
                             "lesson": None, "options": [
                                 {"text": "One", "correct": False},
                                 {"text": "Two", "correct": False}]})
    with pytest.raises(StructBlockValidationError):
        block.clean(value)


def test_no_more_questions_per_attempt_than_the_pool_holds(catalogue):
    course = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body)
    page = AssessmentPage(title="Final", slug="final", questions_per_attempt=7,
                          pool=pool(lessons_of(course), size=6))
    with pytest.raises(ValidationError) as raised:
        page.full_clean()
    assert "questions_per_attempt" in raised.value.message_dict


def test_trainers_may_add_one_final_assessment_to_a_course(catalogue):
    from django.contrib.auth.models import Group

    from academy.setup import TRAINERS

    course = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body)
    trainer = UserFactory(email="trainer@example.gov.uk", is_staff=True)
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    assert course.permissions_for_user(trainer).can_add_subpage()
    assert AssessmentPage.can_create_at(course)
    add_assessment(course, lessons_of(course))
    assert not AssessmentPage.can_create_at(course)  # one a course


def test_a_learners_data_download_includes_their_assessment_attempts(taking, assessed, learner):
    _course, assessment = assessed
    start(taking, assessment)
    attempt = _attempt(learner)
    submit(taking, attempt, answers_for(attempt, right=4))
    data = taking.get(reverse("my_data")).json()
    [exported] = data["final_assessment_attempts"]
    assert exported["score_percent"] == 80
    assert exported["attempt"] == 1
    assert exported["questions"] == [q["id"] for q in attempt.questions]


def test_an_assessment_learners_have_taken_cannot_be_deleted_in_the_editor(
    client, taking, assessed, learner
):
    _course, assessment = assessed
    start(taking, assessment)
    submit(taking, _attempt(learner), answers_for(_attempt(learner), right=5))
    admin = UserFactory(email="admin@example.gov.uk", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(f"/admin/pages/{assessment.pk}/delete/", follow=True)
    assert "Learners have taken this assessment, so it cannot be deleted" in (
        response.content.decode())
    assert AssessmentPage.objects.filter(pk=assessment.pk).exists()
    assert AssessmentAttempt.objects.filter(assessment=assessment).count() == 1


def test_a_question_needs_an_explanation_with_words_in_it():
    block = AssessmentQuestionBlock()
    value = block.to_python({"question": "Which?", "explanation": "<p></p>",
                             "lesson": None, "options": [
                                 {"text": "One", "correct": True},
                                 {"text": "Two", "correct": False}]})
    with pytest.raises(StructBlockValidationError) as raised:
        block.clean(value)
    assert "explanation" in raised.value.block_errors


def test_a_new_question_starts_with_two_options():
    assert len(AssessmentQuestionBlock().get_default()["options"]) == 2
