"""The completion report's filters: `ReportFilters`, a small typed value that the page,
exports (in the worker), the API and the audit log all use, and the form that reads
and checks it from a request."""

import copy
import logging
from dataclasses import asdict, dataclass, fields
from datetime import date

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html

from academy.dates import GovukDateField
from academy.reports.columns import OPTIONAL_CHOICES, SORTS
from courses.cache import (
    course_tree_version,
    version_token_bump,
    version_token_held,
    version_token_read_with_request,
)
from courses.models import CoursePage
from learners.models import EnrolmentStatus, Grade, Organisation, Profession
from learners.scoping import reporting_organisations
from learners.services.certificate_expiry import CERTIFICATE_EXPIRES_WITHIN, EXPIRED

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportFilters:
    """The report's filters as plain values: slugs and ids, not records, so they can be
    stored with an export, keyed in a cache and written to the audit log. Which records
    they select is always decided against a viewer's scope (reports.selectors)."""

    organisation: str | None = None  # slug; includes the teams below it
    grade: int | None = None
    profession: str | None = None  # slug
    course: str | None = None  # slug
    status: str | None = None  # EnrolmentStatus
    required: str | None = None  # "yes" or "no"
    enrolled_from: date | None = None
    enrolled_to: date | None = None
    completed_from: date | None = None
    completed_to: date | None = None
    # Issue 17: "30", "60", "90" (runs out within that many days) or "expired".
    certificate_expires: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "ReportFilters":
        """From as_dict's output (an export's stored filters)."""
        values = {}
        for field in fields(cls):
            value = data.get(field.name)
            if value in (None, ""):
                continue
            if field.name.endswith(("_from", "_to")) and isinstance(value, str):
                value = date.fromisoformat(value)
            elif field.name == "grade":
                value = int(value)
            values[field.name] = value
        return cls(**values)

    def as_dict(self) -> dict:
        """Only the filters chosen, as JSON-ready values."""
        return {name: value.isoformat() if isinstance(value, date) else value
                for name, value in asdict(self).items() if value not in (None, "")}


class HiddenValue(forms.HiddenInput):
    """A hidden input written here rather than by the form renderer's templates (an
    include for the input and another for its attributes): the report's three were a
    tenth of its time (issue 15). The same markup as Django's."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], widget["name"],
                           shown, flatatt(widget["attrs"]))


class OrganisationField(forms.ModelChoiceField):
    """Shows the organisation tree, each level indented under its parent."""

    def label_from_instance(self, obj):
        return "\u2003" * (obj.depth - 1) + obj.name


class ChoicesFromColumns(ModelChoiceIterator):
    """A select's choices as (value, label) read in one query of two columns, not as a
    model object each: a course is a Wagtail page, and loading every live course as
    one to list it was most of the filter form's time (issue 15). The field names the
    label's column (`label_field`); choosing still reads the record from the queryset
    (ModelChoiceField.to_python), so only what the queryset holds is valid."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list(self.field.to_field_name or "pk",
                                             self.field.label_field)


