"""Linked lesson bodies are cached (content.cache): a warm view links nothing and reads
no glossary term, every change is seen at once, and no learner ever sees another
learner's form, answer or token from the cache."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.cache import LinkedBody, body_version, kept_forget, lesson_body_key
from courses.models import LessonPage
from tests.factories import (
    GlossaryTermFactory,
    UserFactory,
    activity,
    course_with_lessons,
    knowledge_check,
)
from tests.learners.conftest import enrol, lessons_of

SPRINT = "A fixed period of time."


def body():
    return [
        {"type": "text", "value": "<p>Plan your sprints from the backlog.</p>"},
        knowledge_check(),
        activity(prompt="<p>Which backlog does your sprint take work from?</p>"),
        {"type": "callout", "value": {"style": "information", "title": "",
                                      "text": "<p>A sprint is short.</p>"}},
    ]


@pytest.fixture
def course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=2, body=body, title="Sprints")


@pytest.fixture
def lesson(course):
    return lessons_of(course)[0]


@pytest.fixture
def sprint(db):
    return GlossaryTermFactory(term="Sprint", definition=SPRINT, also_matches="sprints")


def seen(client, lesson) -> str:
    response = client.get(lesson.url)
    assert response.status_code == 200
    return response.content.decode()


def definition_shown(page: str, anchor: str = "term-sprint") -> str | None:
    match = re.search(rf'id="{anchor}-definition">\((.*?) <a', page)
    return match.group(1) if match else None


def without_tokens(page: str) -> str:
    """The page without its CSRF tokens, which differ on every view."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def cached(lesson) -> LinkedBody | None:
    return cache.get(lesson_body_key(LessonPage.objects.get(pk=lesson.pk)))


def test_a_warm_view_uses_the_cached_body_and_reads_no_glossary_term(client, lesson, sprint):
    cold = seen(client, lesson)
    entry = cached(lesson)
    assert entry is not None
    assert definition_shown(cold) == SPRINT

    with CaptureQueriesContext(connection) as queries:
        warm = seen(client, lesson)
    assert without_tokens(warm) == without_tokens(cold)
    assert not [q["sql"] for q in queries if "content_glossaryterm" in q["sql"]]

    # The warm page is built from the stored pieces: nothing is linked again. This
    # process keeps them; another (as after forgetting) reads them from the cache.
    cache.set(lesson_body_key(lesson), LinkedBody(
        (entry.pieces[0] + "<p>from the cache</p>", *entry.pieces[1:]), entry.terms_used))
    assert "<p>from the cache</p>" not in seen(client, lesson)
    kept_forget()
    assert "<p>from the cache</p>" in seen(client, lesson)
    cache.delete(lesson_body_key(lesson))
    assert "<p>from the cache</p>" in seen(client, lesson)  # kept here now


def test_a_warm_view_is_the_same_as_a_cold_one_for_an_enrolled_learner(
        client, course, lesson, sprint):
    client.force_login(UserFactory(email="kim@example.gov.uk"))
    enrol(client, course)
    seen(client, lesson)  # shows the one-off "You are enrolled" banner
    cache.delete(lesson_body_key(lesson))
    kept_forget()
    cold = seen(client, lesson)
    warm = seen(client, lesson)
    assert without_tokens(warm) == without_tokens(cold)
    assert "Words used in this lesson" in warm
    assert warm.count('class="app-glossary__term"') == 1  # "sprint", at its first use only
    assert 'name="answer"' in warm  # the learner's own answer box


def test_publishing_changing_and_unpublishing_a_term_are_seen_at_once(
        client, lesson, django_capture_on_commit_callbacks):
    assert definition_shown(seen(client, lesson)) is None

    with django_capture_on_commit_callbacks(execute=True):
        term = GlossaryTermFactory(term="Sprint", definition=SPRINT, also_matches="sprints")
    assert definition_shown(seen(client, lesson)) == SPRINT

    term.definition = "A time-box of a month or less."
    with django_capture_on_commit_callbacks(execute=True):
        term.save_revision().publish()
    assert definition_shown(seen(client, lesson)) == "A time-box of a month or less."

    with django_capture_on_commit_callbacks(execute=True):
        term.unpublish()
    page = seen(client, lesson)
    assert definition_shown(page) is None
    assert "Words used in this lesson" not in page


def test_deleting_a_term_is_seen_at_once(client, lesson, sprint):
    assert definition_shown(seen(client, lesson)) == SPRINT
    sprint.delete()
    assert definition_shown(seen(client, lesson)) is None


def test_a_draft_change_to_a_term_changes_no_lesson(client, lesson, sprint):
    seen(client, lesson)
    version = body_version()
    sprint.definition = "Draft wording."
    sprint.save_revision()
    assert body_version() == version
    assert definition_shown(seen(client, lesson)) == SPRINT


