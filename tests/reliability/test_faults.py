"""Breaking things on purpose, with the real PostgreSQL, Redis and worker processes:
nothing is lost, nothing happens twice."""

import os
import signal
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from academy.models import Export
from learners import services, tasks
from learners.models import Certificate, Enrolment, LessonProgress
from tests.celery_worker import (
    point_app_at,
    real_worker,
    restore_app,
    start_worker,
    stop,
    wait_for,
    wait_for_worker,
)
from tests.factories import UserFactory
from tests.learners.conftest import enrol, lessons_of, right_answers, work_through
from tests.reliability.conftest import finished_facts, free_port, own_redis

pytestmark = [pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHORT_VISIBILITY = {"CELERY_VISIBILITY_TIMEOUT": "3"}


def certified(enrolments) -> int:
    return Certificate.objects.filter(enrolment__in=enrolments).exclude(file="").count()


def test_a_worker_killed_mid_batch_loses_nothing_and_issues_each_certificate_once(
    course, mail_dir
):
    enrolments = finished_facts(course, 40)
    queue = f"kill-{uuid.uuid4().hex[:8]}"
    first = start_worker(queue=queue, name=f"{queue}-1@localhost", mail_dir=mail_dir,
                         broker_url=settings.REDIS_URL, extra_env=SHORT_VISIBILITY)
    previous = point_app_at(settings.REDIS_URL, queue)
    try:
        wait_for_worker(f"{queue}-1@localhost", first)
        for enrolment in enrolments:
            tasks.enrolment_progress_recompute.delay(enrolment.pk)
        wait_for(lambda: certified(enrolments) >= 3, timeout=60)
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its children, mid-batch
        first.wait()
        done_when_killed = certified(enrolments)
        assert done_when_killed < len(enrolments), "the batch finished before the kill"

        second = start_worker(queue=queue, name=f"{queue}-2@localhost", mail_dir=mail_dir,
                              broker_url=settings.REDIS_URL, extra_env=SHORT_VISIBILITY)
        try:
            wait_for_worker(f"{queue}-2@localhost", second)
            # What the periodic reconciler does: find facts without their consequences.
            services.learning_reconcile(grace=timezone_zero())
            wait_for(lambda: certified(enrolments) == len(enrolments), timeout=120)
        finally:
            stop(second)
    finally:
        restore_app(previous)
    assert Certificate.objects.filter(enrolment__in=enrolments).count() == 40
    for enrolment in Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]):
        assert enrolment.completed_at is not None
        assert enrolment.progress_percent == 100


def timezone_zero():
    from datetime import timedelta

    return timedelta(0)


