"""Lesson bodies linked once, not on every view (issue 15).

Linking glossary terms (content.glossary) parses and rewrites a lesson's rendered body
with BeautifulSoup, and reads every live term: a fifth to a third of a lesson view.
The linked body is the same for every learner, so it is kept in the cache, keyed by
the lesson, a digest of its published body and the *body version*: a number in the
cache that a glossary term's publication, change, unpublication or deletion bumps
(and a replaced document or image, a moved or deleted page, which a body can show).

Per-learner markup (a knowledge check's form with its answer, errors and CSRF token;
an activity's answer box or enrol hint) is never cached. Each sits in
`{% learnerpart %}` in the block templates: when the body is built, a part is rendered
on its own and an empty marker stands in its place while the terms are linked (none of
it is ever linked: its text is outside `data-glossary="on"` regions); the linked body
is cut at the markers and the pieces stored. A warm view renders only the learner
parts, in order, and puts them between the stored pieces.
"""

import hashlib
import json
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

BODY_TEMPLATE = "content/blocks/lesson_body.html"
# What an activity's answer box says to someone not enrolled (as `enrol_hint`).
ENROL_HINT = "Enrol on this course to keep your answer in your own learning log."
VERSION_KEY = "lesson-body:version"
ENTRY_SECONDS = 7 * 24 * 3600
# Block types whose markup depends on the learner: always rendered per request.
LEARNER_BLOCK_TYPES = frozenset({"knowledge_check", "activity", "scorm_package"})
# Context key the `{% learnerpart %}` tag reads (content.templatetags.glossary_tags).
PARTS = "_learner_parts"
# Context key of the body's cache key, under which its learner parts are kept (below).
BODY_KEY = "_lesson_body_key"


@dataclass(frozen=True)
class LinkedBody:
    """A lesson body as every learner shares it: the linked HTML cut where the learner
    parts go (one more piece than parts), and the glossary terms it marked."""

    pieces: tuple[str, ...]
    terms_used: tuple


class LearnerParts:
    """Collects the learner parts of one render of a lesson body.

    `render_parts`: render each part (False when warming: no learner, no request).
    `marker`: the placeholder written where a part goes ("" when only parts are
    wanted: the rest of that render is thrown away)."""

    def __init__(self, *, render_parts: bool, marker: str):
        self.render_parts = render_parts
        self.marker = marker
        self.parts: list[str] = []


# The version as a request read it at its start, with the version tokens every page reads
# (courses.cache.course_tree_version_held), in the same cache round trip.
_version_held: ContextVar[int | None] = ContextVar("lesson_body_version_held", default=None)


@contextmanager
def body_version_held(version: int | None) -> Iterator[None]:
    """Answer body_version() with `version` (read by the caller) until the block ends or
    the version is bumped in it; None: read it when asked, as outside a request."""
    token = _version_held.set(version)
    try:
        yield
    finally:
        _version_held.reset(token)


def body_version() -> int:
    """The current body version. A version lost from the cache (eviction, a Redis
    restart) is started again from the clock, so no entry from before is reused."""
    if (held := _version_held.get()) is not None:
        return held
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def body_version_bump() -> None:
    """Make every cached lesson body stale."""
    _version_held.set(None)  # this request reads the new one
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not in the cache: start it afresh
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)


# Body digests by page and stored row version, for pages that carry `_row_version`: the
# version of the row they were made from, which any change to the row replaces
# (courses.routing sets it on the pages it fetches and keeps). Bounded.
_digests: dict[tuple, str] = {}
_DIGESTS_MAX = 5000


def _body_digest(page) -> str:
    row_version = getattr(page, "_row_version", None)
    key = (page.pk, row_version)
    digest = _digests.get(key) if row_version is not None else None
    if digest is None:
        raw = json.dumps(list(page.body.raw_data), sort_keys=True, separators=(",", ":"))
        digest = hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
        if row_version is not None:
            if len(_digests) >= _DIGESTS_MAX:
                _digests.clear()
            _digests[key] = digest
    return digest


def lesson_body_key(page, *, version: int | None = None) -> str:
    """The cache key of a lesson's linked body: its page, a digest of its stored body
    (so a publish, or any change to the live row, is a new key) and the body version.
    The digest is worked out once per stored row version for a page that carries one."""
    digest = _body_digest(page)
    version = body_version() if version is None else version
    return f"lesson-body:{page.pk}:{digest}:{version}"


def cacheable(page, request) -> bool:
    """Only a live lesson as stored is shared: never a preview or a draft."""
    if request is not None and getattr(request, "is_preview", False):
        return False
    return bool(page.pk and page.live)


