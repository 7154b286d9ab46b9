"""A learner's runs of a SCORM package in a lesson (issue 17): the attempt a launch
resumes or starts, the runtime data a commit stores, and what it means for the lesson.

A package's report becomes the lesson's fact through the one path every lesson takes
(learning.lesson_complete): when the package reports the learner finished (SCORM 1.2
lesson_status "completed" or "passed"; SCORM 2004 completion_status "completed" or
success_status "passed") and did not fail (no "failed", and a score, where it reports
one, at or above the course's pass mark), the lesson is completed, and progress,
certificates and HR reports follow as for any lesson. The lesson's own "Mark as
complete" asks the same question (scorm_lesson_unpassed), so it cannot skip a package."""

import logging
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learners.models import (
    Enrolment,
    LessonProgress,
    ScormAttempt,
    ScormCompletion,
    ScormSuccess,
)
from learners.scorm_cmi import CmiRefused, cmi_clean

logger = logging.getLogger(__name__)

__all__ = ["CmiRefused", "ScormOutcome", "scorm_attempt_commit", "scorm_attempt_for_launch",
           "scorm_attempt_passes", "scorm_launch_cmi", "scorm_lesson_unpassed"]

# Write-only elements: never handed back to the runtime at launch.
_WRITE_ONLY = frozenset({"cmi.core.exit", "cmi.core.session_time", "cmi.exit",
                         "cmi.session_time"})


@dataclass(frozen=True)
class ScormOutcome:
    """What a commit left: the attempt's statuses and score, whether they pass, and
    whether the lesson is complete now (by this commit or before)."""

    completion_status: str
    success_status: str
    score_percent: int | None
    passes: bool
    lesson_completed: bool
    finished: bool


def scorm_attempt_for_launch(*, enrolment: Enrolment, lesson, package) -> ScormAttempt:
    """The attempt a launch runs: the learner's latest at this package in this lesson
    unless the package finished it, else a new one numbered after it. Writes only when
    there is no open attempt (ON CONFLICT DO NOTHING: of two first launches at once,
    one attempt)."""
    attempts = ScormAttempt.objects.filter(enrolment=enrolment, lesson=lesson, package=package)
    latest = attempts.order_by("-number").first()
    if latest is not None and latest.finished_at is None:
        return latest
    number = latest.number + 1 if latest is not None else 1
    ScormAttempt.objects.bulk_create(
        [ScormAttempt(enrolment=enrolment, lesson=lesson, package=package, number=number)],
        ignore_conflicts=True)
    return attempts.get(number=number)


def scorm_launch_cmi(*, attempt: ScormAttempt, user) -> dict[str, str]:
    """The flattened cmi the runtime starts with: the attempt's saved data (location,
    suspend data, status, score...) and what the platform sets: who the learner is,
    entry "resume" when the attempt has saved data (else "ab-initio"), credit, mode."""
    is_2004 = attempt.package.is_2004
    cmi = {key: value for key, value in attempt.cmi.items() if key not in _WRITE_ONLY}
    entry = "resume" if attempt.commits else "ab-initio"
    # An opaque, stable id: never the email address, which a package could send on.
    learner_id = f"academy-learner-{user.pk}"
    name = ", ".join(part for part in (user.last_name, user.first_name) if part)
    if is_2004:
        cmi.update({"cmi.learner_id": learner_id, "cmi.learner_name": name[:250],
                    "cmi.entry": entry, "cmi.credit": "credit", "cmi.mode": "normal"})
    else:
        cmi.update({"cmi.core.student_id": learner_id, "cmi.core.student_name": name[:255],
                    "cmi.core.entry": entry, "cmi.core.credit": "credit",
                    "cmi.core.lesson_mode": "normal"})
    return cmi


