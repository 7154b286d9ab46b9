"""A course's final assessment, as a learner takes it: start an attempt (questions
drawn from the pool, options shuffled), submit it whole, and have it marked here on the
server. The limit on attempts and the wait between them hold under concurrent requests:
every start and submit locks the learner's enrolment row first."""

import logging
import math
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone

from courses.models import AssessmentPage, CoursePage
from courses.selectors import AssessmentRules, CourseCard
from learners.enqueue import enqueue_on_commit
from learners.models import AssessmentAttempt, Enrolment
from learners.services.progress import enrolment_progress_recompute
from learners.services.xapi import xapi_assessment_submitted
from learners.templatetags.learning import govuk_time

logger = logging.getLogger(__name__)

# Draws and shuffles come from the operating system's generator: an attempt's
# questions cannot be predicted from earlier ones.
_random = secrets.SystemRandom()


class AssessmentStatus(models.TextChoices):
    """Where a learner is with a final assessment, as My learning and the course page
    show it."""

    NOT_STARTED = "not started", "Not started"
    IN_PROGRESS = "in progress", "In progress"
    TRY_AGAIN = "try again", "Try again"
    WAIT = "wait", "Try again later"
    NO_ATTEMPTS_LEFT = "no attempts left", "No attempts left"
    PASSED = "passed", "Passed"


class AssessmentUnavailable(Exception):
    """A new attempt cannot start now; `message` says why, in plain English."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AnswersIncomplete(Exception):
    """Some questions were not answered (or answered with options not theirs).
    `errors` maps each such question id to its message. Nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(f"{len(errors)} question(s) not answered")
        self.errors = errors


def _date_and_time(value: datetime) -> str:
    local = timezone.localtime(value)
    day = f"{local.day} {local:%B}"
    if local.year != timezone.localtime().year:
        day += f" {local.year}"
    return f"{govuk_time(local)} on {day}"


@dataclass(frozen=True)
class AssessmentState:
    """A learner's attempts at one final assessment and what they may do next. On My
    learning, the course's card and its assessment's rules stand in for the pages."""

    assessment: AssessmentPage | AssessmentRules
    course: CoursePage | CourseCard
    submitted: list[AssessmentAttempt] = field(default_factory=list)
    open_attempt: AssessmentAttempt | None = None
    try_again_from: datetime | None = None

    @property
    def attempts_used(self) -> int:
        return len(self.submitted)

    @property
    def attempts_left(self) -> int:
        return max(self.assessment.attempts_allowed - self.attempts_used, 0)

    @property
    def best_score(self) -> int | None:
        return max((a.score_percent for a in self.submitted), default=None)

    @property
    def passed(self) -> bool:
        return self.best_score is not None and self.course.score_passes(self.best_score)

    @property
    def status(self) -> AssessmentStatus:
        if self.passed:
            return AssessmentStatus.PASSED
        if self.open_attempt:
            return AssessmentStatus.IN_PROGRESS
        if not self.submitted:
            return AssessmentStatus.NOT_STARTED
        if not self.attempts_left:
            return AssessmentStatus.NO_ATTEMPTS_LEFT
        if self.try_again_from:
            return AssessmentStatus.WAIT
        return AssessmentStatus.TRY_AGAIN

    @property
    def can_start(self) -> bool:
        return self.status in (AssessmentStatus.NOT_STARTED, AssessmentStatus.TRY_AGAIN)

    @property
    def answers_revealed(self) -> bool:
        """Right answers and explanations are shown once the learner has passed or used
        every attempt: before then, a learner could collect the pool's answers."""
        return self.passed or not self.attempts_left

    @property
    def message(self) -> str:
        """Why a new attempt cannot start, or ''."""
        status = self.status
        if status == AssessmentStatus.WAIT:
            return f"You can try again from {_date_and_time(self.try_again_from)}"
        if status == AssessmentStatus.NO_ATTEMPTS_LEFT:
            count = self.assessment.attempts_allowed
            used = "your attempt" if count == 1 else f"all {count} attempts"
            return f"You have used {used} \u2014 contact the course trainer"
        if status == AssessmentStatus.PASSED:
            return "You have passed this assessment"
        return ""


def assessment_state_build(*, assessment: AssessmentPage | AssessmentRules,
                           course: CoursePage | CourseCard,
                           attempts: Iterable[AssessmentAttempt],
                           now: datetime | None = None) -> AssessmentState:
    """The state from a learner's attempts at the assessment (no queries)."""
    now = now or timezone.now()
    attempts = sorted(attempts, key=lambda a: a.number)
    submitted = [a for a in attempts if a.is_submitted]
    open_attempt = next((a for a in attempts if not a.is_submitted), None)
    try_again_from = None
    if submitted and assessment.wait_hours:
        # Rounded up to the minute, so the time shown is never earlier than the rule.
        ready = submitted[-1].submitted_at + timedelta(hours=assessment.wait_hours)
        ready = ready.replace(second=0, microsecond=0) + (
            timedelta(minutes=1) if ready.second or ready.microsecond else timedelta())
        try_again_from = ready if ready > now else None
    return AssessmentState(assessment=assessment, course=course, submitted=submitted,
                           open_attempt=open_attempt, try_again_from=try_again_from)


def assessment_state_get(*, enrolment: Enrolment,
                         assessment: AssessmentPage) -> AssessmentState:
    """The learner's state on the assessment. One query."""
    attempts = AssessmentAttempt.objects.filter(enrolment=enrolment, assessment=assessment)
    return assessment_state_build(assessment=assessment, course=enrolment.course,
                                  attempts=attempts)