def test_a_glossary_change_warms_the_lessons_that_use_the_term(
        catalogue, course, django_capture_on_commit_callbacks):
    first, second = lessons_of(course)
    other = course_with_lessons(catalogue, modules=1, lessons=1, title="Other", body=[
        {"type": "text", "value": "<p>Nothing about time-boxes here.</p>"}])
    unrelated = lessons_of(other)[0]
    with django_capture_on_commit_callbacks(execute=True):
        GlossaryTermFactory(term="Sprint", definition=SPRINT, also_matches="sprints")
    for lesson in (first, second):
        entry = cached(lesson)
        assert entry is not None
        assert [term.term for term in entry.terms_used] == ["Sprint"]
    assert cached(unrelated) is None


def test_a_warm_for_a_glossary_change_overtaken_by_another_does_nothing(course, sprint):
    """Terms loaded one after another enqueue a warm each: only the last one's runs."""
    from content.cache import body_version_bump
    from content.tasks import lesson_bodies_warm_for_term

    overtaken = body_version()
    body_version_bump()
    assert lesson_bodies_warm_for_term(["sprint"], overtaken) == 0
    assert all(cached(lesson) is None for lesson in lessons_of(course))
    assert lesson_bodies_warm_for_term(["sprint"], body_version()) == 2
    assert all(cached(lesson) is not None for lesson in lessons_of(course))


def test_a_lesson_publish_is_seen_at_once(client, lesson, sprint):
    seen(client, lesson)
    page = LessonPage.objects.get(pk=lesson.pk)
    page.body = [{"type": "text", "value": "<p>A new sprint, a new plan.</p>"}]
    page.save_revision().publish()
    now = seen(client, lesson)
    assert "A new sprint, a new plan." not in now  # the term is linked inside it
    assert "A new <span" in now
    assert "Plan your sprints" not in now


def answer_token(page: str) -> list[str]:
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', page)


def test_learners_never_share_forms_answers_or_tokens_through_the_cache(
        client, course, lesson, sprint):
    ana, ben = UserFactory(email="ana@example.gov.uk"), UserFactory(email="ben@example.gov.uk")
    other = Client()
    client.force_login(ana)
    other.force_login(ben)
    enrol(client, course)
    enrol(other, course)
    check = lesson.knowledge_checks()[0]
    wrong = check.value["options"].bound_blocks[1].id
    activity_id = next(b.id for b in lesson.body if b.block_type == "activity")

    client.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                {"check": check.id, "answer": wrong})
    client.post(reverse("learning_log_entry_save", args=[lesson.pk]),
                {"activity": activity_id, "answer": "Ana's private answer"})
    anas = seen(client, lesson)
    bens = seen(other, lesson)
    anas_again = seen(client, lesson)

    assert "Not quite" in anas
    assert "Ana&#x27;s private answer" in anas
    assert f'value="{wrong}" checked' in anas
    assert "Not quite" not in bens
    assert "private answer" not in bens
    assert " checked" not in bens
    assert not set(answer_token(anas)) & set(answer_token(bens))
    assert "Ana&#x27;s private answer" in anas_again
    # Both saw the term linked once, from one shared body that holds nothing of theirs.
    assert definition_shown(bens) == definition_shown(anas) == SPRINT
    entry = cached(lesson)
    shared = "".join(entry.pieces)
    assert "csrfmiddlewaretoken" not in shared
    assert "private answer" not in shared
    assert 'name="answer"' not in shared


def test_a_signed_out_reader_and_a_learner_see_their_own_hints(client, course, lesson, sprint):
    signed_out = seen(Client(), lesson)
    client.force_login(UserFactory(email="cat@example.gov.uk"))
    enrol(client, course)
    enrolled = seen(client, lesson)
    hint = "Enrol on this course to keep your answer in your own learning log."
    assert hint in signed_out
    assert hint not in enrolled
    assert 'name="answer"' in enrolled


def test_a_renamed_document_is_seen_at_once_in_a_cached_lesson(client, catalogue):
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    document = Document(title="Retrospective template")
    document.file.save("retro.txt", ContentFile(b"What went well?"), save=False)
    document.save()
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Retros", body=[
        {"type": "resource", "value": {"title": "Template", "description": "",
                                       "document": document.pk}}])
    lesson = lessons_of(course)[0]
    assert "Retrospective template" in seen(client, lesson)
    document.title = "Retro template, second edition"
    document.save()
    assert "Retro template, second edition" in seen(client, lesson)


def check_form(page: str) -> str:
    """The knowledge check's section, without its CSRF token."""
    section = re.search(r'<section class="app-block app-knowledge-check".*?</section>', page,
                        re.DOTALL)
    assert section is not None
    return without_tokens(section.group(0))


