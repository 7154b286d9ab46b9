"""The organisations an HR reporter reports on, kept in the process with their row
between their requests (learners.scoping, learners.people_kept.person_value; issue 15):
no query for them on a second page, and every write that can change whose records they
see is seen by their very next request. A path kept after the tree changed could name
another organisation, so the tree's writes count too."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learners.models import Organisation, ReportingScope
from learners.scoping import HR_REPORTERS
from tests.hr.conftest import enrolment, person

SCOPE_READ = 'FROM "learners_reportingscope"'


@pytest.fixture
def people(tree, course):
    """One enrolled person in each of Operations (hr's scope) and Policy (not)."""
    return {place: enrolment(person(tree[place], n), course).user
            for n, place in enumerate(["operations", "policy"], start=1)}


def report(client) -> tuple[int, str, int]:
    """The report's status, its page and how many times the view read a scope."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/reports/")
    reads = sum(SCOPE_READ in query["sql"] for query in queries.captured_queries)
    return response.status_code, response.content.decode(), reads


def signed_in(client, hr):
    client.force_login(hr)
    status, html, _ = report(client)
    assert status == 200
    return html


def test_a_second_view_reads_no_scope_and_shows_the_same(client, hr, people):
    first = signed_in(client, hr)
    status, html, reads = report(client)
    assert (status, reads) == (200, 0)
    assert "Number0001" in first
    assert "Number0001" in html
    assert "Number0002" not in html


def test_a_scope_taken_away_is_seen_at_once(client, hr, people):
    signed_in(client, hr)
    ReportingScope.objects.filter(user=hr).delete()
    assert report(client)[0] == 403


def test_leaving_the_hr_group_is_seen_at_once(client, hr, people):
    signed_in(client, hr)
    hr.groups.remove(Group.objects.get(name=HR_REPORTERS))
    assert report(client)[0] == 403


def test_the_group_renamed_is_seen_at_once(client, hr, people):
    signed_in(client, hr)
    Group.objects.filter(name=HR_REPORTERS).update(name="Former reporters")  # no signal
    Group.objects.get(name="Former reporters").save()
    assert report(client)[0] == 403


def test_a_scope_moved_to_another_organisation_is_seen_at_once(client, hr, tree, people):
    signed_in(client, hr)
    scope = ReportingScope.objects.get(user=hr)
    scope.organisation = tree["policy"]
    scope.save()
    status, html, _ = report(client)
    assert status == 200
    assert "Number0002" in html
    assert "Number0001" not in html


def test_a_scope_moved_by_a_bulk_update_is_seen_at_once(client, hr, tree, people):
    signed_in(client, hr)
    ReportingScope.objects.filter(user=hr).update(organisation=tree["policy"])  # no signal
    html = report(client)[1]
    assert "Number0002" in html
    assert "Number0001" not in html


def test_a_scope_added_in_bulk_is_seen_at_once(client, hr, tree, people):
    signed_in(client, hr)
    ReportingScope.objects.bulk_create([ReportingScope(user=hr, organisation=tree["policy"])])
    html = report(client)[1]
    assert "Number0001" in html
    assert "Number0002" in html


def test_a_new_organisation_taking_the_old_path_of_the_scope_is_not_shown(
        client, hr, tree, course, people):
    """Organisations are kept in name order: "Audit", added beside Operations, takes its
    path, and treebeard moves Operations along in SQL of its own. A path kept from
    before would now show Audit's people."""
    signed_in(client, hr)
    old_path = tree["operations"].path
    audit = tree["department"].add_child(name="Audit", slug="audit")
    assert audit.path == old_path
    enrolment(person(audit, 3), course)
    html = report(client)[1]
    assert "Number0001" in html
    assert "Number0003" not in html


def test_the_scope_organisation_moved_in_the_tree_is_seen_at_once(client, hr, tree, people):
    """A move rewrites paths in treebeard's own SQL and saves nothing."""
    signed_in(client, hr)
    Organisation.objects.get(pk=tree["operations"].pk).move(tree["agency"], "sorted-child")
    html = report(client)[1]
    assert "Number0001" in html
    assert "Number0002" not in html


def test_with_the_cache_unreadable_the_scope_is_read_each_time(client, hr, people,
                                                               monkeypatch):
    """No token can be read (the report's own figures still can, to show the page)."""
    import courses.cache
    import learners.people_kept

    signed_in(client, hr)

    def unreadable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", unreadable)
    for module in (courses.cache, learners.people_kept):
        monkeypatch.setattr(module, "version_token", lambda key: None)
    status, html, reads = report(client)
    assert (status, reads) == (200, 1)
    assert "Number0001" in html


def test_the_scope_organisation_reordered_under_the_same_parent_is_seen_at_once(
        client, hr, tree, people):
    """Renamed, then moved into its new place in name order: treebeard rewrites the
    paths in SQL of its own, and with the parent unchanged writes nothing else."""
    operations = Organisation.objects.get(pk=tree["operations"].pk)
    operations.name = "Zeta Operations"
    operations.save()
    signed_in(client, hr)  # the scope kept as the tree is now
    old_path = operations.path
    operations.move(Organisation.objects.get(pk=tree["policy"].pk), "sorted-sibling")
    assert Organisation.objects.get(pk=operations.pk).path != old_path
    html = report(client)[1]
    assert "Number0001" in html
    assert "Number0002" not in html
