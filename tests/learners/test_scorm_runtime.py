"""The SCORM runtime (issue 17): attempts, commits checked and stored, resume, the
package's report becoming the lesson's completion (and the pass mark), and the content
origin that serves packages apart from the academy (learners.scorm_content)."""

import json
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content.scorm import package_from_zip
from learners.models import Enrolment, LessonProgress, ScormAttempt
from learners.scorm_content import scorm_token
from learners.services import enrolment_create
from learners.services.scorm import (
    CmiRefused,
    scorm_attempt_commit,
    scorm_attempt_for_launch,
    scorm_launch_cmi,
)
from tests.factories import UserFactory, course_with_lessons, knowledge_check
from tests.learners.conftest import lessons_of, right_answers
from tests.scorm_packages import scorm12_zip, scorm2004_zip

CONTENT_HOST = "localhost:8000"   # settings.SCORM_CONTENT_ORIGIN in the tests
ACADEMY = "http://testserver"


def upload(data: bytes, name="package.zip"):
    return package_from_zip(SimpleUploadedFile(name, data, content_type="application/zip"),
                            uploaded_by=None)


def scorm_block(package) -> dict:
    return {"type": "scorm_package", "value": {"package": package.pk, "introduction": ""}}


@pytest.fixture
def package12(db):
    return upload(scorm12_zip(title="Agile basics (SCORM 1.2)"))


@pytest.fixture
def package2004(db):
    return upload(scorm2004_zip(title="User research (SCORM 2004)"))


@pytest.fixture
def scorm_course(catalogue, package12):
    """One module: a SCORM 1.2 lesson, then a plain lesson. Pass mark 80."""
    course = course_with_lessons(catalogue, modules=1, lessons=2, title="Bought e-learning",
                                 pass_mark=80)
    first, _second = lessons_of(course)
    first.body = [scorm_block(package12)]
    first.save_revision().publish()
    return course


@pytest.fixture
def learner_enrolment(scorm_course, learner):
    return enrolment_create(user=learner, course=scorm_course)[0]


def scorm_lesson(course):
    return next(lesson for lesson in lessons_of(course) if lesson.scorm_package_ids())


def commit(client, attempt, cmi, *, terminate=False):
    url = reverse("scorm_attempt_commit", args=[attempt.pk]) + ("?terminate=1" if terminate else "")
    return client.post(url, json.dumps({"cmi": cmi}), content_type="application/json")


def launch(client, lesson) -> tuple[str, ScormAttempt]:
    """Open the lesson as the signed-in learner: the frame's address and the attempt."""
    page = client.get(lesson.url)
    assert page.status_code == 200
    src = re.search(r'<iframe class="app-scorm__iframe" src="([^"]+)"', page.content.decode())
    assert src, "the lesson shows no SCORM frame"
    return src.group(1), ScormAttempt.objects.order_by("-pk").first()


# --- Attempts, commits and resume ---------------------------------------------------

def test_first_launch_starts_attempt_one_and_reopening_resumes_it(client, learner,
                                                                   learner_enrolment,
                                                                   scorm_course):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    url, attempt = launch(client, lesson)
    assert url.startswith("http://localhost:8000/scorm-content/")
    assert attempt.number == 1
    assert attempt.enrolment == learner_enrolment
    response = commit(client, attempt, {"cmi.core.lesson_location": "page-3",
                                        "cmi.suspend_data": "answers=1,0,1",
                                        "cmi.core.lesson_status": "incomplete",
                                        "cmi.core.exit": "suspend",
                                        "cmi.core.student_name": "Okafor, Sam"})
    assert response.status_code == 200
    assert response.json()["saved"] is True
    attempt.refresh_from_db()
    # The package's own data is stored; what the platform sets (the name) is not.
    assert attempt.cmi == {"cmi.core.lesson_location": "page-3",
                           "cmi.suspend_data": "answers=1,0,1",
                           "cmi.core.lesson_status": "incomplete", "cmi.core.exit": "suspend"}
    # Reopening the lesson: the same attempt, and the runtime starts where they were.
    _url, again = launch(client, lesson)
    assert again.pk == attempt.pk
    assert ScormAttempt.objects.count() == 1
    cmi = scorm_launch_cmi(attempt=again, user=learner)
    assert cmi["cmi.core.lesson_location"] == "page-3"
    assert cmi["cmi.suspend_data"] == "answers=1,0,1"
    assert cmi["cmi.core.entry"] == "resume"
    assert cmi["cmi.core.student_name"] == "Okafor, Sam"
    assert "cmi.core.exit" not in cmi  # write-only


