"""Changing required learning after it is set: a new due date (later or earlier) or a
new audience reaches every open enrolment through the expansion task; one person can be
given more time, with a reason, and no re-expansion undoes it; an assignment can be
withdrawn, after which nothing enrols, renews or reminds anyone for it. Each change is
audited in words, and only HR covering the assignment may make it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from academy.models import AuditEvent
from learners import services
from learners.models import DeadlineExtension, Enrolment, RequiredLearning
from tests.hr.conftest import date_parts, person, reporter

TODAY = timezone.localdate()
DUE = TODAY + timedelta(days=30)
LATER = TODAY + timedelta(days=60)
EARLIER = TODAY + timedelta(days=10)


def day(value) -> str:
    return f"{value:%-d %B %Y}"


@pytest.fixture
def audience(tree, grades):
    return {"ops": person(tree["operations"], 1, grade=grades["EO"]),
            "north": person(tree["team-north"], 2, grade=grades["EO"]),
            "done": person(tree["team-north"], 3, grade=grades["HEO"]),
            "policy": person(tree["policy"], 4, grade=grades["EO"])}


@pytest.fixture
def assignment(client, hr, tree, course, audience):
    """Agile basics required of Operations (and Team North) by DUE; one person there has
    already completed it."""
    client.force_login(hr)
    response = client.post(reverse("required_learning"), {
        "course": course.pk, "organisations": [tree["operations"].pk],
        **date_parts("due_on", DUE)})
    assert response.status_code == 302
    Enrolment.objects.filter(user=audience["done"]).update(
        completed_at=timezone.now() - timedelta(days=1))
    return RequiredLearning.objects.get()


def change(client, assignment, *, organisations, due=DUE, grades=(), **extra):
    return client.post(reverse("required_learning_change", args=[assignment.pk]), {
        "organisations": [o.pk for o in organisations], "grades": [g.pk for g in grades],
        **date_parts("due_on", due), **extra})


def extend(client, assignment, enrolment, *, due, reason="Back from long-term sick leave"):
    return client.post(
        reverse("required_learning_extend", args=[assignment.pk, enrolment.pk]),
        {**date_parts("due_on", due), "reason": reason})


def withdraw(client, assignment):
    return client.post(reverse("required_learning_withdraw", args=[assignment.pk]))


def dates(course):
    """Each person's (due_on, extended_due_on, required) on the course, by surname."""
    return {e.user.last_name: (e.due_on, e.extended_due_on, e.required_by_id is not None)
            for e in Enrolment.objects.filter(course=course).select_related("user")}


def snapshot():
    return list(Enrolment.objects.order_by("pk").values_list(
        "pk", "user_id", "cycle", "due_on", "extended_due_on", "required_by_id",
        "reminder_sent_on", "completed_at"))


def enrolment_of(user):
    return Enrolment.objects.get(user=user)


# --- Changing the due date -----------------------------------------------------------


@pytest.mark.parametrize("new_due", [LATER, EARLIER], ids=["later", "earlier"])
def test_a_new_due_date_reaches_open_enrolments_only(client, tree, course, assignment,
                                                     new_due):
    Enrolment.objects.update(reminder_sent_on=TODAY)
    response = change(client, assignment, organisations=[tree["operations"]], due=new_due)
    assert response.status_code == 302
    assert dates(course) == {"Number0001": (new_due, None, True),
                             "Number0002": (new_due, None, True),
                             "Number0003": (DUE, None, True)}  # completed: keeps its past
    open_ones = Enrolment.objects.filter(completed_at__isnull=True)
    assert set(open_ones.values_list("reminder_sent_on", flat=True)) == {None}  # remind again
    assignment.refresh_from_db()
    assert assignment.due_on == new_due
    assert assignment.updated_at is not None


def test_a_change_writes_one_audit_event_saying_what_changed(client, site, tree, course,
                                                             assignment):
    client.force_login(reporter(site, tree["department"], email="dept.hr@example.gov.uk"))
    change(client, assignment, organisations=[tree["operations"], tree["policy"]], due=LATER)
    event = AuditEvent.objects.get(action=AuditEvent.Action.REQUIRED_LEARNING_CHANGED)
    assert event.detail == (f"Agile basics: Due date {day(DUE)} → {day(LATER)}; "
                            "organisations: Operations → Operations, Policy")
    assert event.actor.email == "dept.hr@example.gov.uk"


