"""Tracked jobs (exports, bulk enrolments): one status page pair for both, owner only;
a job whose task fails for good is marked FAILED and its page says so, instead of
showing a progress bar for ever."""

import pytest

from academy.models import Export
from academy.reports.services import exports_reconcile
from academy.tasks import export_build
from learners.models import BulkEnrolment, JobStatus
from learners.services import learning_reconcile
from tests.hr.conftest import reporter


def _poisoned_export(hr) -> Export:
    # Filters no worker can read (a grade that is not a number): it can never succeed.
    return Export.objects.create(requested_by=hr, format="csv", filters={"grade": "seven"})


def test_an_export_whose_task_fails_for_good_is_marked_failed_and_says_so(client, hr):
    export = _poisoned_export(hr)
    with pytest.raises(ValueError, match="seven"):
        export_build.delay(str(export.pk))
    export.refresh_from_db()
    assert export.status == JobStatus.FAILED
    assert "ValueError" in export.error
    assert export.finished_at is not None
    client.force_login(hr)
    page = client.get(f"/reports/exports/{export.pk}/").content.decode()
    assert "the export could not be built" in page
    assert "<progress" not in page
    assert client.get(f"/reports/exports/{export.pk}/status.json").json()["status"] == "failed"


def test_a_failed_export_is_not_run_again_by_the_reconciler(hr):
    export = _poisoned_export(hr)
    with pytest.raises(ValueError, match="seven"):
        export_build.delay(str(export.pk))
    Export.objects.filter(pk=export.pk).update(created_at=export.created_at.replace(year=2020))
    assert exports_reconcile()["requeued"] == 0


def test_a_finished_job_is_never_marked_failed_by_a_late_failure(hr, course):
    done = Export.objects.create(requested_by=hr, format="csv", status=JobStatus.DONE)
    export_build.on_failure(ValueError("late"), "task-id", [str(done.pk)], {}, None)
    done.refresh_from_db()
    assert done.status == JobStatus.DONE


def test_the_bulk_enrolment_status_comes_from_the_same_views(client, hr, site, tree):
    bulk = BulkEnrolment.objects.create(created_by=hr, filename="intake.csv", rows=[],
                                        total=40, processed=10, status=JobStatus.RUNNING)
    client.force_login(hr)
    assert client.get(f"/reports/bulk-enrolment/{bulk.pk}/status.json").json() == {
        "status": "running", "percent": 25, "processed": 10, "total": 40, "enrolled": 0}
    other = reporter(site, tree["operations"], email="other.hr@example.gov.uk")
    client.force_login(other)
    assert client.get(f"/reports/bulk-enrolment/{bulk.pk}/status.json").status_code == 404
    assert client.get(f"/reports/bulk-enrolment/{bulk.pk}/").status_code == 404


def test_a_confirmed_bulk_enrolment_left_pending_is_picked_up_by_the_reconciler(hr, tree,
                                                                              course):
    from django.utils import timezone

    from tests.hr.conftest import person

    someone = person(tree["team-north"], 1)
    long_ago = timezone.now() - timezone.timedelta(hours=2)
    stuck = BulkEnrolment.objects.create(created_by=hr, filename="lost.csv", total=1,
                                         rows=[[someone.pk, course.pk, None]],
                                         confirmed_at=long_ago)
    unconfirmed = BulkEnrolment.objects.create(created_by=hr, filename="unchecked.csv",
                                               total=1, rows=[[someone.pk, course.pk, None]])
    BulkEnrolment.objects.filter(pk__in=[stuck.pk, unconfirmed.pk]).update(created_at=long_ago)
    assert learning_reconcile()["bulk_enrolments"] == 1  # eager: it runs at once
    stuck.refresh_from_db()
    unconfirmed.refresh_from_db()
    assert (stuck.status, stuck.enrolled) == (JobStatus.DONE, 1)
    assert unconfirmed.status == JobStatus.PENDING
    assert someone.enrolments.count() == 1


def test_a_checked_file_nobody_confirms_is_deleted_after_a_week(hr, tree, course):
    from django.utils import timezone

    BulkEnrolment.objects.create(created_by=hr, filename="today.csv", rows=[], total=0)
    old = BulkEnrolment.objects.create(created_by=hr, filename="forgotten.csv", rows=[],
                                       total=0)
    done = BulkEnrolment.objects.create(created_by=hr, filename="done.csv", rows=[], total=0,
                                        confirmed_at=timezone.now(), status=JobStatus.DONE)
    eight_days_ago = timezone.now() - timezone.timedelta(days=8)
    BulkEnrolment.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=eight_days_ago)
    assert learning_reconcile()["unconfirmed_files_deleted"] == 1
    assert set(BulkEnrolment.objects.values_list("filename", flat=True)) == {
        "today.csv", "done.csv"}


def test_an_export_still_being_written_is_not_sent_again_by_the_reconciler(hr):
    """Asked for long ago but started a minute ago (it waited in the queue): it is
    running, not lost, and a second delivery would write a second file."""
    from django.utils import timezone

    now = timezone.now()
    running = Export.objects.create(requested_by=hr, format="csv", status=JobStatus.RUNNING,
                                    started_at=now - timezone.timedelta(minutes=1))
    lost = Export.objects.create(requested_by=hr, format="csv", status=JobStatus.RUNNING,
                                 started_at=now - timezone.timedelta(hours=2))
    waiting = Export.objects.create(requested_by=hr, format="csv")
    Export.objects.filter(pk__in=[running.pk, lost.pk, waiting.pk]).update(
        created_at=now - timezone.timedelta(hours=3))
    assert exports_reconcile()["requeued"] == 2  # eager: lost and waiting are built now
    running.refresh_from_db()
    assert running.status == JobStatus.RUNNING
    assert Export.objects.filter(status=JobStatus.DONE).count() == 2


def test_someone_no_longer_an_hr_reporter_loses_their_exports_and_checked_files(client, hr):
    from django.contrib.auth.models import Group

    from learners.scoping import HR_REPORTERS

    export = Export.objects.create(requested_by=hr, format="csv", status=JobStatus.DONE)
    bulk = BulkEnrolment.objects.create(created_by=hr, filename="intake.csv", rows=[],
                                        total=0)
    client.force_login(hr)
    assert client.get(f"/reports/exports/{export.pk}/").status_code == 200
    hr.groups.remove(Group.objects.get(name=HR_REPORTERS))
    for url in (f"/reports/exports/{export.pk}/", f"/reports/exports/{export.pk}/download/",
                f"/reports/exports/{export.pk}/status.json",
                f"/reports/bulk-enrolment/{bulk.pk}/",
                f"/reports/bulk-enrolment/{bulk.pk}/check/"):
        assert client.get(url).status_code == 404, url
