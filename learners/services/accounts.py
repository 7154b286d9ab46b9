"""Confirming the email address of someone who signed up themselves: a signed link
that expires (django.core.signing), and what confirming it sets in motion."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learners.enqueue import enqueue_on_commit
from learners.identity import email_normalise
from learners.models import User

logger = logging.getLogger(__name__)

VERIFY_SALT = "learners.email-verify"
VERIFY_LINK_MAX_AGE = timedelta(days=3)


class VerificationLinkInvalid(Exception):
    """The link is forged, expired, or for an address the account no longer has."""


def email_verification_token(*, user: User) -> str:
    """A signed token naming the account and the address it was sent to: changing the
    address, or any tampering, makes it worthless."""
    return signing.dumps({"user": user.pk, "email": email_normalise(user.email)},
                         salt=VERIFY_SALT)


def account_awaiting_verification(*, email: str) -> User | None:
    """The active account with this address whose address is not yet confirmed."""
    return User.objects.filter(email=email_normalise(email), is_active=True,
                               email_verified_at__isnull=True).first()


def email_verification_send(*, user_id: int) -> bool:
    """Email the link that confirms the address, if the account still needs it; returns
    whether it sent."""
    user = User.objects.filter(pk=user_id, is_active=True, email_verified_at__isnull=True).first()
    if user is None:
        return False
    context = {
        "user": user, "academy_name": settings.ACADEMY_NAME,
        "link": settings.ACADEMY_BASE_URL + reverse(
            "email_verify", args=[email_verification_token(user=user)]),
        "days": VERIFY_LINK_MAX_AGE.days,
    }
    send_mail(subject=f"Confirm your email address for {settings.ACADEMY_NAME}",
              message=render_to_string("learners/email/email_verify.txt", context),
              from_email=None, recipient_list=[user.email])
    logger.info("email verification sent user=%s", user.pk)
    return True


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Confirm the address the token was sent to; idempotent. Only now does the person
    count as a learner, so their required learning is given to them after the commit.
    Raises VerificationLinkInvalid, changing nothing, for a bad or expired token."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT,
                             max_age=VERIFY_LINK_MAX_AGE.total_seconds())
    except signing.BadSignature as error:  # SignatureExpired is one too
        raise VerificationLinkInvalid from error
    user = (User.objects.select_for_update()
            .filter(pk=data.get("user"), email=email_normalise(data.get("email")),
                    is_active=True)
            .first())
    if user is None:
        raise VerificationLinkInvalid
    if user.email_verified_at is None:
        from learners.tasks import required_learning_for_user

        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        enqueue_on_commit(required_learning_for_user, user.pk)
        logger.info("email verified user=%s", user.pk)
    return user


def sign_up_attempt_notify(*, user_id: int) -> bool:
    """Someone tried to create an account with an address that already has one: tell
    its owner, who may simply have forgotten, how to sign in or reset their password.
    The sign-up page says the same to everyone ("check your email"), so it does not tell
    a stranger which addresses have accounts. Returns whether it sent."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    base = settings.ACADEMY_BASE_URL
    context = {"user": user, "academy_name": settings.ACADEMY_NAME,
               "sign_in": base + reverse("sign_in"),
               "password_reset": base + reverse("password_reset")}
    send_mail(subject=f"You already have an account with {settings.ACADEMY_NAME}",
              message=render_to_string("learners/email/sign_up_existing.txt", context),
              from_email=None, recipient_list=[user.email])
    logger.info("sign-up attempt on an existing account notified user=%s", user.pk)
    return True
