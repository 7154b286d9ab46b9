"""SCORM attempts in the learner's data export and in erasure, as a provider
(learners.privacy): what a package stored for them (their place, notes, answers to its
questions, comments) is theirs, so it is exported whole and deleted with them. The
lesson's completion, worked out from it, is in the learning record (LessonProgress)."""

from learners.models import ScormAttempt, User
from learners.privacy import PrivacyProvider
from learners.privacy_tables import ERASED, Handling


def _iso(value):
    return value.isoformat() if value else None


def scorm_data_export(user: User) -> dict:
    """Every attempt at a SCORM package: the lesson and package, the statuses and score
    it reported, when, and the runtime data it stored."""
    attempts = (ScormAttempt.objects.filter(enrolment__user=user)
                .select_related("lesson", "package").order_by("started_at", "pk"))
    return {"scorm_attempts": [{
        "lesson": a.lesson.title, "package": a.package.title, "attempt": a.number,
        "completion_status": a.completion_status, "success_status": a.success_status,
        "score_percent": a.score_percent, "started_at": _iso(a.started_at),
        "last_saved_at": _iso(a.committed_at), "finished_at": _iso(a.finished_at),
        "runtime_data": a.cmi,
    } for a in attempts]}


def scorm_data_erase(user: User) -> None:
    """Their attempts are deleted: the runtime data can hold anything the package asked
    them (free-text answers, comments)."""
    ScormAttempt.objects.filter(enrolment__user=user).delete()


COVERAGE = {
    "learners.ScormAttempt": ("exported (each attempt at a SCORM package, with what the "
                              "package stored)", "deleted"),
}
TABLES: dict[str, Handling] = {
    "learners.ScormAttempt": Handling(ERASED, "deleted with the learner (runtime data can "
                                              "hold their own words)"),
}
PROVIDER = PrivacyProvider(app_label="learners.scorm", coverage=COVERAGE, tables=TABLES,
                           export=scorm_data_export, erase=scorm_data_erase)
