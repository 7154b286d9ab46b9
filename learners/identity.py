"""One rule for what an email address is, used wherever one comes in: sign-in (and its
lockout key), sign-up, password reset, accounts HR and admins make, and look-ups by
address (docs/security.md, "Identity").

An address is NFKC-normalised, trimmed and case-folded, and must then be ASCII. Two
spellings that reach one account always normalise to one string, so django-axes counts
them as one name; and no look-alike (a dotless i, U+0131, or a Kelvin sign) can reach
another account through PostgreSQL's case-insensitive comparison, as look-ups compare the
normalised address exactly and no stored address has such characters in it."""

import unicodedata

from django.core.exceptions import ValidationError

NOT_ASCII = ("Enter an email address using only the letters a to z, numbers and the "
             "symbols . _ - + and @, like name@example.gov.uk")


def email_normalise(value: str | None) -> str:
    """The one spelling of an address: NFKC (full-width letters become plain ones),
    trimmed, case-folded."""
    return unicodedata.normalize("NFKC", value or "").strip().casefold()


def email_acceptable(value: str | None) -> bool:
    """Whether the address, normalised, is one the academy accepts: ASCII only, in the
    part before the @ and in the domain (an international domain in its xn-- form)."""
    return email_normalise(value).isascii()


def validate_email_ascii(value: str) -> None:
    """Field validator: refuses an address with letters outside ASCII once normalised."""
    if not email_acceptable(value):
        raise ValidationError(NOT_ASCII, code="not_ascii")
