"""How long a lesson or course takes, worked out from its content (issue 13: durations
typed by hand disagreed with the lessons, and learning hours count towards CPD).

A lesson takes its reading time at WORDS_PER_MINUTE, plus a set time for each knowledge
check and each activity, plus each video's and SCORM package's length where the trainer
gives it (a video without a length counts as reading its transcript). A course takes the
sum of its required published lessons. A trainer may override either figure. The figures and
their sources are recorded in docs/decisions.md.
"""

import math

# Reading speed for plain prose read on screen, as in docs/decisions.md.
WORDS_PER_MINUTE = 200
MINUTES_PER_KNOWLEDGE_CHECK = 1
MINUTES_PER_ACTIVITY = 5

DURATION_HELP = (
    f"Worked out from the content when you save: reading at {WORDS_PER_MINUTE} words a "
    f"minute, plus {MINUTES_PER_KNOWLEDGE_CHECK} minute for each knowledge check, "
    f"{MINUTES_PER_ACTIVITY} minutes for each activity and each video's length."
)


def word_count(text: str) -> int:
    return len(text.split())


def lesson_minutes(*, body_raw: list) -> int:
    """The minutes a lesson's stored (raw JSON) body takes; at least 1."""
    from courses.search import lesson_search_text  # courses.search imports the models

    words, minutes = 0, 0
    for block in body_raw or []:
        kind, value = block.get("type"), block.get("value") or {}
        if kind == "knowledge_check":
            minutes += MINUTES_PER_KNOWLEDGE_CHECK
        elif kind == "activity":
            minutes += MINUTES_PER_ACTIVITY
        elif kind in ("video", "scorm_package") and value.get("minutes"):
            minutes += int(value["minutes"])
        else:
            words += word_count(lesson_search_text(body_raw=[block]))
    return max(1, math.ceil(words / WORDS_PER_MINUTE + minutes))
