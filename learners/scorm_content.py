"""SCORM packages served from a separate *content origin* (settings.SCORM_CONTENT_ORIGIN),
so that a package cannot read the academy's cookies or act on its pages as the learner
(docs/decisions.md, "SCORM package isolation").

On the content origin the academy answers two things and nothing else:
- the *wrapper* (`/scorm-content/<token>/`): a page that runs scorm-again, defines
  `window.API` (SCORM 1.2) or `window.API_1484_11` (2004) with the attempt's saved data,
  and shows the package in a frame of its own: same origin as the wrapper, so the
  package finds the API up `window.parent` as the standard has it;
- the package's files (`/scorm-content/<token>/files/<path>`), from the academy's storage.

The wrapper talks to the lesson page (academy origin) only by postMessage, each side
checking the other's origin; the lesson page, which has the session and the CSRF token,
sends the commits to the academy (learners.scorm_views). A request to the content origin
carries no academy cookie (another site), so it is authorised by a signed, expiring token
bound to one attempt: it reads only that attempt's package. Content responses set no
cookie, carry a policy of their own (framed only by the academy) and nosniff; nothing
else of the academy is served on the content origin, and the package routes exist only
there (ScormContentOriginMiddleware)."""

import mimetypes
import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse

from content.models import ScormPackage
from learners.models import ScormAttempt
from learners.services.scorm import (
    scorm_attempt_for_launch,
    scorm_launch_cmi,
    scorm_lesson_unpassed,
)

# Django signing's salt: a namespace for these tokens, not a secret.
SIGNING_NAMESPACE = "learners.scorm-content"
CONTENT_URLCONF = "learners.scorm_content_urls"

# Types some systems' tables lack or get wrong; a package's files are served as these.
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".json": "application/json",
          ".css": "text/css", ".svg": "image/svg+xml", ".woff": "font/woff",
          ".woff2": "font/woff2", ".vtt": "text/vtt", ".mp4": "video/mp4",
          ".webm": "video/webm", ".mp3": "audio/mpeg", ".xml": "application/xml",
          ".xsd": "application/xml", ".html": "text/html", ".htm": "text/html",
          ".swf": "application/octet-stream"}


def content_origin() -> str:
    return settings.SCORM_CONTENT_ORIGIN.rstrip("/")


def _netloc(origin: str) -> str:
    return urlsplit(origin).netloc.lower()


def academy_origin() -> str:
    return settings.ACADEMY_BASE_URL.rstrip("/")


# --- The token --------------------------------------------------------------------

def scorm_token(attempt: ScormAttempt, *, academy: str) -> str:
    """A signed token for one attempt: what the content origin accepts instead of the
    session it never sees. It also carries the academy origin the lesson page was
    served from (`academy`, a host ALLOWED_HOSTS accepted), the only one the wrapper
    talks to and may be framed by. Expires after settings.SCORM_TOKEN_MAX_AGE seconds."""
    return signing.dumps({"a": attempt.pk, "o": academy}, salt=SIGNING_NAMESPACE)