def _decimal(value: str | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _statuses(cmi: dict[str, str], *, is_2004: bool) -> tuple[str, str]:
    """(completion, success) in SCORM 2004's words, from either version's data."""
    if is_2004:
        return (cmi.get("cmi.completion_status") or ScormCompletion.UNKNOWN,
                cmi.get("cmi.success_status") or ScormSuccess.UNKNOWN)
    status = cmi.get("cmi.core.lesson_status", "")
    completion = {"passed": ScormCompletion.COMPLETED, "completed": ScormCompletion.COMPLETED,
                  "failed": ScormCompletion.COMPLETED, "incomplete": ScormCompletion.INCOMPLETE,
                  "browsed": ScormCompletion.INCOMPLETE,
                  "not attempted": ScormCompletion.NOT_ATTEMPTED}.get(status,
                                                                       ScormCompletion.UNKNOWN)
    success = {"passed": ScormSuccess.PASSED, "failed": ScormSuccess.FAILED}.get(
        status, ScormSuccess.UNKNOWN)
    return completion, success


def _score(cmi: dict[str, str], *, is_2004: bool) -> tuple[Decimal | None, Decimal | None,
                                                            int | None]:
    """(raw, scaled, whole percentage): the scaled score where there is one (2004),
    else the raw score within min..max (by default 0..100)."""
    prefix = "cmi.score." if is_2004 else "cmi.core.score."
    raw = _decimal(cmi.get(prefix + "raw"))
    scaled = _decimal(cmi.get("cmi.score.scaled")) if is_2004 else None
    if scaled is not None:
        percent = scaled * 100
    elif raw is not None:
        low = _decimal(cmi.get(prefix + "min")) or Decimal(0)
        high = _decimal(cmi.get(prefix + "max"))
        high = Decimal(100) if high is None else high
        percent = (raw - low) * 100 / (high - low) if high > low else None
    else:
        percent = None
    if percent is not None:
        percent = int(max(Decimal(0), min(Decimal(100), percent)).to_integral_value())
    return raw, scaled, percent


def scorm_attempt_passes(attempt: ScormAttempt, *, course) -> bool:
    """The rule: the package says the learner finished (completed, or passed), it did
    not say failed, and the score, where it gave one, reaches the course's pass mark."""
    finished = (attempt.completion_status == ScormCompletion.COMPLETED
                or attempt.success_status == ScormSuccess.PASSED)
    return (finished and attempt.success_status != ScormSuccess.FAILED
            and course.score_passes(attempt.score_percent))


def scorm_lesson_unpassed(*, enrolment: Enrolment, lesson_id: int,
                          package_ids) -> list[int]:
    """The lesson's packages (ids, in lesson order) the learner has no passing attempt
    at yet. One query, none for a lesson without packages."""
    if not package_ids:
        return []
    passed = {attempt.package_id for attempt in ScormAttempt.objects.filter(
        enrolment=enrolment, lesson_id=lesson_id, package_id__in=package_ids)
        .only("package_id", "completion_status", "success_status", "score_percent")
        if scorm_attempt_passes(attempt, course=enrolment.course)}
    return [package_id for package_id in package_ids if package_id not in passed]


def scorm_attempt_commit(*, enrolment: Enrolment, attempt_id: int, data,
                         terminate: bool = False) -> ScormOutcome:
    """Store what the package committed (its flattened cmi, checked: cmi_clean) on the
    learner's own open attempt, with the statuses and score it reports; when that
    passes, complete the lesson (learning.lesson_complete, which also asks that the
    lesson's knowledge checks be answered). A terminating commit that does not suspend
    closes the attempt. Raises ScormAttempt.DoesNotExist for an attempt not theirs, and
    CmiRefused, storing nothing, for data that cannot be stored or a closed attempt."""
    from learners.services.learning import LessonNotFinished, lesson_complete

    with transaction.atomic():
        attempt = (ScormAttempt.objects.select_for_update(of=("self",))
                   .select_related("package", "lesson").get(pk=attempt_id, enrolment=enrolment))
        if attempt.finished_at is not None:
            raise CmiRefused("This attempt has finished. Reload the page to start again.")
        is_2004 = attempt.package.is_2004
        cmi = cmi_clean(data, is_2004=is_2004, max_keys=settings.SCORM_COMMIT_MAX_KEYS)
        now = timezone.now()
        attempt.cmi = cmi
        attempt.completion_status, attempt.success_status = _statuses(cmi, is_2004=is_2004)
        attempt.score_raw, attempt.score_scaled, attempt.score_percent = _score(
            cmi, is_2004=is_2004)
        attempt.commits += 1
        attempt.committed_at = now
        exit_ = cmi.get("cmi.exit" if is_2004 else "cmi.core.exit", "")
        if terminate and exit_ != "suspend":
            attempt.finished_at = now
        attempt.save()
        passes = scorm_attempt_passes(attempt, course=enrolment.course)
        if passes:
            # LessonNotFinished: the lesson's knowledge checks are still to answer.
            with suppress(LessonNotFinished):
                lesson_complete(enrolment=enrolment, lesson=attempt.lesson)
        completed = LessonProgress.objects.filter(
            enrolment=enrolment, lesson=attempt.lesson, completed_at__isnull=False).exists()
    logger.info("scorm commit attempt=%s completion=%s success=%s score=%s",
                attempt.pk, attempt.completion_status, attempt.success_status,
                attempt.score_percent)
    return ScormOutcome(completion_status=attempt.completion_status,
                        success_status=attempt.success_status,
                        score_percent=attempt.score_percent, passes=passes,
                        lesson_completed=completed, finished=attempt.finished_at is not None)
