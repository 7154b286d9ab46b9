"""Erasure beyond foreign keys: every table, file store, cache and task result that
could hold a person's data, and what erasing someone does to each.

learners.privacy.COVERAGE says how each model that *refers to a user* is exported and
erased. That cannot see a table that holds someone's address as text (django-axes'
log, Django's admin log, a bulk file's rows), a file, or a cache entry keyed by their
address. TABLES classifies every model with a text, JSON, file or generic field (or a
user reference): its rows are erased, anonymised (the fields in `scrub` have the
person's email and name replaced), or it holds no personal data, with the reason.
`privacy_gaps()` lists what is not classified; a test fails on any (tests/security).
Apps above learners add theirs through their PrivacyProvider's `tables`."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.cache import caches
from django.db import models
from django.db.models import Q, TextField, Value
from django.db.models.functions import Cast, Replace

ERASED = "erased"
ANONYMISED = "anonymised"
NO_PERSONAL_DATA = "holds no personal data"


@dataclass(frozen=True)
class Handling:
    """What erasure does to a table: `kind` is ERASED, ANONYMISED or NO_PERSONAL_DATA;
    `scrub` names the text or JSON fields in which the person's email and name are
    replaced (ANONYMISED only)."""

    kind: str
    reason: str
    scrub: tuple[str, ...] = ()


def _erased(reason: str) -> Handling:
    return Handling(ERASED, reason)


def _anonymised(reason: str, *scrub: str) -> Handling:
    return Handling(ANONYMISED, reason, scrub)


def _none(reason: str) -> Handling:
    return Handling(NO_PERSONAL_DATA, reason)


PSEUDONYM = "points at the pseudonymised account; holds no name or email of its own"
EDITORIAL = ("editorial content and its history, written by staff about courses, not "
             "about learners; the author is the pseudonymised account")
CONFIGURATION = "site configuration set by admins: names of things, not of people"

# model label -> Handling, for the learners app, the apps below it and third parties.
TABLES: dict[str, Handling] = {
    "learners.User": _anonymised("name, email and staff number replaced (learner_erase)"),
    "learners.Enrolment": _anonymised("kept for aggregate figures; " + PSEUDONYM),
    "learners.LessonProgress": _anonymised(PSEUDONYM),
    "learners.KnowledgeCheckAttempt": _anonymised("which option was chosen; " + PSEUDONYM),
    "learners.AssessmentAttempt": _anonymised("questions and answers by id; " + PSEUDONYM),
    "learners.Certificate": _anonymised("the name on it replaced, revoked, its PDF deleted"),
    "learners.ReportingScope": _erased("deleted"),
    "learners.RequiredLearning": _anonymised(PSEUDONYM),
    "learners.DeadlineExtension": _anonymised("the reason for their own extensions replaced; "
                                              + PSEUDONYM),
    "learners.ManagerDigest": _erased("deleted"),
    # HR's uploaded rows name the people in the file, not only the uploader.
    "learners.BulkEnrolment": _anonymised(
        "their own uploads deleted; in anyone else's, their email and name replaced",
        "rows", "check_report", "error"),
    "learners.LearningLogEntry": _erased("deleted: what they wrote is theirs alone"),
    "learners.Organisation": _none(CONFIGURATION),
    "learners.Grade": _none(CONFIGURATION),
    "learners.Profession": _none(CONFIGURATION),
    "learners.SignUpDomain": _none(CONFIGURATION),
    "courses.CoursePage": _anonymised("removed as a trainer; " + EDITORIAL),
    "courses.CataloguePage": _none(EDITORIAL),
    "courses.ModulePage": _none(EDITORIAL),
    "courses.LessonPage": _none(EDITORIAL),
    "courses.AssessmentPage": _none(EDITORIAL),
    "courses.Topic": _none(CONFIGURATION),
    "courses.CourseReviewTask": _none("a workflow step's name"),
    "courses.CourseReviewItem": _none("which pages a course review publishes"),
    "content.HomePage": _none(EDITORIAL),
    "content.StandardPage": _none(EDITORIAL),
    "content.GlossaryTerm": _none(EDITORIAL),
    # A supplier's e-learning package and who uploaded it (issue 17); its unpacked files
    # (storage, scorm/) are the supplier's course, not anyone's data.
    "content.ScormPackage": _none(EDITORIAL),
    # django-axes: every sign-in attempt, with the address tried, IP and user agent.
    "axes.AccessAttempt": _erased("rows for their address deleted (with its expiry)"),
    "axes.AccessAttemptExpiration": _erased("deleted with its AccessAttempt"),
    "axes.AccessLog": _erased("rows for their address deleted"),
    "axes.AccessFailureLog": _erased("rows for their address deleted"),
    # Django's admin log names the object changed: "Sam Okafor on 12", "Sam Okafor".
    "admin.LogEntry": _anonymised("their name and email replaced where an entry names them",
                                  "object_repr", "change_message"),
    "wagtailcore.ModelLogEntry": _anonymised(
        "their name and email replaced where an entry names them (a revoked certificate, "
        "their account)", "label", "data"),
    "wagtailcore.PageLogEntry": _anonymised(EDITORIAL + "; names replaced", "label", "data"),
    "wagtailcore.Revision": _anonymised(EDITORIAL + "; names replaced", "object_str"),
    "wagtailcore.Comment": _anonymised(EDITORIAL + "; names replaced", "text"),
    "wagtailcore.CommentReply": _anonymised(EDITORIAL + "; names replaced", "text"),
    "wagtailcore.Page": _none(EDITORIAL),
    "wagtailcore.WorkflowState": _anonymised(PSEUDONYM),
    "wagtailcore.TaskState": _anonymised(EDITORIAL + "; names replaced", "comment"),
    "wagtailcore.UploadedFile": _anonymised(EDITORIAL),
    "wagtailcore.APIToken": _erased("deleted"),
    "wagtailcore.PageSubscription": _erased("deleted"),
    "wagtailcore.Locale": _none(CONFIGURATION),
    "wagtailcore.Site": _none(CONFIGURATION),
    "wagtailcore.GroupSitePermission": _none(CONFIGURATION),
    "wagtailcore.CollectionViewRestriction": _none(CONFIGURATION),
    "wagtailcore.Collection": _none(CONFIGURATION),
    "wagtailcore.GroupCollectionPermission": _none(CONFIGURATION),
    "wagtailcore.WorkflowContentType": _none(CONFIGURATION),
    "wagtailcore.Workflow": _none(CONFIGURATION),
    "wagtailcore.WorkflowTask": _none(CONFIGURATION),
    "wagtailcore.Task": _none(CONFIGURATION),
    "wagtailcore.GroupApprovalTask": _none(CONFIGURATION),
    "wagtailcore.GroupPagePermission": _none(CONFIGURATION),
    "wagtailcore.PageViewRestriction": _none(CONFIGURATION),
    "wagtailcore.WorkflowPage": _none(CONFIGURATION),
    "wagtailcore.ReferenceIndex": _none("links between content objects, by id"),
    "wagtailusers.UserProfile": _erased("deleted, with their avatar's file"),
    "wagtailadmin.Admin": _none("no rows: Wagtail's admin permissions"),
    "wagtailadmin.EditingSession": _erased("deleted"),
    "wagtailadmin.FormState": _erased("deleted"),
    "wagtaildocs.Document": _anonymised(EDITORIAL),
    "wagtailimages.Image": _anonymised(EDITORIAL),
    "wagtailimages.Rendition": _none("resized copies of lesson images"),
    # No model that holds people is indexed (users, certificates and enrolments are
    # searched in the admin with the database, not through the index).
    "wagtailsearch.IndexEntry": _none("the search index of pages and glossary terms; no "
                                      "model holding people is indexed"),
    "wagtailredirects.Redirect": _none(CONFIGURATION),
    "taggit.Tag": _none(CONFIGURATION),
    "taggit.TaggedItem": _none(CONFIGURATION),
    "django_celery_beat.SolarSchedule": _none(CONFIGURATION),
    "django_celery_beat.IntervalSchedule": _none(CONFIGURATION),
    "django_celery_beat.ClockedSchedule": _none(CONFIGURATION),
    "django_celery_beat.CrontabSchedule": _none(CONFIGURATION),
    "django_celery_beat.PeriodicTasks": _none(CONFIGURATION),
    "django_celery_beat.PeriodicTask": _none("the beat schedule: task names and settings"),
    "auth.Permission": _none(CONFIGURATION),
    "auth.Group": _none(CONFIGURATION),
    "contenttypes.ContentType": _none(CONFIGURATION),
    # A session holds the account's id and a hash of its password, never a name or
    # email; erasure changes the password hash, so Django refuses the session.
    "sessions.Session": _none("an account id and a password hash; ended by erasure"),
    # Model → pair → coach programmes: a team's record of its work, kept as the
    # programme's history. Evidence and phase changes are append-only (a database
    # trigger refuses any change), so a name written into their text is not rewritten
    # by erasure; the accounts they point at are pseudonymised (docs/decisions.md).
    "learners.Programme": _none("a programme's name and description, set by admins"),
    "learners.ProgrammeMember": _anonymised("who is in a programme; " + PSEUDONYM),
    "learners.Practice": _none("a practice's name and description, set by admins"),
    "learners.PhaseChange": _anonymised("a coach's note on a team's practice, kept in the "
                                        "append-only history; " + PSEUDONYM),
    "learners.Evidence": _anonymised("what a team did and learnt, kept in the append-only "
                                     "history; " + PSEUDONYM),
}

# Every file field: what erasure does to its files ("app.Model.field" -> what happens).
FILES: dict[str, str] = {
    "learners.Certificate.file": "their certificates' PDFs deleted",
    "learners.Programme.report": ("a programme's closing report, kept as its record: it "
                                  "names the coaches and the people who led evidence"),
    "academy.Export.file": "every export made before the erasure deleted (it may name them)",
    "wagtailusers.UserProfile.avatar": "their avatar deleted",
    "wagtaildocs.Document.file": EDITORIAL,
    "wagtailimages.Image.file": EDITORIAL,
    "wagtailimages.Rendition.file": "resized lesson images",
    "wagtailcore.UploadedFile.file": EDITORIAL + " (an upload waiting to become a document)",
}

# Every cache and storage alias, and where task results go: what they hold.
STORES: dict[str, str] = {
    "cache:default": ("rate-limit counters, keyed by a SHA-256 of an email address or IP "
                      "(the address's counters are deleted on erasure); report figures "
                      "(aggregates, never names); nothing else keyed by a person"),
    "storage:default": "the files above (FILES)",
    "storage:staticfiles": "the front end's own files",
    # CELERY_RESULT_BACKEND is None: no task result is stored anywhere.
    "celery:results": "none kept (CELERY_RESULT_BACKEND is None); a task's arguments are ids",
}

# Rate limits counted per email address (learners.views._too_many): group -> setting.
ADDRESS_RATE_LIMITS = {"sign-up-address": "SIGN_UP_RATE_PER_ADDRESS",
                       "password-reset-address": "PASSWORD_RESET_RATE_PER_ADDRESS"}

_PERSONAL_FIELDS = (models.CharField, models.TextField, models.JSONField,
                    models.GenericIPAddressField, models.FileField)


def _could_hold_personal_data(model) -> bool:
    """Text, JSON, file and IP fields, a generic relation (object_id) or a user
    reference: anything that could hold who someone is."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for field in model._meta.get_fields():
        if isinstance(field, (GenericForeignKey, *_PERSONAL_FIELDS)):
            return True
        if getattr(field, "related_model", None) is user_model and not field.auto_created:
            return True
    return False


