"""Where a civil servant works: the organisation tree, grades and professions."""

from django.db import models
from treebeard.mp_tree import MP_Node


class Organisation(MP_Node):
    """A department, directorate or team. Any depth; a materialised path
    (django-treebeard, which Wagtail already uses for pages) makes "this
    organisation and everything below it" a single indexed prefix query."""

    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=100, unique=True)

    node_order_by = ["name"]

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
