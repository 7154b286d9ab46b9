"""Lesson pictures load without DEBUG (under gunicorn, `make up`, production): the
academy serves Wagtail's renditions from MEDIA_ROOT/images/ and nothing else under
/media/, and an SVG opened on its own runs nothing."""

import pytest
from django.core.files.base import ContentFile
from wagtail.images.models import Image

from tests.content.test_teaching_blocks import SVG, _png

pytestmark = pytest.mark.django_db


def _get(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_a_lesson_picture_is_served_without_debug(client, settings):
    assert settings.DEBUG is False
    image = Image.objects.create(title="A board", file=ContentFile(_png(), name="board.png"))
    rendition = image.get_rendition("width-320")
    assert rendition.url.startswith("/media/images/")

    response, body = _get(client, rendition.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_svg_opened_on_its_own_runs_nothing(client):
    image = Image.objects.create(title="The Scrum cycle", file=ContentFile(SVG, name="scrum.svg"))
    rendition = image.get_rendition("original|preserve-svg")

    response, body = _get(client, rendition.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert body.startswith(b"<svg")
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", [
    "/media/certificates/anyone.pdf",
    "/media/exports/anything.xlsx",
    "/media/documents/template.txt",
    "/media/original_images/board.png",
    "/media/images/../certificates/anyone.pdf",
    "/media/images/%2e%2e/certificates/anyone.pdf",
])
def test_nothing_else_under_media_is_served(client, settings, path):
    certificates = settings.MEDIA_ROOT / "certificates"
    certificates.mkdir(parents=True, exist_ok=True)
    (certificates / "anyone.pdf").write_bytes(b"%PDF-1.4 private")

    response = client.get(path)

    assert response.status_code == 404
