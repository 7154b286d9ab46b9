"""UK GDPR: a learner's copy of everything the academy holds about them, and erasure.

Each app covers its own models, importing them. This module covers the learners app's
models and those it may import (courses, content, and third parties: Wagtail, Django's
admin, axes). An app above learners, which learners must not import (academy), adds
its share with `privacy_provider_register` from its AppConfig.ready(): the sections it
adds to the export, what it does on erasure, and its coverage.

COVERAGE names every model that refers to a user and says how each is handled, here
and in every registered provider; a test fails when a model refers to a user and is
not listed (tests/security)."""

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from wagtail.admin.models import EditingSession, FormState
from wagtail.models import APIToken, ModelLogEntry, PageSubscription
from wagtail.users.models import UserProfile

from courses.models import CoursePage
from learners.models import (
    AssessmentAttempt,
    BulkEnrolment,
    Certificate,
    DeadlineExtension,
    Enrolment,
    KnowledgeCheckAttempt,
    LearningLogEntry,
    LessonProgress,
    ManagerDigest,
    ReportingScope,
    RequiredLearning,
    User,
)
from learners.privacy_tables import personal_text_scrub, third_party_erase
from learners.services.programmes import programmes_export

logger = logging.getLogger(__name__)

KEPT_POINTING_AT_PSEUDONYM = "kept; points at the pseudonymised account"
EDITORIAL = "editorial history: " + KEPT_POINTING_AT_PSEUDONYM

# What this module covers: model label -> (what the learner's data export includes,
# what erasure does). Registered providers add their own (COVERAGE below is the whole).
LEARNERS_COVERAGE = {
    "learners.Enrolment": ("exported with progress, score and status",
                           "kept so aggregate figures still count; " + KEPT_POINTING_AT_PSEUDONYM),
    "learners.ReportingScope": ("exported", "deleted"),
    "learners.LearningLogEntry": ("exported (every answer in your learning log, in full)",
                                  "deleted"),
    "learners.RequiredLearning": ("exported (assignments they made)", KEPT_POINTING_AT_PSEUDONYM),
    "learners.BulkEnrolment": ("exported (file name and counts)", "deleted"),
    "learners.User": ("exported (profile, with staff number and line manager)",
                      "name, email and staff number replaced or cleared; no longer anyone's "
                      "line manager"),
    "learners.DeadlineExtension": ("exported (your extensions with their reasons; those you "
                                   "granted, without anyone else's reasons)",
                                   "reasons for your extensions deleted; "
                                   + KEPT_POINTING_AT_PSEUDONYM),
    "learners.ManagerDigest": ("exported (the weeks you were sent one, and the counts)",
                               "deleted"),
    "wagtailcore.APIToken": ("exported (names and dates, never keys)", "deleted"),
    "wagtailusers.UserProfile": ("not exported: admin display preferences", "deleted"),
    "wagtailcore.PageSubscription": ("not exported: admin notification settings", "deleted"),
    "wagtailadmin.EditingSession": ("not exported: transient editing locks", "deleted"),
    "wagtailadmin.FormState": ("not exported: transient admin form state", "deleted"),
    "courses.CoursePage": ("exported (courses they run)", "removed as a trainer; " + EDITORIAL),
    "content.HomePage": ("not exported", EDITORIAL),
    "content.StandardPage": ("not exported", EDITORIAL),
    # Who uploaded a SCORM package (issue 17): editorial, like a document's uploader.
    "content.ScormPackage": ("not exported", EDITORIAL),
    "courses.CataloguePage": ("not exported", EDITORIAL),
    "courses.ModulePage": ("not exported", EDITORIAL),
    "courses.LessonPage": ("not exported", EDITORIAL),
    "courses.AssessmentPage": ("not exported", EDITORIAL),
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
    "learners.Programme": ("not exported: set up by admins", KEPT_POINTING_AT_PSEUDONYM),
    "learners.ProgrammeMember": ("exported (the programmes you are in, and your role)",
                                 "kept: the programme's history; " + KEPT_POINTING_AT_PSEUDONYM),
    "learners.PhaseChange": ("exported (the phase moves you made, with your notes)",
                             "kept: append-only history; " + KEPT_POINTING_AT_PSEUDONYM),
    "learners.Evidence": ("exported (the evidence you logged or led)",
                          "kept: append-only history; " + KEPT_POINTING_AT_PSEUDONYM),
}

