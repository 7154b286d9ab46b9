"""HR: the rate of "used it at work" by course and organisation, for the people in the
reporter's organisations only, with groups of fewer than REPORT_MIN_GROUP_SIZE people
who answered suppressed."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from academy.reports.followups import followup_rates_get
from learners.models import FollowUp, FollowUpAnswer
from tests.factories import course_with_lessons
from tests.hr.conftest import enrolment, person, reporter


@pytest.fixture
def other_course(catalogue):
    return course_with_lessons(catalogue, modules=1, lessons=1, title="Service design basics")


def answered(user, course, answer, point=30):
    e = enrolment(user, course, completed_at=timezone.now() - timedelta(days=point),
                  progress_percent=100)
    return FollowUp.objects.create(
        enrolment=e, point_days=point, due_on=timezone.localdate(), sent_at=timezone.now(),
        answer=answer, answered_at=timezone.now() if answer else None)


@pytest.fixture
def answers(tree, course, other_course):
    """Team North: 5 people answered on Agile basics (3 yes, 1 not yet, 1 not
    relevant) and one was asked and has not answered. Policy: 2 answered yes on
    Service design basics. Agency: 5 said yes on Agile basics (outside Operations)."""
    n = 0

    def someone(organisation):
        nonlocal n
        n += 1
        return person(organisation, n)

    for answer in ["yes", "yes", "yes", "not yet", "not relevant", ""]:
        answered(someone(tree["team-north"]), course, answer)
    for _ in range(2):
        answered(someone(tree["policy"]), other_course, "yes")
    for _ in range(5):
        answered(someone(tree["agency"]), course, "yes")


def by_label(rates):
    return {rate.label: rate for rate in rates}


def test_rates_by_course_and_organisation_count_answers_in_scope(hr, answers, tree, site):
    rates = followup_rates_get(viewer=hr)
    headline = rates["headline"]
    assert (headline.asked, headline.answered, headline.people, headline.used) == (6, 5, 5, 3)
    assert headline.used_percent == 60
    assert not headline.suppressed
    assert list(by_label(rates["by_course"])) == ["Agile basics"]  # Policy is not theirs
    assert list(by_label(rates["by_organisation"])) == ["Team North"]
    agile = by_label(rates["by_course"])["Agile basics"]
    assert (agile.used, agile.not_yet, agile.not_relevant) == (3, 1, 1)

    department_hr = reporter(site, tree["department"], email="dept.hr@example.gov.uk")
    rates = followup_rates_get(viewer=department_hr)
    assert rates["headline"].answered == 7
    assert by_label(rates["by_organisation"])["Policy"].suppressed  # 2 people answered
    assert not by_label(rates["by_organisation"])["Team North"].suppressed


def test_the_page_shows_rates_and_suppresses_groups_below_the_threshold(
        client, answers, tree, site):
    department_hr = reporter(site, tree["department"], email="dept.hr@example.gov.uk")
    client.force_login(department_hr)
    page = client.get(reverse("followup_rates")).content.decode()
    assert "Have people used their learning at work?" in page
    north = re.search(r"Team North</th>(.*?)</tr>", page, re.S).group(1)
    assert ">60%<" in north
    policy = re.search(r"Policy</th>(.*?)</tr>", page, re.S).group(1)
    assert "fewer than 5 people answered" in policy
    assert "100%" not in policy
    design = re.search(r"Service design basics</th>(.*?)</tr>", page, re.S).group(1)
    assert "fewer than 5 people answered" in design


def test_a_selection_below_the_threshold_shows_no_headline(client, hr, tree, course, settings):
    for n, answer in enumerate(["yes", "not yet"]):
        answered(person(tree["team-north"], n), course, answer)
    client.force_login(hr)
    page = client.get(reverse("followup_rates")).content.decode()
    assert "Fewer than 5 people have answered so far" in page
    assert "50%" not in page
    settings.REPORT_MIN_GROUP_SIZE = 2
    page = client.get(reverse("followup_rates")).content.decode()
    assert "50%" in page


def test_answers_of_people_outside_scope_and_erased_people_are_not_counted(
        hr, answers, tree, course):
    from learners.privacy import learner_erase

    north = FollowUp.objects.filter(enrolment__user__organisation=tree["team-north"],
                                    answer=FollowUpAnswer.YES).first()
    learner_erase(user=north.enrolment.user)
    rates = followup_rates_get(viewer=hr)
    assert (rates["headline"].answered, rates["headline"].used) == (4, 2)
    assert rates["headline"].suppressed  # 4 people now answered


def test_only_hr_reporters_see_the_rates(client, answers, tree):
    client.force_login(person(tree["team-north"], 999))
    assert client.get(reverse("followup_rates")).status_code == 403
    client.logout()
    response = client.get(reverse("followup_rates"))
    assert response.status_code == 302


def test_the_hr_report_links_to_the_rates(client, hr):
    client.force_login(hr)
    page = client.get(reverse("report")).content.decode()
    assert reverse("followup_rates") in page
