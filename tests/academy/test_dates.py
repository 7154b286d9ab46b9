"""GOV.UK date inputs: three boxes, and the Design System's error messages, which name
the field."""

import pytest
from django import forms

from academy.dates import GovukDateField


class DueForm(forms.Form):
    due_on = GovukDateField(label="Due date")
    since = GovukDateField(label="Enrolled from", required=False)


def _errors(**boxes):
    form = DueForm({f"due_on_{unit}": value for unit, value in boxes.items()})
    form.is_valid()
    return form.errors.get("due_on", []), form.cleaned_data.get("due_on")


@pytest.mark.parametrize(("boxes", "message"), [
    ({}, "Enter the due date"),
    ({"day": "3", "year": "2027"}, "Due date must include a month"),
    ({"month": "3"}, "Due date must include a day and a year"),
    ({"day": "31", "month": "2", "year": "2027"}, "Due date must be a real date"),
    ({"day": "x", "month": "2", "year": "2027"}, "Due date must be a real date"),
    ({"day": "1", "month": "2", "year": "27"}, "Due date must be a real date"),
])
def test_each_mistake_gets_the_patterns_message(boxes, message):
    assert _errors(**boxes) == ([message], None)


def test_a_real_date_is_read_from_the_three_boxes():
    from datetime import date

    assert _errors(day=" 7 ", month="03", year="2027") == ([], date(2027, 3, 7))


def test_an_optional_date_may_be_left_empty():
    form = DueForm({"due_on_day": "1", "due_on_month": "1", "due_on_year": "2030"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["since"] is None


def test_the_boxes_are_labelled_and_the_error_summary_links_to_the_day():
    from django.template.loader import render_to_string

    form = DueForm({"due_on_day": "31", "due_on_month": "2", "due_on_year": "2027"})
    form.is_valid()
    html = render_to_string("academy/includes/date_input.html", {"field": form["due_on"]})
    for unit in ("day", "month", "year"):
        assert f'<label class="govuk-label govuk-date-input__label" for="id_due_on_{unit}">' \
            in html
        assert f'name="due_on_{unit}"' in html
    assert html.count("govuk-input--error") == 3
    assert "<legend" in html
    summary = render_to_string("includes/error_summary.html", {"form": form})
    assert 'href="#id_due_on_day"' in summary
