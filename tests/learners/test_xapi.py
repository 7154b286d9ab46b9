"""xAPI statements to a learning record store (issue 17), against an LRS this test starts
(http.server on a free port) that stores what it is sent and can be down: every fact
sends exactly one statement, valid xAPI 1.0.3 (Learning Locker's validator); with the
LRS down, statements wait in the database and are delivered once it is back, none
twice; eagerly and through a real Celery worker. And the admin's settings page."""

import base64
import json
import subprocess
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from learners import services, tasks
from learners.models import (
    Booking,
    Enrolment,
    LrsSettings,
    XapiActor,
    XapiStatement,
)
from learners.privacy import learner_data_export, learner_erase
from learners.services.register import session_register_record
from learners.services.xapi import xapi_statement_id, xapi_statements_deliver
from learners.xapi_admin import LRS_ENABLED_CACHE_KEY, LRS_PAUSED_CACHE_KEY
from tests.celery_worker import (
    point_app_at,
    restore_app,
    start_worker,
    stop,
    wait_for,
    wait_for_worker,
)
from tests.conftest import require_tool
from tests.factories import UserFactory
from tests.learners.assessment_helpers import add_assessment, answers_for, start, submit
from tests.learners.conftest import enrol, lessons_of, right_answers, work_through
from tests.learners.session_factories import BookingFactory, TrainingSessionFactory

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
KEY, SECRET = "academy-key", "lrs-secret-9f2c"
ADL = "http://adlnet.gov/expapi/verbs/"


