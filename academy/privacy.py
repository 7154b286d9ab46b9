"""The academy app's share of a learner's data export and of erasure (UK GDPR): its
own models, imported. learners/privacy.py holds the rest and the registry; learners
may not import academy, so AcademyConfig.ready() registers PROVIDER there."""

from academy.models import AuditEvent, Export
from learners.models import User
from learners.privacy import KEPT_POINTING_AT_PSEUDONYM, PrivacyProvider

# model label -> (what the learner's data export includes, what erasure does)
COVERAGE = {
    "academy.Export": ("exported (format, filters, dates)", "deleted, with its file"),
    "academy.AuditEvent": ("exported (their own actions)", KEPT_POINTING_AT_PSEUDONYM),
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
    """Their exports go, files first. Audit events stay: they hold the actor's id, never
    a name or email, and now point at the pseudonymised account."""
    for export in Export.objects.filter(requested_by=user):
        if export.file:
            export.file.delete(save=False)
        export.delete()


PROVIDER = PrivacyProvider(app_label="academy", coverage=COVERAGE,
                           export=academy_data_export, erase=academy_data_erase)
