"""What the completion report keeps besides its figures (issue 15): the figures' markup
(summary, by organisation, by course, over time) and a valid filter form's markup.
Kept per viewer and scope, as the figures are: one reporter never sees another's. What
the report shows at once still shows at once: a new enrolment, a change of scope, a
course published or unpublished, a grade or profession changed; other choices in the
query string (sort, columns) are never taken from markup kept for another."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learners.models import Enrolment, Profession, ReportingScope
from tests.factories import course_with_lessons
from tests.hr.conftest import enrolment, person, reporter
from tests.learners.conftest import lesson_body


@pytest.fixture
def kept(settings):
    settings.REPORT_CACHE_SECONDS = 300
    settings.REPORT_MIN_GROUP_SIZE = 1  # every count shown
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(tree, course):
    """Operations 1, Team North 2 (both in hr's scope), Policy 1, Agency 1."""
    return [enrolment(person(tree[place], n), course)
            for n, place in enumerate(["operations", "team-north", "team-north", "policy",
                                       "agency"])]


def page(client, **params) -> str:
    response = client.get("/reports/", params)
    assert response.status_code == 200
    return response.content.decode()


def figure(html: str, name: str) -> str:
    return re.search(rf'<dt class="govuk-body-s">{name}</dt><dd class="govuk-heading-l">'
                     r"([^<]*)</dd>", html).group(1)


def by_organisation(html: str) -> dict[str, str]:
    """The "Completion by organisation" table as shown: name -> its first cell."""
    table = html.split("Completion by organisation</caption>")[1].split("</table>")[0]
    return {re.sub(r"<[^>]+>|: show its records", "", name): cell for name, cell in
            re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>\s*'
                       r"<td [^>]*>([^<]*)</td>", table, re.S)}


def options(html: str, name: str) -> dict[str, str]:
    """A select's options as shown: label -> value (selected ones marked with *)."""
    select = re.search(rf'<select [^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {label: value + ("*" if selected else "") for value, selected, label in
            re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)}


def test_two_reporters_never_see_each_others_kept_markup(client, kept, site, hr, tree,
                                                         people):
    client.force_login(hr)
    ours = page(client)
    assert figure(ours, "Enrolled") == "3"
    assert by_organisation(ours) == {"Operations": "1", "Team North": "2"}

    client.force_login(reporter(site, tree["policy"], email="policy@example.gov.uk"))
    theirs = page(client)
    assert figure(theirs, "Enrolled") == "1"
    assert by_organisation(theirs) == {"Policy": "1"}
    for outside in ("Operations", "Team North", "Number0001"):
        assert outside not in theirs

    # The same filters, kept for each: still each their own.
    client.force_login(hr)
    again = page(client)
    assert figure(again, "Enrolled") == "3"
    assert "Policy" not in again


def test_the_kept_markup_follows_the_figures(client, kept, hr, tree, course, people):
    """Progress alone waits for the figures, as it always has (the page says when they
    were worked out); a new enrolment in scope shows at once, in every table."""
    client.force_login(hr)
    first = page(client)
    assert figure(first, "Completed") == "0"
    with CaptureQueriesContext(connection) as cold:
        page(client, status="not started")
    with CaptureQueriesContext(connection) as warm:
        page(client, status="not started")
    assert len(warm) < len(cold)

    Enrolment.objects.filter(pk=people[1].pk).update(completed_at=timezone.now())
    kept_page = client.get("/reports/")
    assert figure(kept_page.content.decode(), "Completed") == "0"  # kept, as the figures are

    # When the figures are worked out again (they ran out), so is their markup.
    cache.delete(kept_page.context["figures_key"])
    assert figure(page(client), "Completed") == "1"

    Enrolment.objects.filter(pk=people[2].pk).update(completed_at=timezone.now())
    enrolment(person(tree["team-north"], 9), course)
    fresh = page(client)  # a new enrolment: worked out afresh, progress included
    assert (figure(fresh, "Enrolled"), figure(fresh, "Completed")) == ("4", "2")
    assert by_organisation(fresh) == {"Operations": "1", "Team North": "3"}


def test_a_change_of_scope_shows_at_once(client, kept, hr, tree, people):
    client.force_login(hr)
    assert by_organisation(page(client)) == {"Operations": "1", "Team North": "2"}
    ReportingScope.objects.create(user=hr, organisation=tree["policy"])
    assert by_organisation(page(client)) == {"Operations": "1", "Policy": "1",
                                             "Team North": "2"}
    ReportingScope.objects.filter(user=hr, organisation=tree["policy"]).delete()
    assert "Policy" not in page(client)


