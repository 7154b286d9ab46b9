"""Sign-in helpers."""

from learners.identity import email_normalise

AXES_USERNAME_MAX = 255  # AccessAttempt.username and friends


def axes_username(request, credentials) -> str | None:
    """The email a sign-in attempt is for, for django-axes. Our user model signs in
    by email, but Django's sign-in form passes it as `username`; normalised as the
    sign-in itself does (learners.identity), so every spelling that reaches an account
    counts against that one account."""
    value = (credentials or {}).get("username") or request.POST.get("username")
    # Any sign-in form (the admins' too) may send more than axes' 255-character column.
    return email_normalise(value)[:AXES_USERNAME_MAX] or None
