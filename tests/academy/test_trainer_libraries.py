"""Trainers choose from the image library as well as the documents library: a lesson's
image and diagram blocks are filled through the image chooser, which showed a trainer
"You haven't uploaded any images" (the Trainers group had no image permission)."""

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from learners.scoping import TRAINERS
from tests.factories import UserFactory


def test_a_trainer_chooses_pictures_and_documents_from_the_libraries(client, site):
    Image.objects.create(title="A team at a board", file=get_test_image_file())
    Document.objects.create(title="Retrospective captions",
                            file=ContentFile(b"WEBVTT\n", name="retro.vtt"))
    trainer = UserFactory(email="trainer@example.gov.uk")
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    client.force_login(trainer)

    images = client.get("/admin/images/chooser/")
    assert images.status_code == 200
    assert "A team at a board" in images.json()["html"]
    documents = client.get("/admin/documents/chooser/")
    assert "Retrospective captions" in documents.json()["html"]
    assert client.get("/admin/images/").status_code == 200, "and can upload pictures"
