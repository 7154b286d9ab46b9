"""Celery tasks for reports (docs/celery.md): thin, idempotent, by id."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from academy.models import Export
from academy.reports import services
from learners.jobs import TrackedJobTask

RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True,
         "max_retries": 5}


@shared_task(base=TrackedJobTask, job_model=Export, **RETRY)
def export_build(export_id: str) -> int:
    """Build a report export's file; returns the rows written. Marked FAILED if it
    fails for good."""
    return services.export_build(export_id=export_id).processed


@shared_task
def exports_reconcile() -> dict:
    """Periodic (celery beat): re-enqueue stuck exports, delete expired files."""
    return services.exports_reconcile()