class RecordingLrs:
    """A learning record store: PUT /xapi/statements?statementId=… stores the statement
    (204), or answers 409 when it already holds that id. `mode` "up", "503" (answers
    503, stores nothing) or "lose-answer" (stores, then answers 503, as when the answer
    is lost on the way back). stop() closes the port: connections are refused."""

    def __init__(self):
        self.stored: dict[str, dict] = {}
        self.puts: list[str] = []
        self.requests = 0  # every request, answered or not
        self.problems: list[str] = []
        self.mode = "up"
        self.delay = 0.0  # seconds before each answer: a slow LRS
        self.port = 0
        self._server = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi/"

    def start(self) -> None:
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                lrs.problems.append("POST")
                self.send_response(405)
                self.end_headers()

            def do_PUT(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = lrs.receive(self, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def receive(self, handler, body: bytes) -> int:
        time.sleep(self.delay)
        self.requests += 1
        if self.mode == "503":
            return 503
        expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
        if handler.headers.get("Authorization") != expected:
            return 401
        if handler.headers.get("X-Experience-API-Version") != "1.0.3":
            self.problems.append("no version header")
            return 400
        url = urlsplit(handler.path)
        statement_id = parse_qs(url.query).get("statementId", [""])[0]
        statement = json.loads(body)
        if url.path != "/xapi/statements" or statement.get("id") != statement_id:
            self.problems.append(f"bad request {handler.path}")
            return 400
        with self._lock:
            self.puts.append(statement_id)
            if statement_id in self.stored:
                return 409
            self.stored[statement_id] = statement
        return 503 if self.mode == "lose-answer" else 204

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def verbs(self) -> Counter:
        return Counter(s["verb"]["id"].removeprefix(ADL) for s in self.stored.values())


def assert_valid_xapi(statements) -> None:
    """Every statement passes Learning Locker's xAPI 1.0.3 validator."""
    require_tool("node", "nodejs")
    statements = list(statements)
    assert statements
    done = subprocess.run(["node", str(ROOT / "tests/learners/xapi_validate.cjs")],
                          input=json.dumps(statements), capture_output=True, text=True,
                          check=True, timeout=60)
    problems = {s["id"]: p for s, p in zip(statements, json.loads(done.stdout), strict=True) if p}
    assert problems == {}


@pytest.fixture
def lrs():
    server = RecordingLrs()
    server.start()
    yield server
    server.stop()


def lrs_settings(lrs, **changes) -> LrsSettings:
    values = {"enabled": True, "endpoint": lrs.url, "key": KEY, "secret": SECRET, **changes}
    row = LrsSettings.objects.first() or LrsSettings()
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    cache.delete_many([LRS_ENABLED_CACHE_KEY, LRS_PAUSED_CACHE_KEY])
    return row


@pytest.fixture
def lrs_on(db, lrs):
    lrs_settings(lrs)
    return lrs


def assert_each_sent_once(lrs) -> None:
    """Every statement in the outbox is delivered and the LRS holds each once, as
    written (the LRS may have been sent one again: it answered 409 and kept the first)."""
    rows = {str(row.id): row for row in XapiStatement.objects.all()}
    assert rows
    assert all(row.delivered_at for row in rows.values())
    assert lrs.stored == {statement_id: row.statement for statement_id, row in rows.items()}
    assert lrs.problems == []
    assert_valid_xapi(lrs.stored.values())


# --- Every fact, once ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_course_worked_through_sends_one_valid_statement_per_fact(client, course, learner,
                                                                   lrs_on):
    client.force_login(learner)
    enrol(client, course)
    lessons = lessons_of(course)
    work_through(client, lessons)
    client.get(lessons[0].url)  # opening a lesson again is not a new fact
    enrol(client, course)

    assert lrs_on.verbs() == {"registered": 1, "experienced": 4, "answered": 4,
                              "completed": 5, "passed": 1}
    assert Counter(lrs_on.puts).most_common(1)[0][1] == 1  # none sent twice
    assert_each_sent_once(lrs_on)
    enrolment = Enrolment.objects.get(user=learner)
    base = settings.ACADEMY_BASE_URL
    name = str(XapiActor.objects.get(user=learner).account_name)
    for statement in lrs_on.stored.values():
        assert statement["actor"] == {"objectType": "Agent",
                                      "account": {"homePage": base, "name": name}}
        assert statement["object"]["id"].startswith(f"{base}/xapi/activities/")
    everything = json.dumps(list(lrs_on.stored.values()))
    assert learner.email not in everything
    assert learner.last_name not in everything

    by_fact = {s["id"]: s for s in lrs_on.stored.values()}
    registered = by_fact[str(xapi_statement_id(fact=f"enrolment/{enrolment.pk}/registered"))]
    assert registered["object"]["id"] == f"{base}/xapi/activities/course/{course.pk}"
    assert registered["object"]["definition"]["name"] == {"en-GB": "Agile basics"}
    course_done = by_fact[str(xapi_statement_id(fact=f"enrolment/{enrolment.pk}/completed"))]
    assert course_done["result"] == {"completion": True, "score": {
        "scaled": 1.0, "raw": 100, "min": 0, "max": 100}}
    assert course_done["timestamp"].startswith(
        enrolment.completed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
    answered = next(s for s in lrs_on.stored.values() if s["verb"]["id"] == ADL + "answered")
    assert answered["result"]["success"] is True
    assert answered["context"]["contextActivities"]["grouping"] == [registered["object"]]
    assert answered["context"]["contextActivities"]["parent"][0]["id"].startswith(
        f"{base}/xapi/activities/lesson/")


@pytest.mark.django_db
def test_a_final_assessment_sends_answers_then_failed_or_passed_with_the_score(
    client, catalogue, learner, lrs_on
):
    from tests.factories import course_with_lessons
    from tests.learners.conftest import lesson_body

    course = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                 title="Assessed course", pass_mark=60)
    assessment = add_assessment(course, lessons_of(course), wait_hours=0)
    client.force_login(learner)
    enrol(client, course)
    for right in (1, 5):
        start(client, assessment)
        attempt = learner.enrolments.get().assessment_attempts.latest("number")
        submit(client, attempt, answers_for(attempt, right=right))

    verbs = lrs_on.verbs()
    assert (verbs["answered"], verbs["failed"], verbs["passed"]) == (10, 1, 1)
    results = {s["verb"]["id"].removeprefix(ADL): s["result"] for s in lrs_on.stored.values()
               if s["object"]["id"].endswith(f"/assessment/{assessment.pk}")}
    assert results == {
        "failed": {"score": {"scaled": 0.2, "raw": 20, "min": 0, "max": 100},
                   "success": False, "completion": True},
        "passed": {"score": {"scaled": 1.0, "raw": 100, "min": 0, "max": 100},
                   "success": True, "completion": True},
    }
    assert_each_sent_once(lrs_on)


@pytest.mark.django_db
def test_attending_a_session_is_one_statement_however_often_the_register_is_corrected(
    catalogue, learner, lrs_on, django_capture_on_commit_callbacks
):
    from tests.factories import course_with_lessons

    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Service design")
    services.enrolment_create(user=learner, course=course)
    session = TrainingSessionFactory(course=course, starts_at=timezone.now() - timedelta(hours=1))
    booking = BookingFactory(session=session, user=learner)
    for mark in (True, False, True):
        with django_capture_on_commit_callbacks(execute=True):
            session_register_record(session=session, marks={booking.pk: mark},
                                    by=session.trainer)

    # Attending the session of the whole course completes it (services.progress).
    assert lrs_on.verbs() == {"registered": 1, "attended": 1, "completed": 1}
    attended = next(s for s in lrs_on.stored.values() if s["verb"]["id"] == ADL + "attended")
    assert attended["object"]["id"].endswith(f"/xapi/activities/session/{session.pk}")
    assert attended["context"]["registration"] == str(xapi_statement_id(
        fact=f"enrolment/{Enrolment.objects.get(user=learner).pk}"))
    assert Booking.objects.get().attended is True
    assert_each_sent_once(lrs_on)


@pytest.mark.django_db
def test_nothing_is_queued_while_sending_is_off(client, course, learner, lrs):
    lrs_settings(lrs, enabled=False)
    client.force_login(learner)
    enrol(client, course)
    work_through(client, lessons_of(course))
    assert Enrolment.objects.get().completed_at is not None
    assert not XapiStatement.objects.exists()
    assert lrs.puts == []


@pytest.mark.django_db
def test_a_rolled_back_fact_leaves_no_statement_and_switching_off_holds_what_waits(
    course, learner, lrs
):
    from django.db import transaction

    lrs_settings(lrs)

    def enrol_then_fail():
        with transaction.atomic():
            services.enrolment_create(user=learner, course=course)
            raise RuntimeError("the request fails after enrolling")

    with pytest.raises(RuntimeError):
        enrol_then_fail()
    assert not XapiStatement.objects.exists()

    lrs.stop()
    services.enrolment_create(user=learner, course=course)
    XapiStatement.objects.update(next_attempt_at=timezone.now())
    lrs.start()
    lrs_settings(lrs, enabled=False)
    assert xapi_statements_deliver().delivered == 0
    assert XapiStatement.objects.get().delivered_at is None  # waits while off
    lrs_settings(lrs)
    assert xapi_statements_deliver().delivered == 1
    assert_each_sent_once(lrs)


# --- Outages: nothing lost, nothing twice -------------------------------------------


@pytest.mark.django_db
@override_settings(XAPI_RETRY_BACKOFF_SECONDS=0)
def test_statements_wait_while_the_lrs_is_down_and_go_once_it_is_back(client, course,
                                                                     learner, lrs_on):
    lrs_on.mode = "503"
    client.force_login(learner)
    enrol(client, course)
    lesson = lessons_of(course)[0]
    client.get(lesson.url)
    assert lrs_on.stored == {}
    waiting = XapiStatement.objects.filter(delivered_at__isnull=True)
    assert waiting.count() == 2
    assert waiting.filter(attempts__gt=0).first().last_error.startswith("HTTP 503")

    lrs_on.stop()  # refusing connections now
    client.post(reverse("lesson_complete", args=[lesson.pk]))
    assert waiting.count() == 2  # the answer to the check is still needed to complete
    check = lesson.knowledge_checks()[0]
    client.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                {"check": check.id, "answer": right_answers(lesson, check)})
    client.post(reverse("lesson_complete", args=[lesson.pk]))
    assert waiting.count() == 4
    assert "ConnectionError" in " ".join(waiting.values_list("last_error", flat=True))

    lrs_on.mode = "lose-answer"  # the LRS stores the next one, but its answer is lost
    lrs_on.start()
    outcome = xapi_statements_deliver()
    assert (outcome.delivered, outcome.retry_in) == (0, 0)
    assert len(lrs_on.stored) == 1

    lrs_on.mode = "up"
    tasks.xapi_statements_send.apply()  # the beat sweeper
    assert waiting.count() == 0
    assert lrs_on.verbs() == {"registered": 1, "experienced": 1, "answered": 1,
                              "completed": 1}
    # The one whose answer was lost was sent again: the LRS said 409 and kept one.
    assert sorted(Counter(lrs_on.puts).values()) == [1, 1, 1, 2]
    assert_each_sent_once(lrs_on)


