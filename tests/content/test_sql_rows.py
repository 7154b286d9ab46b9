"""content.sql.column_max and row_insert: the SQL written by hand gives what the ORM
gives (issue 15: the completion report's newest-enrolment read and audit record)."""

import pytest
from django.db.models import Max
from django.utils import timezone

from academy.audit import audit_record
from academy.models import AuditEvent
from content.sql import column_max
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_column_max_is_the_orms_aggregate_and_none_for_no_rows():
    assert column_max(AuditEvent, "id") is None
    for n in range(3):
        AuditEvent.objects.create(actor=None, action="report_view", row_count=n)
    assert column_max(AuditEvent, "id") == AuditEvent.objects.aggregate(m=Max("pk"))["m"]
    assert column_max(AuditEvent, "row_count") == 2


def test_an_audit_record_reads_back_as_the_orm_would_have_written_it():
    actor = UserFactory()
    before = timezone.now()
    audit_record(actor=actor, action=AuditEvent.Action.REPORT_VIEW,
                 filters={"course": "agile-basics", "grade": 3, "enrolled_from": "2026-01-02"},
                 row_count=12, detail="x" * 2100)
    audit_record(actor=None, action=AuditEvent.Action.EXPORT)
    first, second = AuditEvent.objects.order_by("pk")
    assert first.actor == actor
    assert first.action == "report_view"
    assert first.filters == {"course": "agile-basics", "grade": 3,
                             "enrolled_from": "2026-01-02"}
    assert first.row_count == 12
    assert first.detail == "x" * 2000
    assert before <= first.at <= timezone.now()
    assert first.at.tzinfo is not None
    assert (second.actor, second.filters, second.row_count, second.detail) == (None, {}, 0, "")
    # Filtered as the audit page filters them: the JSON is JSON, not a string of it.
    assert AuditEvent.objects.filter(filters__course="agile-basics").get() == first
