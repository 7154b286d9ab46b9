"""`make run`'s database is SQLite (the README's embedded default), while the suite runs
on PostgreSQL: the SQL the academy writes by hand for its busiest reads (content.sql:
the routed page, the learner's enrolment, the signed-in person) must work on both. The
demo academy loaded on SQLite, as `make run` loads it, serves each kind of page."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

VIEWS = r'''
from django.test import Client
from courses.models import LessonPage

def get(client, url):
    response = client.get(url, HTTP_HOST="127.0.0.1")
    print("PAGE", url, response.status_code)

anonymous, learner, hr = Client(), Client(), Client()
for client, email in ((learner, "learner@example.gov.uk"), (hr, "hr@example.gov.uk")):
    signed_in = client.post("/sign-in/", {"username": email, "password": "learn-digital-2026"},
                            HTTP_HOST="127.0.0.1")
    assert signed_in.status_code == 302, email
lesson = LessonPage.objects.live().filter(url_path__contains="scrum-in-government").first()
for url in ("/courses/", "/courses/scrum-in-government/"):
    get(anonymous, url)
    get(learner, url)
get(learner, lesson.url)
get(learner, lesson.url)  # warm: the lesson's cached body and the map
get(learner, "/my-learning/")
get(hr, "/reports/")

# The learner's answers and notes read in their enrolment's row (JSON from SQLite's
# json_group_array) agree with the ORM's own reads of them.
from learners.models import Enrolment, KnowledgeCheckAttempt, LearningLogEntry
from learners.selectors import (enrolment_get, learning_log_notes_for_lesson,
                                lesson_activities, lesson_state_get)
enrolment = Enrolment.objects.filter(user__email="learner@example.gov.uk").first()
lesson = next(lesson for lesson in LessonPage.objects.live().descendant_of(enrolment.course)
              if lesson.knowledge_check_ids() and lesson_activities(lesson=lesson))
check = next(block for block in lesson.body.raw_data if block["type"] == "knowledge_check")
KnowledgeCheckAttempt.objects.create(enrolment=enrolment, lesson=lesson, block_id=check["id"],
                                     chosen=[check["value"]["options"][0]["id"]], correct=False)
LearningLogEntry.objects.create(user=enrolment.user, lesson=lesson,
                                block_id=next(iter(lesson_activities(lesson=lesson))),
                                activity_title="Reflect", answer="Short cycles help")
ours = enrolment_get(user=enrolment.user, course=enrolment.course.specific, lesson=lesson,
                     answers=True, notes=True)
orm = enrolment_get(user=enrolment.user, course=enrolment.course.specific, lesson=lesson)
notes = learning_log_notes_for_lesson(user=enrolment.user, lesson=lesson, enrolment=ours)
print("AGREE", bool(ours.answers_here) and bool(notes)
      and lesson_state_get(enrolment=ours, lesson=lesson)
      == lesson_state_get(enrolment=orm, lesson=lesson)
      and notes == learning_log_notes_for_lesson(user=enrolment.user, lesson=lesson))

# My learning's list and who attended which sessions (hand-written SQL) as the ORM reads
# them, by the same references the PostgreSQL tests use.
from learners.models import Booking
from learners.selectors import enrolments_list_for_learner
from learners.services.progress import sessions_attended
from tests.academy.test_my_learning import orm_enrolments_list_for_learner, seen
from tests.learners.test_learner_queries import orm_sessions_attended
learner_user = enrolment.user
listed = enrolments_list_for_learner(user=learner_user)
print("MYLEARNING", len(listed) > 1
      and seen(listed) == seen(orm_enrolments_list_for_learner(user=learner_user)))
Booking.objects.filter(pk=Booking.objects.order_by("pk").values("pk")[:1]).update(attended=True)
pairs = set(Booking.objects.values_list("user_id", "session__course_id"))
print("SESSIONS", any(sessions_attended(user_id=u, course_id=c) for u, c in pairs)
      and all(sessions_attended(user_id=u, course_id=c)
              == orm_sessions_attended(user_id=u, course_id=c) for u, c in pairs))
'''


def test_the_demo_academy_serves_every_kind_of_page_on_sqlite(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev",
               DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               MEDIA_ROOT=str(tmp_path / "media"))
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 900}
    for command in (["migrate", "--noinput", "-v0"], ["load_demo_academy"]):
        done = subprocess.run([sys.executable, "manage.py", *command], **run)
        assert done.returncode == 0, done.stderr[-2000:]
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", VIEWS], **run)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = [line.split() for line in done.stdout.splitlines() if line.startswith("PAGE")]
    assert len(pages) == 8, done.stdout
    assert all(status == "200" for _, _, status in pages), pages
    assert "AGREE True" in done.stdout, done.stdout[-2000:]
    assert "SESSIONS True" in done.stdout, done.stdout[-2000:]
    assert "MYLEARNING True" in done.stdout, done.stdout[-2000:]
