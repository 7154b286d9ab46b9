"""What the catalogue and the course page keep in the cache (issue 15, courses.fragments):
the parts everyone is shown alike. Every change to them is seen at the next view (a
course published, edited, unpublished; a topic renamed; a trainer added or renamed;
the final assessment published or withdrawn; a session added, filled or cancelled),
and nothing of one person's is ever shown to another: the learner's status, progress
and enrol button are rendered for each request around the kept parts."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import CoursePage
from learners.models import BookingStatus
from learners.services import sessions as booking
from tests.factories import CoursePageFactory, UserFactory, course_with_lessons
from tests.learners.assessment_helpers import add_assessment
from tests.learners.conftest import enrol, lessons_of, work_through
from tests.learners.session_factories import BookingFactory
from tests.learners.session_helpers import TrainingSessionFactory, make_trainer_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=2, lessons=2, title="Agile basics")


def card_titles(client) -> list[str]:
    html = client.get("/courses/").content.decode()
    return re.findall(r'<h3 class="govuk-heading-m"><a class="govuk-link" href="[^"]*">([^<]*)</a>',
                      html)


def card_of(html: str, title: str) -> str:
    """The catalogue's card for the course titled `title` (to the next card)."""
    start = html.index(f">{title}</a>")
    end = html.find('<li class="app-course-card">', start)
    return html[start:end if end >= 0 else len(html)]


def course_page(client, course) -> str:
    response = client.get(course.url)
    assert response.status_code == 200
    return response.content.decode()


# --- The catalogue ---------------------------------------------------------------------

def test_a_published_edited_or_withdrawn_course_is_seen_in_the_catalogue_at_once(
    client, catalogue, course
):
    assert card_titles(client) == ["Agile basics"]
    second = CoursePageFactory(parent=catalogue, title="Blameless reviews")
    assert card_titles(client) == ["Agile basics", "Blameless reviews"]
    second.title = "Running blameless reviews"
    second.summary = "What went well, what did not."
    second.save_revision().publish()
    html = client.get("/courses/").content.decode()
    assert "Running blameless reviews" in html
    assert "What went well, what did not." in html
    assert "Blameless reviews<" not in html
    second.unpublish()
    assert card_titles(client) == ["Agile basics"]
    assert client.get("/courses/").context["result_count"] == 1


def test_a_renamed_topic_is_seen_on_the_cards_and_the_filters_at_once(client, course):
    html = client.get("/courses/").content.decode()
    topic = CoursePage.objects.get(pk=course.pk).topic
    assert f"<strong>Topic:</strong> {topic.name}" in html
    topic.name = "Ways of working"
    topic.save()
    html = client.get("/courses/").content.decode()
    assert "<strong>Topic:</strong> Ways of working" in html
    assert re.search(r'<label class="govuk-label govuk-checkboxes__label" [^>]*>'
                     r"Ways of working</label>", html)


def test_the_kept_catalogue_pages_through_every_course(client, catalogue):
    for n in range(12):
        CoursePageFactory(parent=catalogue, title=f"Course {n:02d}")
    assert card_titles(client) == [f"Course {n:02d}" for n in range(10)]
    second = client.get("/courses/", {"page": 2})
    assert [c.title for c in second.context["courses"]] == ["Course 10", "Course 11"]
    assert b'aria-current="page">2</a>' in second.content
    assert second.context["result_count"] == 12


def test_a_learner_sees_their_own_status_in_the_catalogue_and_nobody_elses(
    client, catalogue, course
):
    other = course_with_lessons(catalogue, modules=1, lessons=1, title="Blameless reviews")
    first, second = UserFactory(), UserFactory()
    client.force_login(first)
    enrol(client, course)
    html = client.get("/courses/").content.decode()
    assert "Your status: </span>" in card_of(html, "Agile basics")
    assert "Your status" not in card_of(html, "Blameless reviews")
    # The second learner, after the first has filled the cache, sees no status of theirs.
    client.force_login(second)
    html = client.get("/courses/").content.decode()
    assert "Your status" not in html
    enrol(client, other)
    html = client.get("/courses/").content.decode()
    assert "Your status" not in card_of(html, "Agile basics")
    assert "Your status: </span>" in card_of(html, "Blameless reviews")
    client.logout()
    assert "Your status" not in client.get("/courses/").content.decode()


def test_the_kept_catalogue_is_read_in_no_query_of_its_own(client, catalogue, course):
    for n in range(5):
        CoursePageFactory(parent=catalogue, title=f"Course {n:02d}")
    client.get("/courses/")
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/courses/").status_code == 200
    # Routing the address to the catalogue is all (its cards, count, topics are kept).
    assert len(captured) == 1, [q["sql"] for q in captured]


# --- The course page -------------------------------------------------------------------

