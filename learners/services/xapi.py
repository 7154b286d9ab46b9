"""xAPI statements to a learning record store (LRS), through an outbox.

Each fact's own service calls one function here, inside the fact's transaction, which
writes the statement to the outbox (learners.models.XapiStatement) and, after commit,
enqueues its delivery. Nothing is written while sending is off: facts recorded then are
never sent (the LRS is told about learning from the moment it is switched on).

A statement's id is a UUID5 of the fact ("enrolment 12 registered"), so the same fact is
always the same statement: written twice, it is one outbox row (ON CONFLICT DO
NOTHING); sent twice, the LRS stores it once (a PUT by id; 409 means it has it).

Delivery (xapi_statements_deliver) claims one pending row at a time with
SELECT ... FOR UPDATE SKIP LOCKED, sends it and records the answer in that transaction,
so two workers never send the same row at once and a crash before the commit leaves the
row pending. An LRS that cannot be reached, answers 5xx or 429 (or refuses the
credentials) moves that row's next attempt back exponentially and ends the run; a beat
sweeper runs delivery every minute, so nothing waits on a lost task."""

import logging
import math
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from learners.enqueue import enqueue_on_commit
from learners.models import (
    AssessmentAttempt,
    Booking,
    Enrolment,
    KnowledgeCheckAttempt,
    LrsSettings,
    XapiActor,
    XapiStatement,
)
from learners.xapi_admin import LRS_ENABLED_CACHE_KEY, LRS_PAUSED_CACHE_KEY

logger = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
VERB_BASE = "http://adlnet.gov/expapi/verbs/"
ACTIVITY_TYPE_BASE = "http://adlnet.gov/expapi/activities/"
# The kinds of thing a statement can be about: (path under /xapi/activities/, the ADL
# activity type).
COURSE, LESSON, CHECK, ASSESSMENT, QUESTION, SESSION = (
    ("course", "course"), ("lesson", "lesson"), ("knowledge-check", "cmi.interaction"),
    ("assessment", "assessment"), ("question", "cmi.interaction"), ("session", "meeting"),
)
LANGUAGE = "en-GB"
# How long sending-on is remembered between reads of the settings (a fact reads it).
ENABLED_CACHE_SECONDS = 60
# The LRS is given this long to connect and to answer each statement.
HTTP_TIMEOUT = (3.05, 10)
ERROR_LENGTH = 500


def lrs_enabled() -> bool:
    """Whether statements are being sent: the admin's switch, with an endpoint set.
    Read from the cache (cleared when the settings are saved), so recording a fact
    adds no query while sending is off."""
    enabled = cache.get(LRS_ENABLED_CACHE_KEY)
    if enabled is None:
        lrs = LrsSettings.objects.first()
        enabled = bool(lrs and lrs.enabled and lrs.endpoint)
        cache.set(LRS_ENABLED_CACHE_KEY, enabled, ENABLED_CACHE_SECONDS)
    return enabled


def xapi_statement_id(*, fact: str) -> uuid.UUID:
    """The statement id of a fact: a UUID5 of the academy's address and the fact, the
    same forever."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.ACADEMY_BASE_URL}/xapi")
    return uuid.uuid5(namespace, fact)


def _registration(enrolment_id: int) -> str:
    # Groups the statements of one enrolment (one cycle of a course) in the LRS.
    return str(xapi_statement_id(fact=f"enrolment/{enrolment_id}"))


def _activity(kind: tuple[str, str], key, name: str, page=None, **definition) -> dict:
    """An activity, its id under the academy's address and stable (a page's id, not its
    URL, which moves when a title changes); its page's address as moreInfo."""
    path, activity_type = kind
    definition = {"name": {LANGUAGE: name[:500] or path},
                  "type": ACTIVITY_TYPE_BASE + activity_type, **definition}
    if page is not None and (url := page.get_url()):
        definition["moreInfo"] = settings.ACADEMY_BASE_URL + url if url.startswith("/") else url
    return {"objectType": "Activity",
            "id": f"{settings.ACADEMY_BASE_URL}/xapi/activities/{path}/{key}",
            "definition": definition}


def _course(course) -> dict:
    return _activity(COURSE, course.pk, course.title, course)


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _score(percent: int) -> dict:
    return {"scaled": round(percent / 100, 4), "raw": percent, "min": 0, "max": 100}


def _actors(user_ids: Iterable[int]) -> dict[int, str]:
    """Each learner's account name in the LRS, made the first time it is needed."""
    user_ids = set(user_ids)
    XapiActor.objects.bulk_create([XapiActor(user_id=user_id) for user_id in user_ids],
                                  ignore_conflicts=True)
    return {user_id: str(name) for user_id, name in XapiActor.objects.filter(
        user_id__in=user_ids).values_list("user_id", "account_name")}


