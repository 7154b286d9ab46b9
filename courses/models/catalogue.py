"""The course catalogue at /courses/: search and filters over published courses."""

from django.core.paginator import Paginator
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from courses.filters import CatalogueFilterForm
from courses.hooks import CATALOGUE_PAGE_CONTEXT, run_context_hooks
from courses.models.review import RoutedFromMap


class Topic(models.Model):
    """What a course is about, for browsing the catalogue (for example: Scrum)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CataloguePage(RoutedFromMap, Page):
    """Lists the published courses beneath it, with search and filters."""

    introduction = models.TextField(blank=True)
    page_size = 10

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["content.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    def courses(self):
        from .course import CoursePage

        courses = CoursePage.objects.live().child_of(self)
        # With no view restriction anywhere (courses.routing knows), public() is all.
        if not getattr(self, "_tree_unrestricted", False):
            courses = courses.public()
        return courses.select_related("topic").order_by("title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        form = CatalogueFilterForm(request.GET or None)
        courses = form.apply(self.courses())
        page = Paginator(courses, self.page_size).get_page(request.GET.get("page"))
        # A list, so hooks and the template share the same course objects.
        page.object_list = list(page.object_list)
        context.update(
            form=form,
            courses=page,
            page_query=form.query_string_without_page(),
            result_count=page.paginator.count,
            # Shown on the folded "Filter courses" control, so a choice is not hidden.
            filters_selected=sum(len(request.GET.getlist(name))
                                 for name in form.fields if name != "q"),
        )
        run_context_hooks(CATALOGUE_PAGE_CONTEXT, request, self, context)
        return context