# Wagtail's per-user records, deleted with the person (each has a `user` foreign key).
DELETED_WITH_USER = [APIToken, UserProfile, PageSubscription, EditingSession, FormState]


@dataclass(frozen=True)
class PrivacyProvider:
    """An app's share of the data export and of erasure, for its own models.

    `export(user)` returns the sections it adds to the export (section name -> JSON-ready
    data, in the order they appear); `erase(user)` runs inside `learner_erase`'s
    transaction, after the account is pseudonymised; `coverage` is like
    LEARNERS_COVERAGE, for every model of the app that refers to a user; `tables` is
    like learners.privacy_tables.TABLES, for every model of the app."""

    app_label: str
    coverage: Mapping[str, tuple[str, str]]
    export: Callable[[User], dict[str, Any]]
    erase: Callable[[User], None]
    tables: Mapping[str, Any] = field(default_factory=dict)


_providers: dict[str, PrivacyProvider] = {}


def privacy_provider_register(provider: PrivacyProvider) -> None:
    """Add an app's share. Registering the same app again replaces it (ready() can run
    more than once in tests); a model covered twice is a mistake."""
    taken = set(LEARNERS_COVERAGE).union(*(other.coverage for label, other in _providers.items()
                                           if label != provider.app_label))
    twice = sorted(taken.intersection(provider.coverage))
    if twice:
        raise ImproperlyConfigured(f"privacy coverage given twice for {twice}")
    _providers[provider.app_label] = provider


def privacy_coverage() -> dict[str, tuple[str, str]]:
    """LEARNERS_COVERAGE and every registered provider's coverage."""
    merged = dict(LEARNERS_COVERAGE)
    for provider in _providers.values():
        merged.update(provider.coverage)
    return merged


class _Coverage(Mapping):
    """privacy_coverage(), read when asked: providers register when Django starts,
    after this module is imported."""

    def __getitem__(self, label: str) -> tuple[str, str]:
        return privacy_coverage()[label]

    def __iter__(self) -> Iterator[str]:
        return iter(privacy_coverage())

    def __len__(self) -> int:
        return len(privacy_coverage())


COVERAGE: Mapping[str, tuple[str, str]] = _Coverage()


def _iso(value):
    return value.isoformat() if value else None


