"""UK GDPR: a learner's copy of everything the academy holds about them, and erasure.

COVERAGE names every model that refers to a user and says how each is handled; a test
fails when a model refers to a user and is not listed here (tests/security)."""

import logging

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from courses.models import CoursePage
from learners.models import (
    BulkEnrolment,
    Certificate,
    Enrolment,
    KnowledgeCheckAttempt,
    LessonProgress,
    ReportingScope,
    RequiredLearning,
    User,
)

logger = logging.getLogger(__name__)

KEPT_POINTING_AT_PSEUDONYM = "kept; points at the pseudonymised account"
EDITORIAL = "editorial history: " + KEPT_POINTING_AT_PSEUDONYM

# model label -> (what the learner's data export includes, what erasure does)
COVERAGE = {
    "learners.Enrolment": ("exported with progress, score and status",
                           "kept so aggregate figures still count; " + KEPT_POINTING_AT_PSEUDONYM),
    "learners.ReportingScope": ("exported", "deleted"),
    "learners.RequiredLearning": ("exported (assignments they made)", KEPT_POINTING_AT_PSEUDONYM),
    "learners.BulkEnrolment": ("exported (file name and counts)", "deleted"),
    "academy.Export": ("exported (format, filters, dates)", "deleted, with its file"),
    "academy.AuditEvent": ("exported (their own actions)", KEPT_POINTING_AT_PSEUDONYM),
    "wagtailcore.APIToken": ("exported (names and dates, never keys)", "deleted"),
    "wagtailusers.UserProfile": ("not exported: admin display preferences", "deleted"),
    "wagtailcore.PageSubscription": ("not exported: admin notification settings", "deleted"),
    "wagtailadmin.EditingSession": ("not exported: transient editing locks", "deleted"),
    "wagtailadmin.FormState": ("not exported: transient admin form state", "deleted"),
    "courses.CoursePage": ("exported (courses they run)", "removed as a trainer; " + EDITORIAL),
    "content.HomePage": ("not exported", EDITORIAL),
    "content.StandardPage": ("not exported", EDITORIAL),
    "courses.CataloguePage": ("not exported", EDITORIAL),
    "courses.ModulePage": ("not exported", EDITORIAL),
    "courses.LessonPage": ("not exported", EDITORIAL),
    "wagtailcore.Page": ("not exported", EDITORIAL),
    "wagtailcore.Revision": ("not exported", EDITORIAL),
    "wagtailcore.PageLogEntry": ("not exported", EDITORIAL),
    "wagtailcore.ModelLogEntry": ("not exported", EDITORIAL),
    "wagtailcore.WorkflowState": ("not exported", EDITORIAL),
    "wagtailcore.TaskState": ("not exported", EDITORIAL),
    "wagtailcore.Comment": ("not exported", EDITORIAL),
    "wagtailcore.CommentReply": ("not exported", EDITORIAL),
    "wagtaildocs.Document": ("not exported", EDITORIAL),
    "wagtailimages.Image": ("not exported", EDITORIAL),
    "wagtailcore.UploadedFile": ("not exported", EDITORIAL),
    "admin.LogEntry": ("not exported", EDITORIAL),
}

DELETED_WITH_USER = ["wagtailcore.APIToken", "wagtailusers.UserProfile",
                     "wagtailcore.PageSubscription", "wagtailadmin.EditingSession",
                     "wagtailadmin.FormState"]


def _iso(value):
    return value.isoformat() if value else None