def scorm_token_attempt(token: str) -> tuple[ScormAttempt, str]:
    """The attempt a token is for (with its package) and the academy origin, or Http404:
    a token that is forged, altered, expired or for an attempt that no longer exists."""
    try:
        payload = signing.loads(token, salt=SIGNING_NAMESPACE,
                                max_age=settings.SCORM_TOKEN_MAX_AGE)
        attempt_id, academy = int(payload["a"]), str(payload["o"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise Http404("no such package") from error
    attempt = (ScormAttempt.objects.select_related("package", "enrolment__user")
               .filter(pk=attempt_id).first())
    if attempt is None:
        raise Http404("no such package")
    return attempt, academy


def scorm_launch_url(attempt: ScormAttempt, *, academy: str) -> str:
    """The wrapper's address on the content origin, for the lesson page's frame."""
    return f"{content_origin()}/scorm-content/{scorm_token(attempt, academy=academy)}/"


# --- Responses ----------------------------------------------------------------------

def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _wrapper_policy(academy: str) -> str:
    return _policy({
        "default-src": "'none'", "script-src": "'self'", "style-src": "'self'",
        "img-src": "'self'", "frame-src": "'self'", "connect-src": "'none'",
        "form-action": "'none'", "base-uri": "'none'", "object-src": "'none'",
        "frame-ancestors": academy,
    })


def _package_policy(academy: str) -> str:
    # Packages are supplier-made: inline scripts and eval are common in them. What
    # matters is where they may reach: this origin only (no academy, no third party).
    return _policy({
        "default-src": "'self' data: blob:",
        "script-src": "'self' 'unsafe-inline' 'unsafe-eval' blob:",
        "style-src": "'self' 'unsafe-inline'", "img-src": "'self' data: blob:",
        "media-src": "'self' data: blob:", "font-src": "'self' data:",
        "connect-src": "'self'", "form-action": "'self'", "base-uri": "'self'",
        "object-src": "'none'", "frame-ancestors": f"'self' {academy}",
    })


def _secure(response, policy: str):
    response["Content-Security-Policy"] = policy
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def _not_found():
    return _secure(HttpResponse("Not found", status=404, content_type="text/plain"),
                   "default-src 'none'; frame-ancestors 'none'")


def scorm_wrapper(request, token: str):
    """The runtime for one attempt: scorm-again with the attempt's saved data, and the
    package's launch page in a frame."""
    attempt, academy = scorm_token_attempt(token)
    package = attempt.package
    launch = {
        "attempt": attempt.pk,
        "is2004": package.is_2004,
        "academyOrigin": academy,
        "cmi": scorm_launch_cmi(attempt=attempt, user=attempt.enrolment.user),
    }
    html = render_to_string("learners/scorm/wrapper.html", {
        "package": package, "launch": launch,
        "runtime_url": static("academy/scorm-again.min.js"),
        "wrapper_url": static("academy/scorm-wrapper.js"),
        "wrapper_css": static("academy/scorm-wrapper.css"),
        "start": "files/" + package.launch_path,
    })
    return _secure(HttpResponse(html, content_type="text/html; charset=utf-8"),
                   _wrapper_policy(academy))


def scorm_file(request, token: str, path: str):
    """One of the attempt's package's files, from storage, as its type."""
    attempt, academy = scorm_token_attempt(token)
    normal = posixpath.normpath(path)
    if (not path or "\\" in path or "\x00" in path or normal.startswith(("../", "/"))
            or normal in ("..", ".")):
        raise Http404("no such file")
    name = attempt.package.files_prefix + normal
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
        raise Http404("no such file") from error
    extension = posixpath.splitext(normal)[1].lower()
    content_type = _TYPES.get(extension) or mimetypes.guess_type(normal)[0] or (
        "application/octet-stream")
    if content_type.startswith("text/") or content_type in ("application/json",
                                                             "application/xml"):
        content_type += "; charset=utf-8"
    response = FileResponse(handle, content_type=content_type)
    return _secure(response, _package_policy(academy))


def content_serve(request):
    """Answer a request to the content origin: the package routes, GET or HEAD only. No
    academy page is ever served here: someone who opened the academy at this address
    (`make run`'s http://localhost:8000 for http://127.0.0.1:8000) is sent to the same
    path on the academy's own address; anything else (a package path that is not a
    package's) is not found."""
    try:
        match = resolve(request.path_info, urlconf=CONTENT_URLCONF)
    except Resolver404:
        if request.method in ("GET", "HEAD") and not request.path_info.startswith(
                "/scorm-content/"):
            return _secure(HttpResponseRedirect(academy_origin() + request.get_full_path()),
                           "default-src 'none'; frame-ancestors 'none'")
        return _not_found()
    if request.method not in ("GET", "HEAD"):
        return _secure(HttpResponseNotAllowed(["GET", "HEAD"]),
                       "default-src 'none'; frame-ancestors 'none'")
    try:
        return match.func(request, *match.args, **match.kwargs)
    except Http404:
        return _not_found()


class ScormContentOriginMiddleware:
    """Requests for the content origin's host are answered by content_serve alone: the
    session, CSRF, authentication and every other later middleware never run, so no
    cookie is read or set there. Requests for any other host go on as usual, and the
    academy's URLs have no package routes. Listed after WhiteNoise: the wrapper's
    scripts are the academy's public static files."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.content_host = _netloc(content_origin())
        if not self.content_host:
            raise ImproperlyConfigured("SCORM_CONTENT_ORIGIN must be an origin, like "
                                       "https://academy-content.example.gov.uk")
        if self.content_host == _netloc(academy_origin()):
            raise ImproperlyConfigured("SCORM_CONTENT_ORIGIN must not be the academy's own "
                                       "address (BASE_URL): packages would share its cookies")

    def __call__(self, request):
        if request.get_host().lower() == self.content_host:
            return content_serve(request)
        return self.get_response(request)


# --- The launch on the lesson page ------------------------------------------------

@dataclass(frozen=True)
class ScormLaunch:
    """What a lesson's SCORM block shows its learner: the package in a frame from the
    content origin (`url`, with `commit_url` for the page's script), or, with no url,
    why not (`reason`: "enrol" or "preview"); `passed`: the learner has passed it."""

    package: object
    url: str = ""
    origin: str = ""
    commit_url: str = ""
    reason: str = ""
    passed: bool = False
    resumed: bool = False


def scorm_lesson_launches(*, request, lesson, enrolment) -> dict[str, ScormLaunch]:
    """A launch for each SCORM block of the lesson, by block id. An enrolled learner's
    opens (or resumes) their attempt (scorm_attempt_for_launch: writes only when there
    is no open attempt); anyone else, and a preview, is told what to do instead. One
    query for the packages, and per package one or two for the attempt."""
    blocks = [(raw["id"], raw["value"].get("package")) for raw in lesson.body.raw_data
              if raw["type"] == "scorm_package" and isinstance(raw["value"], dict)]
    if not blocks:
        return {}
    packages = ScormPackage.objects.in_bulk([pk for _, pk in blocks if isinstance(pk, int)])
    preview = getattr(request, "is_preview", False)
    launches = {}
    for block_id, package_id in blocks:
        package = packages.get(package_id)
        if package is None:
            continue  # the template says it is not available
        if preview or enrolment is None:
            launches[block_id] = ScormLaunch(package=package,
                                             reason="preview" if preview else "enrol")
            continue
        attempt = scorm_attempt_for_launch(enrolment=enrolment, lesson=lesson, package=package)
        launches[block_id] = ScormLaunch(
            package=package, origin=content_origin(),
            url=scorm_launch_url(attempt, academy=f"{request.scheme}://{request.get_host()}"),
            commit_url=reverse("scorm_attempt_commit", args=[attempt.pk]),
            passed=not scorm_lesson_unpassed(enrolment=enrolment, lesson_id=lesson.pk,
                                             package_ids=[package.pk]),
            resumed=attempt.commits > 0)
    return launches