@dataclass(frozen=True)
class _Fact:
    key: str
    user_id: int
    verb: str
    object: dict | None  # None: the course
    at: datetime
    course: object
    enrolment_id: int | None = None
    parent: dict | None = None
    result: dict | None = None


def _outbox_add(facts: list[_Fact]) -> None:
    """Write the facts' statements to the outbox (a fact already there is left as it
    is: ON CONFLICT DO NOTHING) and enqueue delivery after commit."""
    if not facts:
        return
    actors = _actors(fact.user_id for fact in facts)
    courses: dict[int, dict] = {}  # a course's activity, made once (its URL is a look-up)
    rows = []
    for fact in facts:
        statement_id = xapi_statement_id(fact=fact.key)
        if fact.course.pk not in courses:
            courses[fact.course.pk] = _course(fact.course)
        course = courses[fact.course.pk]
        activity = fact.object or course
        context = {"platform": settings.ACADEMY_NAME, "language": LANGUAGE,
                   "contextActivities": {}}
        if fact.enrolment_id is not None:
            context["registration"] = _registration(fact.enrolment_id)
        if activity["id"] != course["id"]:
            context["contextActivities"] = {"parent": [fact.parent or course],
                                            "grouping": [course]}
        if not context["contextActivities"]:
            del context["contextActivities"]
        statement = {
            "id": str(statement_id),
            "actor": {"objectType": "Agent", "account": {
                "homePage": settings.ACADEMY_BASE_URL, "name": actors[fact.user_id]}},
            "verb": {"id": VERB_BASE + fact.verb, "display": {LANGUAGE: fact.verb}},
            "object": activity,
            "context": context,
            "timestamp": _timestamp(fact.at),
            "version": XAPI_VERSION,
        }
        if fact.result is not None:
            statement["result"] = fact.result
        rows.append(XapiStatement(id=statement_id, user_id=fact.user_id, verb=fact.verb,
                                  statement=statement, created_at=fact.at))
    XapiStatement.objects.bulk_create(rows, ignore_conflicts=True)
    from learners.tasks import xapi_statements_send as task

    enqueue_on_commit(task)


# --- One function per fact, each called from the fact's own service -------------------

def _registered(enrolment: Enrolment) -> _Fact:
    return _Fact(key=f"enrolment/{enrolment.pk}/registered", user_id=enrolment.user_id,
                 verb="registered", object=None, at=enrolment.enrolled_at,
                 course=enrolment.course, enrolment_id=enrolment.pk)


def xapi_enrolment_registered(*, enrolment: Enrolment) -> None:
    """registered: the learner enrolled on the course (services.enrolments)."""
    if lrs_enabled():
        _outbox_add([_registered(enrolment)])


def xapi_cycles_registered(*, course_id: int, cycles: Iterable[tuple[int, int]]) -> None:
    """registered, for new cycles of recurring required learning started in bulk
    (services.required): `cycles` are the (user id, cycle) made, whose ids the bulk
    insert does not return."""
    cycles = set(cycles)
    if cycles and lrs_enabled():
        xapi_enrolments_registered(enrolment_ids=[
            pk for pk, user_id, cycle in Enrolment.objects.filter(
                course_id=course_id, user_id__in={user_id for user_id, _ in cycles},
                cycle__in={cycle for _, cycle in cycles}).values_list("pk", "user_id", "cycle")
            if (user_id, cycle) in cycles])


def _lesson_fact(*, enrolment: Enrolment, lesson, at: datetime, verb: str,
                 result: dict | None = None) -> None:
    if not lrs_enabled():
        return
    _outbox_add([_Fact(
        key=f"enrolment/{enrolment.pk}/lesson/{lesson.pk}/{verb}", user_id=enrolment.user_id,
        verb=verb, object=_activity(LESSON, lesson.pk, lesson.title, lesson), at=at,
        course=enrolment.course, enrolment_id=enrolment.pk, result=result)])


def xapi_enrolments_registered(*, enrolment_ids: list[int]) -> None:
    """registered, for enrolments made in bulk (services.bulk: a bulk enrolment or a
    required-learning assignment), a chunk at a time."""
    if enrolment_ids and lrs_enabled():
        _outbox_add([_registered(enrolment) for enrolment in Enrolment.objects.filter(
            pk__in=enrolment_ids).select_related("course").order_by("pk")])


def xapi_lesson_experienced(*, enrolment: Enrolment, lesson, at: datetime) -> None:
    """experienced: the learner opened the lesson for the first time (services.learning).
    Opening it again is not a new fact."""
    _lesson_fact(enrolment=enrolment, lesson=lesson, at=at, verb="experienced")


