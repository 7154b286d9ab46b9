"""HR: "have you used it at work?" as rates, by course and by organisation, for the
people in the viewer's organisations (learners.scoping), with small groups suppressed.

The rate of "used it" is the share of answers that say yes, of all answers given (yes,
not yet, not relevant to my role) at any point (30, 60, 90 days). A group is shown only
when at least REPORT_MIN_GROUP_SIZE different people answered in it; otherwise it says
"fewer than N" and shows no figure, so no one's answer can be read off a small team."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.shortcuts import render

from academy.reports.views import require_reporter
from learners.models import FollowUp, FollowUpAnswer
from learners.scoping import reportable_enrolments


@dataclass(frozen=True)
class FollowUpRate:
    label: str
    asked: int
    answered: int
    people: int  # different people who answered
    used: int
    not_yet: int
    not_relevant: int
    confirmed: int

    @property
    def suppressed(self) -> bool:
        return self.people < settings.REPORT_MIN_GROUP_SIZE

    @property
    def used_percent(self) -> int | None:
        return round(100 * self.used / self.answered) if self.answered else None


_FIGURES = {
    "asked": Count("pk"),
    "answered": Count("pk", filter=~Q(answer="")),
    "people": Count("enrolment__user", filter=~Q(answer=""), distinct=True),
    "used": Count("pk", filter=Q(answer=FollowUpAnswer.YES)),
    "not_yet": Count("pk", filter=Q(answer=FollowUpAnswer.NOT_YET)),
    "not_relevant": Count("pk", filter=Q(answer=FollowUpAnswer.NOT_RELEVANT)),
    "confirmed": Count("pk", filter=Q(confirmed_at__isnull=False)),
}


def followups_in_scope(*, viewer) -> QuerySet[FollowUp]:
    """The questions sent to people in the viewer's organisations who count as learners."""
    return FollowUp.objects.filter(enrolment__in=reportable_enrolments(viewer),
                                   sent_at__isnull=False)


def followup_rates_get(*, viewer) -> dict:
    """The headline rate for everyone in scope, then by course and by the learner's
    organisation, each sorted by name. Three queries, whatever the number of people."""
    followups = followups_in_scope(viewer=viewer).order_by()
    headline = FollowUpRate(label="Everyone in your organisations",
                            **followups.aggregate(**_FIGURES))

    def grouped(key: str, empty: str) -> list[FollowUpRate]:
        rows = followups.values(key).annotate(**_FIGURES)
        return sorted((FollowUpRate(label=row.pop(key) or empty, **row) for row in rows),
                      key=lambda rate: rate.label)

    return {"headline": headline,
            "by_course": grouped("enrolment__course__title", "No course"),
            "by_organisation": grouped("enrolment__user__organisation__name",
                                       "No organisation")}


@login_required
def followup_rates(request):
    """HR: the rate of "used it at work" by course and organisation, in scope."""
    require_reporter(request)
    return render(request, "academy/reports/followups.html", {
        **followup_rates_get(viewer=request.user),
        "threshold": settings.REPORT_MIN_GROUP_SIZE})
