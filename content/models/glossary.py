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


# --- Keeping linked lesson bodies fresh (content.cache) ---------------------------
# A draft save of a live term only writes a revision (Wagtail leaves the live row
# alone), so a save of the row is a publish, an unpublish or a direct change; a
# save that leaves a term unpublished throughout touches no lesson.


# A term's fields that lessons show; a save of others (Wagtail's save_revision writes
# only latest_revision) changes no lesson.
LINKED_FIELDS = frozenset({"term", "definition", "also_matches", "link_term", "live"})


def _touches_lessons(update_fields) -> bool:
    return update_fields is None or bool(LINKED_FIELDS & set(update_fields))


def _term_before_save(sender, instance, update_fields=None, **kwargs):
    before = None
    if instance.pk and _touches_lessons(update_fields):
        before = (sender.objects.filter(pk=instance.pk)
                  .values("live", "term", "also_matches").first())
    instance._glossary_before = before


def _term_saved(sender, instance, update_fields=None, **kwargs):
    from content.cache import glossary_changed

    if not _touches_lessons(update_fields):
        return
    before = getattr(instance, "_glossary_before", None)
    was_live = bool(before and before["live"])
    if instance.live or was_live:
        forms = set(instance.link_forms()) | {instance.term}
        if before:
            forms |= {before["term"], *before["also_matches"].splitlines()}
        glossary_changed(forms=sorted(form.strip() for form in forms if form.strip()))


def _term_deleted(sender, instance, **kwargs):
    from content.cache import glossary_changed

    if instance.live:
        glossary_changed(forms=[instance.term, *instance.link_forms()])


def _shown_in_bodies_changed(sender, **kwargs):
    """A document, image or page a lesson body may show changed: bodies are stale."""
    from content.cache import body_version_bump

    body_version_bump()


def connect_signals() -> None:
    """Wired in ContentConfig.ready."""
    from django.db.models.signals import post_delete, post_save, pre_save
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page
    from wagtail.signals import post_page_move

    pre_save.connect(_term_before_save, sender=GlossaryTerm, dispatch_uid="glossary-before")
    post_save.connect(_term_saved, sender=GlossaryTerm, dispatch_uid="glossary-saved")
    post_delete.connect(_term_deleted, sender=GlossaryTerm, dispatch_uid="glossary-deleted")
    for model in (get_document_model(), get_image_model()):
        for signal in (post_save, post_delete):
            signal.connect(_shown_in_bodies_changed, sender=model,
                           dispatch_uid=f"lesson-body-{model._meta.label}-{id(signal)}")
    post_page_move.connect(_shown_in_bodies_changed, dispatch_uid="lesson-body-page-move")
    post_delete.connect(_shown_in_bodies_changed, sender=Page, dispatch_uid="lesson-body-page-del")
