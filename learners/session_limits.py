"""How long a sign-in lasts: at most SESSION_COOKIE_AGE (12 hours) from signing in, and
SESSION_IDLE_SECONDS (30 minutes) without a request (ASVS V3.3.2, level 2). Either way
the person is signed out and told why on the next page they open.

Django's SESSION_COOKIE_AGE alone is neither limit: the cookie's expiry moves on each
time the session is saved, and nothing counts idle time. No maintained library does both
(docs/decisions.md, "Identity and sessions (issue 14)"), so this middleware keeps two
times in the session: when the person signed in, and when they were last seen (written
at most once a minute, so reading pages does not write a session each time)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

SIGNED_IN_AT = "academy_signed_in_at"
SEEN_AT = "academy_seen_at"
SEEN_WRITE_EVERY = 60  # seconds

IDLE_MESSAGE = ("You were signed out because you had not used the academy for {minutes} "
                "minutes. Sign in again to carry on.")
TOO_LONG_MESSAGE = ("You were signed out because you had been signed in for {hours} hours. "
                    "Sign in again to carry on.")


class SessionLimitsMiddleware:
    """Signs out a session past its absolute or idle limit, with a message saying which.
    Below AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Only a request with a session cookie can be signed in: others cost no query.
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request) -> None:
        session, now = request.session, int(time.time())
        signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
        if signed_in is None or seen is None:  # the first request of this sign-in
            session[SIGNED_IN_AT] = session[SEEN_AT] = now
        elif now - signed_in >= settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, TOO_LONG_MESSAGE.format(
                hours=settings.SESSION_COOKIE_AGE // 3600))
        elif now - seen >= settings.SESSION_IDLE_SECONDS:
            logout(request)
            messages.info(request, IDLE_MESSAGE.format(
                minutes=settings.SESSION_IDLE_SECONDS // 60))
        elif now - seen >= SEEN_WRITE_EVERY:
            session[SEEN_AT] = now