@pytest.mark.django_db
def test_a_down_lrs_is_tried_once_per_back_off_however_many_facts_come_meanwhile(
    course, lrs_on
):
    lrs_on.mode = "503"
    for n in range(3):
        services.enrolment_create(user=UserFactory(email=f"busy{n}@example.gov.uk"),
                                  course=course)
    for _ in range(3):  # each fact's send (this test does not run on-commit tasks)
        assert 0 < xapi_statements_deliver().retry_in <= settings.XAPI_RETRY_BACKOFF_SECONDS
    assert lrs_on.requests == 1
    assert sorted(XapiStatement.objects.values_list("attempts", flat=True)) == [0, 0, 1]

    lrs_on.mode = "up"
    lrs_settings(lrs_on)  # an admin saves the settings (credentials put right): tried now
    XapiStatement.objects.update(next_attempt_at=timezone.now())
    assert xapi_statements_deliver().delivered == 3
    assert_each_sent_once(lrs_on)


@pytest.mark.django_db
def test_a_statement_the_lrs_refuses_as_malformed_is_set_aside_not_retried(lrs_on, course,
                                                                           learner):
    services.enrolment_create(user=learner, course=course)
    row = XapiStatement.objects.get()
    # Sent already; made malformed to see the LRS's 400.
    XapiStatement.objects.filter(pk=row.pk).update(
        delivered_at=None, statement={**row.statement, "id": str(uuid.uuid4())})
    outcome = xapi_statements_deliver()
    row.refresh_from_db()
    assert (outcome.rejected, row.delivered_at is None, row.rejected_at is not None) == (
        1, True, True)
    assert row.last_error.startswith("HTTP 400")
    assert xapi_statements_deliver().rejected == 0


