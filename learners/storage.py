"""Where files that belong to someone are kept: certificates and exports.

They live under MEDIA_ROOT like any upload, but have no URL in any mode: the only way
out is a view that checks who is asking (and, for an export, that it has not expired).
Nothing serves MEDIA_ROOT as a folder except Wagtail's renditions (academy.media); a
private file has no address to guess even if something did (docs/security.md,
"Development serving")."""

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """The file system under MEDIA_ROOT, without URLs."""

    def url(self, name):
        raise NotImplementedError(
            f"{name} is a private file: send it through a view that checks who is asking")


def private_storage() -> PrivateStorage:
    """The storage of certificate PDFs and export files (a callable, so migrations name
    it rather than copy its settings)."""
    return PrivateStorage()
