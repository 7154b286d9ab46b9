from django import template
from django.urls import reverse
from wagtail.models import Page

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """90 → '1 hour 30 minutes'."""
    if not minutes:
        return ""
    hours, mins = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts)


@register.simple_tag(takes_context=True)
def course_page_url(context, page) -> str:
    """A course page's (or a course outline entry's) address for this visitor: its live
    URL, or in a Wagtail preview its "view draft" preview, so a trainer clicks through a
    draft course page by page."""
    request = context.get("request")
    if getattr(request, "is_preview", False) and page.pk:
        return reverse("wagtailadmin_pages:view_draft", args=[page.pk])
    if not isinstance(page, Page):  # an entry of a course outline (courses.selectors)
        return page.url
    from courses.routing import page_url_kept  # routing imports the page models

    url = page_url_kept(page, request)  # worked out once for the course tree version
    return (page.get_url(request=request) or "") if url is None else url
