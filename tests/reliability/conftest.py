import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.utils import timezone

from learners.models import Enrolment, KnowledgeCheckAttempt, LessonProgress
from tests.conftest import require_tool
from tests.factories import UserFactory
from tests.learners.conftest import course, learner, lessons_of  # noqa: F401


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def own_redis(port: int):
    """A Redis of the test's own on its own port, so the shared one is left alone."""
    require_tool("redis-server", "redis-server")
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
        stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def finished_facts(course_page, count: int) -> list[Enrolment]:
    """`count` learners who have done every lesson of the course, right answers and
    all: the facts are stored, the consequences (progress, certificate) are not."""
    now = timezone.now()
    lessons = lessons_of(course_page)
    enrolments = []
    for n in range(count):
        user = UserFactory(email=f"finisher{n}@example.gov.uk", first_name="Fin",
                           last_name=f"Isher{n}")
        enrolment = Enrolment.objects.create(user=user, course=course_page, last_fact_at=now,
                                             confirmation_sent_at=now)
        for lesson in lessons:
            LessonProgress.objects.create(enrolment=enrolment, lesson=lesson, completed_at=now)
            for block in lesson.knowledge_checks():
                KnowledgeCheckAttempt.objects.create(
                    enrolment=enrolment, lesson=lesson, block_id=block.id, correct=True,
                    chosen=[o.id for o in block.value["options"].bound_blocks
                            if o.value["correct"]])
        enrolments.append(enrolment)
    return enrolments


@pytest.fixture
def mail_dir(tmp_path):
    return tmp_path
