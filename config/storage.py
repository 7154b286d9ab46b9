"""Static files as production serves them: WhiteNoise's compressed, hashed files, with
each file's address worked out once per process.

Django's manifest storage works an address out afresh on every `{% static %}` (the name
split, looked up in the manifest, joined to STATIC_URL and unquoted): about a tenth of a
plain page's rendering (issue 15). The manifest does not change while a process runs,
except in collectstatic's own post-processing, which starts the addresses afresh."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class AcademyStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:  # a file not in the manifest raises, and is not kept
            url = self._urls[name] = super().url(name)
        return url

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
