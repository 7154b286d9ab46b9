"""Celery tasks: thin wrappers that take ids and call a service (docs/celery.md).
Every one is idempotent, so late acknowledgement and the reconciler may run it again."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from learners import services
from learners.jobs import TrackedJobTask
from learners.models import BulkEnrolment

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
def enrolment_confirmations_send(enrolment_ids: list[int]) -> int:
    """Email many learners that they are enrolled (after a bulk enrolment)."""
    return services.enrolment_confirmations_send(enrolment_ids=enrolment_ids)


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


@shared_task(base=TrackedJobTask, job_model=BulkEnrolment, **RETRY)
def bulk_enrolment_process(bulk_id: int) -> int:
    """Enrol the rows of a confirmed bulk enrolment; returns how many were new. Marked
    FAILED if it fails for good."""
    return services.bulk_enrolment_process(bulk_id=bulk_id).enrolled


@shared_task(**RETRY)
def required_learning_expand(assignment_id: int) -> int:
    """Apply a required-learning assignment as it now stands (set, changed or
    withdrawn) to its enrolments; returns how many enrolments were new."""
    return services.required_learning_expand(assignment_id=assignment_id)


@shared_task(**RETRY)
def email_verification_send(user_id: int) -> bool:
    """Email someone who signed up the link that confirms their address."""
    from learners.services.accounts import email_verification_send

    return email_verification_send(user_id=user_id)


@shared_task(**RETRY)
def sign_up_attempt_notify(user_id: int) -> bool:
    """Tell the owner of an address that someone tried to sign up with it."""
    from learners.services.accounts import sign_up_attempt_notify

    return sign_up_attempt_notify(user_id=user_id)


@shared_task(**RETRY)
def required_learning_for_user(user_id: int) -> int:
    """Give a new joiner (or someone who moved) the required learning that now applies."""
    return services.required_learning_for_user(user_id=user_id)


@shared_task
def required_learning_remind() -> dict:
    """Daily (celery beat): reminders before the due date and when overdue."""
    return services.required_learning_remind()


@shared_task
def required_learning_renew() -> int:
    """Daily (celery beat): start the next cycle of recurring required learning."""
    return services.required_learning_renew()


@shared_task
def manager_digests_send() -> int:
    """Weekly (celery beat, Monday 08:00): email line managers whose team has overdue
    required learning; returns how many were sent. Once per manager a week."""
    return services.manager_digests_send()


@shared_task
def required_learning_reconcile() -> int:
    """Daily (celery beat): expand every assignment again, so anyone missed is enrolled
    and any change or withdrawal whose message was lost is applied."""
    return services.required_learning_reconcile()


@shared_task(**RETRY)
def session_notice_send(booking_id: int, event: str) -> bool:
    """Email one person about their booking on a session: "booked" (with the calendar
    invitation), "waiting" (their place on the list), "promoted" (a place from the
    list, with the invitation; told once) or "cancelled" (the calendar cancellation).
    Returns whether it sent."""
    from learners.services.session_notices import session_notice_send as send

    return send(booking_id=booking_id, event=event)


@shared_task(**RETRY)
def session_update_notify(session_id: int) -> int:
    """Send the updated invitation to everyone with a place, after the session's times,
    venue or link changed; returns how many were sent."""
    from learners.services.session_notices import session_update_notify as notify

    return notify(session_id=session_id)


@shared_task
def session_reminders_send() -> dict:
    """Hourly (celery beat): the reminders a week and a day before each session, each
    once per booking; and the promotion email again for anyone promoted but not told."""
    from learners.services import session_notices

    sent = session_notices.session_reminders_send()
    return {**sent, "promotions": session_notices.session_promotions_reconcile()}


@shared_task(**RETRY)
def session_waitlist_promote(session_id: int) -> int:
    """Give the session's free places to the head of its waiting list (after a
    cancellation); returns how many were promoted. Running it again promotes no one."""
    from learners.services.sessions import session_waitlist_promote as promote

    return len(promote(session_id=session_id))


@shared_task
def sessions_waitlist_reconcile() -> int:
    """Periodic (celery beat): enqueue the promotion for sessions with a free place and
    someone waiting; returns how many."""
    from learners.services.sessions import sessions_waitlist_reconcile as reconcile

    return reconcile()


@shared_task
def followups_send() -> int:
    """Daily (celery beat, 09:00): ask "have you used it at work?" of learners 30, 60 and
    90 days after they completed a course that asks; returns how many were sent. Once
    per learner per point, never to an erased, inactive or opted-out learner."""
    from learners.services.followups import followups_send

    return followups_send()


@shared_task(**RETRY)
def programmes_close() -> int:
    """Daily (celery beat, 01:00): close each programme whose end date has passed, with
    its closing report; returns how many were closed. A closed programme is skipped, so
    running it twice makes one report."""
    from learners.services.programmes import programmes_close_due

    return programmes_close_due()


@shared_task
def certificate_expiry_remind() -> int:
    """Daily (celery beat, 08:30): email learners whose certificate runs out within
    CERTIFICATE_EXPIRY_REMINDER_DAYS; once per certificate however often it runs."""
    from learners.services.certificate_expiry import certificate_expiry_reminders_send

    return certificate_expiry_reminders_send()


@shared_task(bind=True, **RETRY)
def xapi_statements_send(self) -> int:
    """Send the xAPI statements waiting in the outbox to the LRS (enqueued after each
    fact, and every minute by celery beat as the sweeper); returns how many were
    delivered. When the LRS is down, tries again with exponential back-off (the
    outbox row's; the beat sweep carries on after the last retry)."""
    from learners.services.xapi import xapi_statements_deliver

    outcome = xapi_statements_deliver()
    # Run in-process (eager: the embedded demo, tests), a retry would run at once in
    # the request: the next fact or the sweeper sends instead.
    if (outcome.retry_in is not None and not self.request.is_eager
            and self.request.retries < XAPI_SEND_RETRIES):
        raise self.retry(countdown=outcome.retry_in, max_retries=XAPI_SEND_RETRIES)
    return outcome.delivered


XAPI_SEND_RETRIES = 8