def test_an_attempt_finished_without_suspend_is_closed_and_the_next_launch_is_attempt_two(
        client, learner, learner_enrolment, scorm_course):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    _url, attempt = launch(client, lesson)
    commit(client, attempt, {"cmi.core.lesson_status": "incomplete", "cmi.core.exit": ""},
           terminate=True)
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    refused = commit(client, attempt, {"cmi.core.lesson_status": "passed"})
    assert refused.status_code == 400
    assert "finished" in refused.json()["message"]
    _url, second = launch(client, lesson)
    assert second.number == 2
    assert scorm_launch_cmi(attempt=second, user=learner)["cmi.core.entry"] == "ab-initio"


@pytest.mark.parametrize(("cmi", "says"), [
    ({"cmi.core.lesson_status": "done"}, "cmi.core.lesson_status is not one of"),
    ({"cmi.core.secret": "x"}, "cmi.core.secret is not part of the SCORM 1.2 data model"),
    ({"cmi.suspend_data": "x" * 4097}, "cmi.suspend_data is longer than 4096 characters"),
    ({"cmi.core.score.raw": "lots"}, "cmi.core.score.raw is not a number"),
    ({"cmi.core.session_time": "1 hour"}, "cmi.core.session_time is not a time"),
    ({"cmi.core.lesson_location": ["a"]}, "cmi.core.lesson_location is not a single value"),
    ({"cmi.location": "page-1"}, "cmi.location is not part of the SCORM 1.2 data model"),
])
def test_a_commit_that_breaks_the_data_model_is_refused_and_changes_nothing(
        client, learner, learner_enrolment, scorm_course, cmi, says):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    _url, attempt = launch(client, lesson)
    commit(client, attempt, {"cmi.core.lesson_location": "page-2"})
    response = commit(client, attempt, {"cmi.core.lesson_status": "passed", **cmi})
    assert response.status_code == 400
    assert response.json() == {"saved": False,
                               "message": response.json()["message"]}
    assert says in response.json()["message"]
    attempt.refresh_from_db()
    assert attempt.cmi == {"cmi.core.lesson_location": "page-2"}
    assert attempt.commits == 1
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_a_commit_too_large_or_not_json_is_refused(client, learner, learner_enrolment,
                                                   scorm_course, settings):
    settings.SCORM_COMMIT_MAX_BYTES = 2000
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    _url, attempt = launch(client, lesson)
    big = commit(client, attempt, {"cmi.comments": "x" * 3000})
    assert big.status_code == 413
    assert "larger than" in big.json()["message"]
    garbled = client.post(reverse("scorm_attempt_commit", args=[attempt.pk]), "{not json",
                          content_type="application/json")
    assert garbled.status_code == 400
    attempt.refresh_from_db()
    assert attempt.commits == 0
    assert attempt.cmi == {}


def test_a_learner_cannot_commit_to_someone_elses_attempt(client, learner, learner_enrolment,
                                                          scorm_course):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    _url, attempt = launch(client, lesson)
    other = UserFactory()
    enrolment_create(user=other, course=scorm_course)
    client.force_login(other)
    response = commit(client, attempt, {"cmi.core.lesson_status": "passed"})
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.commits == 0
    client.logout()
    assert commit(client, attempt, {"cmi.core.lesson_status": "passed"}).status_code == 302


# --- The package's report is the lesson's completion ---------------------------------

def test_a_passed_scorm_12_package_completes_the_lesson_through_the_usual_path(
        client, learner, learner_enrolment, scorm_course):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    _url, attempt = launch(client, lesson)
    response = commit(client, attempt, {"cmi.core.lesson_status": "passed",
                                        "cmi.core.score.raw": "85", "cmi.core.exit": ""},
                      terminate=True)
    assert response.json()["lessonCompleted"] is True
    assert "You have completed this lesson" in response.json()["message"]
    attempt.refresh_from_db()
    assert (attempt.completion_status, attempt.success_status, attempt.score_percent) == (
        "completed", "passed", 85)
    progress = LessonProgress.objects.get(enrolment=learner_enrolment, lesson=lesson)
    assert progress.completed_at is not None
    enrolment = Enrolment.objects.get(pk=learner_enrolment.pk)
    assert enrolment.progress_percent == 50  # one of the course's two lessons
    page = client.get(lesson.url).content.decode()
    assert "You completed this lesson on" in page
    assert "Passed" in page


