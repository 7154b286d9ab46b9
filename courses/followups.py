"""Which follow-up points a course asks at: "have you used this at work?" 30, 60 and/or
90 days after a learner completes it (learners.services.followups sends them)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

# The points a course may ask at, in days after completion.
FOLLOWUP_POINTS = (30, 60, 90)


def followup_points_default() -> list[int]:
    return list(FOLLOWUP_POINTS)


def followup_points_validate(value) -> None:
    if not isinstance(value, list) or any(point not in FOLLOWUP_POINTS for point in value):
        raise ValidationError("Choose from 30, 60 and 90 days, or none")


class FollowUpPointsField(models.JSONField):
    """A list of days drawn from FOLLOWUP_POINTS, edited as three checkboxes (none
    ticked: the course asks nothing)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", followup_points_default)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("validators", [followup_points_validate])
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            label=kwargs.get("label", self.verbose_name.capitalize()),
            help_text=self.help_text, required=False, coerce=int,
            choices=[(days, f"{days} days after they complete") for days in FOLLOWUP_POINTS],
            widget=forms.CheckboxSelectMultiple)

    def get_prep_value(self, value):
        # Stored in order, once each, whatever order they were ticked in.
        if isinstance(value, list):
            value = sorted(set(value))
        return super().get_prep_value(value)
