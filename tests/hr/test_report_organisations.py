"""The completion report's organisation filter: chosen by following the "Completion by
organisation" table down the tree and the trail back up, never a list of every
organisation; no organisation outside the viewer's scope is named or reachable; the
page's queries do not grow with the tree."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.hr.conftest import enrolment, person, reporter


@pytest.fixture
def people(tree, course):
    for n, place in enumerate(["operations", "team-north", "team-north", "policy", "agency"]):
        enrolment(person(tree[place], n), course)


def links(response) -> dict[str, str]:
    """The page's links to the report filtered to an organisation (not the records
    table's sort links, which keep it): text -> href."""
    return {re.sub(r"<[^>]+>|: show its records", "", text).strip(): href.replace("&amp;", "&")
            for href, text in re.findall(r'<a class="govuk-(?:breadcrumbs__)?link" '
                                         r'href="(\?[^"]*)">(.*?)</a>', response.content.decode())
            if ("organisation=" in href and "sort=" not in href)
            or text == "All your organisations"}


def test_the_report_lists_no_organisations_to_choose_from(client, site, tree, people):
    client.force_login(reporter(site, tree["department"], email="dept@example.gov.uk"))
    page = client.get("/reports/").content.decode()
    assert '<select name="organisation"' not in page
    assert '<input type="hidden" name="organisation"' in page
    for name in ("Department", "Operations", "Team North", "Policy"):
        assert not re.search(rf"<option[^>]*>\W*{name}</option>", page)


def test_drilling_down_from_the_table_and_back_up_the_trail(client, site, tree, people):
    client.force_login(reporter(site, tree["department"], email="dept@example.gov.uk"))
    top = client.get("/reports/", {"status": "not started"})
    assert links(top) == {"Operations": "?status=not+started&organisation=operations",
                          "Policy": "?status=not+started&organisation=policy"}

    operations = client.get("/reports/" + links(top)["Operations"])
    assert operations.context["rows"].paginator.count == 3
    assert links(operations) == {
        "All your organisations": "?status=not+started",  # the way up, filters kept
        "Department": "?status=not+started&organisation=department",
        "Team North": "?status=not+started&organisation=team-north",  # the way down
    }
    assert '<span aria-current="location">Operations</span>' in operations.content.decode()

    north = client.get("/reports/" + links(operations)["Team North"])
    assert north.context["rows"].paginator.count == 2
    assert set(links(north)) == {"All your organisations", "Department", "Operations"}


def test_nothing_outside_the_viewers_scope_is_named_or_reachable(client, hr, tree, people):
    """hr reports on Operations: its parent, Department, is not on the trail, and
    neither Policy nor the Agency appears anywhere."""
    client.force_login(hr)
    north = client.get("/reports/", {"organisation": "team-north"})
    page = north.content.decode()
    assert set(links(north)) == {"All your organisations", "Operations"}
    for outside in ("Department", "Policy", "Agency", "Number0003", "Number0004"):
        assert outside not in page
    for slug in ("department", "policy", "agency"):
        refused = client.get("/reports/", {"organisation": slug})
        assert "Select a valid choice" in refused.content.decode()
        assert "rows" not in refused.context


def page_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/", params).status_code == 200
    return len(queries)


def test_the_pages_queries_do_not_grow_with_the_tree(client, site, tree, course, people):
    client.force_login(reporter(site, tree["department"], email="dept@example.gov.uk"))
    client.get("/reports/")  # the first request's one-off work (session, site)
    small = [page_queries(client), page_queries(client, organisation="operations"),
             page_queries(client, organisation="team-north")]
    for n in range(30):  # 30 more teams under Team North, 90 under Operations
        team = tree["team-north"].add_child(name=f"Team {n}", slug=f"team-{n}")
        enrolment(person(team, 100 + n), course)
        for m in range(3):
            team.add_child(name=f"Unit {n}-{m}", slug=f"unit-{n}-{m}")
        tree["team-north"].refresh_from_db()
    client.get("/reports/")  # the scope is read afresh once the tree has changed
    larger = [page_queries(client), page_queries(client, organisation="operations"),
              page_queries(client, organisation="team-north")]
    assert larger == small
    north = client.get("/reports/", {"organisation": "team-north"})
    assert len(north.context["by_organisation"]) == 31  # its own people and 30 teams
