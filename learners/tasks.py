"""Celery tasks: thin wrappers that take ids and call a service (docs/celery.md).
Every one is idempotent, so late acknowledgement and the reconciler may run it again."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from learners import services

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 8,
}


@shared_task(**RETRY)
def enrolment_confirmation_send(enrolment_id: int) -> bool:
    """Email the learner that they are enrolled."""
    return services.enrolment_confirmation_send(enrolment_id=enrolment_id)


@shared_task(**RETRY)
def enrolment_progress_recompute(enrolment_id: int) -> int:
    """Recompute the enrolment's progress and completion; returns its percent."""
    return services.enrolment_progress_recompute(enrolment_id=enrolment_id).progress_percent


@shared_task(**RETRY)
def certificate_issue(enrolment_id: int) -> str | None:
    """Issue the certificate for a completed enrolment; returns its code."""
    certificate = services.certificate_issue(enrolment_id=enrolment_id)
    return certificate.code if certificate else None


@shared_task
def learning_reconcile() -> dict:
    """Periodic (celery beat): re-enqueue consequences whose facts exist without them."""
    return services.learning_reconcile()
