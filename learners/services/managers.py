"""Line managers' weekly digest: one email to each manager who has someone in their
team with overdue required learning."""

import logging
from datetime import date, timedelta
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from content.sql import values_in
from learners.models import ComplianceStatus, Enrolment, ManagerDigest, learner_q
from learners.selectors import enrolments_annotate_compliance, enrolments_required_current

logger = logging.getLogger(__name__)

BATCH = 100  # managers per transaction and mail connection


def enrolments_overdue_for_managers(*, today: date) -> QuerySet[Enrolment]:
    """Current required learning that is overdue today (the compliance rule: the due
    date, or HR's extension, has passed and it is not complete; withdrawn assignments
    and earlier cycles excluded), of people who count as learners (learner_q) whose
    line manager is active. By manager, then name."""
    enrolments = enrolments_required_current(queryset=Enrolment.objects.filter(
        learner_q("user__"), user__line_manager__isnull=False,
        user__line_manager__is_active=True))
    return (enrolments_annotate_compliance(queryset=enrolments, today=today)
            .filter(compliance=ComplianceStatus.OVERDUE)
            .order_by("user__line_manager_id", "user__last_name", "user__first_name",
                      "effective_due_on", "pk")
            .values("user__line_manager_id", "user__first_name", "user__last_name",
                    "user__email", "course__title", "effective_due_on"))


def manager_digests_send(*, today: date | None = None) -> int:
    """Send this week's digest to every active line manager with at least one direct
    report whose required learning is overdue; returns how many were sent.

    Safe to run any number of times in a week. The week's ManagerDigest row (unique
    per manager and week) is created first, then the email is sent, then `sent_at` is
    set. Sending happens inside a transaction that holds the rows' locks
    (SELECT ... FOR UPDATE SKIP LOCKED, re-checking `sent_at IS NULL`), so two runs at
    once never both send one digest; `sent_at` is written for each email the mail
    server accepted, in the same transaction. So:
    - none is lost: a crash before the mail server accepts leaves the row without
      `sent_at`, and the next run (the same week) sends it;
    - none is sent twice, except if the process dies in the instant after the mail
      server accepted a batch and before its transaction commits; a failure of the mail
      server itself part-way records the ones that went and re-raises.
    A row left unsent whose manager no longer has anyone overdue is not sent."""
    today = today or timezone.localdate()
    week_of = today - timedelta(days=today.weekday())
    overdue = {manager_id: list(rows) for manager_id, rows in groupby(
        enrolments_overdue_for_managers(today=today), key=lambda row: row["user__line_manager_id"])}
    if not overdue:
        return 0
    ManagerDigest.objects.bulk_create(
        [ManagerDigest(manager_id=m, week_of=week_of, overdue_count=len(rows))
         for m, rows in overdue.items()],
        ignore_conflicts=True, batch_size=BATCH)
    pending = list(ManagerDigest.objects.filter(
        week_of=week_of, sent_at__isnull=True, manager_id__in=values_in(overdue))
        .order_by("pk").values_list("pk", flat=True))
    sent = 0
    for start in range(0, len(pending), BATCH):
        sent += _send_batch(pending[start:start + BATCH], overdue=overdue)
    logger.info("manager digests for week of %s: %s sent", week_of, sent)
    return sent


def _send_batch(digest_ids: list[int], *, overdue: dict[int, list[dict]]) -> int:
    team_url = settings.ACADEMY_BASE_URL + reverse("my_team")
    with transaction.atomic():
        digests = list(ManagerDigest.objects.select_for_update(skip_locked=True, of=("self",))
                       .select_related("manager")
                       .filter(pk__in=values_in(digest_ids), sent_at__isnull=True)
                       .order_by("pk"))
        done: list[ManagerDigest] = []
        failure = None
        with get_connection() as connection:
            for digest in digests:
                rows = overdue[digest.manager_id]
                message = EmailMessage(
                    subject=(f"{len(rows)} overdue required course{'s' if len(rows) != 1 else ''}"
                             " in your team"),
                    body=render_to_string("learners/email/manager_digest.txt", {
                        "manager": digest.manager, "rows": rows, "team_url": team_url,
                        "academy_name": settings.ACADEMY_NAME}),
                    to=[digest.manager.email])
                try:
                    connection.send_messages([message])
                except Exception as error:  # record the ones that went, then re-raise
                    failure = error
                    break
                digest.overdue_count, digest.sent_at = len(rows), timezone.now()
                done.append(digest)
        ManagerDigest.objects.bulk_update(done, ["overdue_count", "sent_at"])
    if failure is not None:
        raise failure
    return len(done)
