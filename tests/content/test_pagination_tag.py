"""`{% pagination %}` writes what includes/pagination.html writes (issue 15: the report
uses the tag), for every place a page can be in a long list, keeping the query."""

import re

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string

from content.templatetags.pagination_tags import pagination


def tags_only(html: str) -> str:
    """The markup without the whitespace between and inside tags' text."""
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", str(html))).strip()


@pytest.mark.parametrize("number", [1, 2, 3, 7, 48, 49, 50])
@pytest.mark.parametrize("query", ["", "sort=name&order=desc&columns=grade", "q=<b>&x=\"y\""])
def test_the_tag_writes_what_the_include_writes(number, query):
    page = Paginator(range(2500), 50).get_page(number)
    included = render_to_string("includes/pagination.html", {"page_obj": page,
                                                              "query": query})
    assert tags_only(pagination(page, query)) == tags_only(included)
    assert f"page={number}" in included


def test_one_page_writes_nothing():
    page = Paginator(range(10), 50).get_page(1)
    assert pagination(page, "sort=name") == ""
    assert tags_only(render_to_string("includes/pagination.html",
                                      {"page_obj": page, "query": ""})) == ""