def test_a_trainer_added_or_renamed_is_seen_on_the_course_page_at_once(client, course):
    assert "Trainer" not in course_page(client, course)
    trainer = UserFactory(first_name="Tess", last_name="Trainer")
    course = CoursePage.objects.get(pk=course.pk)
    course.trainers.add(trainer)  # as the editor does: kept on the page until published
    course.save_revision().publish()
    assert "Tess Trainer" in course_page(client, course)
    trainer.last_name = "Tutor"
    trainer.save()
    html = course_page(client, course)
    assert "Tess Tutor" in html
    assert "Tess Trainer" not in html


def test_the_final_assessment_published_or_withdrawn_is_seen_at_once(client, course):
    assert 'id="final-assessment"' not in course_page(client, course)
    assessment = add_assessment(course, lessons_of(course), title="Agile check")
    assert "Final assessment: Agile check" in course_page(client, course)
    assessment.unpublish()
    assert 'id="final-assessment"' not in course_page(client, course)


def test_sessions_added_filled_and_cancelled_are_seen_at_once(client, course):
    assert 'id="sessions"' not in course_page(client, course)
    session = TrainingSessionFactory(course=course, capacity=2)
    html = course_page(client, course)
    assert "2 of 2 places left" in html
    BookingFactory(session=session)
    assert "1 of 2 places left" in course_page(client, course)
    booked = BookingFactory(session=session)
    assert "Full \u2013 join the waiting list" in course_page(client, course)
    booked.status = BookingStatus.CANCELLED
    booked.cancelled_at = timezone.now()
    booked.save()
    assert "1 of 2 places left" in course_page(client, course)
    session.cancelled_at = timezone.now()
    session.cancelled_reason = "The trainer is ill."
    session.save()
    assert 'id="sessions"' not in course_page(client, course)


def test_a_kept_session_is_left_out_once_it_has_started(course):
    session = TrainingSessionFactory(course=course)
    assert [s.pk for s in booking.course_sessions_upcoming(course=course)] == [session.pk]
    later = session.starts_at + timedelta(minutes=1)
    assert booking.course_sessions_upcoming(course=course, now=later) == []


def test_a_module_retitled_or_a_lesson_withdrawn_is_seen_in_the_outline_at_once(
    client, course
):
    module = course.get_children().first().specific
    module.title = "Sprints and reviews"
    module.save_revision().publish()
    assert "Sprints and reviews</a>" in course_page(client, course)
    lesson = lessons_of(course)[0]
    assert f">{lesson.title}</a>" in course_page(client, course)
    lesson.unpublish()
    assert f">{lesson.title}</a>" not in course_page(client, course)


def module_statuses(html: str) -> list[str]:
    section = html.split("Course outline", 1)[1]
    return re.findall(r'<h3 class="govuk-heading-m">\d+\. .*?</a>\s*'
                      r'(?:<strong class="govuk-tag[^"]*">([^<]*)</strong>)?', section, re.S)


def test_each_learner_sees_their_own_progress_on_the_course_page(client, course):
    ahead, starting = UserFactory(), UserFactory()
    client.force_login(ahead)
    enrol(client, course)
    work_through(client, lessons_of(course)[:2])
    html = course_page(client, course)
    assert module_statuses(html) == ["Completed", "Not started"]
    assert "2 of 4 required lessons complete" in html
    client.force_login(starting)
    html = course_page(client, course)
    assert module_statuses(html) == ["", ""]
    assert "Enrol on this course" in html
    assert "Your progress" not in html
    enrol(client, course)
    html = course_page(client, course)
    assert module_statuses(html) == ["Not started", "Not started"]
    assert "0 of 4 required lessons complete" in html
    client.logout()
    html = course_page(client, course)
    assert module_statuses(html) == ["", ""]
    assert "Sign in</a> or" in html
    assert "Your progress" not in html


def test_the_enrol_form_has_this_visitors_csrf_token(course):
    from tests.conftest import CommittingClient

    tokens = []
    for person in (UserFactory(), UserFactory()):
        client = CommittingClient()
        client.force_login(person)
        html = course_page(client, course)
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
        assert tokens[-1]
    # Each form carries the token of the visitor's own session: a kept copy would
    # carry the first visitor's (masked differently each time, so compare unmasked).
    from django.middleware.csrf import _unmask_cipher_token

    assert _unmask_cipher_token(tokens[0]) != _unmask_cipher_token(tokens[1])


def test_a_kept_course_page_is_read_in_no_query_of_its_own(client, course):
    add_assessment(course, lessons_of(course))
    make_trainer_of(course, UserFactory(first_name="Tess", last_name="Trainer"))
    TrainingSessionFactory(course=course)
    course_page(client, course)
    with CaptureQueriesContext(connection) as captured:
        html = course_page(client, course)
    assert "Tess Trainer" in html
    assert 'id="sessions"' in html
    assert 'id="final-assessment"' in html
    # Routing the address to the course is all.
    assert len(captured) == 1, [q["sql"] for q in captured]