def test_saving_without_a_change_writes_nothing(client, tree, course, assignment):
    before = snapshot()
    response = change(client, assignment, organisations=[tree["operations"]])
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.REQUIRED_LEARNING_CHANGED).exists()
    assert snapshot() == before
    page = client.get(response["Location"]).content.decode()
    assert "You did not change anything in Agile basics" in page


def test_expanding_again_after_a_change_changes_nothing(client, tree, course, assignment,
                                                       django_capture_on_commit_callbacks):
    change(client, assignment, organisations=[tree["team-north"]], due=LATER)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.required_learning_expand(assignment_id=assignment.pk) == 0
    assert snapshot() == before


# --- Changing the audience -----------------------------------------------------------


def test_narrowing_the_audience_drops_the_requirement_but_keeps_the_enrolment(
    client, tree, course, assignment, audience
):
    change(client, assignment, organisations=[tree["team-north"]])
    assert dates(course) == {"Number0001": (None, None, False),  # left the audience
                             "Number0002": (DUE, None, True),
                             "Number0003": (DUE, None, True)}
    assert enrolment_of(audience["ops"]).completed_at is None  # still enrolled, as before


def test_narrowing_by_grade_keeps_completed_history(client, tree, course, assignment,
                                                    grades):
    change(client, assignment, organisations=[tree["operations"]], grades=[grades["EO"]])
    # Number0003 (HEO) left the audience, but had completed: the record is untouched.
    assert dates(course)["Number0003"] == (DUE, None, True)
    assert dates(course)["Number0001"] == (DUE, None, True)


def test_widening_the_audience_enrols_the_people_new_to_it(client, site, tree, course,
                                                          assignment, audience):
    department_hr = reporter(site, tree["department"], email="dept.hr@example.gov.uk")
    client.force_login(department_hr)
    change(client, assignment, organisations=[tree["operations"], tree["policy"]])
    assert dates(course)["Number0004"] == (DUE, None, True)
    assert RequiredLearning.objects.get().expanded_count == 4


def test_someone_moving_out_of_the_audience_loses_the_requirement_at_once(
    client, site, tree, course, assignment, audience
):
    mover = audience["north"]
    # HR move people (a learner's profile no longer changes their organisation).
    client.force_login(reporter(site, tree["department"], email="dept-hr@example.gov.uk"))
    client.post(reverse("person_team", args=[mover.pk]), {"organisation": tree["policy"].pk})
    assert dates(course)["Number0002"] == (None, None, False)
    assert dates(course)["Number0001"] == (DUE, None, True)


def test_the_audience_of_an_overdue_assignment_can_change_without_a_new_date(
    client, tree, course, assignment
):
    overdue = TODAY - timedelta(days=3)
    RequiredLearning.objects.filter(pk=assignment.pk).update(due_on=overdue)
    Enrolment.objects.filter(completed_at__isnull=True).update(due_on=overdue)
    response = change(client, assignment, organisations=[tree["team-north"]], due=overdue)
    assert response.status_code == 302
    assert dates(course)["Number0002"] == (overdue, None, True)
    assert dates(course)["Number0001"] == (None, None, False)


# --- Bad input -----------------------------------------------------------------------


def test_a_change_with_no_organisation_is_refused_and_changes_nothing(client, tree, course,
                                                                      assignment):
    before = snapshot()
    response = change(client, assignment, organisations=[], due=LATER)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose at least one organisation" in page
    assert RequiredLearning.objects.get().due_on == DUE
    assert snapshot() == before
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.REQUIRED_LEARNING_CHANGED).exists()


def test_a_change_to_a_date_that_is_not_real_is_refused(client, tree, course, assignment):
    response = client.post(reverse("required_learning_change", args=[assignment.pk]), {
        "organisations": [tree["operations"].pk], "due_on_day": "31", "due_on_month": "2",
        "due_on_year": str(LATER.year)})
    assert "Due date must be a real date" in response.content.decode()
    assert RequiredLearning.objects.get().due_on == DUE


def test_a_change_to_a_past_date_is_refused(client, tree, course, assignment):
    response = change(client, assignment, organisations=[tree["operations"]],
                      due=TODAY - timedelta(days=1))
    assert "The due date must be today or in the future" in response.content.decode()
    assert RequiredLearning.objects.get().due_on == DUE


