"""The glossary: plain-English definitions of the words of digital government."""

import re

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.text import slugify
from wagtail.models import DraftStateMixin, RevisionMixin, WorkflowMixin
from wagtail.search import index


class GlossaryTermQuerySet(models.QuerySet):
    def live(self):
        """Terms a moderator has published: the only ones learners see."""
        return self.filter(live=True)


class GlossaryTerm(WorkflowMixin, DraftStateMixin, RevisionMixin, index.Indexed, models.Model):
    """One term and its definition. Lessons link the term wherever it appears,
    with no work by the trainer (content.glossary).

    A term is moderated like a page: a trainer's new term, or their change to a live
    one, is a draft (a revision) until a moderator publishes it, through the
    "Moderators approval" workflow (academy.setup). The row holds the live version;
    learners' pages read only live terms (`GlossaryTerm.objects.live()`)."""

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

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="glossaryterm")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState", content_type_field="base_content_type",
        object_id_field="object_id", related_query_name="glossaryterm",
        for_concrete_model=False)

    objects = GlossaryTermQuerySet.as_manager()

    search_fields = [index.SearchField("term"), index.SearchField("definition")]

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term

    def save(self, *args, **kwargs):
        self.slug = slugify(self.term)
        super().save(*args, **kwargs)

    @property
    def revisions(self):
        return self._revisions

    @property
    def anchor(self) -> str:
        return f"term-{self.slug}"

    def link_forms(self) -> list[str]:
        """Every phrase that links to this term in lesson text."""
        forms = [self.term] if self.link_term else []
        forms += [line.strip() for line in self.also_matches.splitlines() if line.strip()]
        return [re.sub(r"\s+", " ", form) for form in forms]
