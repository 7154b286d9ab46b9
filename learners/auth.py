"""Sign-in helpers."""


def axes_username(request, credentials) -> str | None:
    """The email a sign-in attempt is for, for django-axes. Our user model signs in
    by email, but Django's sign-in form passes it as `username`; normalised, so
    SAM@… and sam@… count as the same account."""
    value = (credentials or {}).get("username") or request.POST.get("username")
    return value.strip().lower() if value else None
