"""HR forms: required learning (setting, changing, extending a deadline) and bulk
enrolment."""

from django import forms
from django.utils import timezone

from academy.dates import GovukDateField
from academy.reports.bulk import bulk_file_read
from academy.reports.filters import OrganisationsField
from courses.models import CoursePage
from learners.models import Grade, Profession, RequiredLearning
from learners.scoping import reporting_organisations


class RequiredLearningForm(forms.ModelForm):
    course = forms.ModelChoiceField(queryset=CoursePage.objects.none(),
                                    empty_label="Choose a course",
                                    error_messages={"required": "Choose a course"})
    organisations = OrganisationsField(
        queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text="Everyone in these organisations and the teams below them.",
        error_messages={"required": "Choose at least one organisation"},
    )
    grades = forms.ModelMultipleChoiceField(
        queryset=Grade.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every grade.",
    )
    professions = forms.ModelMultipleChoiceField(
        queryset=Profession.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every profession.",
    )
    due_on = GovukDateField(label="Due date")

    class Meta:
        model = RequiredLearning
        fields = ["course", "organisations", "grades", "professions", "due_on",
                  "recurrence_months"]
        labels = {"recurrence_months": "Repeat every (months)"}
        help_texts = {"recurrence_months": "Optional. For learning people must renew, such "
                      "as every 12 months. Leave blank for once only."}

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a change: another course would be another assignment
            del self.fields["course"]
        else:
            self.fields["course"].queryset = CoursePage.objects.live().order_by("title")
        self.fields["organisations"].queryset = reporting_organisations(viewer)

    def clean(self):
        cleaned = super().clean()
        course = cleaned.get("course") or (self.instance.course if self.instance.pk else None)
        if course is not None and not self.has_error("recurrence_months"):
            conflict = course.certificate_recurrence_conflict(
                recurrence_months=cleaned.get("recurrence_months"))
            if conflict:
                self.add_error("recurrence_months", conflict)
        return cleaned

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        unchanged = self.instance.pk and due == self.initial.get("due_on")
        if due < timezone.localdate() and not unchanged:
            raise forms.ValidationError("The due date must be today or in the future")
        return due


class DeadlineExtensionForm(forms.Form):
    """More time for one person: a later date and the reason for it."""

    due_on = GovukDateField(label="New due date")
    reason = forms.CharField(
        label="Reason for the extension", widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000, help_text="Only HR reporters for this person can see this.",
        error_messages={"required": "Enter the reason for the extension",
                        "max_length": "The reason must be 2,000 characters or fewer"})

    def __init__(self, *args, current_due_on, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_due_on = current_due_on

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due <= self.current_due_on:
            raise forms.ValidationError(
                f"The new due date must be after the current due date, "
                f"{self.current_due_on:%-d %B %Y}")
        if due < timezone.localdate():
            raise forms.ValidationError("The new due date must be today or in the future")
        return due


class BulkEnrolmentForm(forms.Form):
    """A CSV or Excel file to check. A clean form's `file` is the file's rows
    (academy.reports.bulk.BulkFile); problems with the file as a whole are its
    errors."""

    file = forms.FileField(
        label="Upload a CSV or Excel file",
        help_text="Columns: email, course (its name or web address ending), and "
        "optionally due_date (DD/MM/YYYY), staff_number and line_manager_email.",
        error_messages={"required": "Choose a CSV or Excel file to upload",
                        "empty": "The file is empty"},
    )

    def clean_file(self):
        return bulk_file_read(self.cleaned_data["file"])