# --- Extending one person's deadline -------------------------------------------------


def test_an_extension_is_recorded_with_its_reason_and_audited_without_it(
    client, hr, course, assignment, audience
):
    enrolment = enrolment_of(audience["north"])
    response = extend(client, assignment, enrolment, due=LATER)
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.due_on, enrolment.extended_due_on) == (DUE, LATER)
    extension = DeadlineExtension.objects.get()
    assert (extension.previous_due_on, extension.due_on, extension.granted_by) == (
        DUE, LATER, hr)
    assert extension.reason == "Back from long-term sick leave"
    event = AuditEvent.objects.get(action=AuditEvent.Action.DEADLINE_EXTENDED)
    # By id: audit events outlive a person's erasure, so no name or email in them.
    assert event.detail == (f"User {enrolment.user_id}, Agile basics: due date "
                            f"{day(DUE)} → {day(LATER)}")
    assert "sick" not in event.detail
    assert "Number0002" not in event.detail
    assert "p2@example.gov.uk" not in event.detail


def test_an_extension_survives_re_expansion_and_a_change_of_due_date(
    client, tree, course, assignment, audience, django_capture_on_commit_callbacks
):
    extend(client, assignment, enrolment_of(audience["north"]), due=LATER)
    change(client, assignment, organisations=[tree["operations"]], due=EARLIER)
    with django_capture_on_commit_callbacks(execute=True):
        services.required_learning_expand(assignment_id=assignment.pk)
    assert dates(course)["Number0002"] == (EARLIER, LATER, True)
    assert dates(course)["Number0001"] == (EARLIER, None, True)


@pytest.mark.parametrize("new_due", [DUE, DUE - timedelta(days=1)], ids=["same", "before"])
def test_an_extension_must_be_after_the_current_due_date(client, course, assignment,
                                                        audience, new_due):
    response = extend(client, assignment, enrolment_of(audience["north"]), due=new_due)
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"The new due date must be after the current due date, {day(DUE)}" in page
    assert not DeadlineExtension.objects.exists()
    assert enrolment_of(audience["north"]).extended_due_on is None


def test_an_extension_needs_a_reason(client, course, assignment, audience):
    response = extend(client, assignment, enrolment_of(audience["north"]), due=LATER,
                      reason="   ")
    assert "Enter the reason for the extension" in response.content.decode()
    assert not DeadlineExtension.objects.exists()


def test_a_second_extension_must_be_after_the_first(client, course, assignment, audience):
    enrolment = enrolment_of(audience["north"])
    extend(client, assignment, enrolment, due=LATER)
    response = extend(client, assignment, enrolment, due=LATER - timedelta(days=1))
    assert f"must be after the current due date, {day(LATER)}" in response.content.decode()
    assert DeadlineExtension.objects.count() == 1


def test_a_completed_enrolment_cannot_be_extended(client, course, assignment, audience):
    response = extend(client, assignment, enrolment_of(audience["done"]), due=LATER)
    assert response.status_code == 404
    assert not DeadlineExtension.objects.exists()


def test_hr_finds_a_person_by_email_and_the_link_to_extend(client, course, assignment,
                                                          audience):
    enrolment = enrolment_of(audience["north"])
    page = client.get(reverse("required_learning_detail", args=[assignment.pk]),
                      {"q": "p2@example"}).content.decode()
    assert "p2@example.gov.uk" in page
    assert "p1@example.gov.uk" not in page
    assert reverse("required_learning_extend", args=[assignment.pk, enrolment.pk]) in page
    page = client.get(reverse("required_learning_detail", args=[assignment.pk]),
                      {"q": "person number0001"}).content.decode()
    assert "p1@example.gov.uk" in page
    assert "p2@example.gov.uk" not in page


def test_reminders_follow_the_extended_date(client, course, assignment, audience):
    overdue = TODAY - timedelta(days=1)
    Enrolment.objects.filter(completed_at__isnull=True).update(due_on=overdue)
    Enrolment.objects.filter(user=audience["north"]).update(extended_due_on=LATER)
    assert services.required_learning_remind() == {"due_soon": 0, "overdue": 1}
    assert [m.to[0] for m in mail.outbox if m.subject.startswith("Overdue")] == [
        "p1@example.gov.uk"]


# --- Withdrawing ---------------------------------------------------------------------


