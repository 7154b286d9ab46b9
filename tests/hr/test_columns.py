"""The report's records table: a few columns by default, so it fits the page; HR
chooses more, and the choice stays with sorting and pagination."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from academy.reports.columns import COLUMNS
from learners.models import Certificate
from tests.hr.conftest import enrolment, person

DEFAULT_HEADERS = ["Name", "Organisation", "Course", "Status", "Progress", "Due"]


def records_table(response):
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    region = soup.find("div", attrs={"aria-labelledby": "records"})
    return region, region.find("table")


def headers(response):
    _region, table = records_table(response)
    return [" ".join(th.get_text().split()).rstrip(" ▲▼") for th in table.thead.find_all("th")]


@pytest.fixture
def people(tree, course, grades, professions):
    manager = person(tree["operations"], 90, first_name="Maya", last_name="Manager")
    people = [person(tree["team-north"], n, staff_number=f"S{n:04d}", grade=grades["EO"],
                     profession=professions["digital"], line_manager=manager)
              for n in range(3)]
    for n, someone in enumerate(people):
        made = enrolment(someone, course, completed_at=timezone.now() if n == 0 else None,
                         score_percent=90 if n == 0 else None)
        if n == 0:
            Certificate.objects.create(enrolment=made, code="CODE-0", learner_name="x",
                                       course_title="y", completed_on=timezone.localdate())
    return people


def test_the_table_shows_only_the_default_columns_at_first(client, hr, people):
    client.force_login(hr)
    response = client.get("/reports/")
    assert headers(response) == DEFAULT_HEADERS
    assert "p0@example.gov.uk" not in response.content.decode()


def test_choosing_email_adds_the_email_column(client, hr, people):
    client.force_login(hr)
    response = client.get("/reports/", {"columns": "email"})
    assert headers(response) == ["Name", "Email", "Organisation", "Course", "Status",
                                 "Progress", "Due"]
    _region, table = records_table(response)
    assert "p0@example.gov.uk" in table.tbody.get_text()


def test_every_optional_column_shows_its_values(client, hr, people):
    client.force_login(hr)
    optional = [column.key for column in COLUMNS if not column.default]
    response = client.get("/reports/", {"columns": optional, "sort": "email"})
    assert headers(response) == [column.heading for column in COLUMNS]
    _region, table = records_table(response)
    first = [" ".join(td.get_text().split()) for td in table.tbody.tr.find_all("td")]
    cells = dict(zip(headers(response), first, strict=True))
    assert cells["Email"] == "p0@example.gov.uk"
    assert cells["Staff number"] == "S0000"
    assert cells["Line manager"] == "Maya Manager"
    assert cells["Grade"] == "EO"
    assert cells["Profession"] == "Digital"
    assert cells["Score"] == "90%"
    assert cells["Certificate"] == "CODE-0"
    assert cells["Status"] == "Completed"


def test_unknown_column_names_are_ignored(client, hr, people):
    client.force_login(hr)
    response = client.get("/reports/", {"columns": ["nonsense", "password", "grade"]})
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert headers(response) == ["Name", "Organisation", "Grade", "Course", "Status",
                                 "Progress", "Due"]


def test_the_choice_is_kept_by_sort_and_page_links_and_the_checkboxes(client, hr, people,
                                                                      settings):
    settings.REPORT_PAGE_SIZE = 2
    client.force_login(hr)
    response = client.get("/reports/", {"columns": ["email", "line_manager"]})
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    sort_link = soup.find("a", string=lambda text: text and text.strip() == "Course")
    assert "columns=email" in sort_link["href"]
    assert "columns=line_manager" in sort_link["href"]
    page_links = [a["href"] for a in soup.select("nav.govuk-pagination a")]
    assert page_links
    assert all("columns=email" in href for href in page_links)
    checked = {box["value"] for box in soup.select("input[name=columns][checked]")}
    assert checked == {"email", "line_manager"}
    # The checkboxes are in the filter form, inside their own "Choose columns" details.
    details = soup.find("input", attrs={"name": "columns"}).find_parent("details")
    assert "Choose columns" in details.summary.get_text()
    assert details.find_parent("form")["action"] == "/reports/"


def test_columns_that_cannot_be_sorted_have_no_sort_link(client, hr, people):
    client.force_login(hr)
    response = client.get("/reports/", {"columns": ["certificate", "email"]})
    _region, table = records_table(response)
    by_heading = {" ".join(th.get_text().split()).rstrip(" ▲▼"): th
                  for th in table.thead.find_all("th")}
    assert by_heading["Certificate"].find("a") is None
    assert by_heading["Email"].find("a") is not None


def test_the_table_scrolls_in_its_own_focusable_region(client, hr, people):
    client.force_login(hr)
    region, _table = records_table(client.get("/reports/"))
    assert "app-table-scroll" in region["class"]
    assert region["tabindex"] == "0"
    assert region["role"] == "region"


def _queries(client, tree, course, start, count, columns):
    manager = person(tree["operations"], 9000 + start, first_name="Line", last_name="Manager")
    for n in range(start, start + count):
        someone = person(tree["team-north"], n, staff_number=f"N{n}", line_manager=manager)
        enrolment(someone, course, completed_at=timezone.now())
    client.get("/reports/", {"columns": columns})
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reports/", {"columns": columns})
    assert response.status_code == 200
    return len(captured)


def test_every_column_adds_no_query_per_row(client, hr, tree, course):
    client.force_login(hr)
    every = [column.key for column in COLUMNS if not column.default]
    few = _queries(client, tree, course, 0, 3, every)
    many = _queries(client, tree, course, 3, 40, every)
    assert few == many


def test_people_who_share_a_name_each_have_their_records_together(client, hr, tree, course,
                                                                  catalogue):
    """Sorted by name, records of people with the same name come person by person (in
    the order they joined), each person's in the order they enrolled; and the reverse."""
    from tests.factories import course_with_lessons
    from tests.learners.conftest import lesson_body

    other = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                title="Service design")
    first, second = (person(tree["operations"], n, first_name="Sam", last_name="Smith",
                            staff_number=f"S{n}") for n in (1, 2))
    # Enrolled alternately, so the records' own order interleaves the two people.
    for someone, what in ((first, course), (second, course), (first, other),
                          (second, other)):
        enrolment(someone, what)
    client.force_login(hr)
    for order, expected in (("asc", ["S1", "S1", "S2", "S2"]),
                            ("desc", ["S2", "S2", "S1", "S1"])):
        response = client.get("/reports/", {"columns": "staff_number", "sort": "name",
                                             "order": order})
        _region, table = records_table(response)
        shown = [row.find_all("td")[1].get_text() for row in table.tbody.find_all("tr")]
        assert shown == expected, order


