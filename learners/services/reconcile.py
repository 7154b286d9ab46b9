"""Finds facts whose consequences are missing, and enqueues the work again."""

import logging
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from learners.models import BulkEnrolment, Enrolment, JobStatus

logger = logging.getLogger(__name__)

BULK_STUCK_AFTER = timedelta(minutes=30)  # 100,000 rows take seconds; this is a lost job
UNCONFIRMED_KEPT_FOR = timedelta(days=7)


def learning_reconcile(*, grace: timedelta = timedelta(minutes=2)) -> dict[str, int]:
    """Enqueue a progress recompute for every enrolment whose last fact is newer than
    its progress, a certificate for every completed enrolment without one (or without
    its PDF), and the confirmation email for every enrolment that never got it.
    `grace` leaves work the normal path is about to do alone. Every task it enqueues
    is idempotent, so running this any number of times is safe."""
    from learners import tasks

    cutoff = timezone.now() - grace
    stale = Enrolment.objects.filter(last_fact_at__lte=cutoff).filter(
        Q(progress_computed_at__isnull=True) | Q(progress_computed_at__lt=F("last_fact_at"))
    )
    uncertified = Enrolment.objects.filter(completed_at__lte=cutoff).filter(
        Q(certificate__isnull=True) | Q(certificate__file="")
    )
    unconfirmed = Enrolment.objects.filter(confirmation_sent_at__isnull=True,
                                           enrolled_at__lte=cutoff)
    counts = {}
    for name, queryset, task in (
        ("progress", stale, tasks.enrolment_progress_recompute),
        ("certificates", uncertified, tasks.certificate_issue),
        ("confirmations", unconfirmed, tasks.enrolment_confirmation_send),
    ):
        counts[name] = 0
        for enrolment_id in queryset.values_list("pk", flat=True).iterator(chunk_size=2000):
            task.delay(enrolment_id)
            counts[name] += 1
    # A confirmed bulk enrolment whose message was lost, or whose worker died: the task
    # resumes from the rows already processed.
    stuck_bulk = BulkEnrolment.objects.filter(
        confirmed_at__lte=timezone.now() - BULK_STUCK_AFTER,
        status__in=[JobStatus.PENDING, JobStatus.RUNNING])
    counts["bulk_enrolments"] = 0
    for bulk_id in stuck_bulk.values_list("pk", flat=True):
        tasks.bulk_enrolment_process.delay(bulk_id)
        counts["bulk_enrolments"] += 1
    # A checked file nobody confirmed holds names and the addresses of rejected rows:
    # it is kept long enough to come back to, then deleted.
    counts["unconfirmed_files_deleted"], _ = BulkEnrolment.objects.filter(
        confirmed_at__isnull=True, created_at__lt=timezone.now() - UNCONFIRMED_KEPT_FOR,
    ).delete()
    if any(counts.values()):
        logger.warning("reconcile re-enqueued %s", counts)
    return counts