def test_withdrawing_clears_open_enrolments_and_keeps_people_enrolled(
    client, course, assignment, audience
):
    extend(client, assignment, enrolment_of(audience["north"]), due=LATER)
    confirm = client.get(reverse("required_learning_withdraw", args=[assignment.pk]))
    assert "Are you sure you want to withdraw this required learning?" in (
        confirm.content.decode())
    response = withdraw(client, assignment)
    assert response.status_code == 302
    assert dates(course) == {"Number0001": (None, None, False),
                             "Number0002": (None, None, False),
                             "Number0003": (DUE, None, True)}  # completed: history kept
    assert RequiredLearning.objects.get().withdrawn_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.REQUIRED_LEARNING_WITHDRAWN)
    assert event.detail == (f"Agile basics (due {day(DUE)}, for Operations) is no longer "
                            "required")
    assert DeadlineExtension.objects.count() == 1  # the record of it stays


def test_withdrawing_twice_changes_nothing_the_second_time(client, course, assignment):
    withdraw(client, assignment)
    before = snapshot()
    response = withdraw(client, assignment)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.REQUIRED_LEARNING_WITHDRAWN).count() == 1
    assert snapshot() == before


def test_a_withdrawn_assignment_is_not_expanded_renewed_or_given_to_new_joiners(
    client, tree, course, assignment, audience, django_capture_on_commit_callbacks
):
    RequiredLearning.objects.filter(pk=assignment.pk).update(recurrence_months=12)
    Enrolment.objects.filter(user=audience["done"]).update(
        completed_at=timezone.now() - timedelta(days=350))
    withdraw(client, assignment)
    newcomer = person(tree["team-north"], 5)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.required_learning_expand(assignment_id=assignment.pk) == 0
        assert services.required_learning_for_user(user_id=newcomer.pk) == 0
        assert services.required_learning_renew() == 0
    assert snapshot() == before
    assert not Enrolment.objects.filter(user=newcomer).exists()


