"""`{% page_numbers page_obj as numbers %}`: the page numbers to link, with gaps, as
GOV.UK's pagination shows them (1 … 4 5 6 … 6,001), so a report with thousands of
pages does not print a link to every one."""

from django import template

register = template.Library()


@register.simple_tag
def page_numbers(page_obj):
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=1,
                                                    on_ends=1)
