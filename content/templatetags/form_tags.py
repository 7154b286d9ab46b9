"""`{% select_options field %}`: a select's <option>s, for includes/field.html. Written
here rather than by a {% for %} in the template: a filter form lists a hundred courses,
and the loop, asking the field for its value once an option, was most of the report
page's time (issue 15). The same markup the template wrote."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _escaped(value) -> str:
    """As the template's {{ value }}: safe markup as it is, anything else escaped
    (django.utils.html.conditional_escape, without its lazy-string wrapper)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


@register.simple_tag
def select_options(field):
    current = str(field.value())
    options = []
    # A for loop, not list(): a model field's choices would count its rows first.
    for value, label in field.field.choices:
        selected = " selected" if str(value) == current else ""
        options.append(f'<option value="{_escaped(value)}"{selected}>{_escaped(label)}</option>')
    return mark_safe("\n".join(options))  # noqa: S308  # nosec B308 B703 - escaped above
