"""Template tags for the learning record: one way to show a status, whichever page."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from learners.models import ComplianceStatus, EnrolmentStatus, JobStatus

register = template.Library()

# GOV.UK tag colours by status: green is done, red needs action now, yellow soon.
_COLOURS = {
    EnrolmentStatus.COMPLETED: "green",
    EnrolmentStatus.IN_PROGRESS: "light-blue",
    EnrolmentStatus.OVERDUE: "red",
    ComplianceStatus.COMPLETED_ON_TIME: "green",
    ComplianceStatus.COMPLETED_LATE: "orange",
    ComplianceStatus.DUE_SOON: "yellow",
    ComplianceStatus.NOT_YET_DUE: "grey",
    JobStatus.DONE: "green",
    JobStatus.FAILED: "red",
}
_LABELS = {**dict(EnrolmentStatus.choices), **dict(ComplianceStatus.choices)}


def status_label(status: str) -> str:
    """The words a person sees for a status value (the same on screen and in exports)."""
    return _LABELS.get(status, str(status).capitalize())


@register.simple_tag
def status_tag(status: str):
    """A GOV.UK tag for an enrolment, compliance or job status."""
    colour = _COLOURS.get(status, "grey")
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour,
                       status_label(status))


register.filter("status_label", status_label)


@register.filter
def govuk_time(value) -> str:
    """A time as GOV.UK writes it, in the department's time zone: "8:33am", "5pm",
    "midday", "midnight" (the GOV.UK style guide; Django's "a" gives "a.m.")."""
    if value in (None, ""):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    if value.minute == 0 and value.hour in (0, 12):
        return "midnight" if value.hour == 0 else "midday"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


@register.filter
def notes_for(activity_notes, block_id: str):
    """The answer box of one activity on the lesson page (learners.wagtail_hooks), or
    None where there is none to show (not enrolled, a preview)."""
    return activity_notes.get(block_id) if activity_notes else None
