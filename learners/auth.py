"""Sign-in helpers, and the backend that reads the signed-in person."""

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from content.sql import ModelColumns
from learners.identity import email_normalise
from learners.people_kept import person_row

AXES_USERNAME_MAX = 255  # AccessAttempt.username and friends


def axes_username(request, credentials) -> str | None:
    """The email a sign-in attempt is for, for django-axes. Our user model signs in
    by email, but Django's sign-in form passes it as `username`; normalised as the
    sign-in itself does (learners.identity), so every spelling that reaches an account
    counts against that one account."""
    value = (credentials or {}).get("username") or request.POST.get("username")
    # Any sign-in form (the admins' too) may send more than axes' 255-character column.
    return email_normalise(value)[:AXES_USERNAME_MAX] or None


class AcademyModelBackend(ModelBackend):
    """Django's ModelBackend, reading the signed-in person's row (on every signed-in
    request) by SQL written once from the user model's own names (content.sql): the ORM
    spent longer building `User.objects.get(pk=...)` than PostgreSQL spent running it
    (issue 15). Every column, as the ORM would give them; the same refusal of an
    inactive account. Within a request, a row this process read for an earlier one is
    used while no write has changed it (learners.people_kept)."""

    def get_user(self, user_id):
        user = _user_fetch().fetch(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class _UserFetch:
    def __init__(self):
        from django.db import connection

        from learners.models import User

        self.columns = ModelColumns(User, aliases={User: "u"})
        quote = connection.ops.quote_name
        self.pk_field = User._meta.pk
        self.sql = (f"SELECT {self.columns.sql} FROM {quote(User._meta.db_table)} u"  # noqa: S608  # nosec B608
                    f" WHERE u.{quote(self.pk_field.column)} = %s")

    def fetch(self, user_id):
        try:
            user_id = self.pk_field.to_python(user_id)
        except ValidationError:
            return None
        row = person_row(user_id, self.row)
        return None if row is None else self.columns.instance(row)

    def row(self, user_id) -> tuple | None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(self.sql, [user_id])
            return cursor.fetchone()


@cache
def _user_fetch() -> _UserFetch:
    return _UserFetch()
