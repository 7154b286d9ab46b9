"""`{% pagination %}` writes what the template includes/pagination.html wrote before it
(issue 15), for every place a page can be in a long list, keeping the query."""

import re
from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.template import engines

from content.templatetags.pagination_tags import pagination

# includes/pagination.html as it was, kept here to hold the tag to it.
FORMER_TEMPLATE = (Path(__file__).parent / "former_pagination.html").read_text()


def former(page, query: str) -> str:
    return engines["django"].from_string(FORMER_TEMPLATE).render({"page_obj": page,
                                                                   "query": query})


def tags_only(html: str) -> str:
    """The markup without the whitespace between and inside tags' text."""
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", str(html))).strip()


@pytest.mark.parametrize("number", [1, 2, 3, 7, 48, 49, 50])
@pytest.mark.parametrize("query", ["", "sort=name&order=desc&columns=grade", "q=<b>&x=\"y\""])
def test_the_tag_writes_what_the_former_template_wrote(number, query):
    page = Paginator(range(2500), 50).get_page(number)
    included = former(page, query)
    assert tags_only(pagination(page, query)) == tags_only(included)
    assert f"page={number}" in included


def test_one_page_writes_nothing():
    page = Paginator(range(10), 50).get_page(1)
    assert pagination(page, "sort=name") == ""
    assert tags_only(former(page, "")) == ""