OLD_HEAD = (  # the template's loop before head_html, as it was
    "{% for column in columns %}\n"
    '<th scope="col" class="govuk-table__header{% if column.numeric %} '
    'govuk-table__header--numeric{% endif %}"{% if sort == column.key %} aria-sort="'
    '{% if descending %}descending{% else %}ascending{% endif %}"{% endif %}>\n'
    '  {% if column.sortable %}<a class="govuk-link" href="?{% if sort_query %}'
    "{{ sort_query }}&amp;{% endif %}sort={{ column.key }}&amp;order="
    "{% if sort == column.key and not descending %}desc{% else %}asc{% endif %}"
    '#records">{{ column.heading }}{% if sort == column.key %} {% if descending %}▼'
    "{% else %}▲{% endif %}{% endif %}</a>{% else %}{{ column.heading }}{% endif %}\n"
    "</th>\n"
    "{% endfor %}"
)


@pytest.mark.parametrize(("sort", "descending"), [("name", False), ("name", True),
                                                  ("progress", False), ("due", True)])
@pytest.mark.parametrize("sort_query", ["", "columns=grade&columns=score", "course=<x>&a=\"b\""])
def test_the_header_is_what_the_template_wrote(sort, descending, sort_query):
    """academy.reports.columns.head_html writes the header the template's loop wrote
    (issue 15), for every column, sortable or not, numeric or not."""
    import re

    from django.template import engines

    from academy.reports.columns import head_html

    def tags_only(html):
        return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", str(html))).strip()

    context = {"columns": list(COLUMNS), "sort": sort, "descending": descending,
               "sort_query": sort_query}
    old = engines["django"].from_string(OLD_HEAD).render(context)
    assert tags_only(head_html(list(COLUMNS), sort=sort, descending=descending,
                               sort_query=sort_query)) == tags_only(old)
