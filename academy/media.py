"""Lesson pictures: Wagtail's image renditions (MEDIA_ROOT/images/), served by the
academy in every mode, and nothing else under MEDIA_ROOT.

Renditions are public lesson content. Everything else there is not: certificates and
exports have their own views that check who is asking, and documents go through
Wagtail's serve view. So only this one folder is served, through Django's static view
(which refuses paths that climb out of it). An SVG is only ever shown in a lesson
through <img>; opened on its own it gets a policy that runs nothing (docs/decisions.md,
"Teaching blocks"). A deployment's web server may serve /media/images/ itself, with the
same headers (docs/deploy.md)."""

import errno
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.decorators.http import require_GET
from django.views.static import serve

RENDITIONS = "images"
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@require_GET
def rendition_serve(request, path: str):
    try:
        # Path(): MEDIA_ROOT read with django-environ is an environ.Path, which has no "/".
        response = serve(request, path, document_root=Path(settings.MEDIA_ROOT) / RENDITIONS)
    except SuspiciousFileOperation as error:  # a path that climbs out: as if not there
        raise Http404 from error
    except OSError as error:  # a name longer than the file system allows: not there either
        if error.errno != errno.ENAMETOOLONG:
            raise
        raise Http404 from error
    if path.lower().endswith(".svg"):
        response["Content-Security-Policy"] = SVG_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    # Renditions do not change under a name for long; a day spares slow connections.
    response["Cache-Control"] = "public, max-age=86400"
    return response