def lesson_blocks(page, *, check_results=None, activity_notes=None, scorm_launches=None,
                  learner_only=False):
    """(block, knowledge check result or SCORM launch, activity notes) for the body
    template: every block, or only those with learner parts (in order) for a warm view.
    Only the block types needed are built, so a warm view fetches no snippet, image or
    document."""
    # Block ids are unique in a body: a block's result is its check's, or its launch.
    check_results = {**(check_results or {}), **(scorm_launches or {})}
    activity_notes = activity_notes or {}
    if learner_only:
        blocks = [page.body[i] for i, raw in enumerate(page.body.raw_data)
                  if raw["type"] in LEARNER_BLOCK_TYPES]
    else:
        blocks = list(page.body)
    return [(block, check_results.get(block.id), activity_notes.get(block.id))
            for block in blocks]


def _render(context, *, blocks, parts: LearnerParts, key: str | None = None) -> str:
    template = get_template(BODY_TEMPLATE).template
    with context.push(lesson_blocks=blocks, activity_enrol_hint=_enrol_hint(context),
                      **{PARTS: parts, BODY_KEY: key}):
        return template.render(context)


def _enrol_hint(context) -> str:
    return "" if context.get("enrolment") else ENROL_HINT


def _learner_parts(context, *, page, blocks, key: str) -> list[str]:
    """A warm view's learner parts alone, in order, for the blocks that have them
    (`lesson_blocks(learner_only=True)`): what each `{% learnerpart %}` of
    lesson_body.html holds, without rendering the shared markup around them, which is
    kept already. Written here rather than as a template loop, which was a fourteenth
    of a lesson view (issue 15); keep the two alike (tests/content/
    test_glossary_cache.py holds a warm view to a cold one)."""
    # Imported here: the template tag library imports this module.
    from content.addresses import reverse_kept
    from content.templatetags.glossary_tags import activitynotespart, knowledgecheckpart

    parts = []
    with context.push(**{BODY_KEY: key}):
        for block, result, notes in blocks:
            kind = block.block_type
            if kind == "knowledge_check":
                parts.append(knowledgecheckpart(context, block, result))
            elif kind == "scorm_package":
                with context.push(block=block, value=block.value, launch=result):
                    parts.append(get_template("content/blocks/scorm_package.html")
                                 .template.render(context))
            elif kind == "activity":
                with context.push(block=block, value=block.value, notes=notes,
                                  action=reverse_kept("learning_log_entry_save", page.pk),
                                  enrol_hint=_enrol_hint(context)):
                    parts.append(activitynotespart(context))
    return parts


# --- Learner parts kept by what they show ----------------------------------------------
#
# A learner part is the learner's own, but many learners see the same one: a knowledge
# check not yet answered, or answered the same way. `learner_part_kept` renders a part's
# template from only the values given to it (nothing else of the page's context: the key
# is everything it can show), with a stand-in for the CSRF token, and keeps the result
# in this process under the body's key and those values; each request puts its own token
# in. A new body or body version is a new key.
_CSRF_STAND_IN = f"csrf-{secrets.token_hex(16)}"
_parts_kept: dict[str, dict[tuple, str]] = {}
_PARTS_BODIES_MAX, _PARTS_PER_BODY_MAX = 500, 2000


def learner_part_kept(context, template_name: str, *, key: tuple, values: dict,
                      keep: bool = True) -> str:
    """`template_name` rendered with only `values` and the request's CSRF token. `key`
    must name each value the template shows (repr() is used: the values' reprs must say
    all they show, as dataclasses' do). With keep=False, rendered and not kept."""
    token = context.get("csrf_token")
    token = str(token) if token else ""
    body_key = context.get(BODY_KEY) if keep else None
    store = _parts_kept.get(body_key) if body_key else None
    if body_key and store is None:
        if len(_parts_kept) >= _PARTS_BODIES_MAX:
            _parts_kept.clear()
        store = _parts_kept[body_key] = {}
    full_key = (template_name, bool(token), *map(repr, key))
    html = store.get(full_key) if store is not None else None
    if html is None:
        html = get_template(template_name).render(
            {**values, "csrf_token": _CSRF_STAND_IN if token else ""})
        if store is not None and len(store) < _PARTS_PER_BODY_MAX:
            store[full_key] = html
    return html.replace(_CSRF_STAND_IN, token) if token else html


def _interleave(pieces, parts) -> str:
    out = [pieces[0]]
    for part, piece in zip(parts, pieces[1:], strict=True):
        out += [part, piece]
    return "".join(out)


def _link(html: str, marker: str, part_count: int, page=None):
    # Imported here: the template tag library imports this module.
    from content.templatetags.glossary_tags import link_lesson_html

    linked, used = link_lesson_html(html)
    pieces = linked.split(marker)
    if len(pieces) != part_count + 1:
        logger.warning("lesson body markers lost in linking",
                       extra={"page": getattr(page, "pk", None)})
        return None, linked, used
    return LinkedBody(tuple(pieces), tuple(used)), linked, used


