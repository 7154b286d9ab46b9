"""Issue 13, what was seen: the editor's preview panel, Save draft racing autosave,
blocks that start or save incomplete, and avatars fetched from outside."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from courses.models import LessonPage
from tests.academy.test_authoring import edit_form, sign_in


@pytest.fixture
def demo(demo_academy, db):
    """The demo academy (loaded once for this module: tests/conftest.py)."""


# --- The preview panel may be framed by the admin, and nothing else is ---------------

def test_the_editors_preview_panel_may_be_framed_by_the_admin(client, demo):
    sign_in(client, "trainer@example.gov.uk")
    lesson = LessonPage.objects.live().order_by("path").first()
    url = f"/admin/pages/{lesson.pk}/edit/preview/"
    assert client.post(url, edit_form(client, lesson)).json()["is_valid"] is True

    preview = client.get(url, {"in_preview_panel": "true"})

    assert preview.status_code == 200
    assert lesson.title in preview.content.decode()
    policy = preview.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" not in policy
    assert "frame-ancestors 'self'" in policy
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_published_lesson_still_refuses_to_be_framed(client, demo):
    lesson = LessonPage.objects.live().order_by("path").first()
    sign_in(client, "learner@example.gov.uk")
    response = client.get(lesson.url)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


# --- Admin pages load nothing from another host (no Gravatar) ------------------------

class _Resources(HTMLParser):
    """The addresses a browser would fetch: img/script/source/iframe src, link href, and
    addresses handed to Wagtail's scripts in data attributes (its dashboard's upgrade
    check fetches the one in data-w-upgrade-url-value)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("img", "script", "source", "iframe", "video", "audio") and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "img" and attrs.get("srcset"):
            self.urls += [part.split()[0] for part in attrs["srcset"].split(",") if part.strip()]
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        self.urls += [value for name, value in attrs.items()
                      if name.startswith("data-") and value and value.startswith("http")]


def _outside_urls(html: str) -> list[str]:
    parser = _Resources()
    parser.feed(html)
    return [u for u in parser.urls
            if urlsplit(u).netloc and urlsplit(u).netloc != "testserver"]


@pytest.mark.parametrize("email", ["trainer@example.gov.uk", "admin@example.gov.uk"])
def test_admin_pages_fetch_nothing_from_another_host(client, demo, email):
    sign_in(client, email)
    lesson = LessonPage.objects.live().order_by("path").first()
    urls = ["/admin/", f"/admin/pages/{lesson.pk}/edit/", f"/admin/pages/{lesson.get_parent().pk}/",
            "/admin/account/", "/admin/pages/search/?q=scrum"]
    if email.startswith("admin"):
        urls += ["/admin/users/", "/admin/reports/site-history/"]
    seen = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # The sidebar's avatar comes in JSON for its script, not in an <img>.
        seen[url] = (_outside_urls(html) + (["gravatar"] if "gravatar" in html.lower() else [])
                     # Wagtail's upgrade check: its script fetches releases.wagtail.org.
                     + (["upgrade check"] if 'data-controller="w-upgrade' in html else []))
    assert not any(seen.values()), seen


# --- Save draft right after autosave never gives a 500 --------------------------------

def _new_course_form(client, catalogue, trainer, title="Working in the open"):
    from wagtail.test.utils.form_data import querydict_from_html, rich_text

    from courses.models import Topic
    from tests.wagtail_forms import as_posted

    response = client.get(f"/admin/pages/add/courses/coursepage/{catalogue.pk}/")
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    data.update({
        "title": title, "slug": "working-in-the-open",
        "summary": "Share your work early, so others can help.",
        "audience": rich_text("<p>Anyone in a team.</p>"),
        "learning_outcomes": rich_text("<ul><li>Write weeknotes</li></ul>"),
        "duration_minutes": "30", "level": "introductory", "format": "self-paced",
        "topic": str(Topic.objects.first().pk), "pass_mark": "80",
    })
    data.setlist("trainers", [str(trainer.pk)])
    return as_posted(data)


def _catalogue_and_trainer():
    from courses.models import CataloguePage
    from learners.models import User

    return (CataloguePage.objects.first(), User.objects.get(email="trainer@example.gov.uk"))


def test_save_draft_straight_after_autosave_of_a_new_course_is_never_a_500(client, demo):
    from courses.models import CoursePage

    sign_in(client, "trainer@example.gov.uk")
    catalogue, trainer = _catalogue_and_trainer()
    url = f"/admin/pages/add/courses/coursepage/{catalogue.pk}/"
    data = _new_course_form(client, catalogue, trainer)

    # Wagtail's autosave posts the add form in the background (asking for JSON)…
    autosave = client.post(url, data, headers={"Accept": "application/json"})
    # …and "Save draft" posts the same add form before the page has learnt the new id.
    save_draft = client.post(url, data)

    assert autosave.status_code in (200, 400)
    assert save_draft.status_code != 500
    assert save_draft.status_code in (200, 302)
    courses = CoursePage.objects.filter(slug="working-in-the-open")
    assert courses.count() == 1, "one course, not two"
    draft = courses.get().get_latest_revision_as_object()
    assert draft.pass_mark == 80
    assert list(draft.trainers.all()) == [trainer]
    assert sorted(draft.followup_points) == [30, 60, 90]  # every ticked box posted
    if save_draft.status_code == 200:
        assert "govuk-error" in save_draft.content.decode() or \
            "error" in save_draft.content.decode().lower()


