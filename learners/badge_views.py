"""Open Badges 3.0 (issue 17). A certificate's credential goes to anyone with its code, as
its verify page does, under the same rate limit; what a verifier needs to check any
credential (the issuer profile, the public key, the revocation lists) is public, may be
cached for a minute and may be read from another site's page (CORS)."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe
from django_ratelimit.core import is_ratelimited

from learners.models import Certificate
from learners.services.certificates import certificate_find
from learners.services.open_badges import (
    open_badge_certificate,
    open_badge_document,
    open_badge_issuer_profile,
    open_badge_jwks,
    open_badge_signed,
    open_badge_status_list_numbers,
    open_badge_status_list_signed,
)

VC_JWT = "application/vc+jwt"  # W3C VC-JOSE-COSE's media type for a VC secured as a JWT
PUBLIC_MAX_AGE = 60
# Inside a <script> element only these can end it or start markup (as Django's json_script).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _download(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _certificate(request, code: str) -> Certificate | None:
    """The certificate for a typed code, counted against the verify page's rate limit;
    None when over it. A code not found is a 404, as on the verify page."""
    if is_ratelimited(request, group="certificate_verify", key="ip",
                      rate=settings.CERTIFICATE_VERIFY_RATE, increment=True):
        return None
    found = certificate_find(code=code)
    if found is None:
        raise Http404("No certificate has this code.")
    return open_badge_certificate(code=found.code)


def _rate_limited(request) -> HttpResponse:
    return render(request, "learners/certificate_rate_limited.html", status=429)


@require_safe
def certificate_badge(request, code: str):
    """The certificate's credential as JSON-LD: readable, without its signature."""
    certificate = _certificate(request, code)
    if certificate is None:
        return _rate_limited(request)
    response = JsonResponse(open_badge_document(certificate=certificate),
                            content_type="application/ld+json",
                            json_dumps_params={"indent": 2, "ensure_ascii": False})
    return _download(response, f"digital-badge-{certificate.enrolment.course.slug}.json")


@require_safe
def certificate_badge_signed(request, code: str):
    """The certificate's credential signed by the academy (a VC-JWT): the file a
    learner gives a digital wallet or a badge service."""
    certificate = _certificate(request, code)
    if certificate is None:
        return _rate_limited(request)
    response = HttpResponse(open_badge_signed(certificate=certificate), content_type=VC_JWT)
    return _download(response, f"digital-badge-{certificate.enrolment.course.slug}.jwt")


def certificate_badge_ld_json(*, code: str) -> SafeString:
    """The credential for a certificate's verify page, to embed in a
    <script type="application/ld+json"> element."""
    document = open_badge_document(certificate=open_badge_certificate(code=code))
    return mark_safe(json.dumps(document, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308  # nosec B308 B703


@require_safe
def open_badges_issuer(request):
    """The academy as an Open Badges issuer (a Profile): the credentials' issuer id."""
    return _public(JsonResponse(open_badge_issuer_profile(), content_type="application/ld+json"))


@require_safe
def open_badges_keys(request):
    """The academy's public signing key (a JWKS): all a verifier needs to check a
    credential or a status list it signed."""
    return _public(JsonResponse(open_badge_jwks(), content_type="application/jwk-set+json"))


@require_safe
def open_badges_status_list(request, list_number: int):
    """A revocation list, signed, as it is now (W3C Bitstring Status List v1.0)."""
    if list_number not in open_badge_status_list_numbers():
        raise Http404("No such status list.")
    return _public(HttpResponse(open_badge_status_list_signed(list_number=list_number),
                                content_type=VC_JWT))
