"""The compliance view's filters: the form that reads and checks them from a request.
The organisation is not a field the person chooses from a list: they drill down the
tree by links, and the form carries the slug along."""

from django import forms

from academy.dates import GovukDateField
from academy.reports.compliance import ComplianceFilters
from courses.models import CoursePage
from learners.models import ComplianceStatus, Grade, Profession


class ComplianceFilterForm(forms.Form):
    organisation = forms.SlugField(required=False, widget=forms.HiddenInput)
    course = forms.ModelChoiceField(queryset=CoursePage.objects.none(), required=False,
                                    to_field_name="slug", empty_label="All courses")
    grade = forms.ModelChoiceField(queryset=Grade.objects.all(), required=False,
                                   empty_label="All grades")
    profession = forms.ModelChoiceField(queryset=Profession.objects.all(), required=False,
                                        to_field_name="slug", empty_label="All professions")
    status = forms.ChoiceField(choices=[("", "Any status"), *ComplianceStatus.choices],
                               required=False)
    due_from = GovukDateField(label="Due from", required=False)
    due_to = GovukDateField(label="Due to", required=False)

    def __init__(self, data=None):
        super().__init__(data)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("due_from"), cleaned.get("due_to")
        if start and end and start > end:
            self.add_error("due_to", "Due to must be the same as or after due from")
        return cleaned

    def filters(self) -> ComplianceFilters:
        """The chosen filters. Call only when the form is valid: invalid filters show
        their errors and select nothing."""
        data = self.cleaned_data
        return ComplianceFilters(
            organisation=data.get("organisation") or None,
            course=data["course"].slug if data.get("course") else None,
            grade=data["grade"].pk if data.get("grade") else None,
            profession=data["profession"].slug if data.get("profession") else None,
            status=data.get("status") or None,
            due_from=data.get("due_from"), due_to=data.get("due_to"),
        )
