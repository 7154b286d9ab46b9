"""My learning (issue 15): one query for the learner's enrolments, the courses' titles,
addresses and final assessments from the course tree's cache, and attempts, follow-up
questions and sessions asked for only when there are some. What a trainer publishes,
and what the learner does, is seen at once; no learner sees another's."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import AssessmentPage
from learners.models import AssessmentAttempt, Enrolment, EnrolmentStatus, FollowUp
from learners.selectors import enrolment_status, enrolments_annotate_status
from learners.services.sessions import booking_cancel, session_book
from tests.factories import UserFactory, course_with_lessons
from tests.learners.assessment_helpers import add_assessment
from tests.learners.conftest import lessons_of
from tests.learners.session_helpers import TrainingSessionFactory

pytestmark = pytest.mark.django_db

MY_LEARNING = "/my-learning/"


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=2, title="Agile basics",
                               pass_mark=60)


@pytest.fixture
def learner(client):
    person = UserFactory(email="kai@example.gov.uk")
    client.force_login(person)
    return person


def page(client) -> str:
    response = client.get(MY_LEARNING)
    assert response.status_code == 200
    return response.content.decode()


def card_of(html: str, title: str) -> str:
    """The summary card whose title is `title`."""
    card = '<div class="govuk-summary-card">'
    start = html.rindex(card, 0, html.index(f">{title}</a></h3>"))
    end = html.find(card, start + len(card))
    return html[start:end if end != -1 else len(html)]


def queries(client) -> list[str]:
    # The first views warm what a running server keeps warm: the course tree map (the
    # next lessons' addresses), then this host's site in it.
    client.get(MY_LEARNING)
    client.get(MY_LEARNING)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(MY_LEARNING).status_code == 200
    return [query["sql"] for query in captured]


def started(learner, course, **fields) -> Enrolment:
    lessons = lessons_of(course)
    return Enrolment.objects.create(user=learner, course=course, next_lesson=lessons[1],
                                    last_lesson=lessons[0], last_fact_at=timezone.now(),
                                    progress_percent=50, **fields)


# --- The courses, from the course tree's cache ---------------------------------------


def test_a_course_retitled_and_published_is_named_anew_at_once(client, course, learner):
    started(learner, course)
    assert ">Agile basics</a>" in page(client)
    course.title = "Agile in practice"
    course.save_revision().publish()
    html = page(client)
    assert ">Agile in practice</a>" in html
    assert ">Agile basics</a>" not in html


def test_a_draft_title_is_not_shown(client, course, learner):
    started(learner, course)
    page(client)
    course.title = "Not yet"
    course.save_revision()
    html = page(client)
    assert ">Agile basics</a>" in html
    assert "Not yet" not in html


def test_a_course_given_a_new_slug_is_linked_at_its_new_address_at_once(
    client, course, learner
):
    started(learner, course)
    old_lesson_url = lessons_of(course)[1].url
    assert f'href="{old_lesson_url}"' in page(client)
    course.slug = "agile-in-practice"
    course.save_revision().publish()
    course.refresh_from_db()
    lesson_url = lessons_of(course)[1].url
    assert lesson_url.startswith("/courses/agile-in-practice/")
    card = card_of(page(client), "Agile basics")
    assert f'href="{course.url}"' in card
    assert f'href="{lesson_url}">Continue' in card
    assert old_lesson_url not in card


def test_a_learner_who_has_not_started_is_sent_to_the_course(client, course, learner):
    Enrolment.objects.create(user=learner, course=course)
    card = card_of(page(client), "Agile basics")
    assert f'href="{course.url}">Start' in card


def test_a_course_made_after_the_cards_were_read_is_shown(client, catalogue, course,
                                                           learner):
    started(learner, course)
    page(client)
    newer = course_with_lessons(catalogue, modules=1, lessons=1, title="User research")
    Enrolment.objects.create(user=learner, course=newer)
    assert ">User research</a>" in page(client)


# --- The final assessment, from the course's card -------------------------------------


def test_a_final_assessment_published_changed_and_unpublished_is_seen_at_once(
    client, course, learner
):
    enrolment = started(learner, course)
    assert "Final assessment" not in page(client)

    assessment = add_assessment(course, lessons_of(course), attempts=3)
    assert "Not started" in card_of(page(client), "Agile basics")

    AssessmentAttempt.objects.create(enrolment=enrolment, assessment=assessment, number=1,
                                     questions=[], score_percent=40,
                                     submitted_at=timezone.now() - timedelta(days=1))
    assert "1 of 3 attempts used, best score 40%" in page(client)

    assessment = AssessmentPage.objects.get(pk=assessment.pk)
    assessment.attempts_allowed = 5
    assessment.save_revision().publish()
    assert "1 of 5 attempts used, best score 40%" in page(client)

    assessment.unpublish()
    assert "Final assessment" not in page(client)


def test_the_course_pass_mark_published_decides_the_assessment_at_once(
    client, course, learner
):
    enrolment = started(learner, course)
    assessment = add_assessment(course, lessons_of(course))
    AssessmentAttempt.objects.create(enrolment=enrolment, assessment=assessment, number=1,
                                     questions=[], score_percent=70,
                                     submitted_at=timezone.now() - timedelta(days=1))
    course.pass_mark = 80
    course.save_revision().publish()
    assert "1 of 3 attempts used, best score 70%" in page(client)
    course.pass_mark = 60
    course.save_revision().publish()
    assert "Passed, 70%" in page(client)


# --- Follow-up questions ---------------------------------------------------------------


def _sent(enrolment, point, due_on) -> FollowUp:
    return FollowUp.objects.create(enrolment=enrolment, point_days=point, due_on=due_on,
                                   sent_at=timezone.now())


def test_only_each_courses_latest_question_is_asked_newest_first_until_answered(
    client, catalogue, course, learner
):
    other_course = course_with_lessons(catalogue, modules=1, lessons=1, title="Scrum")
    done = timezone.now() - timedelta(days=100)
    first = Enrolment.objects.create(user=learner, course=course, completed_at=done)
    second = Enrolment.objects.create(user=learner, course=other_course, completed_at=done)
    old = _sent(first, 30, date(2026, 1, 1))
    latest = _sent(first, 60, date(2026, 2, 1))
    newest = _sent(second, 30, date(2026, 3, 1))

    html = page(client)
    asked = html[html.index("Have you used it at work?"):]
    assert reverse("followup_answer", args=[old.pk]) not in asked
    assert (asked.index(reverse("followup_answer", args=[newest.pk]))
            < asked.index(reverse("followup_answer", args=[latest.pk])))

    FollowUp.objects.filter(pk__in=[latest.pk, newest.pk]).update(
        answer="no", answered_at=timezone.now())
    html = page(client)
    assert reverse("followup_answer", args=[latest.pk]) not in html
    assert reverse("followup_answer", args=[old.pk]) in html  # still not answered


def test_no_learner_is_asked_another_learners_question(client, course, learner):
    someone = UserFactory(email="someone@example.gov.uk")
    theirs = _sent(Enrolment.objects.create(user=someone, course=course,
                                            completed_at=timezone.now()), 30,
                   timezone.localdate())
    Enrolment.objects.create(user=learner, course=course, completed_at=timezone.now())
    html = page(client)
    assert "Have you used it at work?" not in html
    assert reverse("followup_answer", args=[theirs.pk]) not in html


# --- Sessions --------------------------------------------------------------------------


def test_a_booking_is_listed_and_leaves_when_cancelled(client, course, learner):
    session = TrainingSessionFactory(course=course)
    booking, _ = session_book(session=session, user=learner)  # enrols them on the course
    html = page(client)
    assert "Your sessions" in html
    assert reverse("session_detail", args=[session.pk]) in html
    booking_cancel(booking=booking, reason="Clash", by=learner)
    assert "Your sessions" not in page(client)


def test_a_booking_is_listed_with_no_enrolment(client, course, learner):
    session = TrainingSessionFactory(course=course)
    session_book(session=session, user=learner)
    Enrolment.objects.filter(user=learner).delete()
    html = page(client)
    assert "You have not enrolled on any courses yet." in html
    assert reverse("session_detail", args=[session.pk]) in html


def test_no_learner_sees_another_learners_booking(client, catalogue, course, learner):
    session = TrainingSessionFactory(course=course)
    session_book(session=session, user=UserFactory(email="other@example.gov.uk"))
    started(learner, course_with_lessons(catalogue, modules=1, lessons=2, title="Scrum"))
    html = page(client)
    assert "Your sessions" not in html
    assert reverse("session_detail", args=[session.pk]) not in html


# --- What it costs ---------------------------------------------------------------------


def test_one_query_when_there_is_nothing_of_a_kind_and_one_more_for_each(
    client, catalogue, course, learner
):
    enrolment = started(learner, course)
    assert len(queries(client)) == 1  # the enrolments (the person's row is kept)

    assessed = course_with_lessons(catalogue, modules=1, lessons=2, title="Assessed")
    add_assessment(assessed, lessons_of(assessed))
    started(learner, assessed)
    sqls = queries(client)
    assert len(sqls) == 2, sqls
    assert 'FROM "learners_assessmentattempt"' in sqls[1]

    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=timezone.now())
    sqls = queries(client)
    assert len(sqls) == 3, sqls
    assert any('FROM "learners_followup"' in sql for sql in sqls)

    session_book(session=TrainingSessionFactory(course=course), user=learner)
    sqls = queries(client)
    assert len(sqls) == 4, sqls
    assert any('FROM "learners_booking"' in sql for sql in sqls[1:])


def test_one_learner_sees_only_their_own_courses(client, catalogue, course, learner):
    other_course = course_with_lessons(catalogue, modules=1, lessons=2, title="Scrum")
    someone = UserFactory(email="someone@example.gov.uk")
    started(someone, other_course)
    started(learner, course)
    html = page(client)
    assert ">Agile basics</a>" in html
    assert ">Scrum</a>" not in html
    client.force_login(someone)
    html = page(client)
    assert ">Scrum</a>" in html
    assert ">Agile basics</a>" not in html


# --- The status worked out in Python ----------------------------------------------------


def test_enrolment_status_follows_the_rule_of_the_sql_annotation(catalogue):
    learner = UserFactory(email="status@example.gov.uk")
    today = timezone.localdate()
    now = timezone.now()
    cases = [
        {},
        {"started_at": now},
        {"last_fact_at": now},
        {"completed_at": now, "due_on": today - timedelta(days=5)},
        {"due_on": today - timedelta(days=1)},
        {"due_on": today},
        {"due_on": today - timedelta(days=3), "extended_due_on": today},
        {"due_on": today - timedelta(days=3), "extended_due_on": today - timedelta(days=1)},
        {"due_on": today + timedelta(days=3), "started_at": now},
    ]
    for n, fields in enumerate(cases):
        course = course_with_lessons(catalogue, modules=1, lessons=1, title=f"Course {n}")
        Enrolment.objects.create(user=learner, course=course, **fields)
    seen = set()
    for enrolment in enrolments_annotate_status(
            queryset=Enrolment.objects.filter(user=learner)):
        assert enrolment_status(enrolment=enrolment) == enrolment.status, enrolment.__dict__
        seen.add(enrolment.status)
    assert seen == set(EnrolmentStatus.values)


# --- The list's hand-written SQL against the ORM's -----------------------------------

def orm_enrolments_list_for_learner(*, user):
    """My learning's list as the ORM wrote it before issue 15 took its SQL by hand (the
    next lesson's path only when it is live: a withdrawn lesson is not linked)."""
    from django.db.models import Case, Exists, F, When

    from learners.services.sessions import bookings_open

    fields = ("course_id", "due_on", "extended_due_on", "last_fact_at", "progress_percent",
              "started_at", "completed_at", "certificate__id", "certificate__code",
              "certificate__file", "certificate__expires_on", "certificate__revoked_at")
    return list(Enrolment.objects.filter(user=user).select_related("certificate")
                .only(*fields)
                .annotate(next_lesson_url_path=Case(When(next_lesson__live=True,
                                                         then=F("next_lesson__url_path"))),
                          any_bookings=Exists(bookings_open(user=user)))
                .order_by("-last_fact_at", "-enrolled_at"))


