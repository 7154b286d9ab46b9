"""Who may create their own account: the email domains an academy admin allows,
each tied to the part of the organisation tree its people may join."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Lower, StrIndex, Substr


class SignUpDomain(models.Model):
    """People whose work email ends in @`domain` may create their own account, and
    only in `organisation` or a team below it. Removing a domain stops new sign-ups
    from it, and the accounts that signed up with it stop counting as learners
    (User.objects.learners()) until it is allowed again."""

    domain = models.CharField(
        max_length=253, unique=True,
        help_text="The part of the email address after the @, like example.gov.uk.",
    )
    organisation = models.ForeignKey(
        "learners.Organisation", on_delete=models.CASCADE, related_name="sign_up_domains",
        help_text="People with this email domain may join this organisation or a team "
                  "below it.",
    )

    class Meta:
        ordering = ["domain"]
        verbose_name = "sign-up domain"
        constraints = [
            models.UniqueConstraint(Lower("domain"), name="sign_up_domain_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.domain

    def clean(self):
        # Kept in lower case, without a leading @, so look-ups are exact.
        self.domain = (self.domain or "").strip().lstrip("@").lower()
        if "@" in self.domain or "." not in self.domain:
            raise ValidationError({"domain": "Enter a domain like example.gov.uk, "
                                             "without the part before the @"})


def email_domain(field: str):
    """The lower-cased part after the @ of an email field, in SQL."""
    return Lower(Substr(field, StrIndex(field, Value("@")) + 1))


def learner_q(prefix: str = "") -> Q:
    """The one rule for who counts as a learner, as a filter on a User (prefix "") or
    on a row that points to one (prefix "user__"): active, with a verified email
    address, and, if they signed up themselves, with an email domain that is still
    allowed. Accounts HR or an admin made (signed_up_at is null) are vouched for."""
    allowed = SignUpDomain.objects.filter(
        domain=email_domain(OuterRef(f"{prefix}email")))
    return (Q(**{f"{prefix}is_active": True, f"{prefix}email_verified_at__isnull": False})
            & (Q(**{f"{prefix}signed_up_at__isnull": True}) | Q(Exists(allowed))))
