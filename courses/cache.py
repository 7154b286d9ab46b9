"""The course tree version: one token in Django's cache that every cached view of the
page tree (the route map in courses.routing, the course outlines in courses.selectors)
puts in its key, and that changes whenever what learners are served could change.

It changes on publish, unpublish, move, delete, slug change, on any save of a page that
is not only the bookkeeping of a draft (so pages made live in code, as the demo loader
and the tests do, count too), and on any change to a site or a view restriction. It is
changed at once and again when the transaction commits: another process that read the
tree between the two, before the change was visible to it, has its result discarded.

A token, not a counter: a cleared or restarted cache starts a new one, so nothing kept
under an earlier token (in this process's memory) can be taken for current.
"""

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar

from django.core.cache import cache
from django.db import transaction

from content.cache import VERSION_KEY as BODY_VERSION_KEY
from content.cache import body_version_held

logger = logging.getLogger(__name__)

VERSION_KEY = "courses:tree-version"

# The version a request read first (courses.routing's middleware holds it for the
# request), so that its routing and every outline it reads ask the cache once.
_held: ContextVar[str | None] = ContextVar("course_tree_version_held", default=None)

# Page fields a draft save, a lock or a new child writes: none changes what is served.
_DRAFT_FIELDS = frozenset({
    "latest_revision", "latest_revision_created_at", "draft_title", "has_unpublished_changes",
    "wagtail_admin_comments", "comments", "locked", "locked_at", "locked_by", "numchild",
})


def version_token(key: str) -> str | None:
    """The token kept in the cache under `key` (made if there is none), or None when the
    cache cannot be read: then nothing is served from a cache. Every version here (the
    course tree's, the course page's, the report filter lists') is one of these."""
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, uuid.uuid4().hex, timeout=None)
            version = cache.get(key)
    except Exception:  # a cache outage must not take pages down with it
        logger.warning("%s unreadable; serving uncached", key, exc_info=True)
        return None
    return version


def version_tokens(*keys: str, also: tuple[str, ...] = ()) -> tuple[list[str | None], dict]:
    """version_token for each key, in one cache round trip where they all exist; and
    whatever the cache holds under the `also` keys, read in that same round trip (those
    found: nothing is made for them)."""
    try:
        found = cache.get_many([*keys, *also])
    except Exception:
        logger.warning("%s unreadable; serving uncached", keys, exc_info=True)
        return [None] * len(keys), {}
    return ([found[key] if key in found else version_token(key) for key in keys],
            {key: found[key] for key in also if key in found})


def version_token_bump(key: str) -> None:
    """A new token under `key` now and another when the transaction commits (see the
    module's note: a reader between the two has its result discarded)."""
    held = _others_held.get()
    if held is not None:
        held[key] = None  # this request reads the new one
    _bump_key(key)
    transaction.on_commit(lambda: _bump_key(key))


# Other apps' version tokens read with the course tree's at the start of a request, in
# the same round trip (course_tree_version_held): apps above this one register theirs
# (academy.roles) and read them with version_token_held.
_other_keys: list[str] = []
_others_held: ContextVar[dict | None] = ContextVar("version_tokens_held", default=None)


def version_token_read_with_request(key: str) -> None:
    """Read `key`'s token with the course tree version at the start of each request."""
    if key not in _other_keys:
        _other_keys.append(key)


def version_token_held(key: str) -> str | None:
    """`key`'s token as this request read it at its start (or now, outside a request,
    or once the request has changed it)."""
    held = _others_held.get()
    if held is not None and held.get(key) is not None:
        return held[key]
    return version_token(key)


def _bump_key(key: str) -> None:
    try:
        cache.set(key, uuid.uuid4().hex, timeout=None)
    except Exception:
        # Nothing cached can be read while the cache is down either; a stale entry
        # could outlive it only if the cache lost this write and kept the old token.
        logger.error("%s not changed", key, exc_info=True)


def course_tree_version() -> str | None:
    """The current token (made if there is none), or None when the cache cannot be read:
    then nothing is served from a cache. Within a request, the one it started with."""
    if (held := _held.get()) is not None:
        return held
    return version_token(VERSION_KEY)


