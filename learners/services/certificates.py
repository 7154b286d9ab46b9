"""Issuing and revoking certificates."""

import logging
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from learners.certificate_pdf import CertificateContent, certificate_pdf_render
from learners.models import Certificate, Enrolment
from learners.services.badge_status import badge_status_allocate
from learners.services.certificate_expiry import certificate_expiry_date

logger = logging.getLogger(__name__)


# Crockford's base32: digits and upper-case letters without I, L, O and U, so a code
# read aloud or typed from paper has no look-alikes. 20 characters of 5 bits each are
# 100 random bits, shown in five groups of four: 7K2M-9QXD-4HPA-WB3T-6RNE.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20
CODE_GROUP = 4
CODE_EXAMPLE = "7K2M-9QXD-4HPA-WB3T-6RNE"
_CONFUSABLES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def certificate_code_new() -> str:
    """A random verification code in canonical form: 20 Crockford base32 characters
    (100 bits from `secrets`), upper case, no hyphens. Shown grouped; see
    certificate_code_display."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def certificate_code_normalise(*, code: str) -> str | None:
    """The canonical form of a typed new-style code, or None if it cannot be one.
    Case, hyphens and spaces are ignored; I and L read as 1, O as 0 (Crockford)."""
    cleaned = "".join(code.split()).replace("-", "").upper().translate(_CONFUSABLES)
    if len(cleaned) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in cleaned):
        return None
    return cleaned


def certificate_code_display(*, code: str) -> str:
    """A code as printed: a new-style code in hyphenated groups of four; an older
    27-character, case-sensitive code exactly as it is (it may hold hyphens itself)."""
    if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code):
        return "-".join(code[i:i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))
    return code


def certificate_find(*, code: str) -> Certificate | None:
    """The certificate with this code, as a person might type it, or None. One indexed
    query: the canonical new-style form, else the exact older code (issued before
    new-style codes; those certificates keep their codes and addresses)."""
    raw = code.strip()
    if not raw or len(raw) > 100:  # no code is this long, spaces and all
        return None
    candidates = {raw}
    canonical = certificate_code_normalise(code=raw)
    if canonical:
        candidates.add(canonical)
    found = {c.code: c for c in Certificate.objects.filter(code__in=candidates).only(
        "code", "learner_name", "course_title", "completed_on", "learning_minutes",
        "revoked_at", "expires_on")}
    return found.get(canonical) or found.get(raw)


def certificate_verify_url(code: str) -> str:
    """The public address of a certificate's verify page."""
    return settings.ACADEMY_BASE_URL + reverse("certificate_verify", args=[code])


def certificate_issue(*, enrolment_id: int) -> Certificate | None:
    """Issue the certificate for a completed enrolment: exactly one row (a one-to-one
    constraint) and its PDF, stored through Django's storage API. Running it again, or
    twice at once, changes nothing; a row left without its PDF by a crash gets it on
    the next run. Returns None if the enrolment is not complete. A course with a
    validity gives the certificate its expiry date (certificate_expiry_date)."""
    enrolment = (  # only what the certificate needs: a course page has many columns
        Enrolment.objects.select_related("user", "course")
        .only("completed_at", "user__first_name", "user__last_name", "user__email",
              "course__title", "course__duration_minutes",
              "course__certificate_valid_months")
        .get(pk=enrolment_id)
    )
    if enrolment.completed_at is None:
        return None
    completed_on = timezone.localdate(enrolment.completed_at)
    certificate, _ = Certificate.objects.get_or_create(
        enrolment=enrolment,
        defaults={
            "code": certificate_code_new(),
            "learner_name": enrolment.user.get_full_name() or enrolment.user.email,
            "course_title": enrolment.course.title,
            "learning_minutes": enrolment.course.duration_minutes,
            "completed_on": completed_on,
            # The course's validity as it is now: a later change leaves this alone.
            "expires_on": certificate_expiry_date(
                completed_on=completed_on,
                valid_months=enrolment.course.certificate_valid_months),
        },
    )
    if certificate.badge_status_index is None:  # its bit in the badges' revocation list
        certificate.badge_status_index = badge_status_allocate(certificate_id=certificate.pk)
    if certificate.file:
        return certificate
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not certificate.file:  # another worker may have drawn it while we waited
            pdf = certificate_pdf_render(CertificateContent(
                academy_name=settings.ACADEMY_NAME,
                learner_name=certificate.learner_name,
                course_title=certificate.course_title,
                completed_on=certificate.completed_on,
                code=certificate_code_display(code=certificate.code),
                verify_url=certificate_verify_url(certificate.code),
                learning_minutes=certificate.learning_minutes,
                valid_until=certificate.expires_on,
            ))
            certificate.file.save(f"{certificate.code}.pdf", ContentFile(pdf), save=True)
            logger.info("certificate issued enrolment=%s", enrolment_id)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate, with a reason. Its verify page then says revoked."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Give a reason for revoking the certificate.")
    certificate.revoked_reason = reason
    certificate.revoked_at = certificate.revoked_at or timezone.now()
    certificate.save(update_fields=["revoked_reason", "revoked_at"])
    logger.info("certificate revoked id=%s", certificate.pk)
    return certificate