def learner_data_export(*, user: User) -> dict:
    """Everything the academy holds about the user, as plain JSON-ready data: this
    module's sections, then each registered provider's, then Wagtail's."""
    enrolments = (Enrolment.objects.filter(user=user).select_related("course")
                  .order_by("enrolled_at"))
    data = {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "organisation": user.organisation.name if user.organisation else None,
            "grade": user.grade.name if user.grade else None,
            "profession": user.profession.name if user.profession else None,
            "date_joined": _iso(user.date_joined), "last_login": _iso(user.last_login),
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "staff_number": user.staff_number or None,
            "line_manager": user.line_manager.get_full_name() if user.line_manager else None,
            "people_you_line_manage": user.direct_reports.count(),
        },
        "enrolments": [{
            "course": e.course.title, "cycle": e.cycle, "enrolled_at": _iso(e.enrolled_at),
            "due_on": _iso(e.due_on), "extended_due_on": _iso(e.extended_due_on),
            "started_at": _iso(e.started_at),
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
        "learning_log": [{
            "lesson": x.lesson.title, "activity": x.activity_title, "answer": x.answer,
            "written_at": _iso(x.created_at), "last_changed_at": _iso(x.updated_at),
        } for x in LearningLogEntry.objects.filter(user=user).select_related("lesson")
            .order_by("created_at")],
        "final_assessment_attempts": [{
            "course": a.enrolment.course.title, "attempt": a.number,
            "started_at": _iso(a.started_at), "submitted_at": _iso(a.submitted_at),
            "score_percent": a.score_percent, "questions": [q["id"] for q in a.questions],
            "answers": a.answers,
        } for a in AssessmentAttempt.objects.filter(enrolment__user=user)
            .select_related("enrolment__course").order_by("started_at")],
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
        "deadline_extensions": [{
            "course": x.enrolment.course.title, "previous_due_on": _iso(x.previous_due_on),
            "due_on": _iso(x.due_on), "reason": x.reason, "granted_at": _iso(x.granted_at),
        } for x in DeadlineExtension.objects.filter(enrolment__user=user)
            .select_related("enrolment__course").order_by("granted_at")],
        "deadline_extensions_you_granted": [{
            "course": x.enrolment.course.title, "due_on": _iso(x.due_on),
            "granted_at": _iso(x.granted_at),
        } for x in DeadlineExtension.objects.filter(granted_by=user)
            .select_related("enrolment__course").order_by("granted_at")],
        "line_manager_digests_sent_to_you": [{
            "week_of": _iso(d.week_of), "people_overdue": d.overdue_count,
        } for d in ManagerDigest.objects.filter(manager=user).order_by("week_of")],
        "bulk_enrolments_you_ran": [{
            "file": b.filename, "rows": b.total, "enrolled": b.enrolled,
            "at": _iso(b.created_at),
        } for b in BulkEnrolment.objects.filter(created_by=user)],
        **programmes_export(user),
    }
    for provider in _providers.values():
        for name, section in provider.export(user).items():
            if name in data:
                raise ImproperlyConfigured(f"{provider.app_label} exports {name!r} again")
            data[name] = section
    data["api_tokens"] = [{"name": t.name, "created": _iso(t.created)}
                          for t in APIToken.objects.filter(user=user)]
    return data


@transaction.atomic
def learner_erase(*, user: User) -> User:
    """Erase a person: their name and email are replaced, they can no longer sign in,
    their certificates are revoked and their files deleted, their learning log is
    deleted; enrolments stay (counted in aggregate figures, but pointing at nobody
    identifiable). Each registered provider erases what its app holds. Then what is
    held by address or as text, not by key (learners.privacy_tables): sign-in logs,
    rate-limit counters, admin logs and uploaded rows naming them. Safe to run again."""
    old_email = user.email.lower()
    # A name is replaced only in full (a first name alone could be part of any word).
    old_names = ({f"{user.first_name} {user.last_name}", f"{user.last_name}, {user.first_name}"}
                 if user.first_name.strip() and user.last_name.strip() else set())
    user.email = f"erased-{user.pk}@erased.invalid"
    user.first_name = "Erased"
    user.last_name = "learner"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.staff_number = ""
    user.line_manager = None
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
    # What they wrote in their learning log is theirs alone, and counts in no figure.
    LearningLogEntry.objects.filter(user=user).delete()
    BulkEnrolment.objects.filter(created_by=user).delete()
    User.objects.filter(line_manager=user).update(line_manager=None)
    ManagerDigest.objects.filter(manager=user).delete()
    # Why someone needed more time can be personal: the dates stay, the reason goes.
    DeadlineExtension.objects.filter(enrolment__user=user).update(
        reason="Erased with the learner's data")
    for provider in _providers.values():
        provider.erase(user)
    for model in DELETED_WITH_USER:
        model._default_manager.filter(user=user).delete()
    CoursePage.trainers.through.objects.filter(user_id=user.pk).delete()
    # Sessions end by themselves: Django checks each against the password hash, which
    # set_unusable_password has changed, and refuses inactive users.
    _leftovers_erase(user=user, email=old_email, names=old_names)
    logger.info("erased user %s", user.pk)
    return user


def _leftovers_erase(*, user: User, email: str, names: set[str]) -> None:
    """Their address and name where they are text, not a key: log entries about their
    account (under any name it had), then every anonymised table's text fields."""
    third_party_erase(user=user, email=email)
    about_them = {"content_type": ContentType.objects.get_for_model(User),
                  "object_id": str(user.pk)}
    LogEntry.objects.filter(**about_them).update(object_repr=str(user), change_message="")
    ModelLogEntry.objects.filter(**about_them).update(label=str(user), data={})
    replacements = {email: user.email}
    replacements |= dict.fromkeys(names, "Erased learner")
    personal_text_scrub(replacements=replacements)
