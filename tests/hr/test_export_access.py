"""Access that outlives the right to it: an export is downloaded only while its owner
still has the role and the scope it was made with, not because they made it."""

import pytest
from django.contrib.auth.models import Group

from academy.models import Export
from learners.models import ReportingScope
from learners.scoping import HR_REPORTERS
from tests.hr.conftest import enrolment, person


@pytest.fixture
def made(client, hr, tree, course):
    for n in range(3):
        enrolment(person(tree["team-north"], n), course)
    client.force_login(hr)
    client.post("/reports/exports/", {"format": "csv"})
    export = Export.objects.get()
    assert export.scope_paths == [tree["operations"].path]
    assert client.get(f"/reports/exports/{export.pk}/download/").status_code == 200
    return export


def _download(client, export):
    return client.get(f"/reports/exports/{export.pk}/download/")


def test_a_reporter_taken_out_of_hr_no_longer_downloads_their_export(client, hr, made):
    hr.groups.remove(Group.objects.get(name=HR_REPORTERS))
    response = _download(client, made)
    assert response.status_code == 404
    assert b"Number" not in response.content


def test_a_reporter_moved_to_another_organisation_no_longer_downloads_its_records(
        client, hr, tree, made):
    ReportingScope.objects.filter(user=hr).update(organisation=tree["policy"])
    response = _download(client, made)
    assert response.status_code == 404
    assert b"Number" not in response.content


def test_a_reporter_whose_scope_still_covers_the_export_downloads_it(client, hr, tree, made):
    # Widened to the whole department: Operations is still covered.
    ReportingScope.objects.filter(user=hr).update(organisation=tree["department"])
    response = _download(client, made)
    assert response.status_code == 200
    assert b"Number0001" in b"".join(response.streaming_content)


def test_a_narrower_scope_no_longer_downloads_an_export_of_the_wider_one(client, hr, tree,
                                                                         made):
    ReportingScope.objects.filter(user=hr).update(organisation=tree["team-north"])
    assert _download(client, made).status_code == 404
