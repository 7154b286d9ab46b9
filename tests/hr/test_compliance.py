"""HR's compliance view: required learning against its deadline, one row per person per
required course; figures that count people; small groups suppressed; a fixed number of
queries; scoped, filtered and audited."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from academy.models import AuditEvent
from academy.reports.compliance import ComplianceFilters, compliance_rows_list
from learners.models import ComplianceStatus, Enrolment, RequiredLearning, User
from tests.factories import course_with_lessons
from tests.hr.conftest import enrolment, person

TODAY = timezone.localdate()
DAY = timedelta(days=1)
URL = "/reports/compliance/"


def statuses(viewer, **filters) -> dict[str, str]:
    """{last name (and course, if more than one): compliance} as the view works it out."""
    rows = compliance_rows_list(viewer=viewer, filters=ComplianceFilters(**filters))
    return {f"{e.user.last_name}/{e.course.slug}": e.compliance
            for e in rows.select_related("user", "course")}


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def other_course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=1, title="Data protection")


# --- Each status at its boundaries --------------------------------------------------


def test_completing_on_the_deadline_is_on_time_and_the_day_after_is_late(hr, tree, course):
    due = TODAY - 10 * DAY
    enrolment(person(tree["team-north"], 1), course, due_on=due, completed_at=at(due))
    enrolment(person(tree["team-north"], 2), course, due_on=due, completed_at=at(due + DAY))
    enrolment(person(tree["team-north"], 3), course, due_on=due,
              completed_at=at(due - 5 * DAY))
    assert statuses(hr) == {
        "Number0001/agile-basics": ComplianceStatus.COMPLETED_ON_TIME,
        "Number0002/agile-basics": ComplianceStatus.COMPLETED_LATE,
        "Number0003/agile-basics": ComplianceStatus.COMPLETED_ON_TIME,
    }


def test_completion_late_in_the_evening_london_time_on_the_deadline_is_on_time(
        hr, tree, course):
    """Completions are stored in UTC; the deadline is a London date. In summer (BST,
    UTC+1) 22:30 UTC is 23:30 on the due date, and 23:30 UTC is 00:30 the next day."""
    summer = date(2026, 7, 15)
    winter = date(2026, 1, 15)
    enrolment(person(tree["team-north"], 1), course, due_on=summer,
              completed_at=datetime(2026, 7, 15, 22, 30, tzinfo=UTC))  # 23:30 BST, 15 July
    enrolment(person(tree["team-north"], 2), course, due_on=summer,
              completed_at=datetime(2026, 7, 15, 23, 30, tzinfo=UTC))  # 00:30 BST, 16 July
    enrolment(person(tree["team-north"], 3), course, due_on=winter,
              completed_at=datetime(2026, 1, 15, 23, 59, tzinfo=UTC))  # 23:59 GMT, 15 Jan
    assert statuses(hr) == {
        "Number0001/agile-basics": ComplianceStatus.COMPLETED_ON_TIME,
        "Number0002/agile-basics": ComplianceStatus.COMPLETED_LATE,
        "Number0003/agile-basics": ComplianceStatus.COMPLETED_ON_TIME,
    }


def test_an_extension_is_the_deadline_that_counts(client, hr, tree, course):
    due = TODAY - 10 * DAY
    # Completed after the original date but by the extended one: on time.
    enrolment(person(tree["team-north"], 1), course, due_on=due,
              extended_due_on=due + 5 * DAY, completed_at=at(due + 5 * DAY))
    # Completed after the extended date: late.
    enrolment(person(tree["team-north"], 2), course, due_on=due,
              extended_due_on=due + 5 * DAY, completed_at=at(due + 6 * DAY))
    # Not done; overdue by the original date but not by the extension.
    enrolment(person(tree["team-north"], 3), course, due_on=due,
              extended_due_on=TODAY + 30 * DAY)
    enrolment(person(tree["team-north"], 4), course, due_on=due)
    assert statuses(hr) == {
        "Number0001/agile-basics": ComplianceStatus.COMPLETED_ON_TIME,
        "Number0002/agile-basics": ComplianceStatus.COMPLETED_LATE,
        "Number0003/agile-basics": ComplianceStatus.NOT_YET_DUE,
        "Number0004/agile-basics": ComplianceStatus.OVERDUE,
    }
    client.force_login(hr)
    page = client.get(URL, {"status": "not yet due"}).content.decode()
    extended = (TODAY + 30 * DAY).strftime("%-d\u00a0%b\u00a0%Y")  # non-breaking spaces
    assert f"{extended} (extended)" in page


def test_withdrawn_required_learning_is_not_listed(hr, tree, course, other_course):
    withdrawn = RequiredLearning.objects.create(course=course, due_on=TODAY - DAY,
                                                withdrawn_at=timezone.now())
    standing = RequiredLearning.objects.create(course=other_course, due_on=TODAY - DAY)
    someone = person(tree["team-north"], 1)
    enrolment(someone, course, due_on=TODAY - DAY, required_by=withdrawn)
    enrolment(someone, other_course, due_on=TODAY - DAY, required_by=standing)
    assert statuses(hr) == {"Number0001/data-protection": ComplianceStatus.OVERDUE}


def test_only_the_latest_cycle_of_recurring_learning_counts(hr, tree, course):
    late_then_current = person(tree["team-north"], 1)
    enrolment(late_then_current, course, cycle=1, due_on=TODAY - 400 * DAY,
              completed_at=at(TODAY - 300 * DAY))
    enrolment(late_then_current, course, cycle=2, due_on=TODAY + 60 * DAY)
    missed_then_done = person(tree["team-north"], 2)
    enrolment(missed_then_done, course, cycle=1, due_on=TODAY - 400 * DAY)
    enrolment(missed_then_done, course, cycle=2, due_on=TODAY - 10 * DAY,
              completed_at=at(TODAY - 20 * DAY))
    rows = compliance_rows_list(viewer=hr, filters=ComplianceFilters())
    assert sorted((e.user.last_name, e.cycle, e.compliance) for e in rows) == [
        ("Number0001", 2, ComplianceStatus.NOT_YET_DUE),
        ("Number0002", 2, ComplianceStatus.COMPLETED_ON_TIME),
    ]


def test_due_soon_runs_from_today_to_due_soon_days_ahead(hr, tree, course, settings):
    settings.DUE_SOON_DAYS = 14
    for n, due in enumerate([TODAY - DAY, TODAY, TODAY + 14 * DAY, TODAY + 15 * DAY]):
        enrolment(person(tree["team-north"], n), course, due_on=due)
    assert statuses(hr) == {
        "Number0000/agile-basics": ComplianceStatus.OVERDUE,
        "Number0001/agile-basics": ComplianceStatus.DUE_SOON,
        "Number0002/agile-basics": ComplianceStatus.DUE_SOON,
        "Number0003/agile-basics": ComplianceStatus.NOT_YET_DUE,
    }


def test_learning_that_is_not_required_is_not_listed(hr, tree, course):
    enrolment(person(tree["team-north"], 1), course, completed_at=timezone.now())
    assert statuses(hr) == {}


# --- Figures that count people ------------------------------------------------------


@pytest.fixture
def hand_count(tree, course, other_course):
    """Six people in Operations (four in Team North), with these worst statuses:

    1 Team North: A on time, B on time         -> due or done, compliant; on time
    2 Team North: A on time, B not yet due     -> due or done, compliant; not yet due
    3 Team North: A overdue, B on time         -> due or done, not compliant; overdue
    4 Team North: A late                       -> due or done, not compliant; late
    5 Operations: A due soon                   -> not due or done; due soon
    6 Operations: A not yet due                -> not due or done; not yet due
    Not counted: 7 in Policy (outside HR's scope), 8 with learning that is not
    required, 9 with withdrawn required learning.
    """
    past = TODAY - 10 * DAY
    north, ops = tree["team-north"], tree["operations"]
    p = {n: person(org, n) for n, org in [(1, north), (2, north), (3, north), (4, north),
                                          (5, ops), (6, ops), (7, tree["policy"]),
                                          (8, north), (9, north)]}
    enrolment(p[1], course, due_on=past, completed_at=at(past - DAY))
    enrolment(p[1], other_course, due_on=past, completed_at=at(past))
    enrolment(p[2], course, due_on=past, completed_at=at(past - DAY))
    enrolment(p[2], other_course, due_on=TODAY + 30 * DAY)
    enrolment(p[3], course, due_on=past)
    enrolment(p[3], other_course, due_on=past, completed_at=at(past - DAY))
    enrolment(p[4], course, due_on=past, completed_at=at(past + DAY))
    enrolment(p[5], course, due_on=TODAY + 3 * DAY)
    enrolment(p[6], course, due_on=TODAY + 30 * DAY)
    enrolment(p[7], course, due_on=past)
    enrolment(p[8], course, completed_at=at(past))
    withdrawn = RequiredLearning.objects.create(course=course, due_on=past,
                                                withdrawn_at=timezone.now())
    enrolment(p[9], course, due_on=past, required_by=withdrawn)
    return p


def test_figures_count_people_and_match_a_hand_count(client, hr, hand_count, settings):
    settings.REPORT_MIN_GROUP_SIZE = 1
    client.force_login(hr)
    response = client.get(URL)
    headline = response.context["headline"]
    assert (headline.people, headline.judged, headline.compliant) == (6, 4, 2)
    assert headline.percent_compliant == 50
    assert dict(headline.worst_counts) == {
        ComplianceStatus.OVERDUE: 1, ComplianceStatus.COMPLETED_LATE: 1,
        ComplianceStatus.DUE_SOON: 1, ComplianceStatus.NOT_YET_DUE: 2,
        ComplianceStatus.COMPLETED_ON_TIME: 1,
    }
    groups = {g.label: (g.people, g.judged, g.compliant, g.percent_compliant)
              for g in response.context["by_organisation"]}
    assert groups == {"Team North": (4, 4, 2, 50), "Operations": (2, 0, 0, None)}
    page = response.content.decode()
    assert "50% compliant on time" in page
    assert "2 of the 4 people whose required learning is due or done" in page


def test_figures_count_only_the_courses_in_the_filter(client, hr, hand_count, settings):
    settings.REPORT_MIN_GROUP_SIZE = 1
    client.force_login(hr)
    headline = client.get(URL, {"course": "data-protection"}).context["headline"]
    # People 1 (on time), 2 (not yet due) and 3 (on time): 2 of 2 due or done.
    assert (headline.people, headline.judged, headline.compliant) == (3, 2, 2)
    assert headline.percent_compliant == 100


def test_drilling_into_an_organisation_rolls_up_the_level_below(
        client, hr, hand_count, settings):
    settings.REPORT_MIN_GROUP_SIZE = 1
    client.force_login(hr)
    response = client.get(URL, {"organisation": "team-north"})
    headline = response.context["headline"]
    assert (headline.people, headline.judged, headline.compliant) == (4, 4, 2)
    assert [(g.label, g.people) for g in response.context["by_organisation"]] == [
        ("Team North", 4)]
    page = response.content.decode()
    assert 'href="?organisation=operations">Operations</a>' in page  # back up
    assert "Number0005" not in page


def test_groups_of_fewer_than_the_minimum_show_fewer_than_n_and_not_their_figures(
        client, hr, tree, course, settings):
    """Team North: 37 people, shown. Operations' own 23 people (20 on time, 3 late,
    87%) are fewer than 25: neither their number nor their percentage is on the page."""
    settings.REPORT_MIN_GROUP_SIZE = 25
    past, future = date(2025, 6, 1), date(2031, 6, 1)
    north = [User(email=f"n{n}@example.gov.uk", first_name="North", last_name=f"N{n:03d}",
                  organisation=tree["team-north"]) for n in range(37)]
    ops = [User(email=f"o{n}@example.gov.uk", first_name="Ops", last_name=f"O{n:03d}",
                organisation=tree["operations"]) for n in range(23)]
    User.objects.bulk_create(north + ops)
    on_time, late = at(date(2025, 5, 1)), at(date(2025, 7, 1))
    Enrolment.objects.bulk_create(
        [Enrolment(user=u, course=course, due_on=past, completed_at=on_time)
         for u in north[:7]]
        + [Enrolment(user=u, course=course, due_on=future) for u in north[7:]]
        + [Enrolment(user=u, course=course, due_on=past, completed_at=on_time)
           for u in ops[:20]]
        + [Enrolment(user=u, course=course, due_on=past, completed_at=late)
           for u in ops[20:]])
    client.force_login(hr)
    response = client.get(URL)
    groups = {g.label: g for g in response.context["by_organisation"]}
    assert groups["Operations"].suppressed
    assert not groups["Team North"].suppressed
    page = response.content.decode()
    row = re.search(r">Operations(?:</a>)?</th>(.*?)</tr>", page, re.S).group(1)
    assert "fewer than 25" in row
    assert re.search(r"\b23\b", page) is None
    assert "87%" not in page
    assert "37" in page  # Team North's figures are shown
    # The headline (60 people: 27 of 30 due or done on time) is large enough to show.
    assert "90% compliant on time" in page


def test_a_selection_of_fewer_than_the_minimum_shows_no_headline_figures(
        client, hr, tree, course):
    for n in range(3):
        enrolment(person(tree["team-north"], n), course, due_on=TODAY - DAY)
    client.force_login(hr)
    page = client.get(URL).content.decode()
    assert "Fewer than 5 people have required learning in this selection" in page
    assert "compliant on time:" not in page
    assert not re.search(r'<dd class="govuk-heading-l">\d', page)


# --- The page -----------------------------------------------------------------------


def test_the_page_answers_the_question_for_hr(client, hr, hand_count, settings):
    settings.REPORT_MIN_GROUP_SIZE = 1
    client.force_login(hr)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1 class=\"govuk-heading-xl\">Compliance with required learning</h1>" in page
    assert 'id="compliance-filters"' in page
    assert "50% compliant on time</strong>: 2 of the 4 people whose required learning is " \
           "due or done completed all of it by its deadline." in page
    assert "Compliant on time means" in page
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in page
    assert 'href="?organisation=team-north">Team North</a>' in page  # drill down
    assert page.index("Summary") < page.index("Compliance by organisation") \
        < page.index("Required learning by person")


def test_the_completion_report_links_to_the_compliance_view(client, hr):
    client.force_login(hr)
    assert f'href="{URL}"' in client.get("/reports/").content.decode()


def test_non_reporters_are_refused_and_shown_nothing(client, hand_count):
    client.force_login(hand_count[1])
    response = client.get(URL)
    assert response.status_code == 403
    assert "Number0003" not in response.content.decode()


def test_a_reporter_sees_only_their_organisations(client, hr, hand_count):
    client.force_login(hr)
    page = client.get(URL).content.decode()
    assert "Number0001" in page
    assert "Number0007" not in page  # Policy


def test_an_organisation_outside_scope_shows_the_same_as_one_that_does_not_exist(
        client, hr, hand_count):
    client.force_login(hr)
    outside = client.get(URL, {"organisation": "policy"})
    missing = client.get(URL, {"organisation": "no-such-team"})
    assert outside.context["headline"].people == 0
    assert "Number0007" not in outside.content.decode()
    assert "Policy" not in outside.content.decode()
    strip = re.compile(r"(policy|no-such-team)")
    assert strip.sub("", outside.content.decode()) == strip.sub("", missing.content.decode())


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"course": "data-protection"}, {"Number0001", "Number0002", "Number0003"}),
        ({"status": "overdue"}, {"Number0003"}),
        ({"status": "completed late"}, {"Number0004"}),
        ({"status": "due soon"}, {"Number0005"}),
        ({"status": "not yet due"}, {"Number0002", "Number0006"}),
        ({"organisation": "team-north"},
         {"Number0001", "Number0002", "Number0003", "Number0004"}),
        ({"grade": "EO"}, {"Number0001"}),
        ({"profession": "digital"}, {"Number0002"}),
        ({"due_from": TODAY, "due_to": TODAY + 5 * DAY}, {"Number0005"}),
    ],
)
def test_each_filter(client, hr, hand_count, grades, professions, params, expected):
    User.objects.filter(pk=hand_count[1].pk).update(grade=grades["EO"])
    User.objects.filter(pk=hand_count[2].pk).update(profession=professions["digital"])
    if "grade" in params:
        params = {"grade": grades[params["grade"]].pk}
    for name in ("due_from", "due_to"):
        if name in params:
            day = params.pop(name)
            params |= {f"{name}_day": day.day, f"{name}_month": day.month,
                       f"{name}_year": day.year}
    client.force_login(hr)
    rows = client.get(URL, params).context["rows"]
    assert {e.user.last_name for e in rows} == expected


def test_invalid_filters_show_an_error_summary_and_no_records(client, hr, hand_count):
    client.force_login(hr)
    response = client.get(URL, {"status": "lost", "due_from_day": "31", "due_from_month": "2",
                                "due_from_year": "2026"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Due from must be a real date" in page
    assert "Number0001" not in page
    assert "rows" not in response.context
    assert not AuditEvent.objects.exists()


def test_a_due_to_date_before_due_from_is_an_error(client, hr, hand_count):
    client.force_login(hr)
    response = client.get(URL, {"due_from_day": "2", "due_from_month": "3",
                                "due_from_year": "2027", "due_to_day": "1",
                                "due_to_month": "3", "due_to_year": "2027"})
    assert "Due to must be the same as or after due from" in response.content.decode()
    assert "rows" not in response.context


def test_drill_down_links_keep_the_other_filters(client, hr, hand_count):
    client.force_login(hr)
    page = client.get(URL, {"status": "overdue"}).content.decode()
    assert 'href="?status=overdue&amp;organisation=operations">Operations</a>' in page


def test_an_admin_starts_from_the_top_of_the_tree(client, tree, hand_count, settings):
    from tests.factories import UserFactory

    settings.REPORT_MIN_GROUP_SIZE = 1
    admin = UserFactory(email="admin@example.gov.uk", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(URL)
    page = response.content.decode()
    assert 'href="?organisation=department">Department</a>' in page
    assert 'href="?organisation=agency">Agency</a>' in page
    # Everyone with required learning, Policy included: 7 people, all in the Department.
    assert [(g.label, g.people) for g in response.context["by_organisation"]] == [
        ("Department", 7)]


def test_each_view_is_audited_with_its_filters_and_row_count(client, hr, hand_count):
    client.force_login(hr)
    client.get(URL, {"organisation": "team-north", "status": "overdue"})
    event = AuditEvent.objects.get()
    assert event.actor == hr
    assert event.action == AuditEvent.Action.COMPLIANCE_VIEW
    assert event.filters == {"organisation": "team-north", "status": "overdue"}
    assert event.row_count == 1


# --- Queries ------------------------------------------------------------------------


def _compliance_queries(client, tree, course, count, start):
    organisations = [tree["team-north"], tree["operations"]]
    User.objects.bulk_create([
        User(email=f"bulk{n}@example.gov.uk", first_name="Bulk", last_name=f"B{n:05d}",
             organisation=organisations[n % 2]) for n in range(start, start + count)])
    due = [TODAY - 5 * DAY, TODAY + 5 * DAY, TODAY + 50 * DAY]
    Enrolment.objects.bulk_create([
        Enrolment(user=u, course=course, due_on=due[u.pk % 3],
                  completed_at=at(TODAY - 6 * DAY) if u.pk % 4 == 0 else None)
        for u in User.objects.filter(email__startswith="bulk", enrolments__isnull=True)])
    client.get(URL)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"organisation": "operations"})
        queries = len(captured)
    assert response.status_code == 200
    return queries


def test_query_count_is_the_same_for_10_and_1000_people(client, hr, tree, course):
    client.force_login(hr)
    ten = _compliance_queries(client, tree, course, 10, 0)
    thousand = _compliance_queries(client, tree, course, 990, 10)
    assert ten == thousand