def test_a_score_below_the_course_pass_mark_does_not_complete_the_lesson(
        client, learner, learner_enrolment, scorm_course):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    _url, attempt = launch(client, lesson)
    response = commit(client, attempt, {"cmi.core.lesson_status": "completed",
                                        "cmi.core.score.raw": "60"})
    assert response.json()["lessonCompleted"] is False
    assert response.json()["message"] == ("Your progress is saved. Your score of 60% is "
                                          "below the pass mark of 80%: you can try again.")
    assert not LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()
    # The lesson's own button cannot skip it: not shown, and refused if posted.
    page = client.get(lesson.url).content.decode()
    assert "Mark as complete" not in page
    assert "complete when you finish and pass the e-learning" in page
    client.post(reverse("lesson_complete", args=[lesson.pk]))
    assert not LessonProgress.objects.filter(lesson=lesson, completed_at__isnull=False).exists()
    refused = client.get(lesson.url).content.decode()
    assert "Finish the e-learning in this lesson, and pass it" in refused


def test_a_failed_scorm_2004_package_is_not_passed_and_a_later_pass_completes_it(
        client, catalogue, learner, package2004):
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Research")
    lesson = lessons_of(course)[0]
    lesson.body = [scorm_block(package2004)]
    lesson.save_revision().publish()
    enrolment, _ = enrolment_create(user=learner, course=course)
    client.force_login(learner)
    _url, attempt = launch(client, lesson)
    failed = commit(client, attempt, {"cmi.completion_status": "completed",
                                      "cmi.success_status": "failed", "cmi.score.scaled": "0.4",
                                      "cmi.exit": "normal"}, terminate=True)
    assert failed.json()["lessonCompleted"] is False
    assert "did not pass" in failed.json()["message"]
    _url, second = launch(client, lesson)
    assert second.number == 2
    passed = commit(client, second, {"cmi.completion_status": "completed",
                                     "cmi.success_status": "passed", "cmi.score.scaled": "0.9",
                                     "cmi.score.raw": "90", "cmi.location": "end"})
    assert passed.json()["lessonCompleted"] is True
    second.refresh_from_db()
    assert second.score_percent == 90
    assert second.score_scaled is not None
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None  # the course's only lesson


def test_a_scorm_lesson_with_a_knowledge_check_completes_once_both_are_done(
        client, catalogue, learner, package12):
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Mixed")
    lesson = lessons_of(course)[0]
    lesson.body = [scorm_block(package12), knowledge_check()]
    lesson.save_revision().publish()
    enrolment_create(user=learner, course=course)
    client.force_login(learner)
    _url, attempt = launch(client, lesson)
    response = commit(client, attempt, {"cmi.core.lesson_status": "passed"})
    assert response.json()["passes"] is True
    assert response.json()["lessonCompleted"] is False
    assert "Answer the questions in this lesson" in response.json()["message"]
    check = lesson.knowledge_checks()[0]
    client.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                {"check": check.id, "answer": right_answers(lesson, check)})
    client.post(reverse("lesson_complete", args=[lesson.pk]))
    assert LessonProgress.objects.get(lesson=lesson).completed_at is not None


def test_the_service_refuses_unknown_keys_for_2004_and_stores_nothing(learner, catalogue,
                                                                      package2004):
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Service")
    lesson = lessons_of(course)[0]
    enrolment, _ = enrolment_create(user=learner, course=course)
    attempt = scorm_attempt_for_launch(enrolment=enrolment, lesson=lesson, package=package2004)
    with pytest.raises(CmiRefused, match=r"cmi\.core\.lesson_status is not part of the SCORM 2004"):
        scorm_attempt_commit(enrolment=enrolment, attempt_id=attempt.pk,
                             data={"cmi.core.lesson_status": "passed"})
    with pytest.raises(CmiRefused, match=r"cmi\.score\.scaled is not between -1 and 1"):
        scorm_attempt_commit(enrolment=enrolment, attempt_id=attempt.pk,
                             data={"cmi.score.scaled": "2"})
    attempt.refresh_from_db()
    assert attempt.cmi == {}
    assert attempt.commits == 0


# --- The content origin -------------------------------------------------------------

def content_get(client, url: str):
    path = url.replace("http://localhost:8000", "")
    return client.get(path, HTTP_HOST=CONTENT_HOST)


