"""Production's static files storage keeps each file's address per process (issue 15),
giving the address WhiteNoise's manifest storage gives, until collectstatic runs again."""

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from config.storage import AcademyStaticFilesStorage

MANIFEST = {"academy/app.css": "academy/app.1a2b3c.css", "academy/a b.js": "academy/a b.9f8e.js"}


def _storages(tmp_path):
    ours = AcademyStaticFilesStorage(location=tmp_path, base_url="/static/")
    theirs = CompressedManifestStaticFilesStorage(location=tmp_path, base_url="/static/")
    ours.hashed_files, theirs.hashed_files = dict(MANIFEST), dict(MANIFEST)
    return ours, theirs


def test_the_address_is_whitenoises_and_kept(tmp_path, settings):
    settings.DEBUG = False
    ours, theirs = _storages(tmp_path)
    for name in MANIFEST:
        assert ours.url(name) == theirs.url(name)
    assert ours.url("academy/app.css") == "/static/academy/app.1a2b3c.css"
    ours.hashed_files["academy/app.css"] = "academy/app.ffffff.css"  # not read again
    assert ours.url("academy/app.css") == "/static/academy/app.1a2b3c.css"


def test_collectstatic_starts_the_addresses_afresh(tmp_path, settings):
    settings.DEBUG = False
    ours, _ = _storages(tmp_path)
    assert ours.url("academy/app.css") == "/static/academy/app.1a2b3c.css"
    list(ours.post_process({}, dry_run=True))  # a new manifest, empty here
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        ours.url("academy/app.css")


def test_a_missing_file_is_refused_every_time(tmp_path, settings):
    settings.DEBUG = False
    ours, _ = _storages(tmp_path)
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            ours.url("academy/none.css")


def test_debug_gives_the_plain_address(tmp_path, settings):
    settings.DEBUG = True
    ours, _ = _storages(tmp_path)
    assert ours.url("academy/app.css") == "/static/academy/app.css"
