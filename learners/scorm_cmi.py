"""The SCORM run-time data model (`cmi.*`) the academy accepts from a package, as the
flattened keys scorm-again commits ({"cmi.core.lesson_location": "page-3", ...}).

Every key must be one the data model defines for the package's version, and every value
the shape the standard gives it (a vocabulary, a number, a time, text within its length).
Keys the learning platform sets (the learner's id and name, entry, credit, mode, total
time, launch data and the like) are checked but never stored: each launch sets them.

SCORM 1.2: ADL, "SCORM Run-Time Environment Version 1.2", section 3.4.
SCORM 2004: ADL, "SCORM 2004 4th Edition Run-Time Environment", section 4.2."""

import re
from collections.abc import Callable
from dataclasses import dataclass

N = r"(?:\d{1,3})"  # a collection index: at most 1,000 objectives, interactions, ...

_DECIMAL = re.compile(r"-?\d{1,10}(?:\.\d{1,7})?")
_TIMESPAN_12 = re.compile(r"\d{2,4}:\d{2}:\d{2}(?:\.\d{1,2})?")
_DURATION_2004 = re.compile(
    r"P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{1,2})?S)?)?")
_TIME_12 = re.compile(r"\d{2}:\d{2}:\d{2}(?:\.\d{1,2})?")
_TIMESTAMP_2004 = re.compile(
    r"\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}(?::\d{2}(?::\d{2}(?:\.\d{1,2})?)?)?"
    r"(?:Z|[+-]\d{2}(?::\d{2})?)?)?)?)?")

Check = Callable[[str], str | None]  # a value -> None when good, else what is wrong


def _text(limit: int) -> Check:
    return lambda v: None if len(v) <= limit else f"is longer than {limit} characters"


def _choice(*words: str) -> Check:
    allowed = frozenset(words)
    return lambda v: None if v in allowed else f"is not one of {', '.join(sorted(allowed))}"


def _pattern(regex: re.Pattern, what: str, *, blank: bool = True) -> Check:
    return lambda v: None if (blank and v == "") or regex.fullmatch(v) else f"is not {what}"


def _decimal(low: float | None = None, high: float | None = None) -> Check:
    def check(value: str) -> str | None:
        if value == "":
            return None
        if not _DECIMAL.fullmatch(value):
            return "is not a number"
        number = float(value)
        if (low is not None and number < low) or (high is not None and number > high):
            return f"is not between {low:g} and {high:g}"
        return None

    return check


@dataclass(frozen=True)
class Element:
    key: re.Pattern
    check: Check
    stored: bool  # False: set by the platform at launch, not by the package


def _elements(rows: list[tuple[str, Check, bool]]) -> tuple[Element, ...]:
    return tuple(Element(re.compile(key.replace(".", r"\.").replace("{n}", N)), check, stored)
                 for key, check, stored in rows)


SCORE = _decimal()
TEXT = _text(4096)
STATUS_12 = _choice("passed", "completed", "failed", "incomplete", "browsed", "not attempted")

SCORM_12 = _elements([
    ("cmi.core.student_id", _text(255), False),
    ("cmi.core.student_name", _text(255), False),
    ("cmi.core.lesson_location", _text(255), True),
    ("cmi.core.credit", _choice("", "credit", "no-credit"), False),
    ("cmi.core.lesson_status", STATUS_12, True),
    ("cmi.core.entry", _choice("", "ab-initio", "resume"), False),
    ("cmi.core.score.raw", SCORE, True),
    ("cmi.core.score.min", SCORE, True),
    ("cmi.core.score.max", SCORE, True),
    ("cmi.core.total_time", _pattern(_TIMESPAN_12, "a time like 0001:30:00"), False),
    ("cmi.core.lesson_mode", _choice("", "browse", "normal", "review"), False),
    ("cmi.core.exit", _choice("", "time-out", "suspend", "logout"), True),
    ("cmi.core.session_time", _pattern(_TIMESPAN_12, "a time like 0001:30:00"), True),
    ("cmi.suspend_data", _text(4096), True),
    ("cmi.launch_data", _text(4096), False),
    ("cmi.comments", _text(4096), True),
    ("cmi.comments_from_lms", _text(4096), False),
    ("cmi.objectives.{n}.id", _text(255), True),
    ("cmi.objectives.{n}.score.raw", SCORE, True),
    ("cmi.objectives.{n}.score.min", SCORE, True),
    ("cmi.objectives.{n}.score.max", SCORE, True),
    ("cmi.objectives.{n}.status", STATUS_12, True),
    ("cmi.student_data.mastery_score", SCORE, False),
    ("cmi.student_data.max_time_allowed", _text(32), False),
    ("cmi.student_data.time_limit_action", _text(32), False),
    ("cmi.student_preference.audio", _decimal(-1, 100), True),
    ("cmi.student_preference.language", _text(255), True),
    ("cmi.student_preference.speed", _decimal(-100, 100), True),
    ("cmi.student_preference.text", _decimal(-1, 1), True),
    ("cmi.interactions.{n}.id", _text(255), True),
    ("cmi.interactions.{n}.objectives.{n}.id", _text(255), True),
    ("cmi.interactions.{n}.time", _pattern(_TIME_12, "a time of day like 09:30:00"), True),
    ("cmi.interactions.{n}.type", _choice("", "true-false", "choice", "fill-in", "matching",
                                          "performance", "sequencing", "likert", "numeric"),
     True),
    ("cmi.interactions.{n}.correct_responses.{n}.pattern", TEXT, True),
    ("cmi.interactions.{n}.weighting", SCORE, True),
    ("cmi.interactions.{n}.student_response", TEXT, True),
    ("cmi.interactions.{n}.result", _text(255), True),
    ("cmi.interactions.{n}.latency", _pattern(_TIMESPAN_12, "a time like 0001:30:00"), True),
])

