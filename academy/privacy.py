"""The academy app's share of a learner's data export and of erasure (UK GDPR): its
own models, imported. learners/privacy.py holds the rest and the registry; learners
may not import academy, so AcademyConfig.ready() registers PROVIDER there."""

from django.utils import timezone

from academy.models import AuditEvent, Export
from learners.models import User
from learners.privacy import KEPT_POINTING_AT_PSEUDONYM, PrivacyProvider
from learners.privacy_tables import ANONYMISED, ERASED, PSEUDONYM, Handling

# model label -> (what the learner's data export includes, what erasure does)
COVERAGE = {
    "academy.Export": ("exported (format, filters, dates)",
                       "deleted, with its file, and every other export made before"),
    "academy.AuditEvent": ("exported (their own actions)", KEPT_POINTING_AT_PSEUDONYM),
}

# model label -> what erasure does to its rows (learners.privacy_tables)
TABLES = {
    "academy.Export": Handling(ERASED, "every export made before the erasure deleted, "
                               "with its file: any of them may name the person"),
    "academy.AuditEvent": Handling(ANONYMISED, "actor by id only; " + PSEUDONYM
                                   + "; their email and name replaced in filters and detail",
                                   ("filters", "detail")),
    "academy.TaskFailure": Handling(ANONYMISED, "a failed task's arguments (ids) and "
                                    "error; their email and name replaced",
                                    ("args", "exception")),
}


def _iso(value):
    return value.isoformat() if value else None


def academy_data_export(user: User) -> dict:
    """The exports the person asked for, and their own actions in the audit log."""
    return {
        "exports_you_requested": [{
            "format": x.format, "filters": x.filters, "status": x.status,
            "at": _iso(x.created_at),
        } for x in Export.objects.filter(requested_by=user)],
        "your_actions_in_the_audit_log": [{
            "action": a.action, "filters": a.filters, "rows": a.row_count, "at": _iso(a.at),
        } for a in AuditEvent.objects.filter(actor=user).order_by("at")],
    }


def academy_data_erase(user: User) -> None:
    """Every export made before now goes, files first: their own, and anyone else's,
    which may list them by name and email (an export is a snapshot; telling which ones
    name them would mean reading every file). HR asks for a new one. Audit events stay:
    they hold the actor's id, never a name or email, and now point at the pseudonymised
    account."""
    for export in Export.objects.filter(created_at__lte=timezone.now()):
        if export.file:
            export.file.delete(save=False)
        export.delete()


PROVIDER = PrivacyProvider(app_label="academy", coverage=COVERAGE, tables=TABLES,
                           export=academy_data_export, erase=academy_data_erase)
