"""Issue 17, SCORM packages: a trainer uploads a SCORM 1.2 or 2004 package's .zip in the
admin; it is checked before anything is kept, unpacked into storage and listed; a bad
package is refused with a message naming the problem, and leaves no row and no file.
The lesson's "SCORM package" block chooses one, and cannot be published without one."""

import html
import io
import random
import re
import warnings
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from content.blocks import LessonBodyBlock
from content.models import ScormPackage, ScormVersion
from content.scorm import ScormPackageRefused, package_from_zip
from courses.models import LessonPage
from tests.content.test_teaching_blocks import _lesson_form
from tests.factories import UserFactory, course_with_lessons
from tests.scorm_packages import (
    manifest_12,
    manifest_2004,
    sco_page,
    scorm12_zip,
    scorm2004_zip,
    symlink_entry,
    zip_of,
)

pytestmark = pytest.mark.postgres

ADD = reverse("wagtailsnippets_content_scormpackage:add")
LIST = reverse("wagtailsnippets_content_scormpackage:list")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test's own storage, so 'nothing stored' means nothing, whatever runs beside."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> dict[str, bytes]:
    """Every file under scorm/ in storage: path below scorm/ -> its bytes."""
    root = Path(media) / "scorm"
    if not root.exists():
        return {}
    return {str(path.relative_to(root)): path.read_bytes()
            for path in root.rglob("*") if path.is_file()}


def upload(client, data: bytes, *, name="package.zip", title=""):
    return client.post(ADD, {"title": title,
                             "package_file": SimpleUploadedFile(name, data, "application/zip")})


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def file_field_error(response) -> str:
    """The error shown next to the file field (the text its aria-describedby names)."""
    page = response.content.decode()
    assert 'aria-describedby="panel-child-package_file-helptext panel-child-package_file-errors"' \
        in page
    found = re.search(r'id="panel-child-package_file-errors">(.*?)</div>', page, re.S)
    assert found, "no error next to the file field"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


@pytest.fixture
def admin(site):
    return UserFactory(email="admin@example.gov.uk", is_superuser=True, is_staff=True)


# --- Good packages, through the admin ---------------------------------------------------

@pytest.mark.parametrize(("build", "version"), [
    (lambda: scorm12_zip(), ScormVersion.SCORM_12),
    (lambda: scorm2004_zip(edition=3), ScormVersion.SCORM_2004_3),
    (lambda: scorm2004_zip(edition=4), ScormVersion.SCORM_2004_4),
])
def test_a_trainer_uploads_a_package_which_is_checked_unpacked_and_listed(
        client, trainer, media, build, version):
    data = build()
    client.force_login(trainer)
    assert client.get(ADD).status_code == 200

    response = upload(client, data, name="supplier-course.zip")

    assert response.status_code == 302
    package = ScormPackage.objects.get()
    assert package.version == version
    assert package.launch_path == "index.html"
    assert package.uploaded_by == trainer
    assert package.original_filename == "supplier-course.zip"
    assert package.title in ("Agile basics (SCORM 1.2)", "User research (SCORM 2004)")
    assert package.files_prefix == f"scorm/{package.uuid}/"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        expected = {f"{package.uuid}/{name}": archive.read(name) for name in archive.namelist()}
    assert stored_files(media) == expected
    assert package.file_count == 2
    assert package.size_bytes == sum(len(content) for content in expected.values())

    listing = page_text(client.get(LIST))
    assert package.title in listing
    assert package.get_version_display() in listing
    assert str(trainer) in listing
    assert filesizeformat(package.size_bytes) in listing

    inspect = reverse("wagtailsnippets_content_scormpackage:inspect", args=[package.pk])
    details = page_text(client.get(inspect))
    assert "index.html" in details
    assert "supplier-course.zip" in details


def test_the_title_given_on_upload_is_kept_and_can_be_corrected(client, trainer):
    client.force_login(trainer)
    upload(client, scorm12_zip(), title="Working in sprints")
    package = ScormPackage.objects.get()
    assert package.title == "Working in sprints"

    edit = reverse("wagtailsnippets_content_scormpackage:edit", args=[package.pk])
    form = client.get(edit)
    assert form.status_code == 200
    assert 'name="package_file"' not in form.content.decode()  # its files never change
    response = client.post(edit, {"title": "Working in sprints (supplier version 2)"})
    assert response.status_code == 302
    package.refresh_from_db()
    assert package.title == "Working in sprints (supplier version 2)"
    assert package.launch_path == "index.html"