@pytest.mark.django_db
def test_enrolments_made_in_bulk_are_registered_once_each(course, lrs_on):
    people = [UserFactory(email=f"bulk{n}@example.gov.uk") for n in range(3)]
    pairs = [(person.pk, course.pk, None) for person in people]
    assert services.enrolments_ensure(pairs=pairs) == 3
    assert services.enrolments_ensure(pairs=pairs) == 0
    tasks.xapi_statements_send.apply()
    assert lrs_on.verbs() == {"registered": 3}
    assert_each_sent_once(lrs_on)


@pytest.mark.django_db
def test_a_new_cycle_of_recurring_required_learning_is_registered_once(course, lrs_on):
    from learners.models import Organisation, RequiredLearning

    team = Organisation.add_root(name="Department for Tests", slug="dft")
    person = UserFactory(email="recurring@example.gov.uk", organisation=team)
    assignment = RequiredLearning.objects.create(
        course=course, due_on=timezone.localdate(), recurrence_months=12)
    assignment.organisations.add(team)
    first, _ = services.enrolment_create(user=person, course=course)
    Enrolment.objects.filter(pk=first.pk).update(
        completed_at=timezone.now() - timedelta(days=350))
    assert services.required_learning_renew() == 1
    assert services.required_learning_renew() == 0
    tasks.xapi_statements_send.apply()
    second = Enrolment.objects.get(user=person, cycle=2)
    assert lrs_on.verbs() == {"registered": 2}
    assert str(xapi_statement_id(fact=f"enrolment/{second.pk}/registered")) in lrs_on.stored
    assert_each_sent_once(lrs_on)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_senders_at_once_never_send_the_same_statement(course, lrs):
    lrs_settings(lrs)
    lrs.stop()  # the facts wait in the outbox
    for n in range(4):
        services.enrolment_create(user=UserFactory(email=f"racer{n}@example.gov.uk"),
                                  course=course)
    XapiStatement.objects.update(next_attempt_at=timezone.now())
    cache.delete(LRS_PAUSED_CACHE_KEY)  # back: neither the rows nor the LRS wait
    lrs.delay = 0.2
    lrs.start()
    barrier = threading.Barrier(2)

    def send():
        try:
            barrier.wait()
            return xapi_statements_deliver().delivered
        finally:
            connections.close_all()

    senders = [threading.Thread(target=lambda: results.append(send())) for _ in range(2)]
    results: list[int] = []
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert sum(results) == 4
    assert min(results) > 0  # both sent, each its own
    assert sorted(Counter(lrs.puts).values()) == [1, 1, 1, 1]
    assert_each_sent_once(lrs)


