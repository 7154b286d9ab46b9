"""Where a civil servant works: the organisation tree, grades and professions."""

from django.db import models
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class ScopeWrites:
    """For a queryset of rows an HR reporter's scope is read from (organisations and
    reporting scopes): writes to many rows at once send no signal, so each says that
    everyone's scope is to be read afresh (learners.scoping.SCOPES_KEY). bulk_update()
    goes through update(), and so do treebeard's moves and sorted inserts, which
    rewrite other organisations' paths (a kept path could then name another)."""

    def update(self, **kwargs):
        from learners.scoping import scopes_changed

        scopes_changed()
        return super().update(**kwargs)

    def _update(self, values):
        from learners.scoping import scopes_changed

        scopes_changed()
        return super()._update(values)

    def bulk_create(self, *args, **kwargs):
        from learners.scoping import scopes_changed

        created = super().bulk_create(*args, **kwargs)
        scopes_changed()
        return created


class OrganisationQuerySet(ScopeWrites, MP_NodeQuerySet):
    pass


class OrganisationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganisationQuerySet(self.model, using=self._db).order_by("path")


class Organisation(MP_Node):
    """A department, directorate or team. Any depth; a materialised path
    (django-treebeard, which Wagtail already uses for pages) makes "this
    organisation and everything below it" a single indexed prefix query."""

    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=100, unique=True)

    node_order_by = ["name"]

    objects = OrganisationManager()

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Grade(models.Model):
    """A civil service grade, such as EO or Grade 7. `rank` orders them from the most
    junior."""

    name = models.CharField(max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class Profession(models.Model):
    """A civil service profession, such as Policy or Digital, data and technology."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
