"""The glossary: plain-English definitions of the words of digital government."""

import re

from django.db import models
from django.utils.text import slugify
from wagtail.search import index


class GlossaryTerm(index.Indexed, models.Model):
    """One term and its definition. Lessons link the term wherever it appears,
    with no work by the trainer (content.glossary)."""

    term = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, editable=False)
    definition = models.TextField(
        help_text="One to three plain-English sentences, for someone new to digital work."
    )
    also_matches = models.TextField(
        blank=True,
        help_text="Other forms to link in lessons, one per line: plurals, abbreviations, "
        "other spellings (for example: sprints).",
    )
    link_term = models.BooleanField(
        default=True,
        help_text="Untick when the term itself is an everyday word that would be linked "
        "wrongly (such as 'live'); the other forms are still linked.",
    )

    search_fields = [index.SearchField("term"), index.SearchField("definition")]

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def save(self, *args, **kwargs):
        self.slug = slugify(self.term)
        super().save(*args, **kwargs)

    @property
    def anchor(self) -> str:
        return f"term-{self.slug}"

    def link_forms(self) -> list[str]:
        """Every phrase that links to this term in lesson text."""
        forms = [self.term] if self.link_term else []
        forms += [line.strip() for line in self.also_matches.splitlines() if line.strip()]
        return [re.sub(r"\s+", " ", form) for form in forms]
