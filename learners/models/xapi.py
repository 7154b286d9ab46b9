"""xAPI (issue 17): the learning record store (LRS) an admin points the academy at, the
stable, non-identifying name each learner has there, and the outbox of statements
waiting to be sent (learners.services.xapi)."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from learners.xapi_admin import LrsSettingsForm

from .users import User

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


def validate_lrs_endpoint(value: str) -> None:
    """An LRS is reached over HTTPS (the key and secret travel in every request); plain
    HTTP only to this machine, for an LRS run beside the academy or in tests."""
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.query or parts.fragment:
        raise ValidationError("Enter the LRS address without a ? or # part, like "
                              "https://lrs.example.gov.uk/xapi/", code="lrs_query")
    if parts.scheme != "https" and (parts.hostname or "") not in {
            host.strip("[]") for host in LOOPBACK_HOSTS}:
        raise ValidationError("The LRS address must start with https:// so the key and "
                              "secret are sent encrypted", code="lrs_not_https")


@register_setting(icon="upload")
class LrsSettings(BaseGenericSetting):
    """Where xAPI statements go: the LRS's endpoint (the address its /statements
    resource is under) and the key and secret it issued (HTTP Basic). Statements are
    written to the outbox only while `enabled` is on. Only academy admins can change
    it (the permission is given to no role)."""

    enabled = models.BooleanField(
        "Send xAPI statements", default=False,
        help_text="When this is off, nothing learners do is queued for the LRS.")
    endpoint = models.URLField(
        "LRS endpoint", max_length=500, blank=True, validators=[validate_lrs_endpoint],
        help_text="The address your LRS gives for xAPI, like https://lrs.example.gov.uk/xapi/")
    key = models.CharField("Key (username)", max_length=200, blank=True)
    secret = models.CharField(
        "Secret (password)", max_length=500, blank=True,
        help_text="Never shown again once saved. Leave blank to keep the one saved.")

    base_form_class = LrsSettingsForm
    panels = [
        FieldPanel("enabled"), FieldPanel("endpoint"), FieldPanel("key"),
        # Never rendered back: the box is always empty (learners.xapi_admin).
        FieldPanel("secret", widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"})),
    ]

    class Meta:
        verbose_name = "Learning record store (xAPI)"

    def __str__(self) -> str:
        return "Learning record store (xAPI)"

    @property
    def statements_url(self) -> str:
        return self.endpoint.rstrip("/") + "/statements"


class XapiActor(models.Model):
    """The learner's name in the LRS: a random UUID, not their email or account id, so
    the LRS (and whoever reads it) learns nothing about who they are. Deleted when the
    learner is erased, which leaves what the LRS holds linked to no one."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="xapi_actor")
    account_name = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    def __str__(self) -> str:
        return str(self.account_name)


class XapiStatement(models.Model):
    """One xAPI statement in the outbox, written in the transaction of the fact it
    reports. `id` is the statement's id, a UUID5 of the fact, so the same fact can only
    ever be one statement (here by the primary key, in the LRS by its id). Pending
    until the LRS stores it (delivered) or refuses it as malformed (rejected)."""

    id = models.UUIDField(primary_key=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=20)
    statement = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at", "created_at"], name="xapi_statement_pending",
                         condition=Q(delivered_at__isnull=True, rejected_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.id}"