def test_the_sco_page_finds_the_api_by_walking_up_window_parent():
    """The helper's page calls the API the standard way (used by the runtime's browser
    tests): these are the calls a SCORM 1.2 and a 2004 runtime must answer."""
    page_12 = sco_page(title="A", is_2004=False)
    page_2004 = sco_page(title="A", is_2004=True)
    for page in (page_12, page_2004):
        assert "win.parent" in page
        assert "window.opener" in page
    assert "V2004 = false" in page_12
    assert "V2004 = true" in page_2004
    for call in ("LMSInitialize", "LMSSetValue", "LMSCommit", "LMSFinish",
                 "Initialize", "SetValue", "Commit", "Terminate"):
        assert f'"{call}"' in page_12


# --- Bad packages: each refused with its message, nothing stored ------------------------

def _good_files(launch="index.html"):
    return [("imsmanifest.xml", manifest_12(launch=launch)),
            (launch, sco_page(title="A", is_2004=False))]


def _tampered_crc() -> bytes:
    """A package whose last file's bytes do not match its checksum: found only while it
    is being unpacked, after the files before it were written."""
    data = zip_of([*_good_files(), ("media/notes.txt", b"A" * 1000)],
                  compression=zipfile.ZIP_STORED)
    return data.replace(b"A" * 1000, b"B" * 1000)


XXE = """<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<manifest identifier="x"><metadata><schemaversion>&secret;</schemaversion></metadata>
</manifest>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>
<manifest identifier="x">&b;</manifest>"""

BAD_PACKAGES = {
    "not a zip": (lambda: b"%PDF-1.7 not a zip at all", "The file is not a .zip file"),
    "missing manifest": (lambda: zip_of([("index.html", "<p>Hello</p>")]),
                         "The package has no imsmanifest.xml file"),
    "manifest not at the root": (
        lambda: zip_of([("course/imsmanifest.xml", manifest_12()),
                        ("course/index.html", "<p>Hello</p>")]),
        "imsmanifest.xml is in a folder ('course/imsmanifest.xml'), not at the top"),
    "traversal entry": (lambda: zip_of([*_good_files(), ("../../evil.html", "x")]),
                        "'../../evil.html' in the package points outside the package"),
    "traversal inside a folder": (lambda: zip_of([*_good_files(), ("a/../../evil.html", "x")]),
                                  "points outside the package"),
    "absolute path": (lambda: zip_of([*_good_files(), ("/etc/cron.d/evil", "x")]),
                      "'/etc/cron.d/evil' in the package has an absolute path"),
    "drive letter": (lambda: zip_of([*_good_files(), ("C:/Windows/evil.dll", "x")]),
                     "has an absolute path"),
    "backslash": (lambda: zip_of([*_good_files(), ("scripts\\..\\..\\evil.js", "x")]),
                  "has a backslash"),
    "symlink entry": (lambda: zip_of([*_good_files(), (symlink_entry("secrets"), "/etc/passwd")]),
                      "'secrets' in the package is a symbolic link"),
    "duplicate names": (lambda: zip_of([*_good_files(), ("index.html", "<p>again</p>")]),
                        "has the file 'index.html' more than once"),
    "names differing only in case": (lambda: zip_of([*_good_files(), ("INDEX.html", "x")]),
                                     "more than once"),
    "names differing only in Unicode form": (
        lambda: zip_of([*_good_files(), ("caf\u00e9.html", "x"), ("cafe\u0301.html", "y")]),
        "more than once"),
    "zip bomb (one file's ratio)": (
        lambda: zip_of([*_good_files(), ("media/big.bin", b"\0" * (20 * 1024 * 1024))]),
        "'media/big.bin' in the package unpacks to 20 MB"),
    "wrong schema version (SCORM 1.1)": (
        lambda: zip_of([("imsmanifest.xml", manifest_12(schema_version="1.1")),
                        ("index.html", "x")]),
        "uses SCORM version '1.1', which the academy cannot run"),
    "wrong schema version (2004 2nd edition)": (
        lambda: zip_of([("imsmanifest.xml", manifest_2004(schema_version="2004 2nd Edition")),
                        ("index.html", "x")]),
        "uses SCORM version '2004 2nd Edition'"),
    "launch file missing": (
        lambda: zip_of([("imsmanifest.xml", manifest_12(launch="content/start.html")),
                        ("index.html", "x")]),
        "launch file 'content/start.html' is not in the package"),
    "launch file outside the package": (
        lambda: zip_of([("imsmanifest.xml", manifest_12(launch="../index.html")),
                        ("index.html", "x")]),
        "launch file '../index.html' is outside the package"),
    "no SCO to launch": (
        lambda: zip_of([("imsmanifest.xml", manifest_12().replace('scormtype="sco"',
                                                                  'scormtype="asset"')),
                        ("index.html", "x")]),
        "no item that launches a SCO"),
    "malformed XML": (lambda: zip_of([("imsmanifest.xml", "<manifest><organizations>"),
                                      ("index.html", "x")]),
                      "imsmanifest.xml is not valid XML"),
    "XML with an external entity (XXE)": (
        lambda: zip_of([("imsmanifest.xml", XXE), ("index.html", "x")]),
        "declares XML entities or refers to other files"),
    "XML entity expansion": (lambda: zip_of([("imsmanifest.xml", BILLION_LAUGHS)]),
                             "declares XML entities"),
    "password-protected entry": (
        lambda: _with_flag(zip_of(_good_files()), "index.html"), "protected by a password"),
    "checksum wrong in a later file": (_tampered_crc, "The .zip file is damaged"),
}


