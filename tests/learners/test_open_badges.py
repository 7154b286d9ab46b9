"""Open Badges 3.0 (issue 17): each certificate is also an OpenBadgeCredential, signed by
the academy, that a verifier checks with nothing but the academy's published key; any
change to it breaks the signature; revoking the certificate sets its bit in the signed,
published revocation list.

The verifier here is not the signer: the academy signs with PyJWT (under openbadgeslib);
these tests fetch the public key from the academy's JWKS address like any outsider and
check signatures with joserfc, another JOSE library, and decode the status list's bits
themselves. openbadgeslib's own OB 3.0 verifier is used as a second, third-party check
of the credential's shape, given the key taken from the JWKS."""

import base64
import copy
import datetime as dt
import gzip
import hashlib
import json
import os
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from jwt.algorithms import OKPAlgorithm
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier, check_credential_status

from learners import services
from learners.badge_keys import _key_load, badge_key
from learners.models import Certificate
from learners.services.badge_status import LIST_SIZE, badge_status_allocate
from learners.services.certificates import certificate_code_display
from tests.learners.conftest import enrol, lessons_of, work_through

OB3_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-\d+\.\d+\.\d+)?\.json$")
ACADEMY = "http://testserver"

# The academy signs with "EdDSA", the name every OB 3.0 verifier knows for Ed25519; RFC
# 9864 (2025) prefers "Ed25519", and joserfc says so each time.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")


# --- a verifier that knows only the academy's published key -------------------------

def published_keys(client) -> KeySet:
    response = client.get(reverse("open_badges_keys"))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    jwks = json.loads(response.content)
    assert all("d" not in key for key in jwks["keys"]), "a private key was published"
    return KeySet.import_key_set(jwks)


def verified(token: str, keys: KeySet) -> dict:
    """The payload of a JWT the published key signed (joserfc, not the signer's PyJWT).
    Raises BadSignatureError otherwise."""
    return jose_jwt.decode(token, keys, algorithms=["EdDSA"]).claims


