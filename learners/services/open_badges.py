"""Certificates as Open Badges 3.0 credentials (issue 17).

Each certificate is also an `OpenBadgeCredential`: a W3C Verifiable Credential (data
model 2.0) that the academy signs as a VC-JWT with its Ed25519 key (EdDSA), so that
anyone can check it with the academy's published key (JWKS) and nothing else. The
credential is built from the certificate row each time it is asked for, so it always
says what the certificate says; the signature is deterministic (Ed25519), so the same
certificate gives the same signed credential.

openbadgeslib builds the credential, its hashed subject identifier and the status list
(its data model and W3C Bitstring Status List encoding); PyJWT (which it is built on)
signs, so that the JOSE header can name the published key (`kid`) as well as carry it
(`jwk`), which openbadgeslib's own signer does not do.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import jwt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openbadgeslib.ob3 import (
    Achievement,
    IdentityObject,
    Issuer,
    OpenBadgeCredential,
    build_status_list_credential,
    status_entry,
)

from learners.badge_keys import badge_key, badge_key_thumbprint, badge_public_jwk_members
from learners.models import Certificate
from learners.services.badge_status import (
    LIST_SIZE,
    badge_status_allocate,
    badge_status_position,
)

ALGORITHM = "EdDSA"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# A status list is signed when it is asked for, valid for a day (so an old copy cannot be
# replayed for long to hide a revocation) and to be fetched again after five minutes
# (`ttl`; the HTTP response may be cached for one minute).
STATUS_LIST_VALIDITY = dt.timedelta(days=1)
STATUS_LIST_TTL_MS = 5 * 60 * 1000
STATUS_PURPOSE = "revocation"


def _absolute(path: str) -> str:
    return settings.ACADEMY_BASE_URL + path


def open_badge_issuer_id() -> str:
    """The academy's issuer id: the address of its issuer profile."""
    return _absolute(reverse("open_badges_issuer"))


def _issuer() -> Issuer:
    return Issuer(id=open_badge_issuer_id(), name=settings.ACADEMY_NAME,
                  url=settings.ACADEMY_BASE_URL + "/")


def open_badge_issuer_profile() -> dict:
    """The issuer profile (an OB 3.0 Profile) published at the issuer id."""
    return {"@context": [VC2_CONTEXT, OB3_CONTEXT], **_issuer().to_dict()}


def open_badge_key_id() -> str:
    """The `kid` of the academy's key: the JWKS address, with the key's RFC 7638
    thumbprint as the fragment; the JWKS names its key by the same string."""
    thumbprint = badge_key_thumbprint(badge_key().public_key())
    return f"{_absolute(reverse('open_badges_keys'))}#{thumbprint}"


def open_badge_jwks() -> dict:
    """The academy's public signing key as a JSON Web Key Set (RFC 7517)."""
    return {"keys": [{**badge_public_jwk_members(badge_key().public_key()),
                      "kid": open_badge_key_id(), "use": "sig", "alg": ALGORITHM}]}


def _sign(payload: dict) -> str:
    public_jwk = badge_public_jwk_members(badge_key().public_key())
    return jwt.encode(payload, badge_key(), algorithm=ALGORITHM,
                      headers={"typ": "JWT", "kid": open_badge_key_id(), "jwk": public_jwk})


def open_badge_status_list_url(*, list_number: int) -> str:
    return _absolute(reverse("open_badges_status_list", args=[list_number]))


