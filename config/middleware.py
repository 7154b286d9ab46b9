"""The Content Security Policy, with one exception for the Wagtail editor's preview; no
storing of personal pages; a signed-in request's session read with the version tokens."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.utils.cache import has_vary_header

from courses.cache import course_tree_version_held
from learners.people_kept import person_keys_for_session, person_tokens_held, session_person_seen


class AcademyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, except that a Wagtail preview may be framed by this site.

    Wagtail renders a preview by sending a made-up request for the page's public address
    (``/courses/…``, not ``/admin/…``) through the whole middleware stack, so the
    admin's exclusion from the policy does not reach it and the public pages'
    ``frame-ancestors 'none'`` stops the editor's preview panel (an iframe on /admin/)
    from showing it. Wagtail marks that request ``is_preview``; only then is framing by
    the same origin allowed. Every other directive stays as it is, and every real
    request to a page keeps ``frame-ancestors 'none'``.
    https://django-csp.readthedocs.io/en/latest/configuration.html#middleware
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if getattr(request, "is_preview", False) and getattr(request, "is_dummy", False):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts


class PrivatePagesMiddleware:
    """Every response that may be someone's own (My learning, their profile, a report,
    a data export, an API answer) is kept out of every cache: the browser's disk, the
    back button after signing out, a shared proxy. A response counts as someone's when
    the request is signed in (a session or an API token) or the response varies by
    cookie; the view may still say otherwise by setting Cache-Control itself (lesson
    pictures do). docs/security.md, "Caching of personal pages".

    Listed above SessionMiddleware, so it sees the Vary: Cookie that one adds."""

    NO_STORE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and self._personal(request, response):
            response["Cache-Control"] = self.NO_STORE
        return response

    @staticmethod
    def _personal(request, response) -> bool:
        if has_vary_header(response, "Cookie") or "HTTP_AUTHORIZATION" in request.META:
            return True
        # Only a request with a session cookie can be signed in: others cost no query.
        user = getattr(request, "user", None)
        return (settings.SESSION_COOKIE_NAME in request.COOKIES and user is not None
                and user.is_authenticated)


def _person_id(value):
    from django.contrib.auth import get_user_model

    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None


# Session engines whose SessionStore keeps the session in Django's cache under
# `cache_key`, as the decoded dict (cached_db: the database behind it).
_CACHED_SESSION_ENGINES = frozenset({"django.contrib.sessions.backends.cached_db",
                                     "django.contrib.sessions.backends.cache"})


class SessionWithVersionsMiddleware:
    """Reads a request's session in the same cache round trip as the version tokens
    every page reads first (courses.cache.course_tree_version_held), not in one of its
    own when the session is first used: a signed-in page asks the cache once less
    (issue 15). Found, the session is the one its store would have loaded; not found
    (expired from the cache, or no such session) the store loads it itself, as before.
    With any session engine, the signed-in person's kept row is checked in that round
    trip too (learners.people_kept). Directly below SessionMiddleware, so the version is
    held for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = (settings.SESSION_ENGINE in _CACHED_SESSION_ENGINES
                        and settings.SESSION_CACHE_ALIAS == "default")

    def __call__(self, request):
        key = self._cache_key(request)
        # And the token of the person this session named when this process last saw
        # it, so that their row kept from then can be used (learners.people_kept).
        session = getattr(request, "session", None)
        also = ((key,) if key else ()) + person_keys_for_session(
            session.session_key if session is not None else None)
        with course_tree_version_held(also=also) as found, person_tokens_held(found):
            data = found.get(key) if key else None
            if isinstance(data, dict):
                # What SessionStore.load() would return; Django's stores keep the
                # loaded session here (django.contrib.sessions.backends.base).
                request.session._session_cache = data
            response = self.get_response(request)
        self._person_seen(request)
        return response

    @staticmethod
    def _person_seen(request) -> None:
        session = getattr(request, "session", None)
        data = getattr(session, "_session_cache", None)  # only if the request read it
        if isinstance(data, dict) and SESSION_KEY in data:
            session_person_seen(session.session_key, _person_id(data[SESSION_KEY]))

    def _cache_key(self, request) -> str | None:
        session = getattr(request, "session", None)
        if not self.enabled or session is None or not session.session_key:
            return None  # session_key: the cookie's, if it is a well-formed one
        return session.cache_key