def xapi_knowledge_check_answered(*, enrolment: Enrolment, lesson, block,
                                  attempt: KnowledgeCheckAttempt) -> None:
    """answered: one answer to a knowledge check in a lesson (services.learning), with
    whether it was right and the options chosen."""
    if not lrs_enabled():
        return
    _outbox_add([_Fact(
        key=f"knowledge-check-attempt/{attempt.pk}/answered", user_id=enrolment.user_id,
        verb="answered",
        object=_activity(CHECK, block.id, block.value["question"], interactionType="choice"),
        at=attempt.answered_at, course=enrolment.course, enrolment_id=enrolment.pk,
        parent=_activity(LESSON, lesson.pk, lesson.title, lesson),
        result={"success": attempt.correct, "response": "[,]".join(attempt.chosen)})])


def xapi_lesson_completed(*, enrolment: Enrolment, lesson, at: datetime) -> None:
    """completed: the learner completed the lesson (services.learning)."""
    _lesson_fact(enrolment=enrolment, lesson=lesson, at=at, verb="completed",
                 result={"completion": True})


def xapi_course_completed(*, enrolment: Enrolment, at: datetime,
                          score_percent: int | None) -> None:
    """completed, and passed where the course has a pass mark: the learner completed
    the course (services.progress, where completion is first set, whichever of the
    request and the recompute gets there first: the fact is one statement either
    way). A course with a pass mark is only complete once it is reached."""
    if not lrs_enabled():
        return
    course = enrolment.course
    result = {"completion": True}
    if score_percent is not None:
        result["score"] = _score(score_percent)
    facts = [_Fact(key=f"enrolment/{enrolment.pk}/completed", user_id=enrolment.user_id,
                   verb="completed", object=None, at=at, course=course,
                   enrolment_id=enrolment.pk, result=result)]
    if course.pass_mark is not None:
        facts.append(_Fact(key=f"enrolment/{enrolment.pk}/passed", user_id=enrolment.user_id,
                           verb="passed", object=None, at=at, course=course,
                           enrolment_id=enrolment.pk, result={**result, "success": True}))
    _outbox_add(facts)


def xapi_assessment_submitted(*, attempt: AssessmentAttempt, passed: bool) -> None:
    """A submitted final-assessment attempt (services.assessment): answered for each
    question asked (with whether it was right), then passed or failed for the
    assessment, with its score, by the course's pass mark."""
    if not lrs_enabled():
        return
    enrolment, assessment = attempt.enrolment, attempt.assessment
    course = enrolment.course
    parent = _activity(ASSESSMENT, assessment.pk, assessment.title, assessment)
    pool = assessment.questions_by_id()
    wrong = set(attempt.wrong)
    facts = [_Fact(
        key=f"assessment-attempt/{attempt.pk}/question/{question_id}/answered",
        user_id=enrolment.user_id, verb="answered",
        object=_activity(QUESTION, question_id, pool[question_id].value["question"],
                         interactionType="choice"),
        at=attempt.submitted_at, course=course, enrolment_id=enrolment.pk, parent=parent,
        result={"success": question_id not in wrong, "response": "[,]".join(chosen)},
    ) for question_id, chosen in attempt.answers.items() if question_id in pool]
    verb = "passed" if passed else "failed"
    facts.append(_Fact(
        key=f"assessment-attempt/{attempt.pk}/{verb}", user_id=enrolment.user_id, verb=verb,
        object=parent, at=attempt.submitted_at, course=course, enrolment_id=enrolment.pk,
        result={"score": _score(attempt.score_percent), "success": passed,
                "completion": True}))
    _outbox_add(facts)


def xapi_sessions_attended(*, session, bookings: Iterable[Booking],
                           enrolment_ids: dict[int, int]) -> None:
    """attended: the register says each of these people attended the session
    (services.register); `enrolment_ids` is user id -> their current enrolment on the
    course, where they have one. Marked attended, then not, then attended again, is
    the one statement."""
    if not lrs_enabled():
        return
    bookings = [booking for booking in bookings if booking.attended]
    if not bookings:
        return
    course = session.course
    title = f"{course.title}: session on {timezone.localtime(session.starts_at):%d %B %Y}"
    activity = _activity(SESSION, session.pk, title)
    _outbox_add([_Fact(
        key=f"booking/{booking.pk}/attended", user_id=booking.user_id, verb="attended",
        object=activity, at=booking.attendance_recorded_at, course=course,
        enrolment_id=enrolment_ids.get(booking.user_id)) for booking in bookings])


# --- Delivery -----------------------------------------------------------------------

@dataclass(frozen=True)
class DeliveryOutcome:
    delivered: int = 0
    rejected: int = 0
    # Seconds until the LRS should be tried again, when this run met an outage.
    retry_in: int | None = None


class _LrsUnavailable(Exception):
    pass


class _StatementRejected(Exception):
    pass


