"""The audit log's one writer: who looked at or changed other people's learning
records, when, with which filters, and how many rows (academy.models.AuditEvent)."""

from django.utils import timezone

from academy.models import AuditEvent
from content.sql import row_insert


def audit_record(*, actor, action: str, filters: dict | None = None, row_count: int = 0,
                 detail: str = "") -> None:
    """Record one action. `filters` are plain values (never records); `detail` says
    in words what changed, for changes. Written as one INSERT of its own (a report
    view writes one each time: building the model's was a sixteenth of the page)."""
    row_insert(AuditEvent, actor_id=actor.pk if actor is not None else None, action=action,
               filters=filters or {}, row_count=row_count, detail=detail[:2000],
               at=timezone.now())
