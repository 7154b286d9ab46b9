"""The date someone's required learning is due by: an extension only ever gives more
time. The SQL rule (selectors) and the Python one (Enrolment.due_by) agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learners.models import ComplianceStatus, Enrolment
from learners.selectors import enrolments_annotate_compliance
from tests.hr.conftest import enrolment, person

TODAY = timezone.localdate()


@pytest.mark.parametrize(("due", "extended", "expected"), [
    (TODAY + timedelta(days=5), None, TODAY + timedelta(days=5)),
    (TODAY - timedelta(days=5), TODAY + timedelta(days=20), TODAY + timedelta(days=20)),
    # HR moved everyone's date past this person's extension: the later date applies.
    (TODAY + timedelta(days=60), TODAY + timedelta(days=20), TODAY + timedelta(days=60)),
])
def test_an_extension_never_makes_someone_due_earlier(tree, course, due, extended, expected):
    made = enrolment(person(tree["team-north"], 1), course, due_on=due,
                     extended_due_on=extended)
    annotated = enrolments_annotate_compliance(queryset=Enrolment.objects.filter(pk=made.pk))
    row = annotated.get()
    assert row.effective_due_on == expected
    assert made.due_by == expected
    assert row.compliance == (ComplianceStatus.DUE_SOON if expected <= TODAY + timedelta(days=14)
                              else ComplianceStatus.NOT_YET_DUE)
