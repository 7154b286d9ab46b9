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

logger = logging.getLogger(__name__)


def certificate_code_new() -> str:
    """A random verification code: 20 bytes, 160 bits, URL-safe."""
    return secrets.token_urlsafe(20)


def certificate_verify_url(code: str) -> str:
    return settings.ACADEMY_BASE_URL + reverse("certificate_verify", args=[code])


def certificate_issue(*, enrolment_id: int) -> Certificate | None:
    """Issue the certificate for a completed enrolment: exactly one row (a one-to-one
    constraint) and its PDF, stored through Django's storage API. Running it again, or
    twice at once, changes nothing; a row left without its PDF by a crash gets it on
    the next run. Returns None if the enrolment is not complete."""
    enrolment = (  # only what the certificate needs: a course page has many columns
        Enrolment.objects.select_related("user", "course")
        .only("completed_at", "user__first_name", "user__last_name", "user__email",
              "course__title")
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
            "completed_on": completed_on,
        },
    )
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
                code=certificate.code,
                verify_url=certificate_verify_url(certificate.code),
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
