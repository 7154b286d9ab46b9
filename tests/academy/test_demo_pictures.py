"""Issue 13: the demo courses teach with pictures. Each course has at least three
diagrams or tables placed in its lessons, at least two of them drawn diagrams with alt
text that says what they teach; every picture file is a plain SVG (or PNG) that refers
to nothing outside itself; loading the demo again adds no copies to the image library."""

import html
import re

import environ
import pytest
import yaml
from defusedxml import ElementTree
from django.core.files.base import ContentFile
from django.utils.html import strip_tags
from wagtail.images.models import Image

from academy.demo_loader import DEMO_COLLECTION, DEMO_DIR, _image, demo_academy_load
from courses.models import CoursePage, LessonPage

IMAGES_DIR = DEMO_DIR / "images"
PICTURES = {"image", "diagram"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def demo(demo_academy, db):
    """The demo academy (loaded once for this module: tests/conftest.py)."""


def _course_pictures(course):
    return [(lesson, block)
            for lesson in LessonPage.objects.live().descendant_of(course).order_by("path")
            for block in lesson.body if block.block_type in PICTURES | {"table"}]


def _files_named_in_the_demo_yaml() -> set[str]:
    return {block["file"]
            for path in (DEMO_DIR / "courses").glob("*.yaml")
            for module in yaml.safe_load(path.read_text(encoding="utf-8"))["modules"]
            for lesson in module["lessons"]
            for block in lesson["body"] if block["type"] in PICTURES}


def test_each_demo_course_teaches_with_at_least_three_pictures_two_of_them_drawn(demo):
    courses = CoursePage.objects.live()
    assert courses.count() == 4
    for course in courses:
        pictures = _course_pictures(course)
        drawn = [block for _, block in pictures if block.block_type in PICTURES]
        assert len(pictures) >= 3, course.title
        assert len(drawn) >= 2, course.title
        for block in drawn:
            value = block.value
            assert not value["decorative"], value["image"].title
            # A sentence or two that says what the diagram teaches, not just its name.
            assert 12 <= len(value["alt_text"].split()) <= 60, value["image"].title
            assert value["caption"].strip(), value["image"].title
            assert value["image"].collection.name == DEMO_COLLECTION
            if block.block_type == "diagram":
                assert len(value["description"].source) > 200, value["image"].title
        for _, block in pictures:
            if block.block_type == "table":
                assert block.value["table_caption"].strip()
                assert block.value["first_row_is_table_header"]


def test_a_lesson_shows_each_diagram_with_its_alt_text_and_the_diagram_in_words(
        client, demo):
    seen = 0
    for course in CoursePage.objects.live():
        for lesson, block in _course_pictures(course):
            page = client.get(lesson.url).content.decode()
            text = " ".join(html.unescape(strip_tags(page)).split())
            if block.block_type == "table":
                assert block.value["table_caption"] in text
                continue
            images = {html.unescape(alt): tag for tag, alt in
                      re.findall(r'(<img [^>]*alt="([^"]*)"[^>]*>)', page)}
            image = images.get(block.value["alt_text"])
            assert image, f"{lesson.title}: no <img> with the diagram's alt text"
            assert ".svg" in image
            assert block.value["caption"] in text
            assert "The diagram in words" in page
            seen += 1
    assert seen >= 8


def test_every_demo_picture_is_a_plain_svg_that_refers_to_nothing_outside_itself():
    named = _files_named_in_the_demo_yaml()
    files = {path.name for path in IMAGES_DIR.iterdir()}
    assert named == files, "every file is used, and every file used is there"
    for name in sorted(files):
        path = IMAGES_DIR / name
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
            continue
        assert path.suffix == ".svg", f"{name}: an SVG or a PNG"
        text = path.read_text(encoding="utf-8")
        root = ElementTree.fromstring(text)
        assert root.tag == f"{SVG}svg", name
        assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", "")), f"{name}: no viewBox"
        assert root.get("width"), name
        assert root.get("height"), name
        assert root.find(f"{SVG}title") is not None, f"{name}: no <title>"
        for element in root.iter():
            tag = element.tag.removeprefix(SVG)
            assert tag not in {"script", "foreignObject", "image", "use", "style", "a"}, (
                f"{name}: <{tag}>")
            for attribute, value in element.attrib.items():
                assert not attribute.lower().startswith("on"), f"{name}: {attribute}"
                assert "href" not in attribute, f"{name}: {attribute}"
                for reference in re.findall(r"url\(([^)]*)\)", value):
                    assert reference.startswith("#"), f"{name}: url({reference})"
        assert "@import" not in text, name
        assert "//" not in text.replace('xmlns="http://www.w3.org/2000/svg"', ""), name


def test_loading_the_demo_again_adds_no_pictures(demo):
    def library():
        return list(Image.objects.order_by("pk").values_list("pk", "title", "file_hash"))

    before = library()
    assert Image.objects.filter(collection__name=DEMO_COLLECTION).count() == len(
        _files_named_in_the_demo_yaml())
    assert all(file_hash for _, _, file_hash in before)

    demo_academy_load()
    scrum_cycle = _image("scrum-cycle.svg", "The Scrum cycle")

    assert library() == before
    assert scrum_cycle.pk in {pk for pk, title, _ in before if title == "The Scrum cycle"}


@pytest.mark.django_db
def test_a_demo_diagram_loads_when_media_root_is_read_from_the_environment(client, settings):
    """Under `make run` and in production MEDIA_ROOT is read with django-environ (an
    environ.Path, not a pathlib.Path); the lesson's pictures must load there too."""
    image = Image.objects.create(title="The Scrum cycle", file=ContentFile(
        (IMAGES_DIR / "scrum-cycle.svg").read_bytes(), name="scrum-cycle.svg"))
    rendition = image.get_rendition("width-320|preserve-svg")
    settings.MEDIA_ROOT = environ.Path(str(settings.MEDIA_ROOT))

    response = client.get(rendition.url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"<svg")