DURATION = _pattern(_DURATION_2004, "a duration like PT1H30M")
TIMESTAMP = _pattern(_TIMESTAMP_2004, "a date and time like 2026-11-30T09:30:00Z")
COMPLETION = _choice("completed", "incomplete", "not attempted", "unknown")
SUCCESS = _choice("passed", "failed", "unknown")
SCALED = _decimal(-1, 1)
MEASURE = _decimal(0, 1)

SCORM_2004 = _elements([
    ("cmi.comments_from_learner.{n}.comment", _text(4000), True),
    ("cmi.comments_from_learner.{n}.location", _text(250), True),
    ("cmi.comments_from_learner.{n}.timestamp", TIMESTAMP, True),
    ("cmi.comments_from_lms.{n}.comment", _text(4000), False),
    ("cmi.comments_from_lms.{n}.location", _text(250), False),
    ("cmi.comments_from_lms.{n}.timestamp", TIMESTAMP, False),
    ("cmi.completion_status", COMPLETION, True),
    ("cmi.completion_threshold", MEASURE, False),
    ("cmi.credit", _choice("", "credit", "no-credit"), False),
    ("cmi.entry", _choice("", "ab-initio", "resume"), False),
    ("cmi.exit", _choice("", "time-out", "suspend", "logout", "normal"), True),
    ("cmi.interactions.{n}.id", _text(4000), True),
    ("cmi.interactions.{n}.type", _choice("", "true-false", "choice", "fill-in", "long-fill-in",
                                          "matching", "performance", "sequencing", "likert",
                                          "numeric", "other"), True),
    ("cmi.interactions.{n}.objectives.{n}.id", _text(4000), True),
    ("cmi.interactions.{n}.timestamp", TIMESTAMP, True),
    ("cmi.interactions.{n}.correct_responses.{n}.pattern", _text(8000), True),
    ("cmi.interactions.{n}.weighting", SCORE, True),
    ("cmi.interactions.{n}.learner_response", _text(8000), True),
    ("cmi.interactions.{n}.result", _text(255), True),
    ("cmi.interactions.{n}.latency", DURATION, True),
    ("cmi.interactions.{n}.description", _text(250), True),
    ("cmi.launch_data", _text(4000), False),
    ("cmi.learner_id", _text(4000), False),
    ("cmi.learner_name", _text(250), False),
    ("cmi.learner_preference.audio_level", _decimal(0, None), True),
    ("cmi.learner_preference.language", _text(250), True),
    ("cmi.learner_preference.delivery_speed", _decimal(0, None), True),
    ("cmi.learner_preference.audio_captioning", _choice("-1", "0", "1"), True),
    ("cmi.location", _text(1000), True),
    ("cmi.max_time_allowed", DURATION, False),
    ("cmi.mode", _choice("", "browse", "normal", "review"), False),
    ("cmi.objectives.{n}.id", _text(4000), True),
    ("cmi.objectives.{n}.score.scaled", SCALED, True),
    ("cmi.objectives.{n}.score.raw", SCORE, True),
    ("cmi.objectives.{n}.score.min", SCORE, True),
    ("cmi.objectives.{n}.score.max", SCORE, True),
    ("cmi.objectives.{n}.success_status", SUCCESS, True),
    ("cmi.objectives.{n}.completion_status", COMPLETION, True),
    ("cmi.objectives.{n}.progress_measure", MEASURE, True),
    ("cmi.objectives.{n}.description", _text(250), True),
    ("cmi.progress_measure", MEASURE, True),
    ("cmi.scaled_passing_score", SCALED, False),
    ("cmi.score.scaled", SCALED, True),
    ("cmi.score.raw", SCORE, True),
    ("cmi.score.min", SCORE, True),
    ("cmi.score.max", SCORE, True),
    ("cmi.session_time", DURATION, True),
    ("cmi.success_status", SUCCESS, True),
    ("cmi.suspend_data", _text(64000), True),
    ("cmi.time_limit_action", _choice("", "exit,message", "continue,message", "exit,no message",
                                      "continue,no message"), False),
    ("cmi.total_time", DURATION, False),
    ("adl.nav.request", _text(255), False),
])

# Collections scorm-again sends as {} while they are empty.
_COLLECTIONS = re.compile(
    r"cmi\.(?:objectives|interactions|comments_from_learner|comments_from_lms"
    rf"|interactions\.{N}\.objectives|interactions\.{N}\.correct_responses)")


class CmiRefused(Exception):
    """The data cannot be stored: it names the first problem found."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def cmi_clean(data, *, is_2004: bool, max_keys: int) -> dict[str, str]:
    """The keys of `data` (flattened cmi) to store, each checked against the version's
    data model. Raises CmiRefused for anything that is not a flat object of known keys
    with values of the right shape, or for more than `max_keys` keys."""
    if not isinstance(data, dict):
        raise CmiRefused("The runtime data is not a set of named values.")
    if len(data) > max_keys:
        raise CmiRefused(f"The runtime data has more than {max_keys} values.")
    elements = SCORM_2004 if is_2004 else SCORM_12
    stored: dict[str, str] = {}
    for key, value in data.items():
        if value == {} and _COLLECTIONS.fullmatch(key):
            continue
        element = next((e for e in elements if e.key.fullmatch(key)), None)
        if element is None:
            raise CmiRefused(f"{key[:80]} is not part of the SCORM "
                             f"{'2004' if is_2004 else '1.2'} data model.")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise CmiRefused(f"{key} is not a single value.")
        value = str(value)
        problem = element.check(value)
        if problem:
            raise CmiRefused(f"{key} {problem}.")
        if element.stored:
            stored[key] = value
    return stored
