"""Development serving (issue 14): with DEBUG on, Django's static view served all of
MEDIA_ROOT, so anyone could fetch an export or a certificate PDF by its path, past the
views that check the owner and the expiry. Now no mode serves anything under /media/
but the lesson pictures, and a private file has no URL at all."""

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.urls import clear_url_caches
from wagtail.images.models import Image

import config.urls
from academy.models import Export
from learners.storage import PrivateStorage
from tests.content.test_teaching_blocks import _png
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# File fields of the project's own apps that hold public files; every other one holds
# someone's file and must be kept in PrivateStorage.
PUBLIC_FILE_FIELDS: set[str] = set()
PROJECT_APPS = ("content", "courses", "learners", "academy")


@pytest.fixture
def debug_urls(settings):
    """The project's URLs as `make run` builds them: with DEBUG on."""
    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def export_file():
    hr = UserFactory(email="hana.reporter@example.gov.uk")
    export = Export.objects.create(requested_by=hr, format=Export.Format.CSV)
    export.file.save("completion-report.csv", ContentFile(b"Name,Email\nZeb,zeb@example"))
    return export


def test_with_debug_on_an_export_is_not_served_under_media(client, debug_urls, export_file):
    assert export_file.file.storage.exists(export_file.file.name)

    response = client.get(f"/media/{export_file.file.name}")

    assert response.status_code == 404
    assert b"zeb@example" not in response.content


def test_with_debug_on_a_certificate_pdf_is_not_served_under_media(client, debug_urls,
                                                                   settings):
    folder = settings.MEDIA_ROOT / "certificates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ABCD-EFGH.pdf").write_bytes(b"%PDF-1.4 someone's certificate")

    response = client.get("/media/certificates/ABCD-EFGH.pdf")

    assert response.status_code == 404


def test_with_debug_on_lesson_pictures_are_still_served(client, debug_urls):
    image = Image.objects.create(title="A board", file=ContentFile(_png(), name="board.png"))
    rendition = image.get_rendition("width-320")

    response = client.get(rendition.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_a_private_file_has_no_url(export_file):
    with pytest.raises(NotImplementedError, match="private file"):
        export_file.file.url  # noqa: B018


def test_every_file_field_of_the_project_is_private_or_listed_as_public():
    """A new model that keeps someone's file must keep it in PrivateStorage (or be
    listed above, with a reason, as public)."""
    found = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                found[f"{model._meta.label}.{field.name}"] = field.storage
    assert "academy.Export.file" in found
    assert "learners.Certificate.file" in found
    public = {name for name, storage in found.items() if not isinstance(storage, PrivateStorage)}
    assert public == PUBLIC_FILE_FIELDS