@contextmanager
def course_tree_version_held(*, also: tuple[str, ...] = ()) -> Iterator[dict]:
    """Read the version once, and answer course_tree_version() with it until the block
    ends or the version is changed in it. The course page version (below) is read with
    it, in the same round trip, and held likewise (a course page needs both), and so are
    other apps' tokens registered with version_token_read_with_request.

    Yields what the cache holds under the `also` keys, read in that same round trip
    when this is the request's first read (config.middleware reads a signed-in
    request's session so); an empty dict when the version was held already."""
    others = list(_other_keys)
    extra: dict = {}
    if _held.get() is None:
        # The lesson body version (content.cache) is read in the same round trip too.
        (tree, page, *other_tokens), extra = version_tokens(
            VERSION_KEY, PAGE_VERSION_KEY, *others, also=(BODY_VERSION_KEY, *also))
        others_held = dict(zip(others, other_tokens, strict=True))
        body = extra.pop(BODY_VERSION_KEY, None)
    else:
        tree, page, others_held = _held.get(), course_page_version(), _others_held.get()
        body = None  # held by the outer block already
    token, page_token = _held.set(tree), _page_held.set(page)
    others_token = _others_held.set(others_held)
    try:
        with body_version_held(body) if body is not None else nullcontext():
            yield extra
    finally:
        _held.reset(token)
        _page_held.reset(page_token)
        _others_held.reset(others_token)


def course_tree_version_bump() -> None:
    """A new token now and another when the transaction commits (see the module's note)."""
    _held.set(None)
    version_token_bump(VERSION_KEY)


# What a course page shows besides its tree (courses.models.course, learners.session_admin):
# its trainers' names and its upcoming sessions with their places left. A token like the
# tree version, changed by any write that could change them (see course_page_signals).
PAGE_VERSION_KEY = "courses:page-version"


_page_held: ContextVar[str | None] = ContextVar("course_page_version_held", default=None)


def course_page_version() -> str | None:
    """The current course page token (made if there is none), or None when the cache
    cannot be read: then nothing is served from a cache. Within a course page's
    course_page_version_held(), the one it started with."""
    if (held := _page_held.get()) is not None:
        return held
    return version_token(PAGE_VERSION_KEY)


@contextmanager
def course_page_version_held() -> Iterator[str | None]:
    """Read the course page version once, and answer course_page_version() with it
    until the block ends or the version is changed in it (a course page's context and
    its hooks: one cache read for all they keep)."""
    token = _page_held.set(course_page_version())
    try:
        yield _page_held.get()
    finally:
        _page_held.reset(token)


def course_page_version_bump() -> None:
    """A new course page token now and another when the transaction commits (as the
    tree version: a reader between the two has its result discarded)."""
    _page_held.set(None)
    version_token_bump(PAGE_VERSION_KEY)


def course_page_signal(sender, **kwargs) -> None:
    """A receiver for any write a course page shows (learners connects its sessions and
    bookings to it)."""
    course_page_version_bump()


def _person_saved(sender, instance, created=False, update_fields=None, **kwargs):
    # Signing in writes last_login alone: no name a page shows changes.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    if not created:
        course_page_version_bump()


def course_tree_signals_connect() -> None:
    """Wire the version to Wagtail's and Django's signals (from CoursesConfig.ready)."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.signals import (
        page_published,
        page_slug_changed,
        page_unpublished,
        post_page_move,
    )

    for signal, uid in ((page_published, "published"), (page_unpublished, "unpublished"),
                        (post_page_move, "moved"), (page_slug_changed, "slug")):
        signal.connect(_page_changed, dispatch_uid=f"courses_tree_version_{uid}")
    # Without a sender: a page's post_save names its own class, not Page.
    post_save.connect(_row_saved, dispatch_uid="courses_tree_version_saved")
    post_delete.connect(_row_deleted, dispatch_uid="courses_tree_version_deleted")

    # The course page's version: trainers' names (a person renamed or erased) and a
    # course's trainers (changed in code as well as by publishing the course).
    from django.conf import settings
    from django.db.models.signals import m2m_changed

    from courses.models import CoursePage

    post_save.connect(_person_saved, sender=settings.AUTH_USER_MODEL,
                      dispatch_uid="courses_page_version_person")
    post_delete.connect(course_page_signal, sender=settings.AUTH_USER_MODEL,
                        dispatch_uid="courses_page_version_person_deleted")
    # (Saving the course, as publishing does, changes the tree version too. Django sends
    # no signal for rows of the through table written directly: erasing a person
    # deletes theirs, and changes the version by saving the person as "Erased".)
    m2m_changed.connect(course_page_signal, sender=CoursePage.trainers.through,
                        dispatch_uid="courses_page_version_trainers")


def _page_changed(sender, **kwargs):
    course_tree_version_bump()


def _tree_row(instance) -> bool:
    from wagtail.models import Page, PageViewRestriction, Site

    from courses.models import Topic

    # A topic's name is on the catalogue's cards and filters (courses.catalogue_cache).
    return isinstance(instance, (Page, Site, PageViewRestriction, Topic))


def _row_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if not _tree_row(instance):
        return
    if not created and update_fields is not None and set(update_fields) <= _DRAFT_FIELDS:
        return
    course_tree_version_bump()


def _row_deleted(sender, instance, **kwargs):
    if _tree_row(instance):
        course_tree_version_bump()
