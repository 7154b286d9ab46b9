"""The catalogue's search box and filters, validated as a form."""

import re
from urllib.parse import urlencode

from django import forms
from django.db.models import Q

from courses.choices import DURATION_BUCKETS, FORMAT_CHOICES, LEVEL_CHOICES


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label="Search courses", required=False, max_length=200)
    topic = forms.ModelMultipleChoiceField(
        queryset=None, required=False, to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.MultipleChoiceField(
        choices=LEVEL_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    duration = forms.MultipleChoiceField(
        choices=[(key, label) for key, label, _low, _high in DURATION_BUCKETS],
        required=False, widget=forms.CheckboxSelectMultiple,
    )
    format = forms.MultipleChoiceField(
        choices=FORMAT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        from courses.models import Topic

        super().__init__(*args, **kwargs)
        # What the search found (courses.search.CatalogueSearch), once apply() searched.
        self.search = None
        self.fields["topic"].queryset = Topic.objects.all()

    def apply(self, courses):
        """Filter, then search, the given CoursePage queryset. A search returns a list
        of courses in rank order (courses.search); invalid input (an unknown topic,
        say) filters nothing: the form shows the error instead."""
        if not self.is_bound or not self.is_valid():
            return courses
        data = self.cleaned_data
        if data["topic"]:
            courses = courses.filter(topic__in=data["topic"])
        if data["level"]:
            courses = courses.filter(level__in=data["level"])
        if data["format"]:
            courses = courses.filter(format__in=data["format"])
        if data["duration"]:
            courses = courses.filter(_duration_q(data["duration"]))
        if search_words(data["q"]):
            from courses.search import catalogue_search

            self.search = catalogue_search(courses=courses, query=data["q"])
            return self.search.courses
        return courses

    def query_string_without_page(self) -> str:
        if not self.is_bound:
            return ""
        pairs = [(k, v) for k, values in self.data.lists() if k != "page" for v in values]
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        return self.is_bound and any(
            self.data.get(k) for k in ("q", "topic", "level", "duration", "format")
        )


def search_words(text: str) -> str:
    """The words of a search, without punctuation: quotes, brackets and operators mean
    something to the full-text engines (an unbalanced quote is a syntax error to
    SQLite's), and nothing to a learner looking for a course."""
    return " ".join(re.findall(r"\w+(?:[-']\w+)*", text))


def _duration_q(keys) -> Q:
    """Courses whose length falls in any of the chosen bands."""
    condition = Q(pk__in=[])
    for key, _label, low, high in DURATION_BUCKETS:
        if key in keys:
            condition |= Q(duration_minutes__gte=low, duration_minutes__lt=high)
    return condition