def privacy_tables() -> dict[str, Handling]:
    """TABLES and every registered provider's `tables`."""
    from learners.privacy import _providers

    merged = dict(TABLES)
    for provider in _providers.values():
        merged.update(provider.tables)
    return merged


def privacy_gaps(*, models_: Iterable | None = None) -> list[str]:
    """What could hold personal data and is not classified: models (every model of every
    installed app by default), their file fields, caches, storages, and a task result
    backend. Empty when erasure handles everything."""
    tables = privacy_tables()
    gaps = []
    for model in apps.get_models() if models_ is None else models_:
        label = model._meta.label
        if _could_hold_personal_data(model) and label not in tables:
            gaps.append(f"table {label}")
        gaps += [f"file field {label}.{f.name}" for f in model._meta.concrete_fields
                 if isinstance(f, models.FileField) and f"{label}.{f.name}" not in FILES]
    gaps += [f"cache {alias}" for alias in settings.CACHES
             if f"cache:{alias}" not in STORES]
    gaps += [f"storage {alias}" for alias in settings.STORAGES
             if f"storage:{alias}" not in STORES]
    if getattr(settings, "CELERY_RESULT_BACKEND", None):
        gaps.append("celery result backend (say how erasure clears stored results)")
    for label, handling in tables.items():
        if handling.kind not in (ERASED, ANONYMISED, NO_PERSONAL_DATA) or not handling.reason:
            gaps.append(f"table {label}: a kind and a reason")
    return gaps