def test_the_reconciler_releases_a_withdrawn_assignment_whose_message_was_lost(
    course, assignment, django_capture_on_commit_callbacks
):
    # Withdrawn in the database, but the task that clears the due dates never ran.
    RequiredLearning.objects.filter(pk=assignment.pk).update(withdrawn_at=timezone.now())
    Enrolment.objects.filter(completed_at__isnull=True).update(due_on=TODAY + timedelta(3))
    assert services.required_learning_remind() == {"due_soon": 0, "overdue": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert services.required_learning_reconcile() == 1
    assert dates(course)["Number0001"] == (None, None, False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.required_learning_reconcile() == 0  # nothing left to release


def test_the_list_shows_withdrawn_ones_and_links_to_change_the_others(client, course,
                                                                     assignment):
    page = client.get(reverse("required_learning")).content.decode()
    assert reverse("required_learning_change", args=[assignment.pk]) in page
    assert reverse("required_learning_withdraw", args=[assignment.pk]) in page
    withdraw(client, assignment)
    page = client.get(reverse("required_learning")).content.decode()
    assert f"Withdrawn on {day(TODAY)}" in page
    assert reverse("required_learning_change", args=[assignment.pk]) not in page
    assert client.get(reverse("required_learning_change", args=[assignment.pk])
                      ).status_code == 404


def test_the_list_takes_the_same_queries_however_many_assignments(client, tree, course,
                                                                   assignment, hr):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("required_learning")).status_code == 200
        return len(captured)

    queries()  # the first page also reads the person's roles, then kept a minute
    one = queries()
    for n in range(4):
        more = RequiredLearning.objects.create(course=course, due_on=DUE + timedelta(n),
                                               created_by=hr)
        more.organisations.set([tree["team-north"]])
    RequiredLearning.objects.filter(pk=more.pk).update(withdrawn_at=timezone.now())
    assert queries() == one


# --- What learners see ---------------------------------------------------------------


def _section(page: str, heading: str) -> str:
    if f"{heading}</h2>" not in page:
        return ""
    return page.split(f"{heading}</h2>")[1].split("</table>")[0]


def test_my_learning_shows_a_change_an_extension_and_a_withdrawal(client, hr, tree, course,
                                                                 assignment, audience):
    change(client, assignment, organisations=[tree["operations"]], due=LATER)
    extend(client, assignment, enrolment_of(audience["ops"]), due=LATER + timedelta(days=7))
    client.force_login(audience["north"])
    required = _section(client.get("/my-learning/").content.decode(), "Required")
    assert "Agile basics" in required
    assert day(LATER) in required
    client.force_login(audience["ops"])
    required = _section(client.get("/my-learning/").content.decode(), "Required")
    assert f"{day(LATER + timedelta(days=7))} (extended)" in required
    client.force_login(hr)
    withdraw(client, assignment)
    client.force_login(audience["ops"])
    page = client.get("/my-learning/").content.decode()
    assert "Agile basics" not in _section(page, "Required")
    assert "Agile basics" in _section(page, "In progress")


# --- Who may change what -------------------------------------------------------------


@pytest.fixture
def north_hr(site, tree):
    """Reports on Team North only: below the assignment's Operations."""
    return reporter(site, tree["team-north"], email="north.hr@example.gov.uk")


def test_hr_not_covering_every_organisation_cannot_change_or_withdraw(
    client, tree, course, assignment, north_hr
):
    client.force_login(north_hr)
    before = snapshot()
    assert client.get(reverse("required_learning_change", args=[assignment.pk])
                      ).status_code == 404
    assert change(client, assignment, organisations=[tree["team-north"]],
                  due=LATER).status_code == 404
    assert client.get(reverse("required_learning_withdraw", args=[assignment.pk])
                      ).status_code == 404
    assert withdraw(client, assignment).status_code == 404
    assignment.refresh_from_db()
    assert (assignment.due_on, assignment.withdrawn_at) == (DUE, None)
    assert snapshot() == before
    page = client.get(reverse("required_learning")).content.decode()
    assert "Agile basics" in page  # they see it, with no links to change it
    assert reverse("required_learning_change", args=[assignment.pk]) not in page


def test_hr_may_extend_only_for_people_in_their_scope(client, course, assignment, audience,
                                                     north_hr):
    client.force_login(north_hr)
    outside = enrolment_of(audience["ops"])  # in Operations, above Team North
    assert extend(client, assignment, outside, due=LATER).status_code == 404
    page = client.get(reverse("required_learning_detail", args=[assignment.pk])
                      ).content.decode()
    assert "p1@example.gov.uk" not in page
    assert "p2@example.gov.uk" in page
    assert extend(client, assignment, enrolment_of(audience["north"]),
                  due=LATER).status_code == 302
    assert list(DeadlineExtension.objects.values_list("enrolment__user__email", flat=True)
                ) == ["p2@example.gov.uk"]


def test_hr_of_another_organisation_gets_404_everywhere(client, site, tree, course,
                                                       assignment, audience):
    client.force_login(reporter(site, tree["agency"], email="agency.hr@example.gov.uk"))
    enrolment = enrolment_of(audience["north"])
    for url in (reverse("required_learning_detail", args=[assignment.pk]),
                reverse("required_learning_change", args=[assignment.pk]),
                reverse("required_learning_withdraw", args=[assignment.pk]),
                reverse("required_learning_extend", args=[assignment.pk, enrolment.pk])):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert RequiredLearning.objects.get().withdrawn_at is None


def test_an_admin_may_change_any_assignment(client, course, assignment, tree):
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="admin@example.gov.uk", is_superuser=True,
                                   is_staff=True))
    assert change(client, assignment, organisations=[tree["agency"]], due=LATER
                  ).status_code == 302
    assert dates(course) == {"Number0001": (None, None, False),
                             "Number0002": (None, None, False),
                             "Number0003": (DUE, None, True)}


def test_hr_below_an_assignment_count_only_the_people_they_may_see(client, assignment,
                                                                   north_hr, audience):
    """An assignment set above a reporter's organisation says how many people it
    requires in their organisations only: the rest of its audience is not theirs to
    count (an Operations-wide figure less their own would size their sibling teams)."""
    client.force_login(north_hr)
    in_north = Enrolment.objects.filter(required_by=assignment,
                                        user__organisation__slug="team-north").count()
    everyone = Enrolment.objects.filter(required_by=assignment).count()
    assert in_north < everyone
    for url in (reverse("required_learning"),
                reverse("required_learning_detail", args=[assignment.pk])):
        page = client.get(url).content.decode()
        assert "People in your organisations" in page
        cell = page.split("People in your organisations", 1)[1]
        assert f">{in_north}<" in cell
        assert f">{everyone}<" not in cell