def assessment_states_for_enrolments(
    *, enrolments: list[Enrolment], cards: Mapping[int, CourseCard]
) -> dict[int, AssessmentState]:
    """Each enrolment's state on its course's live final assessment, by enrolment id
    (courses without one are left out). The assessments' rules and the courses' pass
    marks come from the courses' cards (courses.selectors.course_cards), which stand in
    for the pages in each state. One query when any of the courses has a final
    assessment, none when none has, whatever the number of enrolments."""
    assessed = [e for e in enrolments
                if (card := cards.get(e.course_id)) is not None and card.assessment]
    if not assessed:
        return {}
    attempts: dict[tuple[int, int], list[AssessmentAttempt]] = {}
    for attempt in AssessmentAttempt.objects.filter(
        enrolment__in=assessed,
        assessment_id__in={cards[e.course_id].assessment.id for e in assessed},
    ):
        attempts.setdefault((attempt.enrolment_id, attempt.assessment_id), []).append(attempt)
    now = timezone.now()
    states = {}
    for e in assessed:
        card = cards[e.course_id]
        states[e.pk] = assessment_state_build(
            assessment=card.assessment, course=card,
            attempts=attempts.get((e.pk, card.assessment.id), []), now=now)
    return states


def _locked_state(enrolment: Enrolment, assessment: AssessmentPage) -> AssessmentState:
    # The lock serialises every start and submit of this learner's attempts: the second
    # of two requests at once reads what the first committed.
    Enrolment.objects.select_for_update().only("pk").get(pk=enrolment.pk)
    return assessment_state_get(enrolment=enrolment, assessment=assessment)


@transaction.atomic
def assessment_attempt_start(*, enrolment: Enrolment,
                             assessment: AssessmentPage) -> AssessmentAttempt:
    """Start an attempt: draw the assessment's number of questions from its pool and
    shuffle each question's options. An attempt already started and not submitted is
    returned instead (a second click, or a second tab). Raises AssessmentUnavailable
    when the learner has passed, used every attempt, or must wait."""
    state = _locked_state(enrolment, assessment)
    if state.open_attempt:
        return state.open_attempt
    if not state.can_start:
        raise AssessmentUnavailable(state.message)
    pool = assessment.questions_by_id()
    if not pool:
        raise AssessmentUnavailable("This assessment has no questions yet")
    drawn = _random.sample(list(pool), k=min(assessment.questions_per_attempt, len(pool)))
    questions = []
    for question_id in drawn:
        options = [option.id for option in pool[question_id].value["options"].bound_blocks]
        _random.shuffle(options)
        questions.append({"id": question_id, "options": options})
    attempt = AssessmentAttempt.objects.create(
        enrolment=enrolment, assessment=assessment, number=state.attempts_used + 1,
        questions=questions)
    logger.info("assessment attempt started enrolment=%s assessment=%s number=%s",
                enrolment.pk, assessment.pk, attempt.number)
    return attempt


def _correct_ids(block) -> set[str]:
    return {o.id for o in block.value["options"].bound_blocks if o.value["correct"]}


@transaction.atomic
def assessment_attempt_submit(*, attempt: AssessmentAttempt,
                              answers: Mapping[str, list[str]]) -> AssessmentAttempt:
    """Mark a whole attempt on the server and record it. `answers` maps each question id
    to the option ids chosen. Every question must be answered with its own options, or
    AnswersIncomplete is raised and nothing is saved. Submitting an attempt already
    submitted changes nothing and returns it as it was. Recomputes the learner's
    progress at once, so the course is complete (and its certificate queued) in this
    request when the score reaches the pass mark."""
    enrolment = attempt.enrolment
    _locked_state(enrolment, attempt.assessment)
    attempt = AssessmentAttempt.objects.select_related("assessment").get(pk=attempt.pk)
    if attempt.is_submitted:
        return attempt
    pool = attempt.assessment.questions_by_id()
    errors: dict[str, str] = {}
    chosen_by_question: dict[str, list[str]] = {}
    for question in attempt.questions:
        block = pool.get(question["id"])
        if block is None:  # taken out of the pool since the attempt began: not asked
            continue
        chosen = set(answers.get(question["id"], []))
        if not chosen or not chosen <= set(question["options"]):
            errors[question["id"]] = ("Select all the answers that apply"
                                      if len(_correct_ids(block)) > 1 else "Select an answer")
        chosen_by_question[question["id"]] = sorted(chosen)
    if errors:
        raise AnswersIncomplete(errors)
    wrong = [qid for qid, chosen in chosen_by_question.items()
             if set(chosen) != _correct_ids(pool[qid])]
    asked = len(chosen_by_question)
    attempt.answers = chosen_by_question
    attempt.wrong = wrong
    attempt.score_percent = (
        math.floor(100 * (asked - len(wrong)) / asked + 0.5) if asked else 100)
    attempt.submitted_at = timezone.now()
    attempt.save(update_fields=["answers", "wrong", "score_percent", "submitted_at"])
    xapi_assessment_submitted(attempt=attempt,
                              passed=enrolment.course.score_passes(attempt.score_percent))
    Enrolment.objects.filter(pk=enrolment.pk).update(last_fact_at=attempt.submitted_at)
    from learners.tasks import enrolment_progress_recompute as task

    enqueue_on_commit(task, enrolment.pk)
    enrolment_progress_recompute(enrolment_id=enrolment.pk)
    logger.info("assessment attempt submitted enrolment=%s attempt=%s score=%s",
                enrolment.pk, attempt.pk, attempt.score_percent)
    return attempt