def test_learners_seeing_a_check_alike_share_its_markup_each_with_their_own_token(
        course, lesson, sprint):
    """A check's form is kept by what it shows (content.cache.learner_part_kept): the
    second learner is served the first one's rendering, with their own CSRF token in
    it, which their answer then passes Django's CSRF check with."""
    from learners.models import KnowledgeCheckAttempt

    ana, ben = Client(), Client(enforce_csrf_checks=True)
    ana.force_login(UserFactory(email="ana@example.gov.uk"))
    ben.force_login(UserFactory(email="ben@example.gov.uk"))
    enrol(ana, course)
    ben.get(course.url)  # the CSRF cookie, as a browser has it
    ben.post(reverse("enrol", args=[course.pk]),
             {"csrfmiddlewaretoken": ben.cookies["csrftoken"].value})
    check = lesson.knowledge_checks()[0]
    anas = seen(ana, lesson)
    response = ben.get(lesson.url)
    bens = response.content.decode()
    assert check_form(anas) == check_form(bens)
    # Ben's was not rendered again: Ana's was kept.
    assert "content/blocks/knowledge_check.html" not in [t.name for t in response.templates]
    assert f'action="/learning/lessons/{lesson.pk}/answer/#check-{check.id}"' in bens
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)">\s*<input type="hidden" '
                      rf'name="check" value="{check.id}"', bens).group(1)
    assert token not in anas
    right = check.value["options"].bound_blocks[0].id
    response = ben.post(reverse("knowledge_check_answer", args=[lesson.pk]),
                        {"check": check.id, "answer": right, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert KnowledgeCheckAttempt.objects.filter(enrolment__user__email="ben@example.gov.uk",
                                                correct=True).exists()
    bens = seen(ben, lesson)
    assert "Correct" in check_form(bens)
    assert 'role="alert"' in check_form(bens)  # the check just answered is announced
    assert "Correct" not in check_form(seen(ana, lesson))
    assert 'role="region"' in check_form(seen(ben, lesson))  # and only once


def test_a_changed_question_is_seen_at_once(client, course, lesson, sprint):
    client.force_login(UserFactory(email="dee@example.gov.uk"))
    enrol(client, course)
    assert "How long is a sprint?" in check_form(seen(client, lesson))
    page = LessonPage.objects.get(pk=lesson.pk)
    page.body = [knowledge_check(question="What does a sprint end with?")]
    page.save_revision().publish()
    now = check_form(seen(client, lesson))
    assert "What does a sprint end with?" in now
    assert "How long is a sprint?" not in now


def test_a_warm_lesson_view_asks_the_cache_once(client, course, lesson, sprint, monkeypatch):
    """The versions, the session and the body version in one round trip at the start of
    the request; the linked body and the check's form from this process."""
    from tests.performance.test_signed_in_overhead import cache_reads

    client.force_login(UserFactory(email="eve@example.gov.uk"))
    enrol(client, course)
    url = lesson.url  # (the test's own read of Wagtail's site root paths)
    for _ in range(2):  # the route map built, then Wagtail's site root paths kept with it
        assert client.get(url).status_code == 200
    reads = cache_reads(monkeypatch)
    page = client.get(url).content.decode()
    assert "Check your understanding" in page
    assert len(reads) == 1
    assert {"courses:tree-version", "lesson-body:version",
            client.session.cache_key} <= set(reads[0][1])


def activity_box(page: str) -> str:
    """The activity's answer box, without its CSRF token."""
    box = re.search(r'<div data-glossary="off">.*?</form>', page, re.DOTALL)
    assert box is not None
    return without_tokens(box.group(0))


def test_a_blank_answer_box_is_shared_and_a_learners_own_words_never_are(
        course, lesson, sprint):
    """An activity's blank answer box is kept by what it shows, as a check's form is:
    the second learner is served the first one's, with their own CSRF token. A box
    holding a learner's own words is rendered for each of their views and never kept."""
    ana, ben = Client(), Client()
    ana.force_login(UserFactory(email="ana@example.gov.uk"))
    ben.force_login(UserFactory(email="ben@example.gov.uk"))
    enrol(ana, course)
    enrol(ben, course)
    seen(ana, lesson)
    seen(ben, lesson)  # the one-off "You are enrolled" banners
    anas = seen(ana, lesson)
    response = ben.get(lesson.url)
    bens = response.content.decode()
    assert activity_box(anas) == activity_box(bens)
    assert "content/blocks/activity_notes.html" not in [t.name for t in response.templates]
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)">\s*'
                       r'<input type="hidden" name="activity"')
    assert token.search(anas).group(1) != token.search(bens).group(1)

    activity_id = next(b.id for b in lesson.body if b.block_type == "activity")
    ana.post(reverse("learning_log_entry_save", args=[lesson.pk]),
             {"activity": activity_id, "answer": "Our team's backlog"})
    seen(ana, lesson)  # the one-off "saved" banner
    for _ in range(2):
        response = ana.get(lesson.url)
        assert "Our team&#x27;s backlog" in activity_box(response.content.decode())
        assert "content/blocks/activity_notes.html" in [t.name for t in response.templates]
    assert "backlog</textarea>" not in activity_box(seen(ben, lesson))