def test_other_choices_are_not_taken_from_markup_kept_for_another(client, kept, hr,
                                                                  people, grades):
    client.force_login(hr)
    plain = page(client)
    assert 'href="?organisation=team-north"' in plain
    sorted_page = page(client, sort="course", order="desc", columns="email")
    assert 'href="?sort=course&amp;order=desc&amp;columns=email&amp;organisation=team-north"' \
        in sorted_page
    assert options(sorted_page, "grade")["EO"] == str(grades["EO"].pk)

    chosen = page(client, grade=grades["EO"].pk)
    assert options(chosen, "grade")["EO"] == f"{grades['EO'].pk}*"
    assert '<details class="govuk-details" open>' in chosen
    assert options(page(client), "grade")["EO"] == str(grades["EO"].pk)  # not chosen


def test_a_form_with_errors_is_never_kept_markup(client, kept, hr, people):
    client.force_login(hr)
    page(client, organisation="operations")
    refused = client.get("/reports/", {"organisation": "agency"}).content.decode()
    assert "Select a valid choice" in refused
    assert "Select a valid choice" not in page(client, organisation="operations")


def test_the_filter_lists_change_at_once(client, kept, hr, people, catalogue, course,
                                         grades, professions):
    client.force_login(hr)
    before = page(client)
    assert "Agile basics" in options(before, "course")
    assert "Risk & <reward>" not in before

    new = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                              title="Risk & <reward>")
    listed = page(client)
    assert options(listed, "course")["Risk &amp; &lt;reward&gt;"] == new.slug  # escaped
    assert "Risk & <reward>" not in listed

    course.unpublish()
    assert "Agile basics" not in options(page(client), "course")

    grade = grades["EO"]
    grade.name = "Executive officer"
    grade.save()
    Profession.objects.create(name="Analysis", slug="analysis")
    grades["HEO"].delete()
    lists = page(client)
    assert "Executive officer" in options(lists, "grade")
    assert "HEO" not in options(lists, "grade")
    assert options(lists, "profession")["Analysis"] == "analysis"


def test_a_warm_view_of_the_report_asks_the_database_little(client, kept, hr, people):
    """Kept figures and markup: the viewer's scope, the newest enrolment (for the
    figures' key), the page of records and the audit record (the session and the
    person's row are kept). The filter form's lists and the figures are not read again."""
    client.force_login(hr)
    page(client)
    with CaptureQueriesContext(connection) as warm:
        page(client)
    sql = [query["sql"] for query in warm.captured_queries]
    assert not [q for q in sql if "learners_grade" in q and "learners_enrolment" not in q]
    assert not [q for q in sql if "courses_coursepage" in q and "learners_enrolment" not in q]
    assert len(warm) == WARM_QUERIES, sql


WARM_QUERIES = 3  # 11 before the filter form's lists were kept; 5 before the person's row; 4
# before their scope was kept with it


def records(html: str) -> list[list[str]]:
    """The records table's rows as shown: each row's cells, tags removed."""
    table = html.split('id="records"')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody")[1], re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)] for row in rows]


def test_the_records_show_each_courses_title_and_a_renamed_course_at_once(
        client, kept, hr, tree, course, people, catalogue):
    """The records read a course's title from the titles kept per course tree version,
    not from a join: each record shows its own course's, sorted by course or not, and a
    course renamed shows its new title on the next view."""
    other = course_with_lessons(catalogue, modules=1, lessons=1, body=lesson_body,
                                title="Service design")
    enrolment(people[0].user, other)
    client.force_login(hr)
    for params in ({}, {"sort": "course"}, {"sort": "course", "order": "desc"}):
        shown = sorted((row[0], row[2]) for row in records(page(client, **params)))
        assert shown == [("Person Number0000", "Agile basics"),
                         ("Person Number0000", "Service design"),
                         ("Person Number0001", "Agile basics"),
                         ("Person Number0002", "Agile basics")], params
    titles = [row[2] for row in records(page(client, sort="course"))]
    assert titles == sorted(titles)
    other.title = "Service design in practice"
    other.save_revision().publish()
    assert "Service design in practice" in [row[2] for row in records(page(client))]


def test_a_new_learner_is_seen_by_a_report_built_before(
        client, hr, tree, course, people, settings):
    """The report's query is built once a day per scope and filters, and what it selects
    is read when it runs: a person added to the scope since, overdue, shows on the next
    view with that status."""
    settings.REPORT_MIN_GROUP_SIZE = 1
    client.force_login(hr)
    before = page(client)
    newcomer = enrolment(person(tree["operations"], 99), course,
                         due_on=timezone.localdate() - timezone.timedelta(days=1))
    after = page(client)
    assert "Number0099" not in before
    assert "Number0099" in after
    assert "Overdue" in [cell for row in records(after) if "Number0099" in row[0]
                         for cell in row], newcomer
