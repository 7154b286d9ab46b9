"""`{% page_numbers page_obj as numbers %}`: the page numbers to link, with gaps, as
GOV.UK's pagination shows them (1 … 4 5 6 … 6,001), so a report with thousands of
pages does not print a link to every one."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def page_numbers(page_obj):
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1,
                                                    on_ends=1)


PREVIOUS_ICON = ('<svg class="govuk-pagination__icon govuk-pagination__icon--prev" '
                 'xmlns="http://www.w3.org/2000/svg" height="13" width="15" aria-hidden="true" '
                 'focusable="false" viewBox="0 0 15 13"><path d="m6.5938-0.0078125-6.7266 '
                 '6.7266 6.7441 6.4062 1.377-1.449-4.1856-3.9768h12.896v-2h-12.984l4.2931-4.293'
                 '-1.414-1.414z"></path></svg>')
NEXT_ICON = ('<svg class="govuk-pagination__icon govuk-pagination__icon--next" '
             'xmlns="http://www.w3.org/2000/svg" height="13" width="15" aria-hidden="true" '
             'focusable="false" viewBox="0 0 15 13"><path d="m8.107-0.0078125-1.4136 1.414 '
             '4.2926 4.293h-12.986v2h12.896l-4.1855 3.9766 1.377 1.4492 6.7441-6.4062-6.7246'
             '-6.7266z"></path></svg>')


@register.simple_tag
def pagination(page_obj, query=""):
    """GOV.UK's pagination for a page of a Paginator, each link keeping `query` (the
    other choices in the query string), for every paginated page. Written here rather
    than by a template: in the completion report the template's loop of page numbers
    was a fifth of its template's time (issue 15). Nothing when there is one page."""
    paginator = page_obj.paginator
    if paginator.num_pages <= 1:
        return ""
    keep = f"{escape(query)}&amp;" if query else ""
    parts = ['<nav class="govuk-pagination" aria-label="Pagination">']
    if page_obj.has_previous():
        parts.append(
            f'<div class="govuk-pagination__prev"><a class="govuk-link govuk-pagination__link" '
            f'href="?{keep}page={page_obj.previous_page_number()}" rel="prev">{PREVIOUS_ICON}'
            '<span class="govuk-pagination__link-title">Previous<span '
            'class="govuk-visually-hidden"> page</span></span></a></div>')
    parts.append('<ul class="govuk-pagination__list">')
    for number in page_numbers(page_obj):
        if number == paginator.ELLIPSIS:
            parts.append('<li class="govuk-pagination__item govuk-pagination__item--ellipses">'
                         "&ctdot;</li>")
            continue
        item, aria = (("govuk-pagination__item govuk-pagination__item--current",
                       ' aria-current="page"') if number == page_obj.number
                      else ("govuk-pagination__item", ""))
        parts.append(
            f'<li class="{item}"><a class="govuk-link govuk-pagination__link" '
            f'href="?{keep}page={number}" aria-label="Page {number}"{aria}>{number}</a></li>')
    parts.append("</ul>")
    if page_obj.has_next():
        parts.append(
            f'<div class="govuk-pagination__next"><a class="govuk-link govuk-pagination__link" '
            f'href="?{keep}page={page_obj.next_page_number()}" rel="next">'
            '<span class="govuk-pagination__link-title">Next<span '
            f'class="govuk-visually-hidden"> page</span></span>{NEXT_ICON}</a></div>')
    parts.append("</nav>")
    # Every value is a number or escaped here.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703
