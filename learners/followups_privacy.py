""""Have you used it at work?" in the learner's data export and in erasure, as a
provider (learners.privacy): the questions, answers and opt-out are kept apart from the
rest of the learning record, so they join the export and erasure as one share."""

from learners.models import FollowUp, FollowUpOptOut, User
from learners.privacy import PrivacyProvider
from learners.privacy_tables import ERASED, Handling


def _iso(value):
    return value.isoformat() if value else None


def followups_data_export(user: User) -> dict:
    """The questions the person was asked and their answers; the answers they confirmed
    as a line manager (without the other person's "how"); whether they opted out."""
    asked = (FollowUp.objects.filter(enrolment__user=user).select_related("enrolment__course")
             .order_by("due_on", "pk"))
    confirmed = (FollowUp.objects.filter(confirmed_by=user).select_related("enrolment__course")
                 .order_by("confirmed_at", "pk"))
    opt_out = FollowUpOptOut.objects.filter(user=user).first()
    return {
        "used_at_work_questions": [{
            "course": f.enrolment.course.title, "days_after_completing": f.point_days,
            "sent_at": _iso(f.sent_at), "answer": f.get_answer_display() or None,
            "how": f.how, "answered_at": _iso(f.answered_at),
            "confirmed_by_line_manager_at": _iso(f.confirmed_at),
        } for f in asked],
        "used_at_work_you_confirmed": [{
            "course": f.enrolment.course.title, "confirmed_at": _iso(f.confirmed_at),
        } for f in confirmed],
        "used_at_work_questions_stopped_at": _iso(opt_out.created_at) if opt_out else None,
    }


def followups_data_erase(user: User) -> None:
    """Their questions and answers are deleted (what they said, and how, is theirs; an
    erased account counts in no rate, as it no longer counts as a learner); answers
    they confirmed as someone's line manager stay confirmed, naming no one; their
    opt-out goes with the account, which is never written to again."""
    FollowUp.objects.filter(enrolment__user=user).delete()
    FollowUp.objects.filter(confirmed_by=user).update(confirmed_by=None)
    FollowUpOptOut.objects.filter(user=user).delete()


COVERAGE = {
    "learners.FollowUp": ("exported (the questions you were asked, your answers, and the "
                          "ones you confirmed as a line manager)",
                          "deleted; confirmations you gave kept without your name"),
    "learners.FollowUpOptOut": ("exported (when you stopped the questions)", "deleted"),
}
TABLES: dict[str, Handling] = {
    "learners.FollowUp": Handling(ERASED, "deleted with the learner; as line manager, "
                                          "confirmed_by cleared"),
    "learners.FollowUpOptOut": Handling(ERASED, "deleted"),
}
PROVIDER = PrivacyProvider(app_label="learners.followups", coverage=COVERAGE, tables=TABLES,
                           export=followups_data_export, erase=followups_data_erase)