def _with_flag(data: bytes, name: str) -> bytes:
    """The zip with `name` marked as encrypted (general purpose bit 0), in both headers."""
    encoded = name.encode()
    out = bytearray(data)
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (start := out.find(signature, start)) != -1:
            if out[start + name_at:start + name_at + len(encoded)] == encoded:
                out[start + flag_at] |= 0x1
            start += 4
    return bytes(out)


@pytest.mark.parametrize("case", list(BAD_PACKAGES))
def test_a_bad_package_is_refused_with_its_message_and_nothing_is_stored(
        client, trainer, media, case):
    build, message = BAD_PACKAGES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate names it writes
        data = build()
    client.force_login(trainer)

    response = upload(client, data)

    assert response.status_code == 200
    assert message in file_field_error(response)
    assert not ScormPackage.objects.exists()
    assert stored_files(media) == {}
    assert not (Path(media) / "scorm").exists() or not any((Path(media) / "scorm").iterdir())


@pytest.mark.parametrize(("limit", "value", "build", "message"), [
    ("SCORM_MAX_UPLOAD_BYTES", 10_000,
     lambda: scorm12_zip(extra_files={"media/film.bin": random.Random(17).randbytes(20_000)}),
     "The most the academy accepts is 10,000 bytes"),
    ("SCORM_MAX_UNPACKED_BYTES", 1024 * 1024,
     lambda: scorm12_zip(extra_files={f"media/part{n}.bin": b"\0" * (600 * 1024)
                                      for n in range(3)}),
     "The package unpacks to more than 1 MB, the most the academy accepts"),
    ("SCORM_MAX_ENTRIES", 5,
     lambda: scorm12_zip(extra_files={f"page{n}.html": "x" for n in range(4)}),
     "The package has 6 files and folders. The most the academy accepts is 5"),
])
def test_a_package_over_a_limit_is_refused_and_nothing_is_stored(
        client, trainer, media, settings, limit, value, build, message):
    setattr(settings, limit, value)
    client.force_login(trainer)

    response = upload(client, build())

    assert response.status_code == 200
    assert message in file_field_error(response)
    assert not ScormPackage.objects.exists()
    assert stored_files(media) == {}


def test_a_zip_whose_end_record_understates_its_entries_is_still_counted(
        client, trainer, media, settings):
    """zipfile reads every entry in the directory, whatever count the zip's end record
    declares: the entries are counted again once read."""
    settings.SCORM_MAX_ENTRIES = 5
    data = bytearray(scorm12_zip(extra_files={f"page{n}.html": "x" for n in range(4)}))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = (1).to_bytes(2, "little") * 2  # "1 entry" on this disk, in all
    client.force_login(trainer)

    response = upload(client, bytes(data))

    assert "The package has 6 files and folders" in file_field_error(response)
    assert not ScormPackage.objects.exists()
    assert stored_files(media) == {}