def test_a_new_page_is_not_autosaved_before_its_first_save(client, demo):
    """Autosave on a page that does not exist yet raced "Save draft" and paused itself
    with errors while the form was still being filled in; it starts after the first
    save (docs/decisions.md)."""
    sign_in(client, "trainer@example.gov.uk")
    catalogue, _ = _catalogue_and_trainer()
    add = client.get(f"/admin/pages/add/courses/coursepage/{catalogue.pk}/").content.decode()
    assert "data-w-autosave-interval-value" not in add
    lesson = LessonPage.objects.live().order_by("path").first()
    edit = client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()
    assert "data-w-autosave-interval-value" in edit


# --- Blocks start complete, and publish only complete ---------------------------------

def test_a_new_knowledge_check_starts_with_the_two_options_it_needs():
    from content.blocks import LessonBodyBlock

    block = LessonBodyBlock().child_blocks["knowledge_check"]
    options = block.get_default()["options"]
    assert len(options) == 2 == block.child_blocks["options"].meta.min_num
    assert all(option["text"] == "" and option["correct"] is False for option in options)


def _required_block_fields():
    """Every required text field of every lesson block that has a sample value: the
    blocks a trainer could leave half-filled."""
    from wagtail import blocks

    from content.blocks import LessonBodyBlock

    found = []
    for name, block in LessonBodyBlock().child_blocks.items():
        sample = getattr(block.meta, "preview_value", None)
        if isinstance(block, blocks.StructBlock) and sample:
            fields = block.child_blocks.items()
        else:
            fields = []
        for field_name, child in fields:
            if child.required and isinstance(child, blocks.FieldBlock | blocks.RichTextBlock) \
                    and not isinstance(child, blocks.ChoiceBlock):
                found.append((name, field_name))
        if isinstance(block, blocks.RichTextBlock) and block.required:
            found.append((name, None))
    return found


REQUIRED_BLOCK_FIELDS = _required_block_fields()


def test_every_teaching_block_has_its_required_fields_found():
    assert ("callout", "text") in REQUIRED_BLOCK_FIELDS
    assert ("knowledge_check", "question") in REQUIRED_BLOCK_FIELDS
    assert ("video", "transcript") in REQUIRED_BLOCK_FIELDS
    assert ("text", None) in REQUIRED_BLOCK_FIELDS


def _lesson_form_with_block(client, lesson, block_type, empty_field):
    from content.blocks import LessonBodyBlock
    from tests.wagtail_forms import stream_form_data

    body_block = LessonBodyBlock()
    if empty_field is None:  # a block that is itself one required field
        value = ""
    else:
        value = dict(body_block.child_blocks[block_type].meta.preview_value)
        value[empty_field] = ""
    stream = body_block.to_python([{"type": block_type, "value": value, "id": "b1"}])
    data = edit_form(client, lesson)
    for key in [k for k in data if k.startswith("body-")]:
        del data[key]
    data.update(stream_form_data(stream, "body"))
    return data


@pytest.mark.parametrize(("email", "action"), [("admin@example.gov.uk", "action-publish"),
                                             ("trainer@example.gov.uk", "action-submit")])
def test_a_block_with_an_empty_required_field_cannot_be_published_or_submitted(
        client, demo, email, action):
    """Each required field of each block, left empty as the editor posts it (an empty
    paragraph for rich text), is refused on publish and on submit for review."""
    sign_in(client, email)
    lesson = LessonPage.objects.live().order_by("path").first()
    live_body = list(lesson.body.raw_data)
    refused = []
    for block_type, empty_field in REQUIRED_BLOCK_FIELDS:
        data = _lesson_form_with_block(client, lesson, block_type, empty_field)
        data[action] = "go"
        response = client.post(f"/admin/pages/{lesson.pk}/edit/", data)
        if response.status_code == 200 and "This field is required" in response.content.decode():
            refused.append((block_type, empty_field))
        lesson.refresh_from_db()
        assert list(lesson.body.raw_data) == live_body, (block_type, empty_field)
        assert lesson.current_workflow_state is None, (block_type, empty_field)
    assert refused == REQUIRED_BLOCK_FIELDS


def test_a_draft_may_keep_an_empty_required_field_until_it_is_published(client, demo):
    """Drafts may be incomplete (Wagtail's validation on publish, which autosave needs);
    publishing and submitting for review are refused (the tests above)."""
    sign_in(client, "trainer@example.gov.uk")
    lesson = LessonPage.objects.live().order_by("path").first()
    data = _lesson_form_with_block(client, lesson, "callout", "text")
    response = client.post(f"/admin/pages/{lesson.pk}/edit/", data)
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.has_unpublished_changes
    assert lesson.live_revision.content["body"] != lesson.get_latest_revision().content["body"]


def test_the_add_page_view_keeps_wagtails_access_rules(client, demo):
    catalogue, _ = _catalogue_and_trainer()
    url = f"/admin/pages/add/courses/coursepage/{catalogue.pk}/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    from learners.models import User

    client.force_login(User.objects.get(email="learner@example.gov.uk"))
    assert client.get(url).status_code in (302, 403), "a learner cannot add pages"
    sign_in(client, "trainer@example.gov.uk")
    assert client.get(url)["Cache-Control"].startswith("max-age=0")
    assert client.get(f"/admin/pages/add/courses/nosuchpage/{catalogue.pk}/").status_code == 404
