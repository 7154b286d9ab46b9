"""Parts of the catalogue and course pages that every visitor is shown alike, kept
rendered (or worked out) in Django's cache and in this process's memory.

Each is kept under a version token (courses.cache) that changes with every write that
could change it, so a kept part is never served after such a write: the course tree
version (publish, unpublish, move, slug, a topic, a view restriction) and, for what a
course page shows besides its tree, the course page version (trainers, sessions,
bookings). What is the visitor's own (their status on a course, the enrol button and
its CSRF token, their progress) is never in a kept part: pages render it per request
around these. With no version (the cache cannot be read) nothing is kept."""

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from django.core.cache import cache

T = TypeVar("T")

# Parts of earlier versions are never read again; they leave the cache after this.
KEPT_SECONDS = 24 * 60 * 60
# In this process, by name: the version they were kept under, and the parts by key.
_kept: dict[str, tuple[str, dict[tuple, object]]] = {}
_KEPT_MAX = 2000


def fragment_kept(name: str, *, version: str | None, key: tuple, build: Callable[[], T]) -> T:
    """`build()`'s value for `key` under `version`: from this process, else the cache,
    else built (and kept in both). Values are shared between requests: callers must
    not change them (copy what a request changes)."""
    if version is None:
        return build()
    held = _kept.get(name)
    if held is None or held[0] != version:
        held = (version, {})
        _kept[name] = held
    store = held[1]
    if key in store:
        return store[key]  # type: ignore[return-value]
    parts = ":".join(quote(str(part), safe="") for part in key)
    cache_key = f"courses:fragment:{name}:{version}:{parts}"
    value = cache.get(cache_key)
    if value is None:
        value = build()
        cache.set(cache_key, value, timeout=KEPT_SECONDS)
    if len(store) < _KEPT_MAX:
        store[key] = value
    return value


def kept_forget() -> None:
    """Forget what this process keeps (tests that change the cache behind it)."""
    _kept.clear()
