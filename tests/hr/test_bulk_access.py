"""Access that outlives the right to it: a bulk file checked while someone was in the
uploader's organisations enrols no one the uploader no longer reports on."""

from django.urls import reverse

from learners.models import BulkEnrolment, Enrolment, ReportingScope
from tests.hr.conftest import person


def _checked_file(hr, course, people):
    return BulkEnrolment.objects.create(
        created_by=hr, filename="intake.csv", total=len(people),
        rows=[[someone.pk, course.pk, None] for someone in people],
        check_report={"new": len(people)})


def test_confirming_after_the_scope_narrowed_enrols_only_people_still_in_it(
        client, hr, tree, course):
    north, ops = person(tree["team-north"], 1), person(tree["operations"], 2)
    bulk = _checked_file(hr, course, [north, ops])
    ReportingScope.objects.filter(user=hr).update(organisation=tree["team-north"])
    client.force_login(hr)
    response = client.post(reverse("bulk_enrolment_confirm", args=[bulk.pk]))
    assert response.status_code == 302
    assert set(Enrolment.objects.values_list("user__last_name", flat=True)) == {"Number0001"}


def test_confirming_with_the_same_scope_enrols_everyone(client, hr, tree, course):
    people = [person(tree["team-north"], 1), person(tree["operations"], 2)]
    bulk = _checked_file(hr, course, people)
    client.force_login(hr)
    client.post(reverse("bulk_enrolment_confirm", args=[bulk.pk]))
    assert Enrolment.objects.count() == 2
