"""Words for instructor-led sessions in templates: "3rd" on the waiting list, and when
a session is, in the department's time zone."""

from django import template
from django.contrib.humanize.templatetags.humanize import ordinal as humanize_ordinal
from django.utils import timezone
from django.utils.formats import date_format

from learners.templatetags.learning import govuk_time

register = template.Library()


@register.filter
def ordinal(value) -> str:
    """3 -> "3rd"."""
    return humanize_ordinal(value)


@register.filter
def session_when(session) -> str:
    """"Tuesday 8 December 2026, 10am to 4:30pm" in Europe/London; a session over two
    days names both."""
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    day = date_format(starts, "l j F Y")
    if starts.date() == ends.date():
        return f"{day}, {govuk_time(starts)} to {govuk_time(ends)}"
    return f"{day}, {govuk_time(starts)} to {date_format(ends, 'l j F Y')}, {govuk_time(ends)}"


@register.filter
def session_moment(value) -> str:
    """"5pm on Tuesday 8 December 2026" in Europe/London."""
    value = timezone.localtime(value)
    return f"{govuk_time(value)} on {date_format(value, 'l j F Y')}"