def _end_of_day(day: dt.date) -> dt.datetime:
    """The first moment after `day` ends in the academy's time zone (UK): a certificate
    valid until 31 March is valid all that day, as its verify page says."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min,
                               tzinfo=ZoneInfo(settings.TIME_ZONE))


def _criteria(course) -> str:
    narrative = f"Complete every required lesson of the course “{course.title}”"
    if course.pass_mark is not None:
        narrative += (f", scoring at least {course.pass_mark}% (in the final assessment "
                      "where the course has one, otherwise in its knowledge checks)")
    return narrative + f", on {settings.ACADEMY_NAME}."


def open_badge_certificate(*, code: str) -> Certificate:
    """The certificate with this (canonical) code, with what its credential needs: one
    query. Raises Certificate.DoesNotExist."""
    return (Certificate.objects.select_related("enrolment__user", "enrolment__course")
            .only("code", "course_title", "issued_at", "expires_on", "badge_status_index",
                  "badge_salt", "enrolment__user__email", "enrolment__course__title",
                  "enrolment__course__summary", "enrolment__course__pass_mark",
                  "enrolment__course__slug",
                  "enrolment__course__url_path", "enrolment__course__path",
                  "enrolment__course__depth")
            .get(code=code))


def open_badge_credential(*, certificate: Certificate) -> OpenBadgeCredential:
    """The certificate as an OpenBadgeCredential: the academy issued it (a Profile),
    on the day it was issued, until the end of its expiry date if it has one, for the
    course (the achievement) to a learner known by a salted hash of their email, and
    revocable through bit `badge_status_index` of the academy's revocation list."""
    if certificate.badge_status_index is None:  # a row from before its issue finished
        certificate.badge_status_index = badge_status_allocate(certificate_id=certificate.pk)
        certificate.refresh_from_db(fields=["badge_salt"])
    course = certificate.enrolment.course
    list_number, bit = badge_status_position(index=certificate.badge_status_index)
    return OpenBadgeCredential(
        id=_absolute(reverse("certificate_badge", args=[certificate.code])),
        name=certificate.course_title,
        issuer=_issuer(),
        recipient_id=None,
        identifiers=[IdentityObject.create(
            certificate.enrolment.user.email.strip().lower(), salt=certificate.badge_salt)],
        achievement=Achievement(
            id=_absolute(course.get_url()),
            name=certificate.course_title,
            description=course.summary or certificate.course_title,
            criteria_narrative=_criteria(course),
            achievement_type="CertificateOfCompletion",
        ),
        issuance_date=certificate.issued_at,
        expiration_date=(_end_of_day(certificate.expires_on)
                         if certificate.expires_on else None),
        credential_status=[status_entry(
            open_badge_status_list_url(list_number=list_number), STATUS_PURPOSE, bit)],
    )


def open_badge_document(*, certificate: Certificate) -> dict:
    """The credential as JSON (the content of the signed form, without its proof)."""
    return open_badge_credential(certificate=certificate).to_vc()


def open_badge_signed(*, certificate: Certificate) -> str:
    """The credential as a VC-JWT (OB 3.0 §8.2): the credential's members are the JWT
    payload, with `iss`, `jti`, `nbf` (and `exp` where it expires) beside them."""
    return _sign(open_badge_credential(certificate=certificate).to_jwt_payload())


def open_badge_status_list_numbers() -> range:
    """The lists that exist: the first always, and each list a certificate is in."""
    highest = (Certificate.objects.filter(badge_status_index__isnull=False)
               .order_by("-badge_status_index")
               .values_list("badge_status_index", flat=True).first())
    return range(1, (highest or 0) // LIST_SIZE + 2)


def open_badge_status_list_signed(*, list_number: int) -> str:
    """The revocation list as a signed BitstringStatusListCredential (VC-JWT), built
    from the certificates as they are now: a bit is set if and only if its certificate
    is revoked. Expiry is not revocation: an expired credential says so itself."""
    start = (list_number - 1) * LIST_SIZE
    revoked = (Certificate.objects.filter(
        revoked_at__isnull=False, badge_status_index__gte=start,
        badge_status_index__lt=start + LIST_SIZE)
        .values_list("badge_status_index", flat=True).iterator())
    now = timezone.now().replace(microsecond=0)
    url = open_badge_status_list_url(list_number=list_number)
    document = build_status_list_credential(
        open_badge_issuer_id(), url, STATUS_PURPOSE, (index - start for index in revoked),
        size_bits=LIST_SIZE, issued=now, valid_until=now + STATUS_LIST_VALIDITY,
        ttl=STATUS_LIST_TTL_MS)
    return _sign({**document, "iss": document["issuer"], "jti": url,
                  "nbf": int(now.timestamp()),
                  "exp": int((now + STATUS_LIST_VALIDITY).timestamp())})