def test_a_broker_outage_loses_no_fact_and_the_reconciler_catches_up(course, mail_dir):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    queue = f"outage-{uuid.uuid4().hex[:8]}"
    learners = [UserFactory(email=f"outage{n}@example.gov.uk") for n in range(4)]
    clients = []
    lessons = lessons_of(course)
    with own_redis(port) as redis_process:
        worker = start_worker(queue=queue, name=f"{queue}@localhost", mail_dir=mail_dir,
                              broker_url=url)
        previous = point_app_at(url, queue)
        try:
            wait_for_worker(f"{queue}@localhost", worker)
            for user in learners:
                client = Client()
                client.force_login(user)
                enrol(client, course)
                work_through(client, lessons[:1])
                clients.append(client)
            redis_process.terminate()  # the broker goes away mid-course
            redis_process.wait()
            for client in clients:
                for lesson in lessons[1:]:
                    client.get(lesson.url)
                    for block in lesson.knowledge_checks():
                        response = client.post(
                            reverse("knowledge_check_answer", args=[lesson.pk]),
                            {"check": block.id, "answer": right_answers(lesson, block)})
                        assert response.status_code == 302, "a fact must never 500"
                    response = client.post(reverse("lesson_complete", args=[lesson.pk]))
                    assert response.status_code == 302
            # Every fact was recorded while the broker was down.
            assert LessonProgress.objects.filter(
                enrolment__user__in=learners, completed_at__isnull=False).count() == (
                len(learners) * len(lessons))
            assert not Certificate.objects.exists()
        except BaseException:
            stop(worker)
            restore_app(previous)
            raise
        with own_redis(port):  # the broker comes back
            try:
                # kombu can crash a worker whose broker vanishes ("Unrecoverable error"
                # while closing the channel); in production the supervisor (compose
                # `restart:`, systemd) starts it again, as here.
                if worker.poll() is not None:
                    worker = start_worker(queue=queue, name=f"{queue}-again@localhost",
                                          mail_dir=mail_dir, broker_url=url)
                    wait_for_worker(f"{queue}-again@localhost", worker)
                wait_for(lambda: services.learning_reconcile(
                    grace=timezone_zero())["progress"] >= 0 and all(
                    e.completed_at for e in Enrolment.objects.filter(user__in=learners)),
                    timeout=90, interval=2)
                wait_for(lambda: Certificate.objects.filter(
                    enrolment__user__in=learners).exclude(file="").count() == len(learners),
                    timeout=90)
            finally:
                stop(worker)
                restore_app(previous)
    assert Certificate.objects.filter(enrolment__user__in=learners).count() == len(learners)
    assert Enrolment.objects.filter(user__in=learners).count() == len(learners)


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(course, mail_dir):
    rolled_back = UserFactory(email="rolled.back@example.gov.uk")
    committed = UserFactory(email="committed@example.gov.uk")
    def enrol_then_fail():
        with transaction.atomic():
            services.enrolment_create(user=rolled_back, course=course)
            raise RuntimeError("the request fails after enrolling")

    with real_worker(mail_dir):
        with pytest.raises(RuntimeError):
            enrol_then_fail()
        services.enrolment_create(user=committed, course=course)
        wait_for(lambda: Enrolment.objects.filter(user=committed,
                                                  confirmation_sent_at__isnull=False).exists())
        time.sleep(1)
    assert not Enrolment.objects.filter(user=rolled_back).exists()
    sent = "".join(path.read_text() for path in mail_dir.iterdir())
    assert "committed@example.gov.uk" in sent  # the committed one found its row
    assert "rolled.back@example.gov.uk" not in sent