def _backoff(attempts: int) -> int:
    base = settings.XAPI_RETRY_BACKOFF_SECONDS
    return min(base * 2 ** (attempts - 1), settings.XAPI_RETRY_BACKOFF_MAX_SECONDS)


def _put(session: requests.Session, lrs: LrsSettings, row: XapiStatement) -> None:
    """PUT the statement by its id. Returns once the LRS has it (204, or 409: it already
    holds a statement with that id); raises _LrsUnavailable for what may pass (no
    connection, 5xx, 429, credentials or address refused) and _StatementRejected for a
    statement the LRS will never take (any other 4xx)."""
    try:
        response = session.put(lrs.statements_url, params={"statementId": str(row.id)},
                               json=row.statement, timeout=HTTP_TIMEOUT)
    except requests.RequestException as error:
        raise _LrsUnavailable(f"could not reach the LRS: {type(error).__name__}") from error
    if response.status_code in (200, 204, 409):
        return
    detail = f"HTTP {response.status_code}: {response.text[:200]}"
    if response.status_code >= 500 or response.status_code in (401, 403, 404, 408, 429):
        raise _LrsUnavailable(detail)
    raise _StatementRejected(detail)


def xapi_statements_deliver(*, limit: int = 500) -> DeliveryOutcome:
    """Send pending statements that are due, oldest first, each claimed under its row
    lock (SKIP LOCKED: a row another worker is sending is left to it) and marked
    delivered in the same transaction as the LRS's answer. Stops at the first outage,
    putting that row's next attempt back exponentially. Does nothing while sending is
    off (pending statements wait for it to be on again), and while the LRS is paused
    after an outage (its back-off; saving the settings ends it)."""
    lrs = LrsSettings.objects.first()
    if not (lrs and lrs.enabled and lrs.endpoint):
        return DeliveryOutcome()
    # After an outage the LRS is left alone until its back-off has passed, however many
    # facts enqueue a send meanwhile (each would otherwise try it once more).
    paused_until = cache.get(LRS_PAUSED_CACHE_KEY)
    if paused_until is not None and paused_until > time.time():
        return DeliveryOutcome(retry_in=math.ceil(paused_until - time.time()))
    delivered = rejected = 0
    with requests.Session() as session:
        session.auth = (lrs.key, lrs.secret)
        session.headers["X-Experience-API-Version"] = XAPI_VERSION
        for _ in range(limit):
            with transaction.atomic():
                now = timezone.now()
                row = (XapiStatement.objects.select_for_update(skip_locked=True)
                       .filter(delivered_at__isnull=True, rejected_at__isnull=True,
                               next_attempt_at__lte=now)
                       .order_by("next_attempt_at", "created_at").first())
                if row is None:
                    break
                row.attempts += 1
                try:
                    _put(session, lrs, row)
                except _LrsUnavailable as error:
                    wait = _backoff(row.attempts)
                    row.next_attempt_at = timezone.now() + timedelta(seconds=wait)
                    row.last_error = str(error)[:ERROR_LENGTH]
                    row.save(update_fields=["attempts", "next_attempt_at", "last_error"])
                    if wait:
                        cache.set(LRS_PAUSED_CACHE_KEY, time.time() + wait, wait)
                    logger.warning("xapi LRS unavailable statement=%s attempts=%s retry_in=%ss "
                                   "error=%s", row.id, row.attempts, wait, row.last_error)
                    return DeliveryOutcome(delivered=delivered, rejected=rejected,
                                           retry_in=wait)
                except _StatementRejected as error:
                    row.rejected_at = timezone.now()
                    row.last_error = str(error)[:ERROR_LENGTH]
                    row.save(update_fields=["attempts", "rejected_at", "last_error"])
                    logger.error("xapi statement rejected by the LRS statement=%s error=%s",
                                 row.id, row.last_error)
                    rejected += 1
                    continue
                row.delivered_at = timezone.now()
                row.last_error = ""
                row.save(update_fields=["attempts", "delivered_at", "last_error"])
                delivered += 1
    if delivered or rejected:
        logger.info("xapi statements delivered=%s rejected=%s", delivered, rejected)
    return DeliveryOutcome(delivered=delivered, rejected=rejected)


def xapi_statements_resend(*, statement_ids: list) -> int:
    """Send again the statements among these that the LRS refused (an admin, once the
    cause is put right); delivered and waiting ones are left as they are. Returns how
    many will be sent again."""
    count = XapiStatement.objects.filter(pk__in=statement_ids, rejected_at__isnull=False,
                                         delivered_at__isnull=True).update(
        rejected_at=None, next_attempt_at=timezone.now(), last_error="")
    if count:
        from learners.tasks import xapi_statements_send as task

        enqueue_on_commit(task)
    return count