def learner_data_export(*, user: User) -> dict:
    """Everything the academy holds about the user, as plain JSON-ready data."""
    enrolments = (Enrolment.objects.filter(user=user).select_related("course")
                  .order_by("enrolled_at"))
    audit = apps.get_model("academy", "AuditEvent")
    export_model = apps.get_model("academy", "Export")
    token_model = apps.get_model("wagtailcore", "APIToken")
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "organisation": user.organisation.name if user.organisation else None,
            "grade": user.grade.name if user.grade else None,
            "profession": user.profession.name if user.profession else None,
            "date_joined": _iso(user.date_joined), "last_login": _iso(user.last_login),
            "roles": sorted(user.groups.values_list("name", flat=True)),
        },
        "enrolments": [{
            "course": e.course.title, "cycle": e.cycle, "enrolled_at": _iso(e.enrolled_at),
            "due_on": _iso(e.due_on), "started_at": _iso(e.started_at),
            "progress_percent": e.progress_percent, "score_percent": e.score_percent,
            "completed_at": _iso(e.completed_at),
        } for e in enrolments],
        "lesson_progress": [{
            "course": p.enrolment.course.title, "lesson": p.lesson.title,
            "opened_at": _iso(p.opened_at), "completed_at": _iso(p.completed_at),
        } for p in LessonProgress.objects.filter(enrolment__user=user)
            .select_related("enrolment__course", "lesson").order_by("opened_at")],
        "knowledge_check_answers": [{
            "lesson": a.lesson.title, "question": a.block_id, "chosen": a.chosen,
            "correct": a.correct, "answered_at": _iso(a.answered_at),
        } for a in KnowledgeCheckAttempt.objects.filter(enrolment__user=user)
            .select_related("lesson").order_by("answered_at")],
        "certificates": [{
            "course": c.course_title, "name": c.learner_name, "code": c.code,
            "completed_on": _iso(c.completed_on), "revoked_at": _iso(c.revoked_at),
        } for c in Certificate.objects.filter(enrolment__user=user)],
        "courses_you_run": list(CoursePage.objects.filter(trainers=user)
                                .values_list("title", flat=True)),
        "reporting_scopes": list(ReportingScope.objects.filter(user=user)
                                 .values_list("organisation__name", flat=True)),
        "required_learning_you_assigned": [{
            "course": r.course.title, "due_on": _iso(r.due_on),
        } for r in RequiredLearning.objects.filter(created_by=user).select_related("course")],
        "bulk_enrolments_you_ran": [{
            "file": b.filename, "rows": b.total, "enrolled": b.enrolled,
            "at": _iso(b.created_at),
        } for b in BulkEnrolment.objects.filter(created_by=user)],
        "exports_you_requested": [{
            "format": x.format, "filters": x.filters, "status": x.status,
            "at": _iso(x.created_at),
        } for x in export_model.objects.filter(requested_by=user)],
        "your_actions_in_the_audit_log": [{
            "action": a.action, "filters": a.filters, "rows": a.row_count, "at": _iso(a.at),
        } for a in audit.objects.filter(actor=user).order_by("at")],
        "api_tokens": [{"name": t.name, "created": _iso(t.created)}
                       for t in token_model.objects.filter(user=user)],
    }


@transaction.atomic
def learner_erase(*, user: User) -> User:
    """Erase a person: their name and email are replaced, they can no longer sign in,
    their certificates are revoked and their files deleted; enrolments stay (counted
    in aggregate figures, but pointing at nobody identifiable). Safe to run again."""
    old_email = user.email.lower()
    user.email = f"erased-{user.pk}@erased.invalid"
    user.first_name = "Erased"
    user.last_name = "learner"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    for certificate in Certificate.objects.filter(enrolment__user=user):
        if certificate.file:
            certificate.file.delete(save=False)
        certificate.learner_name = "Erased learner"
        certificate.revoked_reason = certificate.revoked_reason or "The holder's data was erased"
        certificate.revoked_at = certificate.revoked_at or timezone.now()
        certificate.save()
    ReportingScope.objects.filter(user=user).delete()
    BulkEnrolment.objects.filter(created_by=user).delete()
    for export in apps.get_model("academy", "Export").objects.filter(requested_by=user):
        if export.file:
            export.file.delete(save=False)
        export.delete()
    for label in DELETED_WITH_USER:
        apps.get_model(label)._default_manager.filter(user=user).delete()
    CoursePage.trainers.through.objects.filter(user_id=user.pk).delete()
    # Sessions end by themselves: Django checks each against the password hash, which
    # set_unusable_password has changed, and refuses inactive users.
    apps.get_model("axes", "AccessAttempt").objects.filter(username=old_email).delete()
    logger.info("erased user %s", user.pk)
    return user
