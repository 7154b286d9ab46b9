"""What a signed-in, enrolled learner's pages and lesson completion cost the learning
record (issue 15), on a 20-lesson course: the queries that read or write the learner's
own rows (enrolment, lesson progress, answers, notes, certificate), so these fail if the
counts creep back; that looking at a lesson again writes nothing; and that no learner
sees another's progress."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learners.models import Enrolment, LessonProgress
from tests.factories import UserFactory, activity, course_with_lessons, knowledge_check
from tests.learners.conftest import enrol, lessons_of, right_answers

# The learner's own rows. learners_user (the signed-in user) is the session's.
RECORD = re.compile(r'"learners_(enrolment|lessonprogress|knowledgecheckattempt|'
                    r'learninglogentry|certificate|assessmentattempt)"')
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def lesson_body():
    return [{"type": "text", "value": "<p>Teams work in short cycles called sprints.</p>"},
            knowledge_check()]


@pytest.fixture
def course(catalogue):
    """A published course of 20 lessons (4 modules of 5), each with a knowledge check."""
    return course_with_lessons(catalogue, modules=4, lessons=5, body=lesson_body,
                               title="Agile at scale", pass_mark=50)


@pytest.fixture
def learner(client, course):
    """Signed in and enrolled, with the first lesson opened (so the pages are warm)."""
    person = UserFactory(email="ola@example.gov.uk")
    client.force_login(person)
    enrol(client, course)
    assert client.get(lessons_of(course)[0].url).status_code == 200
    return person


def captured(client, method: str, url: str, **data) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data)
    assert response.status_code in (200, 302)
    return [query["sql"] for query in queries.captured_queries]


def record(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if RECORD.search(sql)]


def writes(sqls: list[str]) -> list[str]:
    return [sql for sql in sqls if WRITE.match(sql)]


def request_only(learner) -> Client:
    """A client whose requests' after-commit work (the Celery recompute, run eagerly by
    the `client` fixture) never runs: what the request itself does."""
    plain = Client()
    plain.force_login(learner)
    return plain


def answer(client, lesson):
    block = lesson.knowledge_checks()[0]
    response = client.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                           {"check": block.id, "answer": right_answers(lesson, block)})
    assert response.status_code == 302


# --- The lesson page ----------------------------------------------------------------


def test_looking_at_a_lesson_again_reads_the_record_once_and_writes_nothing(
    client, course, learner
):
    lesson = lessons_of(course)[0]
    sqls = captured(client, "get", lesson.url)
    # The enrolment with this lesson's progress, the lessons done and the answers.
    assert len(record(sqls)) == 1, record(sqls)
    assert '"learners_knowledgecheckattempt"' in record(sqls)[0]
    assert writes(sqls) == []
    assert not [sql for sql in sqls if sql.startswith(("SAVEPOINT", "BEGIN"))]


def test_opening_a_lesson_the_first_time_inserts_its_progress_and_records_the_fact(
    client, course, learner
):
    lesson = lessons_of(course)[1]
    sqls = writes(record(captured(request_only(learner), "get", lesson.url)))
    assert len(sqls) == 2, sqls
    assert sqls[0].startswith('INSERT INTO "learners_lessonprogress"')
    assert sqls[1].startswith('UPDATE "learners_enrolment"')
    enrolment = Enrolment.objects.get(user=learner)
    assert enrolment.last_lesson_id == lesson.pk
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 2


def test_going_back_to_a_lesson_opened_before_only_moves_the_resume_point(
    client, course, learner
):
    first, second = lessons_of(course)[:2]
    client.get(second.url)
    fact_at = Enrolment.objects.get(user=learner).last_fact_at
    sqls = writes(captured(client, "get", first.url))
    assert len(sqls) == 1, sqls
    assert sqls[0].startswith('UPDATE "learners_enrolment" SET "last_lesson_id"')
    enrolment = Enrolment.objects.get(user=learner)
    assert (enrolment.last_lesson_id, enrolment.last_fact_at) == (first.pk, fact_at)
    # The course page continues from there.
    page = client.get(course.url).content.decode()
    assert f'href="{first.url}" role="button"' in page


def test_a_lesson_without_checks_or_activities_reads_the_record_once(
    client, catalogue, learner
):
    plain = course_with_lessons(catalogue, modules=1, lessons=2, title="Plain reading")
    enrol(client, plain)
    lesson = lessons_of(plain)[0]
    client.get(lesson.url)
    assert len(record(captured(client, "get", lesson.url))) == 1


def test_a_lesson_with_an_activity_reads_the_learners_notes_with_the_enrolment(
    client, catalogue, learner
):
    with_notes = course_with_lessons(catalogue, modules=1, lessons=1, title="Reflecting",
                                     body=lambda: [activity()])
    enrol(client, with_notes)
    lesson = lessons_of(with_notes)[0]
    client.get(lesson.url)
    sqls = record(captured(client, "get", lesson.url))
    assert len(sqls) == 1, sqls
    assert '"learners_learninglogentry"' in sqls[0]


# --- The course page and My learning --------------------------------------------------


def test_the_course_page_reads_the_record_once(client, course, learner):
    client.get(course.url)
    sqls = record(captured(client, "get", course.url))
    assert len(sqls) == 1, sqls
    page = client.get(course.url).content.decode()
    assert "0 of 20 required lessons complete" in page


def test_my_learning_takes_one_query_the_record(client, course, learner):
    client.get(reverse("my_learning"))
    sqls = captured(client, "get", reverse("my_learning"))
    # The enrolments, with whether there are sessions to show. Nothing completed, no
    # final assessment, no session: no query for follow-up questions, attempts or
    # bookings (tests/academy/test_my_learning.py has those).
    assert len(record(sqls)) == 1, record(sqls)
    assert not [sql for sql in sqls if 'FROM "learners_followup"' in sql]
    assert len(sqls) == 1, sqls  # the person's row is kept (learners.people_kept)
    assert writes(sqls) == []


# --- Completing a lesson ------------------------------------------------------------


def test_completing_a_lesson_is_two_updates_and_three_reads_of_the_record(
    client, course, learner
):
    lesson = lessons_of(course)[0]
    answer(client, lesson)
    sqls = captured(request_only(learner), "post",
                    reverse("lesson_complete", args=[lesson.pk]))
    assert [sql.split(" SET ")[0] for sql in writes(record(sqls))] == [
        'UPDATE "learners_lessonprogress"', 'UPDATE "learners_enrolment"']
    # The enrolment, the answers, the lock on the enrolment (its last fact), the lesson
    # progress; the two UPDATEs.
    assert len(record(sqls)) == 6, record(sqls)
    assert any(sql.endswith("FOR UPDATE") for sql in record(sqls))
    # No read of the lesson's body: its checks come from the course's outline.
    assert not [sql for sql in sqls if '"courses_lessonpage"."body"' in sql]


def test_a_completion_leaves_the_recompute_nothing_to_do_unless_a_fact_came_between(
    client, course, learner, django_capture_on_commit_callbacks
):
    """Completing works out the learner's progress under the enrolment's lock, so the
    recompute task is queued only when another fact was recorded between the request's
    reads and that lock (or on completing the course, for its certificate)."""
    from learners import services
    from learners.selectors import enrolment_get

    first, second, third = lessons_of(course)[:3]
    for lesson in (first, second, third):
        answer(client, lesson)
    enrolment = enrolment_get(user=learner, course=course)
    with django_capture_on_commit_callbacks() as callbacks:
        services.lesson_complete(enrolment=enrolment, lesson=first)
    assert callbacks == []
    saved = Enrolment.objects.get(pk=enrolment.pk)
    assert saved.progress_computed_at == saved.last_fact_at  # not stale: nothing to do
    assert saved.progress_percent == 5

    # A request that read the enrolment before another fact was recorded...
    behind = enrolment_get(user=learner, course=course)
    services.lesson_complete(enrolment=enrolment_get(user=learner, course=course),
                             lesson=second)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.lesson_complete(enrolment=behind, lesson=third)
    assert len(callbacks) == 1  # ...leaves the recompute to put it right
    saved = Enrolment.objects.get(pk=enrolment.pk)
    assert saved.progress_percent == 15
    assert saved.progress_computed_at >= saved.last_fact_at


def test_completing_or_answering_reads_the_lesson_page_once_and_no_view_restriction(
    client, course, learner
):
    """The lesson and its course come from the course tree's map (courses.routing):
    one narrow read of the lesson (live, at its path, its course and module live), no
    view-restriction query, no course page and no final-assessment page read."""
    lesson = lessons_of(course)[1]
    client.get(lesson.url)
    for method, url, data in (
        ("post", reverse("knowledge_check_answer", args=[lesson.pk]),
         {"check": lesson.knowledge_checks()[0].id,
          "answer": right_answers(lesson, lesson.knowledge_checks()[0])}),
        ("post", reverse("lesson_complete", args=[lesson.pk]), {}),
    ):
        sqls = captured(request_only(learner), method, url, **data)
        pages = [sql for sql in sqls if 'FROM "wagtailcore_page"' in sql]
        assert len(pages) == 1, pages
        assert f"= {lesson.pk}" in pages[0]
        assert " t0.live" in pages[0]
        assert not [sql for sql in sqls if "pageviewrestriction" in sql]
    assert LessonProgress.objects.get(enrolment__user=learner, lesson=lesson).completed_at


def test_a_lesson_under_a_view_restriction_cannot_be_answered_or_completed(
    client, course, learner
):
    """As before the map: a restricted lesson is not public, so its learning actions are
    a 404 and record nothing."""
    from wagtail.models import PageViewRestriction

    lesson = lessons_of(course)[1]
    client.get(lesson.url)
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    block = lesson.knowledge_checks()[0]
    assert client.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                       {"check": block.id, "answer": right_answers(lesson, block)}
                       ).status_code == 404
    assert client.post(reverse("lesson_complete", args=[lesson.pk])).status_code == 404
    assert not LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()


def test_the_routed_lesson_and_course_are_the_ones_the_orm_finds(client, course, learner):
    from courses.models import CoursePage, LessonPage
    from courses.routing import routed_page_and_course
    from learners.views import LESSON_ACTION_FIELDS

    lesson = lessons_of(course)[3]
    narrow = ("page_ptr_id", *LESSON_ACTION_FIELDS)
    for attnames in (narrow, None):
        page, found_course = routed_page_and_course(lesson.pk, LessonPage, attnames=attnames)
        orm = LessonPage.objects.live().public().get(pk=lesson.pk)
        assert found_course.pk == CoursePage.objects.ancestor_of(orm).first().pk
        fields = LESSON_ACTION_FIELDS if attnames else [
            f.attname for f in LessonPage._meta.concrete_fields]
        assert {name: getattr(page, name) for name in fields} == \
            {name: getattr(orm, name) for name in fields}
        assert page.url == orm.url
        if attnames:
            assert page.get_deferred_fields() >= {"body", "summary"}
    # Not a lesson, or a module unpublished behind the map's back: the database is asked.
    assert routed_page_and_course(course.pk, LessonPage) is None
    module = lesson.get_parent()
    type(module).objects.filter(pk=module.pk).update(live=False)  # no signal, no new map
    assert routed_page_and_course(lesson.pk, LessonPage) is None


def test_the_final_assessment_kept_with_the_course_cards_is_the_live_one(
    client, course, learner
):
    """Progress reads the course's final assessment from the cards kept per course tree
    version: a course without one has none, and one published is seen at once."""
    from courses.selectors import course_final_assessment
    from tests.learners.assessment_helpers import add_assessment

    assert course_final_assessment(course=course) is None
    assessment = add_assessment(course, lessons_of(course))
    assert course_final_assessment(course=course).pk == assessment.pk
    assessment.unpublish()
    assert course_final_assessment(course=course) is None


def test_the_next_page_shows_the_completion_before_celery_has_run(client, course, learner):
    lessons = lessons_of(course)
    answer(client, lessons[0])
    learner_alone = request_only(learner)  # Celery never runs
    response = learner_alone.post(reverse("lesson_complete", args=[lessons[0].pk]))
    assert response.url == lessons[1].url
    enrolment = Enrolment.objects.get(user=learner)
    assert enrolment.progress_percent == 5
    assert enrolment.next_lesson_id == lessons[1].pk
    assert enrolment.progress_computed_at == enrolment.last_fact_at
    page = learner_alone.get(course.url).content.decode()
    assert "1 of 20 required lessons complete" in page


# --- Each learner's own -------------------------------------------------------------


def test_a_learner_never_sees_another_learners_progress(client, course, learner):
    lessons = lessons_of(course)
    for lesson in lessons[:3]:
        client.get(lesson.url)
        answer(client, lesson)
        client.post(reverse("lesson_complete", args=[lesson.pk]))
    assert "3 of 20 required lessons" in client.get(course.url).content.decode()

    other = request_only(UserFactory(email="kit@example.gov.uk"))
    enrol(other, course)
    course_page = other.get(course.url).content.decode()
    assert "0 of 20 required lessons complete" in course_page
    lesson_page = other.get(lessons[0].url).content.decode()
    assert "You have completed 0 of 20 required lessons" in lesson_page
    assert "You completed this lesson on" not in lesson_page
    my_learning = other.get(reverse("my_learning")).content.decode()
    assert "0%" in my_learning
    assert "15%" not in my_learning
    # The first learner's own pages still say theirs.
    assert "You completed this lesson on" in client.get(lessons[0].url).content.decode()


# --- enrolment_get's hand-written SQL against the ORM's -----------------------------

def orm_enrolment_get(*, user, course, lesson=None, required_lesson_ids=None):
    """enrolment_get as the ORM wrote it before issue 15 took its SQL by hand: the
    reference the hand-written query must agree with."""
    from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce

    from learners.selectors import ENROLMENT_PAGE_FIELDS, enrolments_annotate_status

    queryset = enrolments_annotate_status(
        queryset=Enrolment.objects.filter(user=user, course=course))
    if required_lesson_ids is not None:
        done = (LessonProgress.objects
                .filter(enrolment=OuterRef("pk"), completed_at__isnull=False,
                        lesson_id__in=list(required_lesson_ids))
                .order_by().values("enrolment").annotate(n=Count("pk")).values("n"))
        queryset = queryset.annotate(lessons_done=Coalesce(Subquery(done), 0))
    if lesson is not None:
        queryset = queryset.annotate(
            here=FilteredRelation("lesson_progress", condition=Q(lesson_progress__lesson=lesson)),
            here_id=F("here__id"), here_opened_at=F("here__opened_at"),
            here_completed_at=F("here__completed_at"))
    return (queryset.select_related("certificate").only(*ENROLMENT_PAGE_FIELDS)
            .order_by("-cycle").first())


def enrolment_seen(enrolment, *, lesson=None, required=False) -> dict:
    from learners.selectors import ENROLMENT_PAGE_FIELDS

    if enrolment is None:
        return {}
    seen = {name: getattr(enrolment, name) for name in ENROLMENT_PAGE_FIELDS
            if "__" not in name}
    seen["id"], seen["status"] = enrolment.pk, enrolment.status
    certificate = getattr(enrolment, "certificate", None)
    seen["certificate"] = certificate and (certificate.pk, certificate.code,
                                           certificate.file.name, certificate.expires_on,
                                           certificate.revoked_at, certificate.status)
    if required:
        seen["lessons_done"] = enrolment.lessons_done
    if lesson is not None:
        here = getattr(enrolment, "lesson_progress_here", None)
        if here is None and hasattr(enrolment, "here_id"):  # the ORM's annotations
            here = None if enrolment.here_id is None else (
                enrolment.here_id, enrolment.here_opened_at, enrolment.here_completed_at)
        elif here is not None:
            here = (here.id, here.opened_at, here.completed_at)
        seen["here"] = here
    return seen


@pytest.mark.parametrize("state", [
    "not enrolled", "not started", "in progress", "overdue", "extended past today",
    "extension run out", "extended to today", "completed with certificate", "certificate revoked",
    "second cycle"])
def test_enrolment_get_agrees_with_the_orm_in_every_state(catalogue, state):
    from datetime import timedelta

    from django.utils import timezone

    from learners.selectors import enrolment_get
    from learners.services.certificates import certificate_revoke
    from tests.factories import certificate_held

    course = course_with_lessons(catalogue, modules=1, lessons=3, title="Agreeing")
    lessons = lessons_of(course)
    person = UserFactory()
    today = timezone.localdate()
    if state == "not enrolled":
        Enrolment.objects.create(user=UserFactory(), course=course)  # someone else's
    elif state in ("completed with certificate", "certificate revoked", "second cycle"):
        certificate = certificate_held(person, course, completed_on=today - timedelta(days=9),
                                       expires_on=today + timedelta(days=300))
        if state == "certificate revoked":
            certificate_revoke(certificate=certificate, reason="Issued in error")
        if state == "second cycle":
            Enrolment.objects.create(user=person, course=course, cycle=2,
                                     started_at=timezone.now())
    else:
        due = {"overdue": today - timedelta(days=1),
               "extended past today": today - timedelta(days=3),
               "extension run out": today - timedelta(days=3),
               "extended to today": today - timedelta(days=3)}.get(state)
        extended = {"extended past today": today + timedelta(days=2),
                    "extension run out": today - timedelta(days=1),
                    "extended to today": today}.get(state)
        enrolment = Enrolment.objects.create(
            user=person, course=course, due_on=due, extended_due_on=extended,
            started_at=timezone.now() if state == "in progress" else None)
        if state == "in progress":
            LessonProgress.objects.create(enrolment=enrolment, lesson=lessons[0],
                                          completed_at=timezone.now())
            LessonProgress.objects.create(enrolment=enrolment, lesson=lessons[1])
    required = [lesson.pk for lesson in lessons]
    for lesson in (None, *lessons):
        for ids in (None, required, required[1:], []):
            ours = enrolment_get(user=person, course=course, lesson=lesson,
                                 required_lesson_ids=ids)
            theirs = orm_enrolment_get(user=person, course=course, lesson=lesson,
                                       required_lesson_ids=ids)
            required_too = ids is not None
            assert enrolment_seen(ours, lesson=lesson, required=required_too) == \
                enrolment_seen(theirs, lesson=lesson, required=required_too), (state, lesson, ids)
    if state != "not enrolled":
        ours = enrolment_get(user=person, course=course, lesson=lessons[0],
                             required_lesson_ids=required)
        assert ours.user is person
        assert ours.course is course


def test_answers_and_notes_read_with_the_enrolment_agree_with_their_own_queries(catalogue):
    """The answers (the latest to each check wins, ties by the order they were made)
    and notes that enrolment_get reads in its row are what lesson_state_get and
    learning_log_notes_for_lesson read by the ORM: only this learner's, only this
    lesson's, with the same times."""
    from datetime import timedelta

    from django.utils import timezone

    from learners.models import KnowledgeCheckAttempt, LearningLogEntry
    from learners.selectors import (
        enrolment_get,
        learning_log_notes_for_lesson,
        lesson_state_get,
    )

    course = course_with_lessons(catalogue, modules=1, lessons=2, title="Both kinds",
                                 body=lambda: [knowledge_check(), knowledge_check(),
                                               activity(), activity()])
    here, elsewhere = lessons_of(course)
    person, someone = UserFactory(), UserFactory()
    mine = Enrolment.objects.create(user=person, course=course)
    theirs = Enrolment.objects.create(user=someone, course=course)
    first, second = (block.id for block in here.knowledge_checks())
    options = [option["id"] for option in here.body.raw_data[0]["value"]["options"]]
    now = timezone.now()
    for enrolment, lesson, block, chosen, at in [
        (mine, here, first, options[:1], now - timedelta(minutes=5)),
        (mine, here, first, options[1:2], now - timedelta(minutes=1)),  # the latest
        (mine, here, second, options[:1], now),
        (mine, here, second, options[1:2], now),  # made later at the same moment: wins
        (theirs, here, first, options[2:3], now + timedelta(minutes=1)),
        (mine, elsewhere, first, options[2:3], now + timedelta(minutes=2)),
    ]:
        made = KnowledgeCheckAttempt.objects.create(enrolment=enrolment, lesson=lesson,
                                                    block_id=block, chosen=chosen,
                                                    correct=False)
        KnowledgeCheckAttempt.objects.filter(pk=made.pk).update(answered_at=at)  # auto_now_add
    activities = [block["id"] for block in here.body.raw_data if block["type"] == "activity"]
    LearningLogEntry.objects.create(user=person, lesson=here, block_id=activities[0],
                                    activity_title="Reflect", answer="My team's first sprint")
    LearningLogEntry.objects.create(user=someone, lesson=here, block_id=activities[1],
                                    activity_title="Reflect", answer="Not theirs to see")
    LearningLogEntry.objects.create(user=person, lesson=elsewhere, block_id=activities[1],
                                    activity_title="Reflect", answer="Another lesson")

    ours = enrolment_get(user=person, course=course, lesson=here, answers=True, notes=True)
    assert ours.answers_here == {first: options[1:2], second: options[1:2]}
    orm = enrolment_get(user=person, course=course, lesson=here)
    assert not hasattr(orm, "answers_here")
    assert lesson_state_get(enrolment=ours, lesson=here) == \
        lesson_state_get(enrolment=orm, lesson=here)
    notes = learning_log_notes_for_lesson(user=person, lesson=here, enrolment=ours)
    assert notes == learning_log_notes_for_lesson(user=person, lesson=here)
    assert list(notes) == [activities[0]]
    assert notes[activities[0]].text == "My team's first sprint"
    assert notes[activities[0]].updated_at == LearningLogEntry.objects.get(
        user=person, lesson=here).updated_at
    # Another lesson's answers are its own.
    fresh = enrolment_get(user=person, course=course, lesson=elsewhere, answers=True,
                          notes=True)
    assert fresh.answers_here == {first: options[2:3]}
    LearningLogEntry.objects.filter(user=person).delete()
    KnowledgeCheckAttempt.objects.filter(enrolment=mine).delete()
    # Nothing answered or written: empty, not missing.
    empty = enrolment_get(user=person, course=course, lesson=here, answers=True, notes=True)
    assert (empty.answers_here, empty.notes_here) == ({}, {})


