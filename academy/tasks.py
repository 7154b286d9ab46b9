"""Celery tasks for reports (docs/celery.md): thin, idempotent, by id."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from academy.reports import exports

RETRY = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True,
         "max_retries": 5}


@shared_task(**RETRY)
def export_build(export_id: str) -> int:
    """Build a report export's file; returns the rows written."""
    return exports.export_build(export_id=export_id).rows_written


@shared_task
def exports_reconcile() -> dict:
    """Periodic (celery beat): re-enqueue stuck exports, delete expired files."""
    return exports.exports_reconcile()
