"""The learning log (issue 13): a private answer box under each activity on the lesson
page, kept in the learner's own log, in their data export and gone on erasure."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import LessonPage
from learners.models import LEARNING_LOG_MAX_LENGTH, LearningLogEntry
from tests.factories import UserFactory, activity, course_with_lessons, knowledge_check
from tests.learners.conftest import enrol, lessons_of

REFLECTION = "Think about your own work"
TASK = "Map a service you use"


def two_activities():
    return [
        {"type": "text", "value": "<p>Teams learn from the people who use a service.</p>"},
        activity(REFLECTION),
        knowledge_check(),
        activity(TASK, kind="activity", prompt="<p>Draw the steps <em>you</em> take.</p>"),
    ]


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=2, body=two_activities,
                               title="User research basics")


@pytest.fixture
def lesson(course):
    return lessons_of(course)[0]


@pytest.fixture
def enrolled(client, course, learner):
    client.force_login(learner)
    assert enrol(client, course).status_code == 302
    return learner


def activity_ids(lesson) -> list[str]:
    return [block.id for block in lesson.body if block.block_type == "activity"]


def save(client, lesson, block_id, answer):
    return client.post(reverse("learning_log_entry_save", args=[lesson.pk]),
                       {"activity": block_id, "answer": answer})


def box(page: str, block_id: str) -> str:
    """What the answer box for one activity holds."""
    match = re.search(rf'<textarea[^>]*id="activity-{block_id}-answer"[^>]*>\n?(.*?)</textarea>',
                      page, re.S)
    assert match, f"no answer box for {block_id}"
    return match.group(1)


def body(response) -> str:
    return response.content.decode()


# --- The answer box on the lesson ------------------------------------------------------


def test_an_enrolled_learner_has_a_private_answer_box_under_each_activity(
        client, enrolled, lesson):
    page = body(client.get(lesson.url))
    for block_id in activity_ids(lesson):
        assert box(page, block_id) == ""
        assert f'<label class="govuk-label govuk-label--s" for="activity-{block_id}-answer">' \
               "Your answer" in page
    assert page.count("Only you can see this. It is kept in your learning log.") == 2
    assert page.count('data-module="govuk-character-count" data-maxlength="5000"') == 2
    assert "You can enter up to 5,000 characters" in page
    assert page.count('name="activity"') == 2


@pytest.mark.parametrize("who", ["anonymous", "not enrolled"])
def test_no_answer_box_without_an_enrolment(client, lesson, who):
    if who == "not enrolled":
        client.force_login(UserFactory())
    page = body(client.get(lesson.url))
    assert "<textarea" not in page
    assert REFLECTION in page
    assert page.count("Enrol on this course to keep your answer in your own learning log.") == 2


def test_a_saved_answer_is_kept_and_shows_in_the_box_when_the_lesson_opens_again(
        client, enrolled, lesson):
    reflection = activity_ids(lesson)[0]
    response = save(client, lesson, reflection, "  I watched a claimant <fill in> a form.\r\n"
                                                "It took them 40 minutes.  ")
    assert response.status_code == 302
    assert response["Location"] == f"{lesson.url}#activity-{reflection}-saved"

    page = body(client.get(lesson.url))
    banner = page.split(f'id="activity-{reflection}-saved"', 1)[1].split("</div>\n    </div>")[0]
    assert "Your answer is saved in your learning log." in banner
    assert reverse("learning_log") in banner
    assert box(page, reflection) == ("I watched a claimant &lt;fill in&gt; a form.\n"
                                     "It took them 40 minutes.")
    entry = LearningLogEntry.objects.get()
    assert (entry.user, entry.lesson_id, entry.block_id) == (enrolled, lesson.pk, reflection)
    assert entry.activity_title == REFLECTION
    assert entry.answer == "I watched a claimant <fill in> a form.\nIt took them 40 minutes."

    again = body(client.get(lesson.url))
    assert "Your answer is saved" not in again  # the banner shows once
    assert "I watched a claimant &lt;fill in&gt; a form." in again


def test_changing_an_answer_changes_the_one_entry(client, enrolled, lesson):
    reflection = activity_ids(lesson)[0]
    save(client, lesson, reflection, "First thoughts")
    first = LearningLogEntry.objects.get()
    save(client, lesson, reflection, "First thoughts")  # the same words: nothing changes
    assert LearningLogEntry.objects.get().updated_at == first.updated_at
    save(client, lesson, reflection, "Second thoughts")
    entry = LearningLogEntry.objects.get()
    assert entry.pk == first.pk
    assert entry.answer == "Second thoughts"
    assert entry.updated_at > first.updated_at
    assert box(body(client.get(lesson.url)), reflection) == "Second thoughts"


def test_each_activity_keeps_its_own_answer(client, enrolled, lesson):
    reflection, task = activity_ids(lesson)
    save(client, lesson, reflection, "About my work")
    save(client, lesson, task, "Step one: find the form")
    page = body(client.get(lesson.url))
    assert box(page, reflection) == "About my work"
    assert box(page, task) == "Step one: find the form"
    assert LearningLogEntry.objects.count() == 2


def test_saving_an_empty_box_removes_the_answer(client, enrolled, lesson):
    reflection = activity_ids(lesson)[0]
    save(client, lesson, reflection, "Something to take back")
    response = save(client, lesson, reflection, "   \r\n ")
    assert response["Location"].endswith(f"#activity-{reflection}-saved")
    page = body(client.get(lesson.url))
    assert "Your answer has been removed from your learning log." in page
    assert box(page, reflection) == ""
    assert not LearningLogEntry.objects.exists()


def test_the_longest_answer_allowed_is_kept_counting_a_line_break_as_one(
        client, enrolled, lesson):
    reflection = activity_ids(lesson)[0]
    longest = "a" * (LEARNING_LOG_MAX_LENGTH - 2) + "\r\nb"
    assert save(client, lesson, reflection, longest)["Location"].endswith("-saved")
    assert len(LearningLogEntry.objects.get().answer) == LEARNING_LOG_MAX_LENGTH


def assert_refused(client, lesson, block_id, message, kept_in_box=None):
    page = body(client.get(lesson.url))
    assert "<title>Error:" in page
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert message in summary
    if kept_in_box is not None:
        assert f'href="#activity-{block_id}-answer"' in summary
        assert f'id="activity-{block_id}-answer-error"' in page
        assert "govuk-textarea--error" in page
        assert box(page, block_id) == kept_in_box
    return page


@pytest.mark.parametrize(("answer", "message", "kept"), [
    ("x" * (LEARNING_LOG_MAX_LENGTH + 1),
     f"Your answer to \u2018{REFLECTION}\u2019 must be 5,000 characters or fewer",
     "x" * (LEARNING_LOG_MAX_LENGTH + 1)),
    ("", f"Write your answer to \u2018{REFLECTION}\u2019 before you save it", ""),
], ids=["too long", "empty"])
def test_an_answer_that_cannot_be_kept_gets_a_clear_error_and_changes_nothing(
        client, enrolled, lesson, answer, message, kept):
    reflection, task = activity_ids(lesson)
    save(client, lesson, task, "Kept as it was")
    before = list(LearningLogEntry.objects.values())
    response = save(client, lesson, reflection, answer)
    assert response["Location"] == lesson.url  # the top, where the error summary is
    assert list(LearningLogEntry.objects.values()) == before
    page = assert_refused(client, lesson, reflection, message, kept_in_box=kept)
    assert box(page, task) == "Kept as it was"


def test_a_null_character_is_refused_and_changes_nothing(client, enrolled, lesson):
    reflection = activity_ids(lesson)[0]
    save(client, lesson, reflection, "As it was")
    response = save(client, lesson, reflection, "Null\x00byte")
    assert response.status_code == 400  # config.input_hygiene, before any view
    assert "contains a NUL character" in body(response)
    assert LearningLogEntry.objects.get().answer == "As it was"


def test_the_service_refuses_a_null_character_whoever_calls_it(enrolled, lesson, course):
    from learners.models import Enrolment
    from learners.services import LearningLogEntryRejected, learning_log_entry_save

    with pytest.raises(LearningLogEntryRejected, match="a null character"):
        learning_log_entry_save(enrolment=Enrolment.objects.get(user=enrolled),
                                lesson=lesson, block_id=activity_ids(lesson)[0],
                                answer="Null\x00byte")
    assert not LearningLogEntry.objects.exists()


def test_an_answer_too_long_does_not_replace_the_saved_one(client, enrolled, lesson):
    reflection = activity_ids(lesson)[0]
    save(client, lesson, reflection, "My saved answer")
    save(client, lesson, reflection, "y" * (LEARNING_LOG_MAX_LENGTH + 1))
    assert LearningLogEntry.objects.get().answer == "My saved answer"
    body(client.get(lesson.url))
    assert box(body(client.get(lesson.url)), reflection) == "My saved answer"  # error once


@pytest.mark.parametrize("which", ["unknown", "knowledge check", "draft only"])
def test_an_activity_not_in_the_published_lesson_is_refused(client, enrolled, lesson, which):
    if which == "knowledge check":
        block_id = lesson.knowledge_check_ids()[0]
    elif which == "draft only":
        draft = LessonPage.objects.get(pk=lesson.pk)
        draft.body = [*draft.body.raw_data, activity("Only in the draft")]
        draft.save_revision()  # not published
        block_id = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object() \
            .body.raw_data[-1]["id"]
    else:
        block_id = "not-a-block"
    response = save(client, lesson, block_id, "Written anyway")
    assert response["Location"] == lesson.url
    assert not LearningLogEntry.objects.exists()
    page = assert_refused(client, lesson, block_id,
                          "This activity is no longer in the lesson. Reload the page.")
    assert 'href="#main-content"' in page


def test_a_learner_not_enrolled_is_told_to_enrol_and_nothing_is_kept(client, lesson, course):
    client.force_login(UserFactory())
    response = save(client, lesson, activity_ids(lesson)[0], "My notes")
    assert response["Location"] == lesson.url
    page = body(client.get(lesson.url))
    assert f"Enrol on {course.title} to keep your answers in your learning log. " \
           "Your answer has not been saved." in page
    assert "govuk-error-summary" in page
    assert not LearningLogEntry.objects.exists()


def test_signed_out_saving_goes_to_sign_in_and_keeps_nothing(client, lesson):
    response = save(client, lesson, activity_ids(lesson)[0], "My notes")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign_in"))
    assert not LearningLogEntry.objects.exists()


def test_an_unpublished_lesson_cannot_be_written_in(client, enrolled, lesson):
    block_id = activity_ids(lesson)[0]
    lesson.unpublish()
    assert save(client, lesson, block_id, "Too late").status_code == 404
    assert not LearningLogEntry.objects.exists()


def test_someone_elses_answers_never_show_in_your_box(client, enrolled, lesson, course):
    reflection = activity_ids(lesson)[0]
    save(client, lesson, reflection, "Sam's private thought")
    other = UserFactory()
    client.force_login(other)
    enrol(client, course)
    assert box(body(client.get(lesson.url)), reflection) == ""


# --- The learning log page --------------------------------------------------------------


def test_the_log_shows_every_answer_by_course_and_lesson(client, enrolled, course, catalogue):
    first, second = lessons_of(course)
    save(client, second, activity_ids(second)[0], "From the second lesson")
    save(client, first, activity_ids(first)[1], "The task, answered first")
    save(client, first, activity_ids(first)[0], "The reflection, answered second")
    other_course = course_with_lessons(catalogue, modules=1, lessons=1, body=two_activities,
                                       title="Service design basics")
    enrol(client, other_course)
    other = lessons_of(other_course)[0]
    save(client, other, activity_ids(other)[0], "On another course")

    response = client.get(reverse("learning_log"))
    page = body(response)
    assert response.status_code == 200
    assert "<h1 class=\"govuk-heading-xl\">Your learning log</h1>" in page
    # Courses, then lessons in order, then each lesson's activities in its order.
    order = [course.title, first.title, REFLECTION, "The reflection, answered second",
             TASK, "The task, answered first", second.title, "From the second lesson",
             other_course.title, other.title, "On another course"]
    position = page.index("<main")
    for text in order:  # each found after the one before
        position = page.index(text, position)
    assert "When did you last learn something from a user?" in page  # the prompt
    assert "Draw the steps <em>you</em> take." in page
    entry = LearningLogEntry.objects.get(answer="On another course")
    assert f"last changed {entry.updated_at:%-d %B %Y}" in page
    assert f'href="{other.url}#activity-{entry.block_id}"' in page
    assert 'data-module="app-print"' in page
    assert "Print your learning log" in page


def test_the_log_is_private_and_not_cached(client, enrolled, lesson):
    save(client, lesson, activity_ids(lesson)[0], "Only for me")
    response = client.get(reverse("learning_log"))
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    client.force_login(UserFactory())
    page = body(client.get(reverse("learning_log")))
    assert "Only for me" not in page
    assert "You have not written anything yet." in page


def test_signed_out_the_log_asks_you_to_sign_in(client):
    response = client.get(reverse("learning_log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign_in"))


def test_an_activity_removed_from_the_lesson_keeps_its_answer_under_its_old_title(
        client, enrolled, lesson):
    reflection = activity_ids(lesson)[0]
    save(client, lesson, reflection, "Still mine")
    page = LessonPage.objects.get(pk=lesson.pk)
    page.body = [b for b in page.body.raw_data if b["id"] != reflection]
    page.save_revision().publish()
    log = body(client.get(reverse("learning_log")))
    assert REFLECTION in log
    assert "Still mine" in log
    assert "This activity is no longer in the lesson." in log


def test_the_log_takes_the_same_queries_however_many_answers(client, enrolled, catalogue):
    def log_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("learning_log")).status_code == 200
        return len(captured)

    def add_course(title):
        course = course_with_lessons(catalogue, modules=1, lessons=2, body=two_activities,
                                     title=title)
        enrol(client, course)
        for lesson in lessons_of(course):
            for block_id in activity_ids(lesson):
                save(client, lesson, block_id, f"Notes on {lesson.title}")

    add_course("Course one")
    log_queries()  # the first page also reads the person's roles, then kept a minute
    one = log_queries()
    add_course("Course two")
    add_course("Course three")
    assert log_queries() == one


def test_my_learning_and_your_profile_link_to_the_log(client, enrolled):
    page = body(client.get(reverse("my_learning")))
    assert f'href="{reverse("learning_log")}">your learning log</a>' in page
    profile = body(client.get(reverse("profile")))
    assert f'href="{reverse("learning_log")}">go to your learning log</a>' in profile
    log = body(client.get(reverse("learning_log")))  # it lives under My learning
    assert re.findall(r'href="([^"]+)" aria-current="page"', log) == ["/my-learning/"]


# --- Privacy ------------------------------------------------------------------------------


def test_the_data_export_holds_every_answer_in_full(client, enrolled, lesson):
    reflection = activity_ids(lesson)[0]
    save(client, lesson, reflection, "Line one\nLine two")
    data = client.get(reverse("my_data")).json()
    assert data["learning_log"] == [{
        "lesson": lesson.title, "activity": REFLECTION, "answer": "Line one\nLine two",
        "written_at": data["learning_log"][0]["written_at"],
        "last_changed_at": data["learning_log"][0]["last_changed_at"],
    }]
    assert data["learning_log"][0]["written_at"]


def test_erasure_deletes_the_learning_log(client, enrolled, lesson, course):
    for block_id in activity_ids(lesson):
        save(client, lesson, block_id, "Something personal")
    other = UserFactory()
    client.force_login(other)
    enrol(client, course)
    save(client, lesson, activity_ids(lesson)[0], "Someone else's")
    call_command("erase_learner", enrolled.email, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not LearningLogEntry.objects.filter(user=enrolled).exists()
    assert LearningLogEntry.objects.get().answer == "Someone else's"
