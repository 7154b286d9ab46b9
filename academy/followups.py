"""Reads for "have you used it at work?" around the site: the learner's open questions
on My learning, a line manager's team's answers to confirm, and a trainer's summary of
the answers on their course. HR's rates are in academy.reports.followups."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from learners.models import FOLLOWUP_POINTS, Enrolment, FollowUp, FollowUpAnswer, User, learner_q
from learners.scoping import trainer_enrolments


def followups_open_for_enrolments(*, enrolments: list[Enrolment]) -> dict[int, int]:
    """The questions sent and not yet answered on these enrolments (a learner's own):
    for each, the latest one only (a learner who let the 30-day question pass is asked
    the 60-day one, not both), as enrolment id -> question id, newest first. Questions
    are asked only about courses completed: one query when any of the enrolments is
    completed, none otherwise."""
    completed = [e.pk for e in enrolments if e.completed_at is not None]
    if not completed:
        return {}
    latest: dict[int, int] = {}
    for enrolment_id, followup_id in (
        FollowUp.objects.filter(enrolment_id__in=completed, sent_at__isnull=False, answer="")
        .order_by("-due_on", "-pk").values_list("enrolment_id", "pk")
    ):
        latest.setdefault(enrolment_id, followup_id)
    return latest


def followups_for_team(*, manager: User) -> QuerySet[FollowUp]:
    """Answers of "yes" from the manager's direct reports now (people who count as
    learners): those not yet confirmed first, then newest first."""
    return (FollowUp.objects.filter(learner_q("enrolment__user__"),
                                    enrolment__user__line_manager=manager,
                                    answer=FollowUpAnswer.YES)
            .select_related("enrolment__user", "enrolment__course")
            .order_by(F("confirmed_at").asc(nulls_first=True), "-answered_at", "pk"))


@dataclass
class PointSummary:
    point_days: int
    asked: int = 0
    answers: dict[str, int] = field(default_factory=dict)
    confirmed: int = 0

    @property
    def answered(self) -> int:
        return sum(self.answers.values())

    @property
    def not_answered(self) -> int:
        return self.asked - self.answered

    @property
    def rows(self) -> list[tuple[str, int]]:
        return [(label, self.answers.get(value, 0)) for value, label in FollowUpAnswer.choices]


def followups_summary_for_trainer(*, trainer: User, course) -> dict:
    """The answers on one of the trainer's courses, from people who count as learners:
    how many were asked and answered each way at each point, and what learners wrote
    about how they used it, newest first, without names (the trainer learns what works,
    not who said it). Two queries."""
    followups = FollowUp.objects.filter(
        enrolment__in=trainer_enrolments(trainer).filter(course=course),
        sent_at__isnull=False)
    points = {days: PointSummary(point_days=days) for days in FOLLOWUP_POINTS}
    for row in (followups.order_by().values("point_days", "answer")
                .annotate(n=Count("pk"), confirmed=Count("pk", filter=Q(
                    confirmed_at__isnull=False)))):
        summary = points[row["point_days"]]
        summary.asked += row["n"]
        summary.confirmed += row["confirmed"]
        if row["answer"]:
            summary.answers[row["answer"]] = row["n"]
    hows = list(followups.exclude(how="").order_by("-answered_at", "-pk")
                .values("point_days", "answer", "how", "answered_at", "confirmed_at"))
    labels = dict(FollowUpAnswer.choices)
    for how in hows:
        how["answer_label"] = labels.get(how["answer"], how["answer"])
    return {"points": [points[days] for days in FOLLOWUP_POINTS], "hows": hows}
