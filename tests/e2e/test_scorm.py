"""SCORM packages in a real browser (issue 17), on the shared stack: the academy on
http://127.0.0.1:PORT and packages on http://localhost:PORT, another site
(learners/scorm_content.py).

A learner runs a SCORM 1.2 and a SCORM 2004 package the test builds (tests/scorm_packages):
saves their place, leaves, comes back to it, finishes; the package's score is held to the
course's pass mark (80%), and passing completes the lesson and, with both, the course.
Then a package that attacks the learner: it reads document.cookie, fetches an academy
page with credentials and posts a form to the academy. None of it reaches the learner's
session, and the learner's record is unchanged. axe finds nothing on the lesson page at
1280px and 375px."""

import json
import re

import pytest

from tests.e2e.conftest import (
    academy_shell,
    assert_no_sideways_scroll,
    axe_violations,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LEARNER = "scorm.learner@example.gov.uk"

SETUP = '''
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from content.scorm import package_from_zip
from courses.models import CataloguePage
from learners.models import User
from learners.services import enrolment_create
from tests.factories import course_with_lessons
from tests.scorm_packages import scorm12_zip, scorm2004_zip

ATTACK = %(attack)r


def upload(data, name):
    return package_from_zip(SimpleUploadedFile(name, data), uploaded_by=None)


def lessons(course):
    from courses.models import LessonPage
    return list(LessonPage.objects.live().descendant_of(course).order_by("path"))


def block(package):
    return {"type": "scorm_package", "value": {"package": package.pk, "introduction": ""}}


catalogue = CataloguePage.objects.get()
learner = User.objects.create_user(email="%(learner)s", password="learn-digital-2026",
                                   first_name="Sasha", last_name="Scormsby",
                                   email_verified_at=timezone.now())
course = course_with_lessons(catalogue, modules=1, lessons=2, title="Bought-in e-learning",
                             pass_mark=80)
first, second = lessons(course)
first.body = [block(upload(scorm12_zip(title="Agile basics (SCORM 1.2)"), "agile.zip"))]
first.save_revision().publish()
second.body = [block(upload(scorm2004_zip(title="User research (SCORM 2004)"), "ur.zip"))]
second.save_revision().publish()
enrolment_create(user=learner, course=course)

other = course_with_lessons(catalogue, modules=1, lessons=2, title="A course under attack")
victim, hostile = lessons(other)
attack = upload(scorm12_zip(title="Free certificate", page=ATTACK %% {"victim": victim.pk}),
                "free.zip")
hostile.body = [block(attack)]
hostile.save_revision().publish()
enrolment_create(user=learner, course=other)
print("SCORM first=%%s second=%%s victim=%%s hostile=%%s" %% (
    first.url, second.url, victim.pk, hostile.url))
'''

# A package that tries, from inside its frame, to reach the academy as the learner.
ATTACK_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Free certificate</title></head>
<body><main><h1>Free certificate</h1>
<p id="cookie">pending</p><p id="top">pending</p><p id="fetch">pending</p>
<p id="form">pending</p>
<iframe name="sink" id="sink" title="Nothing to see"></iframe>
<form id="post" method="post" target="sink"
      action="ACADEMY/learning/lessons/%(victim)s/complete/?attack=form">
<input type="hidden" name="csrfmiddlewaretoken" value="guessed"></form>
<script>
(function () {
  function say(id, text) { document.getElementById(id).textContent = text; }
  say("cookie", "cookies:" + document.cookie);
  try { say("top", "read:" + window.top.document.cookie); }
  catch (e) { say("top", "blocked:" + e.name); }
  fetch("ACADEMY/my-learning/?attack=fetch", {credentials: "include"})
    .then(function (r) { return r.text(); })
    .then(function (text) { say("fetch", "read:" + text.slice(0, 500)); },
          function (e) { say("fetch", "blocked:" + e.name); });
  // The frame the form posts into loads the academy's answer (whatever it is).
  document.getElementById("sink").addEventListener("load", function () {
    say("form", "answered");
  });
  document.getElementById("post").submit();
  say("form", "submitted");
}());
</script></main></body></html>
"""

STATE = """
import json
from learners.models import LessonProgress, ScormAttempt, Enrolment, User
learner = User.objects.get(email=EMAIL)
attempts = ScormAttempt.objects.filter(enrolment__user=learner).order_by("pk")
print("STATE " + json.dumps({
    "completed": sorted(LessonProgress.objects.filter(
        enrolment__user=learner, completed_at__isnull=False).values_list("lesson_id", flat=True)),
    "attempts": [[a.lesson_id, a.number, a.completion_status, a.success_status,
                  a.score_percent] for a in attempts],
    "courses_completed": sorted(Enrolment.objects.filter(
        user=learner, completed_at__isnull=False).values_list("course__title", flat=True)),
}))
""".replace("EMAIL", repr(LEARNER))


@pytest.fixture(scope="module")
def scorm(academy):
    made = academy_shell(academy, SETUP % {"attack": ATTACK_PAGE.replace("ACADEMY",
                                                                         academy["base"]),
                                           "learner": LEARNER})
    found = re.search(r"SCORM first=(\S+) second=(\S+) victim=(\d+) hostile=(\S+)", made)
    return {"first": found.group(1), "second": found.group(2), "victim": int(found.group(3)),
            "hostile": found.group(4)}


def state(academy) -> dict:
    return json.loads(academy_shell(academy, STATE).split("STATE ", 1)[1])


def sco(page):
    """The package's own page: in the wrapper (content origin) in the lesson's frame."""
    return page.frame_locator("iframe.app-scorm__iframe").frame_locator("#scorm-package")


def status(page):
    return page.locator(".app-scorm__status")


def checked(page, name):
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})
    assert_no_sideways_scroll(page)
    assert axe_violations(page) == []
    screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_learner_runs_scorm_12_and_2004_packages_resumes_and_is_held_to_the_pass_mark(
        page, academy, scorm):
    sign_in(page, LEARNER)
    page.goto(scorm["first"])
    frame = sco(page)
    assert frame.locator("#connection").inner_text(timeout=20_000) == "Connected"
    assert frame.locator("#saved").inner_text() == "Saved place: none"
    assert page.get_by_role("button", name="Mark as complete and continue").count() == 0
    checked(page, "scorm-lesson")

    # Save a place, leave, come back: the package resumes there.
    frame.locator("#place").fill("page-5")
    frame.locator("#notes").fill("q1=yes;q2=no")
    frame.locator("#save").click()
    assert frame.locator("#result").inner_text() == "Saved"
    page.wait_for_function("document.querySelector('.app-scorm__status').textContent"
                           ".startsWith('Your progress is saved')")
    page.goto("/my-learning/")
    page.goto(scorm["first"])
    frame = sco(page)
    assert frame.locator("#connection").inner_text(timeout=20_000) == "Connected"
    assert frame.locator("#saved").inner_text() == "Saved place: page-5"
    assert frame.locator("#saved-notes").inner_text() == "Saved notes: q1=yes;q2=no"

    # Finish with 90%: the lesson is complete.
    frame.locator("#score").fill("90")
    frame.locator("#pass").click()
    assert frame.locator("#result").inner_text() == "Finished"
    page.wait_for_function("document.querySelector('.app-scorm__status').textContent"
                           ".includes('You have completed this lesson')")
    after_first = state(academy)
    assert after_first["attempts"][0][1:5] == [1, "completed", "passed", 90]
    assert len(after_first["completed"]) == 1

    # SCORM 2004: the package says passed, but 60% is below the course's 80%.
    page.goto(scorm["second"])
    frame = sco(page)
    assert frame.locator("#connection").inner_text(timeout=20_000) == "Connected"
    frame.locator("#score").fill("60")
    frame.locator("#pass").click()
    page.wait_for_function("document.querySelector('.app-scorm__status').textContent"
                           ".includes('below the pass mark of 80%')")
    assert "below the pass mark of 80%" in status(page).inner_text()
    assert len(state(academy)["completed"]) == 1
    page.reload()
    assert "complete when you finish and pass the e-learning" in page.locator(
        "#complete").inner_text()
    checked(page, "scorm-lesson-below-pass-mark")

    # A new attempt at 85%: the lesson, and so the course, is complete.
    frame = sco(page)
    assert frame.locator("#connection").inner_text(timeout=20_000) == "Connected"
    assert frame.locator("#saved").inner_text() == "Saved place: none"
    frame.locator("#score").fill("85")
    frame.locator("#pass").click()
    page.wait_for_function("document.querySelector('.app-scorm__status').textContent"
                           ".includes('You have completed this lesson')")
    final = state(academy)
    assert len(final["completed"]) == 2
    assert [a[1:5] for a in final["attempts"][1:]] == [[1, "completed", "passed", 60],
                                                       [2, "completed", "passed", 85]]
    assert "Bought-in e-learning" in final["courses_completed"]


def test_a_package_cannot_read_the_session_or_act_on_the_academy_as_the_learner(
        page, academy, scorm):
    sign_in(page, LEARNER)
    academy_cookies = {c["name"]: c["value"] for c in page.context.cookies(academy["base"])}
    assert "sessionid" in academy_cookies
    before = state(academy)
    page.goto(scorm["hostile"])
    frame = sco(page)
    frame.locator("#fetch:not(:text('pending'))").wait_for(timeout=20_000)
    # The academy answered the form's post (into a frame of the package's).
    frame.locator("#form:text('answered')").wait_for(timeout=20_000)

    # document.cookie in the package holds none of the academy's cookies, and the
    # lesson page's document (where they are) is out of its reach.
    seen = frame.locator("#cookie").inner_text()
    assert not any(value in seen for value in academy_cookies.values()), seen
    assert frame.locator("#top").inner_text().startswith("blocked:")
    # The fetch with credentials got nothing it could read.
    assert frame.locator("#fetch").inner_text().startswith("blocked:")
    # The form was posted and answered (above); the academy did not take it as the
    # learner: that lesson, and every other, is as it was. (The server refuses it: no
    # session cookie crosses sites, and its Origin is not the academy's.)
    after = state(academy)
    assert scorm["victim"] not in after["completed"]
    assert after["completed"] == before["completed"]