def personal_text_scrub(*, replacements: dict[str, str]) -> None:
    """In every ANONYMISED table's `scrub` fields, each key of `replacements` (an email
    address, a name) is replaced by its value, in text and in JSON alike."""
    for label, handling in privacy_tables().items():
        if not handling.scrub:
            continue
        model = apps.get_model(label)
        for name in handling.scrub:
            field = model._meta.get_field(name)
            as_json = isinstance(field, models.JSONField)
            for old, new in replacements.items():
                if not old:
                    continue
                text = Cast(name, TextField()) if as_json else models.F(name)
                matching = model._default_manager.annotate(_text=text).filter(
                    Q(_text__contains=old)).values("pk")
                replaced = Replace(text, Value(old), Value(new))
                model._default_manager.filter(pk__in=matching).update(
                    **{name: Cast(replaced, models.JSONField()) if as_json else replaced})


def third_party_erase(*, user, email: str) -> None:
    """What third parties hold about the person, by address rather than by key:
    django-axes' sign-in log, rate-limit counters, Wagtail's avatar file."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_ratelimit.core import _get_window, _make_cache_key, _split_rate
    from wagtail.users.models import UserProfile

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=email).delete()
    for group, setting in ADDRESS_RATE_LIMITS.items():
        rate = getattr(settings, setting)
        period = _split_rate(rate)[1]
        window = _get_window(email, period)
        # The current window and the one before it (a window can turn over meanwhile).
        caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")].delete_many(
            [_make_cache_key(group, w, rate, email, (None,)) for w in (window, window - period)])
    for profile in UserProfile.objects.filter(user=user).exclude(avatar=""):
        profile.avatar.delete(save=False)