def test_a_zip_that_fails_while_unpacking_leaves_none_of_the_files_written_before(
        trainer, media):
    with pytest.raises(ScormPackageRefused, match="damaged"):
        package_from_zip(SimpleUploadedFile("p.zip", _tampered_crc()), uploaded_by=trainer)
    assert not ScormPackage.objects.exists()
    assert stored_files(media) == {}
    assert not (Path(media) / "scorm").exists() or not any((Path(media) / "scorm").iterdir())


def test_files_of_a_package_never_saved_are_removed_a_day_on_and_saved_ones_kept(
        trainer, media, settings):
    """A process killed mid-upload leaves files with no row: beat removes them once
    they are a day old (not sooner: an upload in progress has no row yet)."""
    import os
    import time
    import uuid

    from config.celery import app
    from content.tasks import scorm_files_orphaned_remove

    kept = package_from_zip(SimpleUploadedFile("p.zip", scorm12_zip()), uploaded_by=trainer)
    orphan = Path(media) / "scorm" / str(uuid.uuid4())
    (orphan / "media").mkdir(parents=True)
    for name in ("index.html", "media/film.mp4"):
        (orphan / name).write_bytes(b"x")
    other = Path(media) / "scorm" / "not-a-package"
    other.mkdir()
    (other / "readme.txt").write_bytes(b"x")

    assert scorm_files_orphaned_remove.delay().get() == 0  # too new: may be uploading
    day_old = time.time() - 25 * 60 * 60
    for path in [*orphan.rglob("*"), *(Path(media) / "scorm" / str(kept.uuid)).rglob("*")]:
        os.utime(path, (day_old, day_old))

    assert scorm_files_orphaned_remove.delay().get() == 1
    assert not orphan.exists()
    assert set(stored_files(media)) == {f"{kept.uuid}/imsmanifest.xml", f"{kept.uuid}/index.html",
                                        "not-a-package/readme.txt"}
    assert scorm_files_orphaned_remove.delay().get() == 0  # idempotent
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "content.tasks.scorm_files_orphaned_remove")
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_a_large_package_is_streamed_into_storage_not_read_into_memory(trainer, media):
    import tracemalloc

    film = random.Random(3).randbytes(32 * 1024 * 1024)  # incompressible: 32 MB packed
    data = scorm12_zip(extra_files={"media/film.mp4": film})
    del film
    tracemalloc.start()
    try:
        package = package_from_zip(SimpleUploadedFile("big.zip", data), uploaded_by=trainer)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert package.size_bytes > 32 * 1024 * 1024
    assert (Path(media) / "scorm" / str(package.uuid) / "media" / "film.mp4").stat().st_size \
        == 32 * 1024 * 1024
    assert peak < 4 * 1024 * 1024, f"unpacking held {peak:,} bytes at once"


def test_a_package_in_a_subfolder_with_xml_base_launches_the_right_file(trainer, media):
    manifest = manifest_2004(edition=3, launch="start.html").replace(
        "<resources>", '<resources xml:base="course/">')
    data = zip_of([("imsmanifest.xml", manifest),
                   ("course/start.html", sco_page(title="A", is_2004=True))])
    package = package_from_zip(SimpleUploadedFile("p.zip", data), uploaded_by=trainer)
    assert package.launch_path == "course/start.html"
    assert f"{package.uuid}/course/start.html" in stored_files(media)


def test_cam_1_3_counts_as_scorm_2004_3rd_edition(trainer):
    data = zip_of([("imsmanifest.xml", manifest_2004(schema_version="CAM 1.3")),
                   ("index.html", "x")])
    package = package_from_zip(SimpleUploadedFile("p.zip", data), uploaded_by=trainer)
    assert package.version == ScormVersion.SCORM_2004_3


def test_an_older_scorm_12_manifest_without_metadata_is_read_as_scorm_12(trainer):
    data = zip_of([("imsmanifest.xml", manifest_12(schema_version=None)), ("index.html", "x")])
    package = package_from_zip(SimpleUploadedFile("p.zip", data), uploaded_by=trainer)
    assert package.version == ScormVersion.SCORM_12


def test_a_2004_manifest_that_does_not_say_its_version_is_refused(trainer, media):
    manifest = manifest_2004().replace("<schemaversion>2004 4th Edition</schemaversion>", "")
    data = zip_of([("imsmanifest.xml", manifest), ("index.html", "x")])
    with pytest.raises(ScormPackageRefused, match="does not say which version of SCORM"):
        package_from_zip(SimpleUploadedFile("p.zip", data), uploaded_by=trainer)
    assert stored_files(media) == {}


