"""The completion report's filters, shared by the page, exports and the API."""

from django import forms
from django.db.models import Q

from academy.reports.queries import SORTS, STATUSES
from courses.models import CoursePage
from learners.models import Grade, Organisation, Profession
from learners.scoping import reporting_organisations


class DateInput(forms.DateInput):
    input_type = "date"


class OrganisationField(forms.ModelChoiceField):
    """Shows the organisation tree, each level indented under its parent."""

    def label_from_instance(self, obj):
        return "\u2003" * (obj.depth - 1) + obj.name


class OrganisationsField(forms.ModelMultipleChoiceField):
    label_from_instance = OrganisationField.label_from_instance


class ReportFilterForm(forms.Form):
    organisation = OrganisationField(
        queryset=Organisation.objects.none(), required=False, to_field_name="slug",
        empty_label="All your organisations",
        help_text="Includes the teams below it.",
    )
    grade = forms.ModelChoiceField(queryset=Grade.objects.all(), required=False,
                                   empty_label="All grades")
    profession = forms.ModelChoiceField(queryset=Profession.objects.all(), required=False,
                                        to_field_name="slug", empty_label="All professions")
    course = forms.ModelChoiceField(queryset=CoursePage.objects.none(), required=False,
                                    to_field_name="slug", empty_label="All courses")
    status = forms.ChoiceField(choices=[("", "Any status")] + [(s, s.capitalize())
                                                                for s in STATUSES],
                               required=False)
    required = forms.ChoiceField(
        choices=[("", "Required or not"), ("yes", "Required only"), ("no", "Not required")],
        required=False, label="Required learning",
    )
    enrolled_from = forms.DateField(required=False, label="Enrolled from",
                                    widget=DateInput)
    enrolled_to = forms.DateField(required=False, label="Enrolled to",
                                  widget=DateInput)
    completed_from = forms.DateField(required=False, label="Completed from",
                                     widget=DateInput)
    completed_to = forms.DateField(required=False, label="Completed to",
                                   widget=DateInput)
    sort = forms.ChoiceField(choices=[(k, v[0]) for k, v in SORTS.items()], required=False,
                             widget=forms.HiddenInput)
    order = forms.ChoiceField(choices=[("asc", "asc"), ("desc", "desc")], required=False,
                              widget=forms.HiddenInput)

    FILTER_FIELDS = ("organisation", "grade", "profession", "course", "status", "required",
                     "enrolled_from", "enrolled_to", "completed_from", "completed_to")

    def __init__(self, data=None, *, viewer):
        super().__init__(data)
        self.fields["organisation"].queryset = reporting_organisations(viewer)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")

    def clean(self):
        cleaned = super().clean()
        for start, end, label in (("enrolled_from", "enrolled_to", "Enrolled"),
                                  ("completed_from", "completed_to", "Completed")):
            if cleaned.get(start) and cleaned.get(end) and cleaned[start] > cleaned[end]:
                self.add_error(end, f"{label} to must be the same as or after {label.lower()} from")
        return cleaned

    def apply(self, enrolments):
        """Filter the (already scoped, status-annotated) enrolments. Call only when
        the form is valid; invalid filters show their errors and filter nothing."""
        data = self.cleaned_data
        if data.get("organisation"):
            enrolments = enrolments.filter(
                user__organisation__path__startswith=data["organisation"].path)
        if data.get("grade"):
            enrolments = enrolments.filter(user__grade=data["grade"])
        if data.get("profession"):
            enrolments = enrolments.filter(user__profession=data["profession"])
        if data.get("course"):
            enrolments = enrolments.filter(course=data["course"])
        if data.get("status"):
            enrolments = enrolments.filter(status=data["status"])
        if data.get("required") == "yes":
            enrolments = enrolments.filter(due_on__isnull=False)
        elif data.get("required") == "no":
            enrolments = enrolments.filter(due_on__isnull=True)
        for field, lookup in (("enrolled_from", "enrolled_at__date__gte"),
                              ("enrolled_to", "enrolled_at__date__lte"),
                              ("completed_from", "completed_at__date__gte"),
                              ("completed_to", "completed_at__date__lte")):
            if data.get(field):
                enrolments = enrolments.filter(Q(**{lookup: data[field]}))
        return enrolments

    def as_filters(self) -> dict:
        """The chosen filters as plain values: for exports, the API and the audit log."""
        data = self.cleaned_data
        out = {}
        for name in self.FILTER_FIELDS:
            value = data.get(name)
            if value in (None, ""):
                continue
            if hasattr(value, "slug"):
                out[name] = value.slug
            elif hasattr(value, "pk"):
                out[name] = value.pk
            elif hasattr(value, "isoformat"):
                out[name] = value.isoformat()
            else:
                out[name] = value
        return out
