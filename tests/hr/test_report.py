"""The completion report: scoped to the reporter's organisations, every filter,
summaries with small groups hidden, sortable records, audited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from academy.models import AuditEvent
from tests.factories import course_with_lessons
from tests.hr.conftest import date_parts, enrolment, person
from tests.learners.conftest import lesson_body

TODAY = timezone.localdate()


def names(response):
    return [e["user_last_name"] for e in response.context["rows"]]


@pytest.fixture
def records(tree, course, catalogue, grades, professions):
    """Six people in Operations and Team North, one in Policy, one in the Agency."""
    other = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                title="Scrum basics")
    now = timezone.now()
    p = [person(tree["operations"], 1, grade=grades["EO"], profession=professions["policy"]),
         person(tree["team-north"], 2, grade=grades["HEO"], profession=professions["digital"]),
         person(tree["team-north"], 3, grade=grades["EO"], profession=professions["digital"]),
         person(tree["policy"], 4), person(tree["agency"], 5)]
    enrolment(p[0], course, completed_at=now, started_at=now, progress_percent=100)
    enrolment(p[1], course, last_fact_at=now, started_at=now, progress_percent=50)
    enrolment(p[2], course, due_on=TODAY - timezone.timedelta(days=3))
    enrolment(p[2], other, due_on=TODAY + timezone.timedelta(days=30))
    enrolment(p[3], course, completed_at=now)
    enrolment(p[4], course, completed_at=now)
    return p


def test_a_reporter_sees_only_their_organisations(client, hr, records):
    client.force_login(hr)
    response = client.get("/reports/")
    assert sorted(names(response)) == ["Number0001", "Number0002", "Number0003", "Number0003"]
    content = response.content.decode()
    assert "Number0004" not in content
    assert "Number0005" not in content


def test_non_reporters_are_refused_and_shown_nothing(client, records, course):
    client.force_login(records[0])
    response = client.get("/reports/")
    assert response.status_code == 403
    assert "Number0001" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organisation": "team-north"}, ["Number0002", "Number0003", "Number0003"]),
        ({"grade": "EO"}, ["Number0001", "Number0003", "Number0003"]),
        ({"profession": "digital"}, ["Number0002", "Number0003", "Number0003"]),
        ({"course": "scrum-basics"}, ["Number0003"]),
        ({"status": "completed"}, ["Number0001"]),
        ({"status": "in progress"}, ["Number0002"]),
        ({"status": "overdue"}, ["Number0003"]),
        ({"status": "not started"}, ["Number0003"]),
        ({"required": "yes"}, ["Number0003", "Number0003"]),
        ({"required": "no"}, ["Number0001", "Number0002"]),
        (date_parts("completed_from", TODAY), ["Number0001"]),
        (date_parts("enrolled_to", TODAY - timezone.timedelta(days=1)), []),
    ],
)
def test_each_filter(client, hr, records, grades, params, expected):
    if "grade" in params:
        params = {"grade": grades[params["grade"]].pk}
    client.force_login(hr)
    assert sorted(names(client.get("/reports/", params))) == expected


def test_an_organisation_outside_scope_is_an_error_not_a_leak(client, hr, records):
    client.force_login(hr)
    response = client.get("/reports/", {"organisation": "agency"})
    content = response.content.decode()
    assert "Select a valid choice" in content
    assert "Number0005" not in content
    assert "rows" not in response.context


def test_summary_figures(client, hr, records):
    client.force_login(hr)
    summary = client.get("/reports/").context["summary"]
    assert summary == {"enrolled": 4, "not_started": 1, "in_progress": 1, "completed": 1,
                       "overdue": 1, "rate": 25}


def test_small_groups_are_shown_as_fewer_than_n(client, hr, records, settings):
    settings.REPORT_MIN_GROUP_SIZE = 3
    client.force_login(hr)
    response = client.get("/reports/")
    groups = {g.label: g for g in response.context["by_organisation"]}
    assert groups["Team North"].suppressed is False  # 3 enrolments
    assert groups["Operations"].suppressed is True  # 1 enrolment
    assert "fewer than 3" in response.content.decode()


def test_records_sort_by_any_column_both_ways(client, hr, records):
    client.force_login(hr)
    up = names(client.get("/reports/", {"sort": "progress", "order": "asc"}))
    down = names(client.get("/reports/", {"sort": "progress", "order": "desc"}))
    assert up[-1] == "Number0001"
    assert down[0] == "Number0001"


def test_every_view_of_the_detailed_report_is_audited(client, hr, records):
    client.force_login(hr)
    client.get("/reports/", {"organisation": "team-north"})
    event = AuditEvent.objects.get()
    assert event.actor == hr
    assert event.action == AuditEvent.REPORT_VIEW
    assert event.filters == {"organisation": "team-north"}
    assert event.row_count == 3


def _report_queries(client, hr, tree, course, count, start):
    for n in range(start, start + count):
        enrolment(person(tree["team-north"], n), course)
    client.get("/reports/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/reports/")
        queries = len(captured)
    assert response.status_code == 200
    return queries


def test_report_query_count_is_the_same_at_10_and_1000_learners(client, hr, tree, course):
    client.force_login(hr)
    ten = _report_queries(client, hr, tree, course, 10, 0)
    thousand = _report_queries(client, hr, tree, course, 990, 10)
    assert ten == thousand


def test_figures_are_kept_per_viewer_and_filters_and_a_new_enrolment_refreshes_them(
        client, hr, records, course, tree, settings):
    """The figures are worked out once and kept (REPORT_CACHE_SECONDS); never shared with
    a reporter of another scope; different filters are different figures; a new
    enrolment shows at once; progress shows when they are next worked out."""
    from django.core.cache import cache

    from tests.hr.conftest import reporter

    settings.REPORT_CACHE_SECONDS = 300
    cache.clear()
    client.force_login(hr)
    first = client.get("/reports/")
    assert first.context["summary"]["enrolled"] == 4
    assert "Figures worked out at" in first.content.decode()
    with CaptureQueriesContext(connection) as cold:
        client.get("/reports/", {"organisation": "team-north"})
    with CaptureQueriesContext(connection) as warm:
        again = client.get("/reports/", {"organisation": "team-north"})
    assert len(warm) < len(cold)  # the aggregates were not run again
    assert again.context["summary"]["enrolled"] == 3

    # Progress alone: the kept figures stand until they expire (the page says so).
    records[1].enrolments.update(completed_at=timezone.now())
    assert client.get("/reports/").context["summary"]["completed"] == 1

    # A reporter on the agency never sees Operations' kept figures.
    agency = reporter(None, tree["agency"], email="agency@example.gov.uk")
    client.force_login(agency)
    theirs = client.get("/reports/")
    assert theirs.context["summary"]["enrolled"] == 1
    assert "Number0001" not in theirs.content.decode()

    # A new enrolment in scope: worked out afresh, progress included.
    enrolment(person(tree["team-north"], 9), course)
    client.force_login(hr)
    fresh = client.get("/reports/").context["summary"]
    assert (fresh["enrolled"], fresh["completed"]) == (5, 2)


def test_completion_by_organisation_rolls_up_to_the_level_below_the_scope(client, records,
                                                                          site, tree):
    """A department's HR sees its directorates, each with everyone beneath it, not every
    team; filtering on a directorate shows the level below it."""
    from tests.hr.conftest import reporter

    client.force_login(reporter(site, tree["department"], email="dept@example.gov.uk"))
    groups = {g.label: g.enrolled for g in client.get("/reports/").context["by_organisation"]}
    assert groups == {"Operations": 4, "Policy": 1}
    below = client.get("/reports/", {"organisation": "operations"}).context["by_organisation"]
    assert {g.label: g.enrolled for g in below} == {"Operations": 1, "Team North": 3}


@pytest.mark.parametrize(("hour", "minute", "expected"), [
    (8, 33, "8:33am"), (17, 0, "5pm"), (12, 0, "midday"), (0, 0, "midnight"),
    (12, 5, "12:05pm"), (0, 30, "12:30am"), (23, 59, "11:59pm"),
])
def test_times_are_written_the_govuk_way(hour, minute, expected):
    from datetime import UTC, datetime

    from learners.templatetags.learning import govuk_time

    # In November the UK is on GMT: the same clock time as UTC.
    assert govuk_time(datetime(2026, 11, 29, hour, minute, tzinfo=UTC)) == expected
    # In July the UK is on British Summer Time, an hour ahead.
    assert govuk_time(datetime(2026, 7, 1, 7, 33, tzinfo=UTC)) == "8:33am"


def test_the_report_says_when_its_figures_were_worked_out_in_uk_time(client, hr, records):
    import re

    client.force_login(hr)
    response = client.get("/reports/")
    as_of = timezone.localtime(response.context["as_of"])
    assert re.search(r"Figures worked out at (\d{1,2}(:\d\d)?(am|pm)|midday|midnight) on "
                     + f"{as_of.day} {as_of:%B %Y}", response.content.decode())
    assert "a.m." not in response.content.decode()
    assert "p.m." not in response.content.decode()