# --- sessions_attended's hand-written SQL against the ORM's ---------------------------

def orm_sessions_attended(*, user_id, course_id):
    """sessions_attended as the ORM wrote it before issue 15 took its SQL by hand."""
    from django.db.models import Case, FilteredRelation, IntegerField, Max, Q, When

    from learners.models import TrainingSession

    rows = (TrainingSession.objects
            .filter(Q(module__isnull=True) | Q(module__live=True), course_id=course_id,
                    cancelled_at__isnull=True)
            .annotate(theirs=FilteredRelation("bookings", condition=Q(
                bookings__user_id=user_id, bookings__attended=True)))
            .order_by().values("module_id")
            .annotate(attended=Max(Case(When(theirs__id__isnull=False, then=1),
                                        default=0, output_field=IntegerField())))
            .values_list("module_id", "attended"))
    return {module_id: bool(attended) for module_id, attended in rows}


def test_sessions_attended_agrees_with_the_orm(catalogue):
    """Every kind of session and register entry: none; a whole-course session attended;
    a module's session with a no-show, an unmarked register, another person attending;
    a cancelled session; a session of a module since unpublished; another course's."""
    from django.utils import timezone

    from courses.models import ModulePage
    from learners.services.progress import sessions_attended
    from tests.learners.session_factories import BookingFactory, TrainingSessionFactory

    course = course_with_lessons(catalogue, modules=3, lessons=1, title="Taught in person")
    other = course_with_lessons(catalogue, modules=1, lessons=1, title="Elsewhere")
    first, second, third = ModulePage.objects.child_of(course).order_by("path")
    person, someone = UserFactory(), UserFactory()

    def agree():
        for user in (person, someone):
            for on in (course, other):
                assert sessions_attended(user_id=user.pk, course_id=on.pk) == \
                    orm_sessions_attended(user_id=user.pk, course_id=on.pk)

    agree()
    assert sessions_attended(user_id=person.pk, course_id=course.pk) == {}
    whole = TrainingSessionFactory(course=course)
    BookingFactory(session=whole, user=person, attended=True)
    module_session = TrainingSessionFactory(course=course, module=first)
    BookingFactory(session=module_session, user=person, attended=False)
    BookingFactory(session=module_session, user=someone, attended=True)
    unmarked = TrainingSessionFactory(course=course, module=second)
    BookingFactory(session=unmarked, user=person, attended=None)
    cancelled = TrainingSessionFactory(course=course, module=third,
                                       cancelled_at=timezone.now(),
                                       cancelled_reason="The trainer is ill")
    BookingFactory(session=cancelled, user=person, attended=True)
    BookingFactory(session=TrainingSessionFactory(course=other), user=someone, attended=True)
    agree()
    assert sessions_attended(user_id=person.pk, course_id=course.pk) == {
        None: True, first.pk: False, second.pk: False}
    assert sessions_attended(user_id=someone.pk, course_id=course.pk) == {
        None: False, first.pk: True, second.pk: False}
    ModulePage.objects.filter(pk=first.pk).update(live=False)
    agree()
    assert first.pk not in sessions_attended(user_id=someone.pk, course_id=course.pk)


def test_the_recompute_locks_the_enrolment_not_its_course_page(client, course, learner):
    """The recompute reads the course with the enrolment but locks only the enrolment's
    row: recomputes of one course's learners, and an editor publishing the course, do
    not queue behind one another for the course page's row."""
    from learners import services

    enrolment = Enrolment.objects.get(user=learner)
    with CaptureQueriesContext(connection) as queries:
        services.enrolment_progress_recompute(enrolment_id=enrolment.pk)
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == 1, locking
    assert locking[0].endswith('FOR UPDATE OF "learners_enrolment"'), locking[0]