# --- Who may upload ---------------------------------------------------------------------

def test_a_learner_or_anonymous_person_cannot_reach_the_upload(client, site, media):
    learner = UserFactory(email="learner@example.gov.uk")
    for who in (None, learner):
        client.logout()
        if who:
            client.force_login(who)
        for url in (ADD, LIST):
            response = client.get(url)
            assert response.status_code in (302, 403), url
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"]
        response = upload(client, scorm12_zip())
        assert response.status_code in (302, 403)
    assert not ScormPackage.objects.exists()
    assert stored_files(media) == {}


def test_nobody_deletes_a_package_not_even_an_admin(client, admin, media):
    client.force_login(admin)
    upload(client, scorm12_zip())
    package = ScormPackage.objects.get()
    delete = reverse("wagtailsnippets_content_scormpackage:delete", args=[package.pk])
    assert client.post(delete).status_code in (302, 403)
    assert ScormPackage.objects.filter(pk=package.pk).exists()
    assert stored_files(media)


def test_a_trainer_can_choose_a_package_in_the_lesson_editor(client, trainer):
    client.force_login(trainer)
    upload(client, scorm12_zip(), title="Working in sprints")
    chooser = reverse("wagtailsnippetchoosers_content_scormpackage:choose")
    response = client.get(chooser)
    assert response.status_code == 200
    assert "Working in sprints" in page_text(response)


# --- The lesson block --------------------------------------------------------------------

def _clean(value):
    block = LessonBodyBlock().child_blocks["scorm_package"]
    return block.clean(block.to_python(value))


def test_the_block_renders_the_package_and_its_introduction(trainer):
    package = package_from_zip(SimpleUploadedFile("p.zip", scorm12_zip()), uploaded_by=trainer)
    body = LessonBodyBlock()
    stream = body.to_python([{"type": "scorm_package", "id": "b1", "value": {
        "package": package.pk, "introduction": "<p>Work through the supplier's course.</p>"}}])
    assert stream[0].value["package"] == package
    rendered = html.unescape(stream[0].render())
    assert "Work through the supplier's course." in rendered
    assert package.title in rendered


def test_the_package_s_minutes_count_towards_the_lesson_s_duration():
    from courses.durations import lesson_minutes

    body = [{"type": "scorm_package", "value": {"package": 1, "minutes": 25,
                                                "introduction": "<p>Short.</p>"}}]
    assert lesson_minutes(body_raw=body) == 25  # as a video's: its length, not its words
    body[0]["value"]["minutes"] = None
    assert lesson_minutes(body_raw=body) == 1  # no length given: the introduction's reading


def test_a_block_without_a_package_is_refused_with_a_message():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        _clean({"package": None, "introduction": ""})
    assert "Choose the SCORM package" in str(refused.value.block_errors["package"])


def test_a_lesson_with_an_empty_scorm_block_is_saved_as_a_draft_but_not_published(
        client, admin, catalogue):
    course_with_lessons(catalogue, modules=1, lessons=1)
    lesson = LessonPage.objects.get()
    live_body = list(lesson.body.raw_data)
    client.force_login(admin)

    data = _lesson_form(client, lesson, "scorm_package", {"package": None, "introduction": ""})
    response = client.post(f"/admin/pages/{lesson.pk}/edit/", {**data, "action-publish": "go"})
    assert response.status_code == 200
    assert "Choose the SCORM package to show in this lesson" in page_text(response)
    lesson.refresh_from_db()
    assert list(lesson.body.raw_data) == live_body

    response = client.post(f"/admin/pages/{lesson.pk}/edit/", data)  # save draft
    assert response.status_code == 302


def test_a_lesson_with_a_package_is_published_and_shows_it(client, admin, catalogue):
    course_with_lessons(catalogue, modules=1, lessons=1)
    lesson = LessonPage.objects.get()
    client.force_login(admin)
    upload(client, scorm2004_zip(), title="User research basics")
    package = ScormPackage.objects.get()

    data = _lesson_form(client, lesson, "scorm_package",
                        {"package": package.pk, "introduction": "<p>About 20 minutes.</p>"})
    response = client.post(f"/admin/pages/{lesson.pk}/edit/", {**data, "action-publish": "go"})
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.body[0].block_type == "scorm_package"
    assert lesson.body[0].value["package"] == package