def test_the_wrapper_runs_the_attempt_with_its_saved_data_and_sets_no_cookie(
        client, learner, learner_enrolment, scorm_course):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    url, attempt = launch(client, lesson)
    commit(client, attempt, {"cmi.core.lesson_location": "page-7", "cmi.core.exit": "suspend"})
    client.logout()
    response = content_get(client, url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert not response.cookies
    policy = response["Content-Security-Policy"]
    assert f"frame-ancestors {ACADEMY}" in policy
    assert "connect-src 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    launch_data = json.loads(re.search(
        r'<script id="scorm-launch" type="application/json">(.*?)</script>', html).group(1))
    assert launch_data["cmi"]["cmi.core.lesson_location"] == "page-7"
    assert launch_data["cmi"]["cmi.core.entry"] == "resume"
    assert launch_data["academyOrigin"] == ACADEMY
    assert launch_data["is2004"] is False
    assert 'src="files/index.html"' in html
    assert "/static/academy/scorm-again.min.js" in html


def test_package_files_are_served_by_token_with_their_type_and_nothing_else(
        client, learner, learner_enrolment, scorm_course, package2004):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    url, _attempt = launch(client, lesson)
    client.logout()
    page = content_get(client, url + "files/index.html")
    assert page.status_code == 200
    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert f"frame-ancestors 'self' {ACADEMY}" in page["Content-Security-Policy"]
    assert "connect-src 'self'" in page["Content-Security-Policy"]
    assert not page.cookies
    assert b"LMSInitialize" in b"".join(page.streaming_content)
    manifest = content_get(client, url + "files/imsmanifest.xml")
    assert manifest["Content-Type"] == "application/xml; charset=utf-8"
    # Nothing outside the package, however asked for.
    for path in ("files/../../../settings.py", "files/..%2f..%2fsecret", "files/%2e%2e/x",
                 "files/missing.html", "files/"):
        assert content_get(client, url + path).status_code == 404, path
    # The token reads only its own attempt's package, not another package's files.
    other = package2004.files_prefix.split("/")[1]
    assert content_get(client, url + f"files/../../scorm/{other}/index.html").status_code == 404


def test_a_forged_altered_or_expired_token_reads_nothing(client, learner, learner_enrolment,
                                                         scorm_course, monkeypatch):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    url, attempt = launch(client, lesson)
    token = url.rstrip("/").rsplit("/", 1)[1]
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert content_get(client, url.replace(token, altered)).status_code == 404
    assert content_get(client, "/scorm-content/made-up/files/index.html").status_code == 404
    real = time.time
    monkeypatch.setattr("django.core.signing.time.time", lambda: real() - 13 * 3600)
    old = scorm_token(attempt, academy=ACADEMY)
    monkeypatch.setattr("django.core.signing.time.time", real)
    assert content_get(client, f"/scorm-content/{old}/").status_code == 404
    assert content_get(client, f"/scorm-content/{old}/files/index.html").status_code == 404


def test_the_content_origin_serves_no_academy_page_and_the_academy_no_package(
        client, learner, learner_enrolment, scorm_course):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    url, _attempt = launch(client, lesson)
    # Signed in, with the session cookie sent to the content host: still nothing, only
    # a redirect to the same path on the academy's own address (someone who opened the
    # academy at the content address).
    for path in ("/", "/my-learning/", "/sign-in/", lesson.url, "/profile/my-data.json",
                 "/healthz", "/courses/?next=//elsewhere.example/"):
        response = client.get(path, HTTP_HOST=CONTENT_HOST)
        assert response.status_code == 302, path
        assert response["Location"] == "http://testserver" + path
        assert response.content == b""
        assert not response.cookies
    posted = client.post("/sign-out/", HTTP_HOST=CONTENT_HOST)
    assert posted.status_code == 404
    # The package routes do not exist on the academy's own host.
    path = url.replace("http://localhost:8000", "")
    assert client.get(path).status_code == 404
    assert client.get(path + "files/index.html").status_code == 404


def test_the_lesson_page_frames_the_content_origin_and_others_are_told_to_enrol(
        client, learner, learner_enrolment, scorm_course):
    lesson = scorm_lesson(scorm_course)
    client.force_login(learner)
    response = client.get(lesson.url)
    assert "http://localhost:8000" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert 'data-content-origin="http://localhost:8000"' in html
    assert 'sandbox="allow-scripts allow-same-origin allow-forms allow-popups' in html
    client.logout()
    anonymous = client.get(lesson.url).content.decode()
    assert "Enrol on this course to start this e-learning" in anonymous
    assert "app-scorm__iframe" not in anonymous
    assert ScormAttempt.objects.count() == 1