def render_lesson_body(context, *, page, request=None) -> tuple[str, list]:
    """The lesson's body for this learner, linked, and the glossary terms it marks.

    Warm (in the cache for this body and body version): no BeautifulSoup and no
    glossary query; only the learner parts are rendered. Cold: the body is rendered
    and linked, and the shared pieces stored."""
    check_results = context.get("check_results")
    activity_notes = context.get("activity_notes")
    scorm_launches = context.get("scorm_launches")
    key = None
    if cacheable(page, request):
        # The version is read before the terms, so a body built from terms older than
        # a bump is never stored under the new version.
        key = lesson_body_key(page)
        entry = _entry_get(key)
        if entry is not None:
            blocks = lesson_blocks(page, check_results=check_results,
                                   activity_notes=activity_notes,
                                   scorm_launches=scorm_launches, learner_only=True)
            parts = _learner_parts(context, page=page, blocks=blocks, key=key)
            if len(parts) == len(entry.pieces) - 1:
                return _interleave(entry.pieces, parts), list(entry.terms_used)

    marker = f'<span data-learner-part="{secrets.token_hex(8)}"></span>'
    parts = LearnerParts(render_parts=True, marker=marker)
    blocks = lesson_blocks(page, check_results=check_results, activity_notes=activity_notes,
                           scorm_launches=scorm_launches)
    entry, linked, used = _link(_render(context, blocks=blocks, parts=parts, key=key), marker,
                                len(parts.parts), page)
    if entry is None:  # never seen; show the page, store nothing
        for part in parts.parts:
            linked = linked.replace(marker, part, 1)
        return linked, used
    if key is not None:
        cache.set(key, entry, ENTRY_SECONDS)
        _entry_keep(key, entry)
    return _interleave(entry.pieces, parts.parts), used


# Entries this process has read or built, by key: a key names the body and the body
# version it was linked under, so an entry kept under it is never stale, and a warm view
# reads nothing from the cache for it (issue 15).
_entries_kept: dict[str, LinkedBody] = {}
_ENTRIES_KEPT_MAX = 1000


def _entry_get(key: str) -> LinkedBody | None:
    entry = _entries_kept.get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            _entry_keep(key, entry)
    return entry


def _entry_keep(key: str, entry: LinkedBody) -> None:
    if len(_entries_kept) >= _ENTRIES_KEPT_MAX:
        _entries_kept.clear()
    _entries_kept[key] = entry


def kept_forget() -> None:
    """Forget the bodies and learner parts this process keeps, as another process
    would not have them (tests that change the shared cache behind it)."""
    _entries_kept.clear()
    _parts_kept.clear()


def lesson_body_warm(page) -> bool:
    """Build and store a live lesson's shared body with no learner and no request (the
    Celery task after a glossary change). True if stored."""
    if not page.live:
        return False
    key = lesson_body_key(page)
    marker = f'<span data-learner-part="{secrets.token_hex(8)}"></span>'
    parts = LearnerParts(render_parts=False, marker=marker)
    context = Context({"page": page, "self": page})
    html = _render(context, blocks=lesson_blocks(page), parts=parts)
    entry, _, _ = _link(html, marker, len(parts.parts), page)
    if entry is None:
        return False
    cache.set(key, entry, ENTRY_SECONDS)
    return True


# --- What a glossary change touches -----------------------------------------------


def lesson_body_models():
    """Page models whose `body` is a lesson body (content.blocks.LessonBodyBlock),
    found from the app registry so content never imports the apps that use it."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist
    from wagtail.fields import StreamField
    from wagtail.models import Page

    from content.blocks.lesson import LessonBodyBlock

    found = []
    for model in apps.get_models():
        if not issubclass(model, Page):
            continue
        try:
            field = model._meta.get_field("body")
        except FieldDoesNotExist:
            continue
        if isinstance(field, StreamField) and isinstance(field.stream_block, LessonBodyBlock):
            found.append(model)
    return found


def lessons_using(forms) -> Iterator:
    """Live lessons whose stored body mentions any of the forms (a first sift in the
    JSON text; linking decides what is really a use)."""
    from django.db.models import Q

    forms = [form for form in forms if form]
    if not forms:
        return []
    query = Q()
    for form in forms:
        query |= Q(body__icontains=form)
    for model in lesson_body_models():
        yield from model.objects.live().filter(query).iterator(chunk_size=100)


def glossary_changed(*, forms) -> None:
    """A live glossary term changed: every lesson body is stale now (the version is
    bumped at once, and again when the transaction commits, so a body built from the
    old terms in between is not kept), and the lessons using it are warmed by Celery."""
    body_version_bump()

    def after_commit():
        body_version_bump()
        from content.tasks import lesson_bodies_warm_for_term

        try:
            lesson_bodies_warm_for_term.delay(list(forms), body_version())
        except (BrokerError, ConnectionError, OSError):  # costs a cold view, no more
            logger.warning("glossary warm not enqueued; lessons are built on first view")

    transaction.on_commit(after_commit)