# --- Through a real worker ----------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_retries_through_an_outage_and_sends_each_statement_once(
    course, tmp_path, lrs
):
    lrs_settings(lrs)
    lrs.stop()  # down (refusing) from the start
    learners = [UserFactory(email=f"worker{n}@example.gov.uk") for n in range(3)]
    queue = f"xapi-{uuid.uuid4().hex[:8]}"
    name = f"{queue}@localhost"
    worker = start_worker(queue=queue, name=name, mail_dir=tmp_path,
                          broker_url=settings.REDIS_URL,
                          extra_env={"XAPI_RETRY_BACKOFF_SECONDS": "1",
                                     "XAPI_RETRY_BACKOFF_MAX_SECONDS": "2"})
    previous = point_app_at(settings.REDIS_URL, queue)
    try:
        wait_for_worker(name, worker)
        lesson = lessons_of(course)[0]
        for learner in learners:
            enrolment, _ = services.enrolment_create(user=learner, course=course)
            services.lesson_open(enrolment=enrolment, lesson=lesson)
        wait_for(lambda: XapiStatement.objects.filter(attempts__gt=0).exists())
        assert XapiStatement.objects.filter(delivered_at__isnull=True).count() == 6
        lrs.start()
        wait_for(lambda: not XapiStatement.objects.filter(delivered_at__isnull=True).exists(),
                 timeout=90)
    finally:
        restore_app(previous)
        stop(worker)
    assert lrs.verbs() == {"registered": 3, "experienced": 3}
    assert Counter(lrs.puts).most_common(1)[0][1] == 1
    assert_each_sent_once(lrs)


# --- The admin's settings -----------------------------------------------------------


def settings_url() -> str:
    """The settings' edit page (the address without the row's id redirects to it)."""
    return reverse("wagtailsettings:edit",
                   args=["learners", "lrssettings", LrsSettings.load().pk])


@pytest.mark.django_db
def test_the_settings_page_refuses_a_bad_address_with_a_message_and_saves_nothing(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for address, message in (
        ("not an address", "Enter a valid URL."),
        ("http://lrs.example.gov.uk/xapi/", "must start with https://"),
        ("https://lrs.example.gov.uk/xapi/?key=1", "without a ? or # part"),
    ):
        response = client.post(settings_url(), {"enabled": "on", "endpoint": address,
                                                 "key": KEY, "secret": SECRET})
        assert response.status_code == 200
        assert message in response.content.decode()
    response = client.post(settings_url(), {"enabled": "on", "endpoint": "", "key": "",
                                             "secret": ""})
    assert "Enter the LRS endpoint before you turn sending on" in response.content.decode()
    assert not LrsSettings.objects.filter(enabled=True).exists()


@pytest.mark.django_db
def test_the_secret_is_never_shown_back_and_a_blank_one_keeps_it(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    data = {"enabled": "on", "endpoint": "https://lrs.example.gov.uk/xapi/", "key": KEY}
    response = client.post(settings_url(), {**data, "secret": SECRET})
    assert response.status_code == 302
    assert SECRET not in client.get(settings_url()).content.decode()
    client.post(settings_url(), {**data, "secret": ""})
    assert LrsSettings.objects.get().secret == SECRET
    assert cache.get(LRS_ENABLED_CACHE_KEY) is None  # saving forgets the cached switch


@pytest.mark.django_db
def test_only_admins_reach_the_lrs_settings(client, site, trainer):
    from learners.models import Organisation
    from tests.hr.conftest import reporter

    hr = reporter(site, Organisation.add_root(name="Department for Tests", slug="dft"))
    for user in (trainer, hr, UserFactory()):
        client.force_login(user)
        response = client.get(settings_url())
        assert response.status_code in (302, 403), user
        assert KEY not in response.content.decode()


# --- Privacy ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_shows_the_statements_and_erasure_unlinks_the_learner(course, learner,
                                                                          lrs_on):
    services.enrolment_create(user=learner, course=course)
    exported = learner_data_export(user=learner)["learning_record_store"]
    assert exported["account_name"] == str(XapiActor.objects.get(user=learner).account_name)
    assert [s["verb"] for s in exported["statements"]] == ["registered"]
    learner_erase(user=learner)
    assert not XapiActor.objects.filter(user=learner).exists()
    assert not XapiStatement.objects.filter(user=learner).exists()


@pytest.mark.django_db
def test_an_admin_sees_why_a_statement_was_refused_and_sends_it_again(client, lrs_on, course,
                                                                      learner):
    services.enrolment_create(user=learner, course=course)
    row = XapiStatement.objects.get()
    XapiStatement.objects.filter(pk=row.pk).update(
        delivered_at=None, rejected_at=timezone.now(), last_error="HTTP 400: bad actor")
    lrs_on.puts.clear()
    lrs_on.stored.clear()
    listing = reverse("admin:learners_xapistatement_changelist")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(listing + "?rejected_at__isempty=0").content.decode()
    assert "HTTP 400: bad actor" in page
    response = client.post(listing, {"action": "send_again", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.rejected_at, row.delivered_at is not None) == (None, True)
    assert list(lrs_on.stored) == [str(row.id)]

    client.force_login(UserFactory(email="someone@example.gov.uk", is_staff=True))
    assert client.get(listing).status_code in (302, 403)
