"""Pagination links the first and last pages and those either side of this one, with
gaps between, as GOV.UK's pagination does: a report of 6,000 pages is not 6,000 links."""

from django.core.paginator import Paginator

from content.templatetags.pagination_tags import pagination


def render(number, pages):
    page = Paginator(range(pages), 1).get_page(number)
    return pagination(page, "a=1")


def test_a_long_run_of_pages_is_elided_around_the_current_one():
    html = render(3000, 6000)
    for shown in (1, 2999, 3000, 3001, 6000):
        assert f'aria-label="Page {shown}"' in html
    assert 'aria-label="Page 1500"' not in html
    assert html.count("govuk-pagination__item--ellipses") == 2
    assert 'aria-current="page">3000<' in html
    assert html.count("<li") == 7


def test_a_few_pages_are_all_linked():
    html = render(1, 3)
    assert [n for n in (1, 2, 3) if f'aria-label="Page {n}"' in html] == [1, 2, 3]
    assert "ellipses" not in html
