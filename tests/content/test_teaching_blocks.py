"""Issue 13, teaching blocks: a picture with alt text and a responsive srcset, a diagram
(SVG only ever through <img>), a table with a caption and header row in GOV.UK styles,
and a video served by the academy with WebVTT captions and a transcript."""

import json
import re
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image

from content.blocks import LessonBodyBlock
from courses.models import LessonPage
from tests.academy.test_authoring import edit_form, sign_in
from tests.wagtail_forms import stream_form_data

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" '
       b'viewBox="0 0 400 200"><script>alert(document.cookie)</script>'
       b'<rect width="400" height="200" fill="#1d70b8"/></svg>')
VTT = b"WEBVTT\n\n00:00.000 --> 00:02.000\nEach person says what they did.\n"


@pytest.fixture
def demo(demo_academy, db):
    """The demo academy (loaded once for this module: tests/conftest.py)."""


def _png(width=1600, height=900):
    buffer = BytesIO()
    PILImage.new("RGB", (width, height), "#1d70b8").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def photo(db):
    return Image.objects.create(title="A team at a board",
                                file=ContentFile(_png(), name="team-board.png"))


@pytest.fixture
def svg_image(db):
    return Image.objects.create(title="The Scrum cycle", file=ContentFile(SVG, name="scrum.svg"))


@pytest.fixture
def captions(db):
    return Document.objects.create(title="Stand-up captions",
                                   file=ContentFile(VTT, name="stand-up.vtt"))


@pytest.fixture
def video_file(db):
    mp4 = b"\x00\x00\x00\x18ftypmp42"
    return Document.objects.create(title="Stand-up video",
                                   file=ContentFile(mp4, name="stand-up.mp4"))


def _render(block_type, value):
    body = LessonBodyBlock()
    stream = body.to_python([{"type": block_type, "value": value, "id": "b1"}])
    return stream[0].render(), body.child_blocks[block_type], stream[0].value


def _clean(block_type, value):
    body = LessonBodyBlock()
    block = body.child_blocks[block_type]
    return block.clean(block.to_python(value))


# --- Image ---------------------------------------------------------------------------

def test_an_image_renders_with_its_alt_text_and_a_responsive_srcset(photo):
    html, _, _ = _render("image", {"image": photo.pk,
                                   "alt_text": "Five people at a wall of sticky notes",
                                   "decorative": False, "caption": "A sprint planning session",
                                   "credit": "Digital Academy"})
    img = re.search(r"<img [^>]*>", html).group(0)
    assert 'alt="Five people at a wall of sticky notes"' in img
    widths = re.findall(r"(\d+)w", re.search(r'srcset="([^"]*)"', img).group(1))
    assert {"320", "640", "960", "1280"} <= set(widths)
    assert 'sizes="(min-width: 641px) 640px, 100vw"' in img
    # The smallest rendition really is small: a phone does not download the 1600px original.
    small = photo.get_rendition("width-320")
    assert small.width == 320
    assert small.file.size < len(_png())
    assert "<figcaption" in html
    assert "A sprint planning session" in html
    assert "Credit: Digital Academy" in html


def test_a_decorative_image_has_empty_alt_text(photo):
    html, _, _ = _render("image", {"image": photo.pk, "alt_text": "", "decorative": True})
    assert re.search(r'<img [^>]*alt=""', html)


@pytest.mark.parametrize("alt_text", ["", "   "])
def test_an_image_without_alt_text_is_refused(photo, alt_text):
    with pytest.raises(ValidationError) as refused:
        _clean("image", {"image": photo.pk, "alt_text": alt_text, "decorative": False})
    assert "alt text" in str(refused.value.block_errors["alt_text"])


def test_the_alt_text_field_tells_the_trainer_what_good_alt_text_is():
    block = LessonBodyBlock().child_blocks["image"].child_blocks["alt_text"]
    assert "for people who cannot see it" in block.field.help_text


# --- Diagram (SVG) ---------------------------------------------------------------------

