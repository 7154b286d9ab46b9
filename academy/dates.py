"""Dates entered the GOV.UK way: three boxes for day, month and year, with the Design
System's error messages, which name the field (design-system.service.gov.uk/components/
date-input/). Used for due dates and report date ranges."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes (numeric keypad on phones). The inputs are named
    `<name>_day`, `<name>_month` and `<name>_year`; the day box has the field's id,
    so the error summary's link lands on it."""

    template_name = "academy/includes/date_input_widget.html"

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "autocomplete": "off"}
        super().__init__({"day": forms.TextInput(box), "month": forms.TextInput(box),
                          "year": forms.TextInput(box)}, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base = context["widget"]["attrs"].get("id")
        for unit, sub in zip(("day", "month", "year"), context["widget"]["subwidgets"],
                             strict=True):
            sub["unit"] = unit
            if base:
                sub["attrs"]["id"] = f"{base}_{unit}"
        return context

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else ""


class GovukDateBoundField(BoundField):
    """Tells the widget when the field has an error, so every box is outlined red."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            attrs["has_error"] = True
        return attrs


class GovukDateField(forms.MultiValueField):
    """A date from three boxes. Errors, as the Design System words them:
    "Enter the due date", "Due date must include a month", "Due date must be a real
    date" (with `label` "Due date")."""

    widget = GovukDateWidget
    bound_field_class = GovukDateBoundField

    def __init__(self, *, label: str, hint: str = "For example, 27 3 2027",
                 required: bool = True, **kwargs):
        parts = (forms.CharField(required=False), forms.CharField(required=False),
                 forms.CharField(required=False))
        super().__init__(parts, label=label, help_text=hint, required=required,
                         require_all_fields=False, **kwargs)

    def clean(self, value):
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        name = str(self.label)
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter the {name[0].lower() + name[1:]}",
                                      code="required")
            return None
        missing = [unit for unit, part in zip(("day", "month", "year"), parts, strict=True)
                   if not part]
        if missing:
            raise ValidationError(f"{name} must include a {' and a '.join(missing)}",
                                  code="incomplete")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError("a year has four digits")
            value = date(year, month, day)
        except (ValueError, OverflowError):  # a number too big for a date is not one
            raise ValidationError(f"{name} must be a real date", code="invalid") from None
        self.run_validators(value)
        return value

    def compress(self, data_list):  # clean() does the work; kept for MultiValueField
        return data_list
