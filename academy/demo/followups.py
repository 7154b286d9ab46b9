""""Have you used it at work?" for the demo academy: the questions already sent to demo
colleagues who completed a course 30 or more days ago, most answered (yes, not yet, not
relevant to my role, with what they did), some confirmed by their line manager, some
waiting for an answer. So the trainer's answers page, the manager's team page and HR's
rates have something to show.

Run after the demo's completions are backdated (demo_loader registers it on commit,
after _backdate_demo_completions). Skipped once any follow-up exists."""

from datetime import timedelta

from django.utils import timezone

from learners.models import Enrolment, FollowUp, FollowUpAnswer

HOWS = [
    "I wrote user stories for our new appointment booking form with the team, and we "
    "used them to plan the next sprint.",
    "We started a 15-minute stand-up each morning. It has cut the number of emails about "
    "who is doing what.",
    "I sat in on two user research sessions with claimants and shared what we saw with my "
    "team at our retrospective.",
    "I used a Kanban board to show the backlog of casework, so my manager could see what "
    "was blocked.",
    "",
    "I ran our first retrospective. We agreed three changes and have kept two of them.",
]
# One answer in five is not yet given; of the rest, mostly yes.
ANSWERS = [FollowUpAnswer.YES, FollowUpAnswer.YES, FollowUpAnswer.NOT_YET, None,
           FollowUpAnswer.YES, FollowUpAnswer.NOT_RELEVANT, FollowUpAnswer.YES, None,
           FollowUpAnswer.YES, FollowUpAnswer.NOT_YET]


def demo_followups_load() -> None:
    """Sent (and mostly answered) questions at 30, 60 and 90 days for the demo's
    completed enrolments whose points have passed. Deterministic."""
    if FollowUp.objects.exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    completed = (Enrolment.objects.filter(completed_at__isnull=False,
                                          user__email__endswith="@demo.example.gov.uk")
                 .select_related("user", "course").order_by("pk"))
    rows, n = [], 0
    for enrolment in completed:
        done_on = timezone.localdate(enrolment.completed_at)
        for point in enrolment.course.followup_points:
            due_on = done_on + timedelta(days=point)
            if due_on > today:
                break
            answer = ANSWERS[n % len(ANSWERS)]
            sent_at = now - timedelta(days=(today - due_on).days)
            answered_at = sent_at + timedelta(days=1 + n % 4) if answer else None
            manager = enrolment.user.line_manager
            confirm = answer == FollowUpAnswer.YES and manager is not None and n % 3 == 0
            rows.append(FollowUp(
                enrolment=enrolment, point_days=point, due_on=due_on, sent_at=sent_at,
                answer=answer or "", answered_at=min(answered_at, now) if answered_at else None,
                how=HOWS[n % len(HOWS)] if answer == FollowUpAnswer.YES else "",
                confirmed_by=manager if confirm else None,
                confirmed_at=min(answered_at + timedelta(days=2), now) if confirm else None))
            n += 1
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