def test_an_svg_diagram_is_shown_as_an_image_never_inlined(svg_image):
    html, _, _ = _render("diagram", {
        "image": svg_image.pk, "alt_text": "The Scrum cycle: plan, build, review, improve",
        "decorative": False, "caption": "The Scrum cycle",
        "description": "<p>Four steps in a loop: plan, build, review, improve.</p>"})
    img = re.search(r"<img [^>]*>", html).group(0)
    assert re.search(r'src="[^"]+\.svg"', img)
    assert "<svg" not in html
    assert "<script" not in html
    assert "alert(" not in html
    assert 'alt="The Scrum cycle: plan, build, review, improve"' in img
    assert "The diagram in words" in html
    assert "Four steps in a loop" in html


def test_a_trainer_can_upload_an_svg_to_the_image_library(client, demo):
    sign_in(client, "admin@example.gov.uk")
    response = client.post("/admin/images/add/", {
        "title": "Double diamond",
        "file": SimpleUploadedFile("double-diamond.svg", SVG, content_type="image/svg+xml"),
        "collection": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    image = Image.objects.get(title="Double diamond")
    assert image.is_svg()
    html, _, _ = _render("image", {"image": image.pk, "alt_text": "Two diamonds side by side",
                                   "decorative": False})
    assert "<svg" not in html
    assert re.search(r'<img [^>]*src="[^"]+\.svg"', html)


def test_a_diagram_needs_its_description_to_publish(svg_image):
    with pytest.raises(ValidationError) as refused:
        _clean("diagram", {"image": svg_image.pk, "alt_text": "The Scrum cycle",
                           "decorative": False, "description": "<p></p>"})
    assert "description" in refused.value.block_errors


# --- Table ----------------------------------------------------------------------------

TABLE = {
    "data": [["Step", "Who", "When"], ["Plan", "Whole team", "Day 1"],
             ["Review", "Team and users", "Last day"]],
    "table_caption": "A research plan",
    "table_header_choice": "both",
    "first_row_is_table_header": True,
    "first_col_is_header": True,
}


def test_a_table_has_a_caption_column_and_row_headers_in_govuk_styles():
    html, _, _ = _render("table", TABLE)
    assert 'class="govuk-table"' in html
    assert re.search(r'<caption class="govuk-table__caption[^"]*"[^>]*>A research plan</caption>',
                     html)
    assert len(re.findall(r'<th scope="col" class="govuk-table__header"', html)) == 3
    assert len(re.findall(r'<th scope="row" class="govuk-table__header"', html)) == 2
    assert len(re.findall(r'<td class="govuk-table__cell"', html)) == 4
    # It scrolls inside its own region, which a keyboard can reach and which is named.
    wrapper = re.search(r'<div class="app-table-scroll[^"]*"[^>]*>', html).group(0)
    assert 'tabindex="0"' in wrapper
    assert 'role="region"' in wrapper
    label_id = re.search(r'aria-labelledby="([^"]+)"', wrapper).group(1)
    assert f'id="{label_id}"' in html


def test_table_cells_are_escaped():
    data = [["<b>Step</b>", "Who"], ["<script>x</script>", "y"]]
    html, _, _ = _render("table", {**TABLE, "data": data})
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(("change", "message"), [
    ({"table_caption": ""}, "caption"),
    ({"table_header_choice": "column"}, "header row"),
    ({"table_header_choice": "neither"}, "header row"),
])
def test_a_table_without_a_caption_or_header_row_is_refused(change, message):
    with pytest.raises(ValidationError) as refused:
        _clean("table", {**TABLE, **change})
    assert message in str(refused.value)


# --- Video ----------------------------------------------------------------------------

def test_a_video_file_is_served_by_the_academy_with_captions(video_file, captions):
    html, _, _ = _render("video", {"title": "A stand-up", "video": video_file.pk,
                                   "captions": captions.pk, "video_url": "",
                                   "transcript": "<p>Each person says what they did.</p>"})
    assert f'<source src="{video_file.url}"' in html
    assert re.search(rf'<track kind="captions" src="{re.escape(captions.url)}" srclang="en"', html)
    assert "Transcript" in html
    assert "Each person says what they did." in html
    assert "iframe" not in html


def test_the_academy_serves_the_captions_as_webvtt(client, captions):
    response = client.get(captions.url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vtt")
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == VTT


def test_an_existing_video_without_a_file_still_renders():
    """Videos saved before captions existed (a link, or a transcript only) still show."""
    html, _, _ = _render("video", {"title": "A stand-up", "video": None,
                                   "video_url": "https://video.example.gov.uk/stand-up",
                                   "transcript": "<p>Each person says.</p>"})
    assert "Watch the video: A stand-up" in html
    assert "<track" not in html


def test_a_video_file_without_captions_is_refused_and_captions_must_be_webvtt(video_file):
    value = {"title": "A stand-up", "video": video_file.pk, "video_url": "",
             "transcript": "<p>Each person says.</p>"}
    with pytest.raises(ValidationError) as refused:
        _clean("video", value)
    assert "captions" in refused.value.block_errors
    with pytest.raises(ValidationError) as refused:
        _clean("video", {**value, "captions": video_file.pk})
    assert "WebVTT" in str(refused.value.block_errors["captions"])


# --- Through the editor: drafts may be incomplete, publishing may not -----------------

def _lesson_form(client, lesson, block_type, value):
    body_block = LessonBodyBlock()
    stream = body_block.to_python([{"type": block_type, "value": value, "id": "b1"}])
    data = edit_form(client, lesson)
    for key in [k for k in data if k.startswith("body-")]:
        del data[key]
    data.update(stream_form_data(stream, "body"))
    if block_type == "table":  # the table editor posts its value as JSON
        data["body-0-value"] = json.dumps(value)
    return data


@pytest.mark.parametrize(("block_type", "value", "error"), [
    ("video", {"title": "A stand-up", "video": "VIDEO", "video_url": "",
               "transcript": "<p>Each person says.</p>"}, "Add the captions for the video file"),
    ("image", {"image": "PHOTO", "alt_text": "", "decorative": False},
     "Describe the picture in the alt text"),
    ("table", {**TABLE, "table_caption": ""}, "Give the table a caption"),
])
def test_an_incomplete_block_is_saved_as_a_draft_but_cannot_be_published(
        client, demo, photo, video_file, block_type, value, error):
    value = {k: {"VIDEO": video_file.pk, "PHOTO": photo.pk}.get(v, v) if isinstance(v, str) else v
             for k, v in value.items()}
    sign_in(client, "admin@example.gov.uk")
    lesson = LessonPage.objects.live().order_by("path").first()
    live_body = list(lesson.body.raw_data)

    data = _lesson_form(client, lesson, block_type, value)
    response = client.post(f"/admin/pages/{lesson.pk}/edit/", {**data, "action-publish": "go"})
    assert response.status_code == 200
    assert error in response.content.decode()
    lesson.refresh_from_db()
    assert list(lesson.body.raw_data) == live_body

    response = client.post(f"/admin/pages/{lesson.pk}/edit/", data)  # Save draft
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert list(lesson.body.raw_data) == live_body
    assert json.loads(lesson.get_latest_revision().content["body"])[0]["type"] == block_type


def test_a_complete_video_with_captions_is_published(client, demo, video_file, captions):
    sign_in(client, "admin@example.gov.uk")
    lesson = LessonPage.objects.live().order_by("path").first()
    data = _lesson_form(client, lesson, "video", {
        "title": "A stand-up", "video": video_file.pk, "captions": captions.pk,
        "video_url": "", "transcript": "<p>Each person says.</p>"})
    response = client.post(f"/admin/pages/{lesson.pk}/edit/", {**data, "action-publish": "go"})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.body[0].value["captions"] == captions
    from courses.models import CoursePage
    from learners.models import User
    from learners.services import enrolment_create

    learner = User.objects.get(email="learner@example.gov.uk")
    enrolment_create(user=learner, course=CoursePage.objects.ancestor_of(lesson).get())
    client.logout()
    sign_in(client, learner.email)
    page = client.get(lesson.url).content.decode()
    track = re.search(r"<track [^>]*>", page).group(0)  # the page's HTML is re-serialised
    assert 'kind="captions"' in track
    assert f'src="{captions.url}"' in track