def seen(enrolments) -> list[tuple]:
    out = []
    for e in enrolments:
        certificate = getattr(e, "certificate", None)
        out.append((
            e.pk, e.course_id, e.due_on, e.extended_due_on, e.last_fact_at,
            e.progress_percent, e.started_at, e.completed_at, e.next_lesson_url_path,
            bool(e.any_bookings),
            certificate and (certificate.pk, certificate.code, certificate.file.name,
                             certificate.expires_on, certificate.revoked_at),
        ))
    return out


def test_the_list_is_what_the_orm_reads_in_every_state(catalogue, course, learner):
    """Not started, started with a next lesson, completed with a certificate, required
    with an extension; no booking, a booking cancelled, a session already ended, one to
    come; and someone else's enrolments and bookings are never in it."""
    from learners.models import Booking
    from learners.selectors import enrolments_list_for_learner
    from tests.factories import certificate_held

    someone = UserFactory()
    other = course_with_lessons(catalogue, modules=1, lessons=2, title="Other")
    third = course_with_lessons(catalogue, modules=1, lessons=1, title="Third")
    today = timezone.localdate()
    started(learner, course)
    Enrolment.objects.create(user=learner, course=other, due_on=today,
                             extended_due_on=today + timedelta(days=5))
    certificate_held(learner, third, completed_on=today - timedelta(days=3),
                     expires_on=today + timedelta(days=300))
    Enrolment.objects.create(user=someone, course=course)

    def agree():
        ours = enrolments_list_for_learner(user=learner)
        assert seen(ours) == seen(orm_enrolments_list_for_learner(user=learner))
        assert len(ours) == 3
        return ours

    assert not any(e.any_bookings for e in agree())
    session_book(session=TrainingSessionFactory(course=course), user=someone)
    assert not any(e.any_bookings for e in agree())
    past = TrainingSessionFactory(course=course, starts_at=timezone.now() - timedelta(days=2),
                                  ends_at=timezone.now() - timedelta(days=2, hours=-2))
    session_book(session=TrainingSessionFactory(course=other), user=learner)
    Booking.objects.create(session=past, user=learner, status="booked",
                           booked_at=timezone.now() - timedelta(days=3))
    assert all(e.any_bookings for e in agree())
    booking_cancel(booking=Booking.objects.get(user=learner, session__course=other),
                   reason="Clash", by=learner)
    assert not any(e.any_bookings for e in agree())
    assert [e.next_lesson_url_path for e in agree()].count(None) >= 1


@pytest.mark.parametrize("withdraw", ["unpublish", "module unpublished"])
def test_continue_leads_to_the_next_lesson_and_to_the_course_once_it_is_withdrawn(
    client, course, learner, withdraw
):
    """The next lesson's address comes from the course tree map: a lesson taken down (or
    under a module taken down) is not linked, as it would only 404; the course is."""
    enrolment = started(learner, course)
    lesson = enrolment.next_lesson.specific
    assert f'href="{lesson.url}">Continue' in card_of(page(client), "Agile basics")
    if withdraw == "unpublish":
        lesson.unpublish()
    else:
        lesson.get_parent().specific.unpublish()
    card = card_of(page(client), "Agile basics")
    assert f'href="{lesson.url}"' not in card
    assert f'href="{course.url}">Continue' in card
