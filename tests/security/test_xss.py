"""An XSS corpus through every text a user or trainer can enter: each is escaped
wherever it is shown, or stripped by the rich-text editor."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from academy.models import Export
from learners.models import Certificate, Enrolment, Organisation, ReportingScope
from learners.services import certificate_issue
from tests.factories import GlossaryTermFactory, LessonPageFactory, UserFactory
from tests.learners.conftest import lessons_of

CORPUS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "<a href=\"javascript:alert(1)\">click</a>",
    "<svg><script>alert(1)</script></svg>",
    "</textarea><iframe src=javascript:alert(1)>",
]


def assert_inert(content: str, payload: str) -> None:
    """The page, parsed as a browser would, holds no markup from the payload: no inline
    script, no event handler attribute, no javascript: link, no frame or stray image."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(content, "html.parser")
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"event handler {name} on <{tag.name}>"
            values = value if isinstance(value, list) else [value]
            assert not any(str(v).strip().lower().startswith("javascript:") for v in values)
    for script in soup.find_all("script"):
        # Data blocks browsers never run: Wagtail's userbar config, and a certificate's
        # Open Badges credential (issue 17), whose "<" are escaped, so it cannot close
        # its element.
        data_only = script.get("type") in ("application/json", "application/ld+json")
        assert script.get("src") or data_only, f"inline script: {str(script)[:200]}"
        assert "<" not in (script.string or ""), f"markup in a data block: {str(script)[:200]}"
    assert not soup.find_all("iframe")
    assert not soup.find_all("img", src="x")
    if "alert" in payload:
        assert payload not in content


@pytest.fixture
def world(course, site):
    department = Organisation.add_root(name="Department", slug="department")
    hr = UserFactory(email="hr@example.gov.uk")
    hr.groups.add(Group.objects.get(name="HR reporters"))
    ReportingScope.objects.create(user=hr, organisation=department)
    trainer = UserFactory(email="trainer@example.gov.uk")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    course.trainers.add(trainer)
    course.save()
    return {"department": department, "hr": hr, "trainer": trainer}


@pytest.mark.parametrize("payload", CORPUS)
def test_names_are_escaped_on_every_page_that_shows_them(client, course, world, payload):
    person = UserFactory(email="victim@example.gov.uk", first_name=payload, last_name=payload,
                         organisation=world["department"])
    enrolment = Enrolment.objects.create(user=person, course=course,
                                         completed_at=timezone.now())
    certificate = certificate_issue(enrolment_id=enrolment.pk)
    pages = []
    client.force_login(world["hr"])
    pages.append(client.get("/reports/").content.decode())
    client.force_login(world["trainer"])
    pages.append(client.get(f"/trainer/courses/{course.pk}/").content.decode())
    client.force_login(person)
    pages.append(client.get("/my-learning/").content.decode())
    pages.append(client.get("/profile/").content.decode())
    pages.append(client.get(reverse("certificate_verify", args=[certificate.code]))
                 .content.decode())
    for content in pages:
        assert_inert(content, payload)
    assert Certificate.objects.get().learner_name == f"{payload} {payload}"


@pytest.mark.parametrize("payload", CORPUS)
def test_titles_glossary_terms_and_lesson_text_are_escaped(client, course, payload):
    course.title = f"Course {payload}"
    course.save_revision().publish()
    GlossaryTermFactory(term=f"Sprint {payload}", definition=f"Defined {payload}",
                        also_matches="sprints")
    module = course.get_children().first()
    lesson = LessonPageFactory(parent=module, title=f"Lesson {payload}", body=[
        {"type": "text", "value": "<p>Plan your sprints.</p>"},
        {"type": "callout", "value": {"style": "information", "title": payload,
                                      "text": "<p>Careful.</p>"}},
    ])
    for url in ("/courses/", course.url, lesson.url, "/glossary/",
                f"/courses/?q={payload}"):
        assert_inert(client.get(url).content.decode(), payload)


@pytest.mark.parametrize("payload", CORPUS)
def test_csv_cells_and_report_filters_are_escaped(client, course, world, payload):
    client.force_login(world["hr"])
    body = f"email,course,due_date\n{payload}@x.gov.uk,{payload},{payload}\n".encode()
    response = client.post(reverse("bulk_enrolment"),
                           {"file": SimpleUploadedFile("x.csv", body, content_type="text/csv")},
                           follow=True)  # to the check page, which lists the rejected row
    assert "1 row will not be enrolled" in response.content.decode()
    assert_inert(response.content.decode(), payload)
    for params in ({"organisation": payload}, {"status": payload}, {"sort": payload}):
        assert_inert(client.get("/reports/", params).content.decode(), payload)


def test_exports_carry_names_as_inert_text(client, course, world):
    payload = "=HYPERLINK(\"http://evil.example\",\"<script>alert(1)</script>\")"
    person = UserFactory(email="victim@example.gov.uk", first_name=payload, last_name="X",
                         organisation=world["department"])
    Enrolment.objects.create(user=person, course=course)
    client.force_login(world["hr"])
    client.post("/reports/exports/", {"format": "csv"})
    export = Export.objects.get()
    rows = list(csv.reader(io.StringIO(export.file.open("rb").read().decode("utf-8-sig"))))
    assert rows[1][0].startswith("'=HYPERLINK")  # neutralised: never run as a formula


def test_the_rich_text_editor_strips_scripts_and_javascript_links(client, course, site):
    from wagtail.test.utils.form_data import querydict_from_html, rich_text

    from courses.models import LessonPage
    from tests.wagtail_forms import stream_form_data

    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True, is_staff=True)
    client.force_login(admin)
    lesson = lessons_of(course)[0]
    page = client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    data = querydict_from_html(page, form_id="page-edit-form")
    data.update(stream_form_data(LessonPage.objects.get(pk=lesson.pk).body, "body"))
    data["body-0-value"] = rich_text(
        '<p>Hello <script>alert(1)</script><a href="javascript:alert(1)">link</a></p>',
        features=["bold", "italic", "link"])
    data["title"] = "<script>alert('title')</script>"
    data["action-publish"] = "Publish"
    response = client.post(f"/admin/pages/{lesson.pk}/edit/", data)
    assert response.status_code == 302
    lesson = LessonPage.objects.get(pk=lesson.pk)
    stored = lesson.body.raw_data[0]["value"]
    assert "<script" not in stored
    assert "javascript:" not in stored
    assert "onerror" not in stored
    content = client.get(lesson.url).content.decode()
    assert_inert(content, "<script>alert('title')</script>")
    assert "javascript:alert" not in content
    preview = client.post(f"/admin/pages/{lesson.pk}/edit/preview/", data)
    assert preview.status_code == 200
    assert_inert(client.get(f"/admin/pages/{lesson.pk}/edit/preview/").content.decode(),
                 "<script>alert('title')</script>")
