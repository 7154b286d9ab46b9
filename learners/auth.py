"""Sign-in helpers."""

from learners.identity import email_normalise


def axes_username(request, credentials) -> str | None:
    """The email a sign-in attempt is for, for django-axes. Our user model signs in
    by email, but Django's sign-in form passes it as `username`; normalised as the
    sign-in itself does (learners.identity), so every spelling that reaches an account
    counts against that one account."""
    value = (credentials or {}).get("username") or request.POST.get("username")
    return email_normalise(value) or None
