"""The signed-in person's row, kept in this process between their requests (issue 15).

Every signed-in request reads its person (django.contrib.auth's get_user, through
learners.auth): one query, which was most of what a signed-in page costs over a
signed-out one. A process now keeps the rows it has read, each under two tokens in
Django's cache (courses.cache's version tokens: a token, not a counter):

- the person's own, changed by every save or delete of that person's row
  (post_save/post_delete, connected in LearnersConfig.ready): a sign-in's last_login,
  a new password, a deactivation, a new organisation or line manager;
- everyone's, changed by any write to many rows at once that sends no signal
  (`update()` and `bulk_update()` on users, the line manager cleared when a manager is
  deleted) and by migrate.

Both are read in the request's first cache round trip (config.middleware): everyone's
with the course tree version, the person's because the process remembers whose each
session it has seen is (only a guess at which token to read: the row used is always the
one for the person the session itself names). A kept row is used only when both tokens
read at the start of the request are the ones it was kept under, and for at most
KEPT_SECONDS, so a write is seen by the very next request in every process. A token is
changed at once and again when the writing transaction commits (version_token_bump), so
a row read between the two, before the write was visible, is not used again. With the
cache unreadable, or outside a request, the row is read from the database as before.

A row holds what the person's User holds (their password hash too, which Django's
session check needs): it stays in this process's memory, as each request's User does;
nothing is written to the cache but the tokens."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from courses.cache import (
    version_token,
    version_token_bump,
    version_token_held,
    version_token_read_with_request,
)

EVERYONE_KEY = "people:version"
version_token_read_with_request(EVERYONE_KEY)

KEPT_SECONDS = 300
_KEPT_MAX = 10_000

# person id -> (everyone's token, their token, kept until, row)
_kept: dict[int, tuple[str, str, float, tuple]] = {}
# (person id, what) -> (the tokens it was kept under, kept until, value): person_value
_values: dict[tuple[int, str], tuple[tuple, float, object]] = {}
# hash of a session key -> the person id it named when this process last saw it (the
# hash, so that the process holds no session keys beyond their requests; two sessions
# whose hashes met would only have the wrong token read first, never the wrong row)
_sessions: dict[int, int] = {}
# The person tokens this request read in its first round trip: {cache key: token}.
_held: ContextVar[dict | None] = ContextVar("people_tokens_held", default=None)


def person_key(person_id) -> str:
    return f"people:{person_id}:version"


def person_keys_for_session(session_key: str | None) -> tuple[str, ...]:
    """The cache key of the token of the person this session named when this process
    last saw it, to be read with the request's first round trip; () if none."""
    person_id = _sessions.get(hash(session_key)) if session_key else None
    return (person_key(person_id),) if person_id is not None else ()


def session_person_seen(session_key: str | None, person_id) -> None:
    """This session names this person (config.middleware, after the response)."""
    if not session_key or person_id is None:
        return
    if len(_sessions) >= _KEPT_MAX:
        _sessions.clear()
    _sessions[hash(session_key)] = person_id


@contextmanager
def person_tokens_held(found: dict) -> Iterator[None]:
    """The request's first round trip found these (of what person_keys_for_session
    asked for); person_row uses them for the rest of the request."""
    token = _held.set({key: value for key, value in found.items()
                       if key.startswith("people:")})
    try:
        yield
    finally:
        _held.reset(token)


def person_row(person_id: int, read: Callable[[int], tuple | None]) -> tuple | None:
    """The person's row: kept, if both its tokens are the ones this request read and it
    is recent; else `read(person_id)` from the database, kept for the next request."""
    held = _held.get()
    everyone = version_token_held(EVERYONE_KEY) if held is not None else None
    if everyone is None:  # outside a request, or the cache cannot be read
        return read(person_id)
    key = person_key(person_id)
    mine = held.get(key)
    now = time.monotonic()
    if mine is not None:
        kept = _kept.get(person_id)
        if (kept is not None and kept[0] == everyone and kept[1] == mine
                and now < kept[2]):
            return kept[3]
    else:  # not asked for with the request: this session is new to this process
        mine = version_token(key)
        if mine is None:
            return read(person_id)
        held[key] = mine  # for person_value, later in this request
    row = read(person_id)
    if row is None:
        _kept.pop(person_id, None)
        return None
    if len(_kept) >= _KEPT_MAX:
        _kept.clear()
    _kept[person_id] = (everyone, mine, now + KEPT_SECONDS, row)
    return row


def person_value(person_id: int, what: str, read: Callable[[], object], *,
                 tokens: tuple[str, ...] = ()) -> object:
    """Something read about the signed-in person besides their row (learners.scoping:
    the organisations they report on), kept as their row is: under everyone's token,
    their own, and the further `tokens` (cache keys of tokens registered with
    version_token_read_with_request, which the writes it depends on change). Read
    afresh, by `read()`, when any of them is not the one it was kept under, after
    KEPT_SECONDS, and for anyone but the person this request's tokens were read for."""
    held = _held.get()
    mine = held.get(person_key(person_id)) if held is not None else None
    stamp = (version_token_held(EVERYONE_KEY), mine,
             *(version_token_held(key) for key in tokens))
    if None in stamp:  # outside a request, someone else, or the cache cannot be read
        return read()
    now = time.monotonic()
    kept = _values.get((person_id, what))
    if kept is not None and kept[0] == stamp and now < kept[1]:
        return kept[2]
    value = read()
    if len(_values) >= _KEPT_MAX:
        _values.clear()
    _values[(person_id, what)] = (stamp, now + KEPT_SECONDS, value)
    return value


def person_changed(sender, instance, **kwargs) -> None:
    """post_save/post_delete of a User: their row is read afresh everywhere."""
    if instance.pk is not None:
        version_token_bump(person_key(instance.pk))


def people_changed(*args, **kwargs) -> None:
    """Many rows written without a signal (or a migration): every row is read afresh."""
    version_token_bump(EVERYONE_KEY)
