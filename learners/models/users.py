"""The academy's user: a civil servant who signs in with their work email."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from learners.identity import email_acceptable, email_normalise, validate_email_ascii


class UserQuerySet(models.QuerySet):
    """Writes to many people at once send no signal, so each says that every kept row
    of a person is to be read afresh (learners.people_kept); bulk_update() goes through
    update()."""

    def update(self, **kwargs):
        from learners.people_kept import people_changed

        people_changed()
        return super().update(**kwargs)

    def _update(self, values):
        from learners.people_kept import people_changed

        people_changed()
        return super()._update(values)

    def learners(self):
        """People who count as learners: see learners.models.signup.learner_q."""
        from learners.models.signup import learner_q

        return self.filter(learner_q())


class AcademyUserManager(UserManager.from_queryset(UserQuerySet)):
    """Creates users by email; there is no username."""

    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """The one spelling of an address (learners.identity), for every way in."""
        return email_normalise(email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        if not email_acceptable(email):
            raise ValueError(f"Not an ASCII email address: {email!r}")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Exactly the normalised address: a case-insensitive match in PostgreSQL would
        # let a look-alike (with a dotless i, U+0131) reach admin@… (learners.identity).
        return self.get(email=email_normalise(username))


class User(AbstractUser):
    """Signs in with email. First and last name are kept as two fields because
    Wagtail's user administration requires them (docs/decisions.md)."""

    username = None
    email = models.EmailField("email address", unique=True, validators=[validate_email_ascii])
    organisation = models.ForeignKey(
        "learners.Organisation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="members",
    )
    grade = models.ForeignKey(
        "learners.Grade", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    profession = models.ForeignKey(
        "learners.Profession", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Set by HR, a bulk upload or the API. A line manager sees their direct reports'
    # required learning and progress, and no one else's.
    line_manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    staff_number = models.CharField(
        max_length=30, blank=True,
        help_text="Optional: the department's own number for this person (from HR).",
    )

    # Accounts HR or an admin create (bulk upload, API, Wagtail admin, createsuperuser,
    # the demo) are vouched for, so verified when made; self sign-up clears this until
    # the person follows the link in their email.
    email_verified_at = models.DateTimeField(
        null=True, blank=True, default=timezone.now,
        help_text="When the email address was confirmed (empty: not yet).",
    )
    # Set only by self sign-up: such an account counts only while its email domain is
    # an allowed sign-up domain (learners.models.signup).
    signed_up_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = AcademyUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="learners_user_email_ci_unique"),
            models.UniqueConstraint(fields=["staff_number"], condition=~Q(staff_number=""),
                                    name="one_person_per_staff_number"),
            models.CheckConstraint(condition=~Q(line_manager=models.F("pk")),
                                   name="not_own_line_manager"),
        ]
        # The report's records are sorted by name by default: with this index the first
        # page of 300,000 comes from the first rows in order, not a sort of them all.
        # The id too: people with the same name come in its order, so a page reads its
        # own people's records and no more, however many share a name (issue 15).
        indexes = [models.Index(fields=["last_name", "first_name", "id"],
                                name="user_name_id_idx")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @classmethod
    def normalize_username(cls, username):
        # Model.clean (every ModelForm: the Wagtail admin's user forms, sign-up) stores
        # the one spelling of the address.
        return email_normalise(username)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None
