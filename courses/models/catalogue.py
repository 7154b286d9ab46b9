"""The course catalogue at /courses/: search and filters over published courses."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db import models
from django.template import Context
from django.template.loader import get_template
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page
from wagtail.search import index

from content.templatetags.pagination_tags import pagination
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


_blank: list[CatalogueFilterForm] = []


def _blank_form() -> CatalogueFilterForm:
    if not _blank:
        _blank.append(CatalogueFilterForm())
    return _blank[0]


@dataclass(frozen=True)
class CatalogueListing:
    """The catalogue with nothing searched or chosen: (id, title, card HTML) of each
    listed course in order, and the filters' HTML."""

    cards: tuple[tuple[int, str, str], ...]
    filters_html: str


class CourseCard:
    """One course on a page of the kept catalogue: its card as everyone sees it, and
    what the learners app's hook sets for this visitor (made afresh per request)."""

    search_matches = None
    learner_enrolment = None

    def __init__(self, pk: int, title: str, card_html: str):
        self.pk = self.id = pk
        self.title = title
        self.card_html = card_html


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

    def listing(self, request) -> "CatalogueListing":
        """Every listed course's card and the filters with none chosen, rendered: the
        same for everyone, so kept per course tree version (courses.fragments)."""
        from courses.cache import course_tree_version
        from courses.fragments import fragment_kept

        return fragment_kept("catalogue", version=course_tree_version(), key=(self.pk,),
                             build=lambda: self._listing_build(request))

    def _listing_build(self, request) -> "CatalogueListing":
        card = get_template("courses/includes/course_card.html").template
        filters = get_template("courses/includes/catalogue_filters.html").template
        # Rendered with the request alone (no context processors: nothing of the
        # visitor's), which pageurl reads for the site.
        return CatalogueListing(
            cards=tuple(
                (course.pk, course.title,
                 card.render(Context({"course": course, "request": request})))
                for course in self.courses()),
            filters_html=filters.render(Context({"form": CatalogueFilterForm()})),
        )

    def _pagination_html(self, page) -> str:
        from courses.cache import course_tree_version
        from courses.fragments import fragment_kept

        return fragment_kept(
            "catalogue-pages", version=course_tree_version(), key=(self.pk, page.number),
            build=lambda: pagination(page))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        preview = getattr(request, "is_preview", False)
        # With nothing asked, one unbound form serves every learner's request (it is
        # only read: its filters come kept, rendered, and it searches nothing).
        form = (CatalogueFilterForm(request.GET or None) if request.GET or preview
                else _blank_form())
        kept = not preview and not form.active and (not form.is_bound or form.is_valid())
        if kept:
            # Nothing searched or chosen: the kept cards, each page's its own copies.
            listing = self.listing(request)
            context["filters_html"] = listing.filters_html
            courses = listing.cards
        else:
            courses = form.apply(self.courses())
        page = Paginator(courses, self.page_size).get_page(request.GET.get("page"))
        # A list, so hooks and the template share the same course objects.
        page.object_list = ([CourseCard(*card) for card in page.object_list] if kept
                            else list(page.object_list))
        if kept:
            # The links between pages of the kept catalogue (the page number is all
            # they depend on).
            context["pagination_html"] = self._pagination_html(page)
        if not preview and self.slug and request.path.endswith(f"/{self.slug}/"):
            context["catalogue_url"] = request.path  # (no read of the site's root)
        else:
            context["catalogue_url"] = self.get_url(request=request)
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
