"""The audit log's one writer: who looked at or changed other people's learning
records, when, with which filters, and how many rows (academy.models.AuditEvent)."""

from academy.models import AuditEvent


def audit_record(*, actor, action: str, filters: dict | None = None, row_count: int = 0,
                 detail: str = "") -> AuditEvent:
    """Record one action. `filters` are plain values (never records); `detail` says
    in words what changed, for changes."""
    return AuditEvent.objects.create(actor=actor, action=action, filters=filters or {},
                                     row_count=row_count, detail=detail[:2000])