def signed_badge(client, certificate) -> str:
    response = client.get(reverse("certificate_badge_signed", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert "attachment" in response["Content-Disposition"]
    return response.content.decode()


def fetch(client, url: str) -> bytes:
    """What a verifier gets from one of the academy's addresses."""
    assert url.startswith(ACADEMY + "/")
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200, url
    return response.content


def bits_set(status_list_payload: dict) -> set[int]:
    """The set bits of a Bitstring Status List, decoded by hand: multibase 'u' base64url
    without padding, gzip, most significant bit first."""
    subject = status_list_payload["credentialSubject"]
    encoded = subject["encodedList"]
    assert encoded.startswith("u")
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 == LIST_SIZE
    return {byte * 8 + bit for byte, value in enumerate(raw) if value
            for bit in range(8) if value & (0x80 >> bit)}


def status_list_of(client, credential: dict, keys: KeySet) -> dict:
    entry = credential["credentialStatus"]
    token = fetch(client, entry["statusListCredential"]).decode()
    payload = verified(token, keys)
    assert payload["id"] == entry["statusListCredential"]
    assert payload["issuer"] == credential["issuer"]["id"]
    assert "BitstringStatusListCredential" in payload["type"]
    assert payload["credentialSubject"]["statusPurpose"] == "revocation"
    return payload


def second_certificate(client, course):
    from tests.factories import UserFactory

    other = UserFactory(email="ada@example.gov.uk", first_name="Ada", last_name="Lovelace")
    client.force_login(other)
    enrol(client, course)
    work_through(client, lessons_of(course))
    client.logout()
    return Certificate.objects.get(enrolment__user=other)


# --- the credential -------------------------------------------------------------------

def test_a_certificate_is_an_open_badge_that_verifies_with_the_published_key_alone(
    client, certificate
):
    keys = published_keys(client)
    credential = verified(signed_badge(client, certificate), keys)

    assert credential["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert OB3_CONTEXT.match(credential["@context"][1])
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(credential["type"])
    assert credential["id"] == ACADEMY + reverse("certificate_badge", args=[certificate.code])
    assert credential["name"] == "Agile basics"
    # The issuer: the academy, a Profile whose id is its published profile.
    issuer = credential["issuer"]
    assert issuer["type"] == ["Profile"]
    assert issuer["name"] == "Digital Academy"
    profile = json.loads(fetch(client, issuer["id"]))
    assert profile["id"] == issuer["id"]
    assert profile["type"] == ["Profile"]
    # When: issued, and no end (the course's certificate does not expire).
    issued = dt.datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00"))
    assert abs(issued - certificate.issued_at) < dt.timedelta(seconds=1)
    assert "validUntil" not in credential
    assert "exp" not in credential
    # The achievement: the course.
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == ACADEMY + certificate.enrolment.course.url
    assert achievement["name"] == "Agile basics"
    assert achievement["description"]
    assert "at least 50%" in achievement["criteria"]["narrative"]
    assert achievement["achievementType"] == "CertificateOfCompletion"
    # JWT registered claims bound to the credential (OB 3.0 §8.2.4.1).
    assert credential["iss"] == issuer["id"]
    assert credential["jti"] == credential["id"]
    assert credential["nbf"] == int(certificate.issued_at.timestamp())

    # A third-party OB 3.0 verifier, given only the key from the JWKS, agrees.
    (key,) = keys.keys
    badge = OB3Verifier(pubkey_pem=key.as_pem(private=False)).verify(
        signed_badge(client, certificate))
    assert badge.achievement.name == "Agile basics"
    assert badge.issuer.id == issuer["id"]


def test_the_learner_is_known_by_a_salted_hash_of_their_email_not_the_address(
    client, certificate
):
    token = signed_badge(client, certificate)
    credential = verified(token, published_keys(client))
    (identifier,) = credential["credentialSubject"]["identifier"]
    salt = identifier["salt"]
    assert identifier["type"] == "IdentityObject"
    assert identifier["identityType"] == "emailAddress"
    assert identifier["hashed"] is True
    assert len(salt) == 32
    # A verifier told the learner's address can check it is theirs...
    expected = hashlib.sha256(("sam@example.gov.uk" + salt).encode()).hexdigest()
    assert identifier["identityHash"] == "sha256$" + expected
    # ...but nobody reads the address (or the name) from the credential.
    document = client.get(reverse("certificate_badge", args=[certificate.code])).content
    for text in (json.dumps(credential), token, document.decode()):
        assert "sam@example" not in text.lower()
        assert "Okafor" not in text
    # Each certificate has its own salt: two hashes of one address do not match.
    other = Certificate.objects.exclude(pk=certificate.pk).filter(badge_salt=salt)
    assert not other.exists()


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("x" if value[-1:] != "x" else "y")
    raise AssertionError(f"unexpected leaf {value!r}")


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _set(document, path, value):
    for key in path[:-1]:
        document = document[key]
    document[path[-1]] = value


def test_changing_any_field_of_the_credential_fails_verification(client, certificate):
    keys = published_keys(client)
    token = signed_badge(client, certificate)
    header_part, _, signature = token.split(".")
    payload = verified(token, keys)
    header = json.loads(base64.urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))

    # The untouched payload, encoded again, still verifies: the test can tell.
    verified(f"{header_part}.{_b64(payload)}.{signature}", keys)

    leaves = list(_leaves(payload))
    assert len(leaves) > 30
    for path, value in leaves:
        tampered = copy.deepcopy(payload)
        _set(tampered, path, _changed(value))
        with pytest.raises(BadSignatureError):
            verified(f"{header_part}.{_b64(tampered)}.{signature}", keys)
    for key in payload:  # a field taken away
        tampered = {k: v for k, v in payload.items() if k != key}
        with pytest.raises(BadSignatureError):
            verified(f"{header_part}.{_b64(tampered)}.{signature}", keys)
    with pytest.raises(BadSignatureError):  # a field added
        verified(f"{header_part}.{_b64({**payload, 'awardedDate': '2020-01-01'})}.{signature}",
                 keys)
    for path, value in _leaves(header):  # the protected header is signed too
        if path == ("alg",) or path == ("kid",):
            continue  # another algorithm or key is refused before the signature is checked
        tampered = copy.deepcopy(header)
        _set(tampered, path, _changed(value))
        with pytest.raises(BadSignatureError):
            verified(f"{_b64(tampered)}.{_b64(payload)}.{signature}", keys)


def test_a_credential_signed_with_another_key_carrying_it_does_not_verify(client, certificate):
    """A forger signs the academy's credential with a key of their own, names the
    academy's key (kid) and carries their own (jwk): the published key refuses it."""
    keys = published_keys(client)
    payload = verified(signed_badge(client, certificate), keys)
    (academy_key,) = keys.keys
    forger = Ed25519PrivateKey.generate()
    forger_jwk = json.loads(OKPAlgorithm.to_jwk(forger.public_key()))
    forged = pyjwt.encode(payload, forger, algorithm="EdDSA",
                          headers={"kid": academy_key.kid, "jwk": forger_jwk})
    with pytest.raises(BadSignatureError):
        verified(forged, keys)
    with pytest.raises(OB3VerificationError, match="signature"):
        OB3Verifier(pubkey_pem=academy_key.as_pem(private=False)).verify(forged)


def test_an_expiring_certificate_carries_its_end_as_valid_until(client, certificate):
    certificate.expires_on = dt.date(2031, 3, 31)
    certificate.save(update_fields=["expires_on"])
    credential = verified(signed_badge(client, certificate), published_keys(client))
    # Valid all of 31 March, UK time (British Summer Time then: 23:00 UTC).
    assert credential["validUntil"] == "2031-03-31T23:00:00Z"
    end = dt.datetime(2031, 4, 1, tzinfo=ZoneInfo("Europe/London"))
    assert credential["exp"] == int(end.timestamp())


def test_an_expired_certificate_fails_as_expired_not_as_revoked(client, certificate):
    certificate.expires_on = timezone.localdate() - dt.timedelta(days=1)
    certificate.save(update_fields=["expires_on"])
    keys = published_keys(client)
    token = signed_badge(client, certificate)
    (key,) = keys.keys
    with pytest.raises(OB3VerificationError, match="expired"):
        OB3Verifier(pubkey_pem=key.as_pem(private=False)).verify(token)
    # The signature is still the academy's, and the revocation list does not list it.
    credential = jose_jwt.decode(token, keys, algorithms=["EdDSA"]).claims
    index = int(credential["credentialStatus"]["statusListIndex"])
    assert index not in bits_set(status_list_of(client, credential, keys))


# --- revocation -------------------------------------------------------------------------

def test_revoking_a_certificate_sets_its_bit_in_the_signed_status_list_at_once(
    client, certificate, course, admin_user
):
    other = second_certificate(client, course)
    keys = published_keys(client)
    credential = verified(signed_badge(client, certificate), keys)
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    index = int(entry["statusListIndex"])
    assert entry["statusListCredential"] == ACADEMY + "/badges/status/1.jwt"
    other_index = int(verified(signed_badge(client, other), keys)
                      ["credentialStatus"]["statusListIndex"])
    assert index != other_index

    assert bits_set(status_list_of(client, credential, keys)) == set()

    # Revoked by an admin, the existing way (the Wagtail admin's form).
    client.force_login(admin_user)
    client.post(f"/admin/certificates/edit/{certificate.pk}/",
                {"revoked_reason": "Completed by someone else"})
    client.logout()
    certificate.refresh_from_db()
    assert certificate.is_revoked

    status_list = status_list_of(client, credential, keys)
    assert bits_set(status_list) == {index}  # the revoked one; the other is not
    # The list is fresh and says how long it may be kept.
    valid_from = dt.datetime.fromisoformat(status_list["validFrom"].replace("Z", "+00:00"))
    assert timezone.now() - valid_from < dt.timedelta(minutes=1)
    assert status_list["validUntil"] > status_list["validFrom"]
    assert status_list["credentialSubject"]["ttl"] == 300_000

    # openbadgeslib's status check, fetching from the academy, agrees on both.
    def download(url):
        return fetch(client, url)

    (key,) = keys.keys
    pem = key.as_pem(private=False)
    revoked = OB3Verifier(pubkey_pem=pem).verify(signed_badge(client, certificate))
    with pytest.raises(OB3VerificationError, match="'revocation' is set"):
        check_credential_status(revoked, download=download, verify_list=True,
                                list_pubkey_pem=pem)
    valid = OB3Verifier(pubkey_pem=pem).verify(signed_badge(client, other))
    check_credential_status(valid, download=download, verify_list=True, list_pubkey_pem=pem)


def test_a_tampered_status_list_does_not_verify(client, certificate):
    keys = published_keys(client)
    token = client.get(reverse("open_badges_status_list", args=[1])).content.decode()
    header, _payload, signature = token.split(".")
    document = verified(token, keys)
    document["credentialSubject"]["encodedList"] = "u" + base64.urlsafe_b64encode(
        gzip.compress(b"\xff" * (LIST_SIZE // 8))).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        verified(f"{header}.{_b64(document)}.{signature}", keys)


def test_only_lists_that_exist_are_served(client, certificate):
    assert client.get(reverse("open_badges_status_list", args=[1])).status_code == 200
    assert client.get(reverse("open_badges_status_list", args=[2])).status_code == 404
    assert client.get(reverse("open_badges_status_list", args=[0])).status_code == 404


def test_a_certificate_keeps_its_bit_and_two_never_share_one(certificate, course, client,
                                                               monkeypatch):
    index = certificate.badge_status_index
    assert index is not None
    assert 0 <= index < LIST_SIZE
    assert badge_status_allocate(certificate_id=certificate.pk) == index  # kept
    other = second_certificate(client, course)
    Certificate.objects.filter(pk=other.pk).update(badge_status_index=None, badge_salt="")
    # The bit drawn first is the first certificate's: the constraint refuses it, and
    # another is drawn.
    draws = iter([index, (index + 7) % LIST_SIZE])
    monkeypatch.setattr("secrets.SystemRandom.randrange", lambda self, n: next(draws))
    assert badge_status_allocate(certificate_id=other.pk) == (index + 7) % LIST_SIZE
    other.refresh_from_db()
    assert other.badge_status_index == (index + 7) % LIST_SIZE
    assert len(other.badge_salt) == 32


# --- who may fetch it, and the pages ------------------------------------------------------

def test_the_badge_goes_to_anyone_with_the_code_and_a_wrong_code_gets_nothing(
    client, certificate
):
    for name in ("certificate_badge", "certificate_badge_signed"):
        assert client.get(reverse(name, args=[certificate.code])).status_code == 200
        # As typed from paper: lower case, hyphenated.
        typed = certificate_code_display(code=certificate.code).lower()
        assert client.get(reverse(name, args=[typed])).status_code == 200
        assert client.get(reverse(name, args=["7K2M-9QXD-4HPA-WB3T-6RNE"])).status_code == 404
        assert client.post(reverse(name, args=[certificate.code])).status_code == 405
    document = json.loads(client.get(reverse("certificate_badge", args=[certificate.code]))
                          .content)
    assert document["credentialSubject"]["achievement"]["name"] == "Agile basics"


def test_fetching_badges_counts_against_the_verify_pages_rate_limit(
    client, certificate, settings
):
    settings.CERTIFICATE_VERIFY_RATE = "3/m"
    codes = [certificate.code, "no-such-code", certificate.code]
    for code in codes:
        assert client.get(reverse("certificate_badge", args=[code])).status_code in (200, 404)
    response = client.get(reverse("certificate_badge_signed", args=[certificate.code]))
    assert response.status_code == 429


def test_the_verify_page_embeds_the_badge_and_offers_it_in_plain_words(client, certificate):
    page = client.get(reverse("certificate_verify", args=[certificate.code])).content.decode()
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert embedded, "no embedded credential"
    document = json.loads(embedded.group(1))
    served = json.loads(client.get(reverse("certificate_badge", args=[certificate.code]))
                        .content)
    assert document == served
    assert "Download the digital badge" in page
    assert reverse("certificate_badge_signed", args=[certificate.code]) in page
    assert "does not show the learner\u2019s email address" in page


def test_a_revoked_certificates_page_says_its_badge_is_revoked_and_embeds_none(
    client, certificate
):
    services.certificate_revoke(certificate=certificate, reason="Issued in error")
    page = client.get(reverse("certificate_verify", args=[certificate.code])).content.decode()
    assert "digital badge has been revoked too" in page
    assert "application/ld+json" not in page
    assert "Download the digital badge" not in page


def test_the_learner_finds_their_badge_from_the_course_page(client, certificate, learner):
    client.force_login(learner)
    page = client.get(certificate.enrolment.course.url).content.decode()
    assert reverse("certificate_verify", args=[certificate.code]) + "#digital-badge" in page


# --- the key ----------------------------------------------------------------------------

def test_the_key_is_made_once_owner_only_and_kept(settings, tmp_path):
    settings.OPEN_BADGES_KEY_FILE = tmp_path / "keys" / "badges.pem"
    settings.OPEN_BADGES_KEY_CREATE = True
    _key_load.cache_clear()
    try:
        first = badge_key()
        path = tmp_path / "keys" / "badges.pem"
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
        assert [p.name for p in path.parent.iterdir()] == ["badges.pem"]  # no leftovers
        _key_load.cache_clear()
        assert badge_key().public_key() == first.public_key()  # read back, not made again
    finally:
        _key_load.cache_clear()


def test_without_a_key_where_none_may_be_made_it_says_what_to_set(settings, tmp_path):
    settings.OPEN_BADGES_KEY_FILE = tmp_path / "missing.pem"
    settings.OPEN_BADGES_KEY_CREATE = False
    _key_load.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="OPEN_BADGES_KEY_FILE"):
            badge_key()
        assert not (tmp_path / "missing.pem").exists()
    finally:
        _key_load.cache_clear()