class ColumnChoiceField(forms.ModelChoiceField):
    iterator = ChoicesFromColumns

    def __init__(self, *args, label_field: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_field = label_field  # what str() of a record shows


class OrganisationsField(forms.ModelMultipleChoiceField):
    label_from_instance = OrganisationField.label_from_instance


class ColumnsField(forms.MultipleChoiceField):
    """The records table's optional columns, as checkboxes. A name that is not a column
    is dropped, not an error: the report still opens from an old link."""

    widget = forms.CheckboxSelectMultiple

    def clean(self, value):
        known = {key for key, _heading in self.choices}
        return [key for key in self.to_python(value) if key in known]


class FieldsCopiedWhereChanged(dict):
    """A form's base_fields that each form copies (as Django's BaseForm deep-copies them
    all) only where a form may change them: its model choice fields, whose querysets
    are set or evaluated per form. The others (choices, dates, columns) are never
    changed once declared, by the form or by rendering, and are shared: copying them
    was most of making the report's form (issue 15)."""

    def __init__(self, fields: dict, *, copied: tuple[str, ...]):
        super().__init__(fields)
        self.copied = frozenset(copied)

    def __deepcopy__(self, memo):
        return {name: copy.deepcopy(field, memo) if name in self.copied else field
                for name, field in self.items()}


CHOICES_VERSION_KEY = "report-filter-choices:version"
# Read with the course tree version at the start of each request, in its round trip.
version_token_read_with_request(CHOICES_VERSION_KEY)


def filter_choices_version() -> str | None:
    """A token that changes whenever the filter form's lists could: the course tree
    version (a course published, unpublished, renamed or moved) and this one, which a
    grade or profession saved or deleted changes (filter_choices_changed). None when the
    cache cannot be read: then nothing is kept."""
    tree = course_tree_version()
    if tree is None:
        return None
    own = version_token_held(CHOICES_VERSION_KEY)
    return f"{tree}:{own}" if own else None


def filter_choices_changed(sender=None, **kwargs) -> None:
    """post_save and post_delete of a grade or profession (wired in AcademyConfig.ready):
    a new token now and again when the transaction commits, as courses.cache does (a
    view that read the lists before the change was visible keeps nothing useful)."""
    version_token_bump(CHOICES_VERSION_KEY)


class ReportFilterForm(forms.Form):
    # Chosen by following the "Completion by organisation" table's links down the tree
    # (and the trail back up), not from a list: a department has thousands. Kept in a
    # hidden field so other filters keep it; a slug outside the viewer's scope is an
    # error, as any choice not offered is.
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), required=False, to_field_name="slug",
        widget=HiddenValue,
    )
    grade = ColumnChoiceField(queryset=Grade.objects.all(), required=False,
                              empty_label="All grades", label_field="name")
    profession = ColumnChoiceField(queryset=Profession.objects.all(), required=False,
                                   to_field_name="slug", empty_label="All professions",
                                   label_field="name")
    course = ColumnChoiceField(queryset=CoursePage.objects.none(), required=False,
                               to_field_name="slug", empty_label="All courses",
                               label_field="title")
    status = forms.ChoiceField(choices=[("", "Any status"), *EnrolmentStatus.choices],
                               required=False)
    required = forms.ChoiceField(
        choices=[("", "Required or not"), ("yes", "Required only"), ("no", "Not required")],
        required=False, label="Required learning",
    )
    enrolled_from = GovukDateField(required=False, label="Enrolled from")
    enrolled_to = GovukDateField(required=False, label="Enrolled to")
    completed_from = GovukDateField(required=False, label="Completed from")
    completed_to = GovukDateField(required=False, label="Completed to")
    certificate_expires = forms.ChoiceField(
        choices=[("", "Any time or never"),
                 *[(str(days), f"In the next {days} days")
                   for days in CERTIFICATE_EXPIRES_WITHIN],
                 (EXPIRED, "Already expired")],
        required=False, label="Certificate runs out",
        help_text="Certificates for courses that must be renewed. Leaves out revoked "
                  "certificates and ones the person has already renewed.",
    )
    sort = forms.ChoiceField(choices=[(k, v[0]) for k, v in SORTS.items()], required=False,
                             widget=HiddenValue)
    order = forms.ChoiceField(choices=[("asc", "asc"), ("desc", "desc")], required=False,
                              widget=HiddenValue)
    columns = ColumnsField(
        choices=OPTIONAL_CHOICES, required=False, label="Show these columns as well",
        help_text="The table always shows name, organisation, course, status, progress "
                  "and due date. Exports have every column.",
    )

    FILTER_FIELDS = ("organisation", "grade", "profession", "course", "status", "required",
                     "enrolled_from", "enrolled_to", "completed_from", "completed_to",
                     "certificate_expires")

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

    def filters(self) -> ReportFilters:
        """The chosen filters as a ReportFilters. Call only when the form is valid;
        invalid filters show their errors and filter nothing."""
        data = self.cleaned_data
        values = {}
        for name in self.FILTER_FIELDS:
            value = data.get(name)
            if value in (None, ""):
                continue
            if hasattr(value, "slug"):
                value = value.slug
            elif hasattr(value, "pk"):
                value = value.pk
            values[name] = value
        return ReportFilters(**values)


ReportFilterForm.base_fields = FieldsCopiedWhereChanged(
    ReportFilterForm.base_fields,
    copied=tuple(name for name, field in ReportFilterForm.base_fields.items()
                 if isinstance(field, forms.ModelChoiceField)))
