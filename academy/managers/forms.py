"""HR's forms for people: find someone by email; set their line manager and staff
number."""

from django import forms


class PersonFindForm(forms.Form):
    email = forms.EmailField(
        label="Email address", max_length=254,
        error_messages={"required": "Enter the person's email address",
                        "invalid": "Enter an email address in the correct format, like "
                                   "name@example.gov.uk"})


class LineManagerForm(forms.Form):
    line_manager_email = forms.EmailField(
        label="Line manager's email address", required=False, max_length=254,
        help_text="They must have an account on the academy and be in your organisations. "
                  "Leave blank if this person has no line manager.",
        error_messages={"invalid": "Enter the line manager's email address in the correct "
                                   "format, like name@example.gov.uk"})
    staff_number = forms.CharField(
        label="Staff number (optional)", required=False, max_length=30,
        help_text="Your department's own number for this person.",
        error_messages={"max_length": "Staff number must be 30 characters or fewer"})
