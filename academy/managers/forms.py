"""HR's forms for people: find someone by email; set their line manager and staff
number; move them to another team."""

from django import forms

from learners.forms import OrganisationChoiceField
from learners.scoping import reporting_organisations


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


class TeamMoveForm(forms.Form):
    """The teams offered are the viewer's own organisations, and nothing else."""

    organisation = OrganisationChoiceField(
        queryset=None, label="Team", empty_label="Choose a team",
        help_text="Only the organisations you report on are listed.",
        error_messages={"required": "Select the team to move them to",
                        "invalid_choice": "Select a team in your organisations"})

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = reporting_organisations(viewer)