def in_parallel(count: int, action) -> list:
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = action(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_fifty_simultaneous_enrolments_completions_and_exports(course, learner, site):
    def signed_in():
        client = Client()
        client.force_login(learner)
        return client

    statuses = in_parallel(50, lambda _: enrol(signed_in(), course).status_code)
    assert statuses == [302] * 50
    assert Enrolment.objects.filter(user=learner, course=course).count() == 1

    lesson = lessons_of(course)[0]
    work_through(signed_in(), [lesson])  # answered once; now complete it 50 times at once
    LessonProgress.objects.update(completed_at=None)
    statuses = in_parallel(50, lambda _: signed_in().post(
        reverse("lesson_complete", args=[lesson.pk])).status_code)
    assert statuses == [302] * 50
    progress = LessonProgress.objects.get(enrolment__user=learner, lesson=lesson)
    assert progress.completed_at is not None
    assert Enrolment.objects.get(user=learner).progress_percent == 25

    from django.contrib.auth.models import Group

    from learners.models import Organisation, ReportingScope
    learner.organisation = Organisation.add_root(name="Department", slug="department")
    learner.save()
    hr = UserFactory(email="hr@example.gov.uk")
    hr.groups.add(Group.objects.get(name="HR reporters"))
    ReportingScope.objects.create(user=hr, organisation=learner.organisation)

    def export(_):
        client = Client()
        client.force_login(hr)
        return client.post("/reports/exports/", {"format": "csv"}).status_code

    assert in_parallel(50, export) == [302] * 50
    exports = Export.objects.filter(requested_by=hr)
    assert exports.count() == 50
    assert all(e.status == Export.DONE and e.processed == 1 and e.file for e in exports)


def test_a_poison_task_fails_once_is_recorded_for_admins_and_blocks_nothing(course, mail_dir):
    from academy.models import TaskFailure

    healthy = UserFactory(email="healthy@example.gov.uk")
    with real_worker(mail_dir):
        tasks.certificate_issue.delay(987654321)  # no such enrolment: it can never work
        services.enrolment_create(user=healthy, course=course)
        wait_for(lambda: Enrolment.objects.filter(
            user=healthy, confirmation_sent_at__isnull=False).exists())
        wait_for(lambda: TaskFailure.objects.exists())
        time.sleep(2)  # no retry loop: it stays one failure
    failure = TaskFailure.objects.get()
    assert failure.task_name == "learners.tasks.certificate_issue"
    assert failure.args == [987654321]
    assert "DoesNotExist" in failure.exception


ROWS = 5_000


def test_an_export_outliving_the_visibility_timeout_makes_exactly_one_file(mail_dir,
                                                                          catalogue):
    """Redis hands an unacknowledged message to another worker once its visibility
    timeout passes. Here the timeout is 1 second and two workers sweep every second,
    and the export is held up (its rows locked away from it) until it has been
    delivered again while it runs: still one file, one audit. (An export of tens of
    thousands of rows takes well under a second since issue 15, so size alone no
    longer outlives the timeout.)"""
    import psycopg
    from django.contrib.auth.models import Group
    from django.db import connection

    from academy.models import AuditEvent
    from learners.models import Organisation, ReportingScope, User
    from tests.factories import course_with_lessons

    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Long export")
    team = Organisation.add_root(name="Big team", slug="big-team")
    User.objects.bulk_create([User(email=f"e{n}@example.gov.uk", first_name="E",
                                   last_name=str(n), organisation=team)
                              for n in range(ROWS)], batch_size=5000)
    Enrolment.objects.bulk_create([Enrolment(user_id=pk, course=course) for pk in
                                   User.objects.filter(organisation=team)
                                   .values_list("pk", flat=True)], batch_size=5000)
    hr = UserFactory(email="hr@example.gov.uk")
    hr.groups.add(Group.objects.get(name="HR reporters"))
    ReportingScope.objects.create(user=hr, organisation=team)
    export = Export.objects.create(requested_by=hr, format="xlsx")
    queue = f"long-{uuid.uuid4().hex[:8]}"
    fast_sweeps = {"CELERY_VISIBILITY_TIMEOUT": "1", "CELERY_UNACKED_RESTORE_INTERVAL": "1",
                   "CELERY_UNACKED_RESTORE_THROTTLE": "1"}
    workers = [start_worker(queue=queue, name=f"{queue}-{n}@localhost", mail_dir=mail_dir,
                            broker_url=settings.REDIS_URL, concurrency=1,
                            extra_env=fast_sweeps) for n in (1, 2)]
    previous = point_app_at(settings.REDIS_URL, queue)
    try:
        for n, worker in enumerate(workers, start=1):
            wait_for_worker(f"{queue}-{n}@localhost", worker)
        from academy.tasks import export_build

        with psycopg.connect(**connection.get_connection_params()) as locker:
            locker.execute("LOCK TABLE learners_enrolment IN ACCESS EXCLUSIVE MODE")
            export_build.delay(str(export.pk))
            wait_for(lambda: Export.objects.get(pk=export.pk).attempts >= 2, timeout=120)
        # The lock is gone with the transaction: both deliveries go on.
        wait_for(lambda: Export.objects.get(pk=export.pk).status == Export.DONE, timeout=240)
        time.sleep(4)  # any further redelivery finds it done and changes nothing
    finally:
        for worker in workers:
            stop(worker)
        restore_app(previous)
    export.refresh_from_db()
    assert export.attempts >= 2, "the message was never redelivered: the test proves nothing"
    assert export.processed == ROWS
    stored = export.file.storage.listdir("exports")[1]
    assert [name for name in stored if export.pk.hex[:8] in name] == [
        export.file.name.rsplit("/", 1)[1]]
    assert AuditEvent.objects.filter(action=AuditEvent.EXPORT).count() == 1


def test_an_export_that_fails_for_good_in_a_real_worker_is_marked_failed(mail_dir, site):
    """The worker reports the final failure through the task's on_failure: the export's
    page says it failed instead of showing a progress bar for ever."""
    from academy.tasks import export_build
    from learners.models import JobStatus

    hr = UserFactory(email="hr.failing@example.gov.uk")
    export = Export.objects.create(requested_by=hr, format="csv", filters={"grade": "seven"})
    with real_worker(mail_dir):
        export_build.delay(str(export.pk))
        wait_for(lambda: Export.objects.get(pk=export.pk).status == JobStatus.FAILED)
    export.refresh_from_db()
    assert "ValueError" in export.error
    assert export.attempts == 0  # it failed reading its filters, before it started
