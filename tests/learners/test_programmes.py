"""Model → pair → coach programmes (issue 16): only coaches change phases, with a note;
evidence and phase history are append-only, in the model and in PostgreSQL; the closing
report is made once and says what the history says; a member of another organisation
sees nothing, and HR in scope sees a summary."""

import subprocess
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from learners import tasks
from learners.models import (
    Enrolment,
    Evidence,
    LedBy,
    Organisation,
    PhaseChange,
    Practice,
    PracticePhase,
    Programme,
    ReportingScope,
)
from learners.models.programmes import AppendOnlyError
from learners.scoping import HR_REPORTERS
from learners.services.programmes import (
    ProgrammeForbidden,
    ProgrammeRefused,
    evidence_log,
    practice_add,
    practice_phase_move,
    programme_close,
    programme_create,
    programme_overview,
)
from tests.factories import UserFactory, course_with_lessons

pytestmark = [pytest.mark.postgres]


@dataclass
class World:
    programme: Programme
    stories: Practice
    retro: Practice
    coach: object
    member: object
    colleague: object
    outsider: object
    hr_in_scope: object
    hr_elsewhere: object
    admin: object
    course: object


def _world(catalogue, *, starts_ago=30, ends_in=30) -> World:
    department = Organisation.add_root(name="Department for Practice", slug="dfp")
    team = department.add_child(name="Benefits Team", slug="benefits-team")
    elsewhere = Organisation.add_root(name="Agency Elsewhere", slug="agency-elsewhere")
    hr = Group.objects.get_or_create(name=HR_REPORTERS)[0]
    coach = UserFactory(first_name="Dana", last_name="Coachworth")
    member = UserFactory(first_name="Femi", last_name="Teamson", organisation=team)
    colleague = UserFactory(first_name="Ola", last_name="Partnerly", organisation=team)
    outsider = UserFactory(first_name="Otto", last_name="Outside", organisation=elsewhere)
    hr_in_scope = UserFactory(first_name="Hana", last_name="Inscope")
    hr_in_scope.groups.add(hr)
    ReportingScope.objects.create(user=hr_in_scope, organisation=department)
    hr_elsewhere = UserFactory(first_name="Hal", last_name="Outscope")
    hr_elsewhere.groups.add(hr)
    ReportingScope.objects.create(user=hr_elsewhere, organisation=elsewhere)
    admin = UserFactory(first_name="Ali", last_name="Admin", is_superuser=True, is_staff=True)
    course = course_with_lessons(catalogue, modules=1, lessons=1, title="Writing user stories")
    today = timezone.localdate()
    programme = programme_create(
        name="Benefits team capability", organisation=team, created_by=admin,
        starts_on=today - timedelta(days=starts_ago), ends_on=today + timedelta(days=ends_in),
        members=[member, colleague], coaches=[coach])
    stories = practice_add(programme=programme, name="Write user stories", courses=[course])
    retro = practice_add(programme=programme, name="Hold a retrospective")
    return World(programme, stories, retro, coach, member, colleague, outsider, hr_in_scope,
                 hr_elsewhere, admin, course)


@pytest.fixture
def world(catalogue) -> World:
    return _world(catalogue)


def _move_url(w, practice):
    return reverse("practice_phase_change", args=[w.programme.pk, practice.pk])


def _evidence_url(w, practice):
    return reverse("practice_evidence_log", args=[w.programme.pk, practice.pk])


def _body(response) -> str:
    return response.content.decode()


# --- Only coaches change phases -------------------------------------------------------


def test_a_coach_moves_a_practice_on_with_a_note_and_the_table_says_so(client, world):
    client.force_login(world.coach)
    response = client.post(_move_url(world, world.stories),
                           {"to_phase": "pair", "note": "They wrote three stories with us."})
    assert response.status_code == 302
    world.stories.refresh_from_db()
    assert world.stories.phase == PracticePhase.PAIR
    change = PhaseChange.objects.get()
    assert (change.from_phase, change.to_phase, change.by) == ("model", "pair", world.coach)
    assert change.note == "They wrote three stories with us."
    page = _body(client.get(reverse("programme_detail", args=[world.programme.pk])))
    row = page.split('data-practice="Write user stories"')[1].split("</tr>")[0]
    assert ">Pair</strong>" in row
    assert "step 2 of 4" in row


def test_a_member_cannot_move_a_practice(client, world):
    client.force_login(world.member)
    response = client.post(_move_url(world, world.stories),
                           {"to_phase": "pair", "note": "We think we are ready."})
    assert response.status_code == 403
    world.stories.refresh_from_db()
    assert world.stories.phase == PracticePhase.MODEL
    assert not PhaseChange.objects.exists()
    with pytest.raises(ProgrammeForbidden):
        practice_phase_move(practice=world.stories, to_phase="pair", note="Ready",
                            by=world.member)
    # The member's practice page has no move form; the coach's has.
    page = _body(client.get(reverse("practice_detail",
                                    args=[world.programme.pk, world.stories.pk])))
    assert "Move this practice" not in page
    assert "Log evidence" in page
    client.force_login(world.coach)
    page = _body(client.get(reverse("practice_detail",
                                    args=[world.programme.pk, world.stories.pk])))
    assert "Move this practice" in page


def test_an_admin_or_hr_reporter_cannot_move_a_practice(client, world):
    client.force_login(world.admin)
    assert client.post(_move_url(world, world.stories),
                       {"to_phase": "pair", "note": "x"}).status_code == 403
    client.force_login(world.hr_in_scope)
    assert client.post(_move_url(world, world.stories),
                       {"to_phase": "pair", "note": "x"}).status_code == 404
    assert not PhaseChange.objects.exists()


def test_a_move_without_a_note_is_refused_with_a_clear_message(client, world):
    client.force_login(world.coach)
    response = client.post(_move_url(world, world.stories), {"to_phase": "pair", "note": "  "})
    assert response.status_code == 200
    page = _body(response)
    assert "There is a problem" in page
    assert 'href="#id_note">Enter a note saying why the practice is moving' in page
    assert 'id="id_note-error"' in page
    world.stories.refresh_from_db()
    assert world.stories.phase == PracticePhase.MODEL
    assert not PhaseChange.objects.exists()
    with pytest.raises(ProgrammeRefused, match="Enter a note"):
        practice_phase_move(practice=world.stories, to_phase="pair", note="",
                            by=world.coach)


def test_a_practice_moves_on_one_phase_at_a_time_and_back_any_number(world):
    with pytest.raises(ProgrammeRefused, match="one phase at a time"):
        practice_phase_move(practice=world.stories, to_phase="coach", note="Skip",
                            by=world.coach)
    practice_phase_move(practice=world.stories, to_phase="pair", note="Paired on two",
                        by=world.coach)
    practice_phase_move(practice=world.stories, to_phase="coach", note="They led it",
                        by=world.coach)
    back = practice_phase_move(practice=world.stories, to_phase="model",
                               note="New team members joined", by=world.coach)
    assert back.is_back
    world.stories.refresh_from_db()
    assert world.stories.phase == PracticePhase.MODEL
    assert [(c.from_phase, c.to_phase) for c in PhaseChange.objects.all()] == [
        ("model", "pair"), ("pair", "coach"), ("coach", "model")]


def test_the_timeline_interleaves_evidence_and_moves_and_says_a_move_back(client, world):
    today = timezone.localdate()
    evidence_log(practice=world.stories, by=world.member, happened_on=today - timedelta(days=3),
                 what="Watched the experts split an epic", led_by=LedBy.EXPERTS)
    practice_phase_move(practice=world.stories, to_phase="pair", note="Ready to pair",
                        by=world.coach)
    practice_phase_move(practice=world.stories, to_phase="model", note="Back to watching",
                        by=world.coach)
    client.force_login(world.member)
    page = _body(client.get(reverse("practice_detail",
                                    args=[world.programme.pk, world.stories.pk])))
    order = [page.index(text) for text in ("Watched the experts split an epic",
                                           "Moved on from Model to Pair", "Ready to pair",
                                           "Moved back from Pair to Model", "Back to watching")]
    assert order == sorted(order)


# --- Evidence -----------------------------------------------------------------------------


def test_a_member_logs_evidence_and_it_joins_the_timeline(client, world):
    client.force_login(world.member)
    day = timezone.localdate() - timedelta(days=1)
    response = client.post(_evidence_url(world, world.stories), {
        "happened_on_day": day.day, "happened_on_month": day.month,
        "happened_on_year": day.year, "what": "Wrote the stories for the address change",
        "led_by": f"person-{world.colleague.pk}", "reflection": "Acceptance criteria first"})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.led_by, evidence.led_by_person, evidence.logged_by) == (
        "person", world.colleague, world.member)
    page = _body(client.get(response["Location"]))
    assert "Wrote the stories for the address change" in page
    assert f"Led by {world.colleague}" in page
    assert "Acceptance criteria first" in page


def test_evidence_without_what_or_with_a_future_date_is_refused(client, world):
    client.force_login(world.member)
    future = timezone.localdate() + timedelta(days=2)
    response = client.post(_evidence_url(world, world.stories), {
        "happened_on_day": future.day, "happened_on_month": future.month,
        "happened_on_year": future.year, "what": "", "led_by": "team"})
    page = _body(response)
    assert response.status_code == 200
    assert 'href="#id_what">Enter what was done' in page
    response = client.post(_evidence_url(world, world.stories), {
        "happened_on_day": future.day, "happened_on_month": future.month,
        "happened_on_year": future.year, "what": "Ran a retro", "led_by": "team"})
    assert "The date it happened must be today or in the past" in _body(response)
    assert not Evidence.objects.exists()


def test_someone_outside_the_programme_cannot_log_evidence(world):
    with pytest.raises(ProgrammeForbidden):
        evidence_log(practice=world.stories, by=world.outsider,
                     happened_on=timezone.localdate(), what="Sneaky", led_by="team")
    assert not Evidence.objects.exists()


# --- Append-only ------------------------------------------------------------------------


@pytest.fixture
def history(world):
    evidence = evidence_log(practice=world.stories, by=world.member,
                            happened_on=timezone.localdate(), what="Wrote stories",
                            led_by=LedBy.TOGETHER)
    change = practice_phase_move(practice=world.stories, to_phase="pair", note="Paired",
                                 by=world.coach)
    return evidence, change


def test_evidence_and_phase_changes_cannot_be_changed_or_deleted_through_the_model(history):
    evidence, change = history
    for row in (evidence, change):
        model = type(row)
        with pytest.raises(AppendOnlyError):
            row.save()
        with pytest.raises(AppendOnlyError):
            row.delete()
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=row.pk).update(practice=row.practice)
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=row.pk).delete()
    evidence.refresh_from_db()
    change.refresh_from_db()
    assert (evidence.what, change.note) == ("Wrote stories", "Paired")


@pytest.mark.parametrize("statement", [
    "UPDATE learners_evidence SET what = 'Rewritten'",
    "DELETE FROM learners_evidence",
    "UPDATE learners_phasechange SET note = 'Rewritten'",
    "DELETE FROM learners_phasechange",
])
def test_postgresql_refuses_to_change_or_delete_history_rows(history, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement)
    assert Evidence.objects.get().what == "Wrote stories"
    assert PhaseChange.objects.get().note == "Paired"


def test_a_practice_with_history_cannot_be_deleted(history, world):
    with pytest.raises(DatabaseError), transaction.atomic():
        Practice.objects.filter(pk=world.stories.pk).delete()
    assert Practice.objects.filter(pk=world.stories.pk).exists()


# --- The overview -------------------------------------------------------------------------


def test_the_overview_flags_behind_plan_and_overdue_in_words(world):
    programme = world.programme
    practice_phase_move(practice=world.retro, to_phase="pair", note="Paired", by=world.coach)
    # Two thirds through: every practice should be in Coach or later.
    late = programme.starts_on + (programme.ends_on - programme.starts_on) * 5 // 6
    rows = {r.practice.name: r for r in programme_overview(programme=programme, today=late)}
    assert rows["Write user stories"].status == "behind plan"
    assert rows["Write user stories"].status_text.startswith("Behind plan: should be in Coach")
    # In the first third, Model is on track.
    early = programme.starts_on + timedelta(days=1)
    rows = {r.practice.name: r for r in programme_overview(programme=programme, today=early)}
    assert rows["Write user stories"].status == "on track"
    after = programme.ends_on + timedelta(days=1)
    rows = {r.practice.name: r for r in programme_overview(programme=programme, today=after)}
    assert rows["Hold a retrospective"].status == "overdue"
    assert "Overdue: not owned by the end date" in rows["Hold a retrospective"].status_text


def test_the_programme_page_lists_the_courses_members_still_need(client, world):
    Enrolment.objects.create(user=world.member, course=world.course,
                             completed_at=timezone.now(), progress_percent=100)
    client.force_login(world.coach)
    page = _body(client.get(reverse("programme_detail", args=[world.programme.pk])))
    assert "1 of 2 members still needs it" in page
    assert f"({world.colleague})" in page
    client.force_login(world.member)  # members see how many, not who
    page = _body(client.get(reverse("programme_detail", args=[world.programme.pk])))
    assert "1 of 2 members still needs it" in page
    assert f"({world.colleague})" not in page


# --- Who sees what -------------------------------------------------------------------------


def _every_url(w):
    args = [w.programme.pk, w.stories.pk]
    return [("get", reverse("programme_detail", args=[w.programme.pk])),
            ("get", reverse("programme_report_download", args=[w.programme.pk])),
            ("get", reverse("practice_detail", args=args)),
            ("post", reverse("practice_evidence_log", args=args)),
            ("post", reverse("practice_phase_change", args=args))]


def test_a_member_of_another_organisation_sees_nothing(client, catalogue):
    world = _world(catalogue, starts_ago=40, ends_in=-1)
    programme_close(programme_id=world.programme.pk)
    assert Programme.objects.get().report
    client.force_login(world.outsider)
    for method, url in _every_url(world):
        response = getattr(client, method)(url, {"to_phase": "pair", "note": "x",
                                                 "what": "x", "led_by": "team"})
        assert response.status_code == 404, url
        assert world.programme.name not in _body(response)
    listing = _body(client.get(reverse("programme_list")))
    assert world.programme.name not in listing
    assert "You are not in any programme" in listing
    assert not Evidence.objects.exists()
    assert not PhaseChange.objects.exists()


def test_hr_in_scope_sees_a_summary_and_hr_elsewhere_nothing(client, world):
    evidence_log(practice=world.stories, by=world.member, happened_on=timezone.localdate(),
                 what="Private detail of the team's work", led_by=LedBy.TEAM)
    client.force_login(world.hr_in_scope)
    assert world.programme.name in _body(client.get(reverse("programme_list")))
    page = _body(client.get(reverse("programme_detail", args=[world.programme.pk])))
    assert "This is a summary for HR" in page
    assert "Write user stories" in page
    assert "Model</strong>" in page
    assert "Private detail of the team's work" not in page
    assert str(world.member) not in page
    practice = reverse("practice_detail", args=[world.programme.pk, world.stories.pk])
    assert practice not in page
    assert client.get(practice).status_code == 404
    client.force_login(world.hr_elsewhere)
    assert client.get(reverse("programme_detail", args=[world.programme.pk])).status_code == 404
    assert world.programme.name not in _body(client.get(reverse("programme_list")))


# --- The closing report ----------------------------------------------------------------


def _pdf_text(programme) -> str:
    with programme.report.open("rb") as handle:
        pdf = handle.read()
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf,
                            capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def test_the_closing_report_is_made_once_however_often_the_task_runs(catalogue):
    world = _world(catalogue, starts_ago=40, ends_in=-1)
    assert tasks.programmes_close.delay().get() == 1
    programme = Programme.objects.get(pk=world.programme.pk)
    first = (programme.report.name, programme.closed_at)
    assert tasks.programmes_close.delay().get() == 0
    programme.refresh_from_db()
    assert (programme.report.name, programme.closed_at) == first
    assert programme.report.storage.exists(programme.report.name)


def test_a_programme_not_yet_ended_is_not_closed(world):
    assert tasks.programmes_close.delay().get() == 0
    world.programme.refresh_from_db()
    assert world.programme.closed_at is None
    assert not world.programme.report


def test_the_closing_report_says_what_the_history_says(catalogue):
    world = _world(catalogue, starts_ago=40, ends_in=-1)
    day = world.programme.starts_on + timedelta(days=3)
    evidence_log(practice=world.stories, by=world.member, happened_on=day,
                 what="Split the change of address epic into six stories",
                 led_by=LedBy.TOGETHER, reflection="Smaller stories were easier to test")
    for to_phase, note in (("pair", "Paired on the first sprint"),
                           ("coach", "Femi led refinement"),
                           ("owned", "The team writes stories without us")):
        practice_phase_move(practice=world.stories, to_phase=to_phase, note=note,
                            by=world.coach)
    practice_phase_move(practice=world.retro, to_phase="pair", note="Ran one together",
                        by=world.coach)
    practice_phase_move(practice=world.retro, to_phase="model", note="Facilitator left",
                        by=world.coach)
    programme = programme_close(programme_id=world.programme.pk)
    text = _pdf_text(programme)
    assert "Closing report: Benefits team capability" in text
    assert "The team now owns 1 of 2 practices." in text
    owned = text.split("Practices the team now owns")[1].split("What remains")[0]
    assert "Write user stories" in owned
    assert "Hold a retrospective" not in owned
    remains = text.split("What remains")[1].split("Each practice")[0]
    assert "Hold a retrospective: now in Model (step 1 of 4), not yet owned" in remains
    assert "Writing user stories (for Write user stories): 2 of 2 members" in remains
    for change in PhaseChange.objects.select_related("by"):
        back = "back " if change.is_back else ""
        assert (f"moved {back}from {change.get_from_phase_display()} to "
                f"{change.get_to_phase_display()} by {change.by}. Note: {change.note}") in text
    assert "Split the change of address epic into six stories (led by The experts and your " \
           "team together). Reflection: Smaller stories were easier to test" in text
    assert text.count("No evidence was logged.") == 1  # the retrospective has none
    # Closed: nothing more is recorded.
    with pytest.raises(ProgrammeRefused, match="closed"):
        evidence_log(practice=world.retro, by=world.member, happened_on=day, what="Late",
                     led_by="team")


def test_the_closing_report_downloads_for_people_in_it_and_hr_in_scope(client, catalogue):
    world = _world(catalogue, starts_ago=40, ends_in=-1)
    programme_close(programme_id=world.programme.pk)
    url = reverse("programme_report_download", args=[world.programme.pk])
    for person in (world.member, world.coach, world.admin, world.hr_in_scope):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200, person
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for person in (world.outsider, world.hr_elsewhere):
        client.force_login(person)
        assert client.get(url).status_code == 404


# --- Setting up in the Wagtail admin -------------------------------------------------------


def _edit_form(client, programme):
    from wagtail.test.utils.form_data import querydict_from_html

    url = reverse("programmes:edit", args=[programme.pk])
    response = client.get(url)
    assert response.status_code == 200
    return url, querydict_from_html(response.content.decode(), form_id="w-editor-form")


def test_an_admin_changes_a_programme_but_cannot_remove_a_practice_with_history(client, world):
    evidence_log(practice=world.stories, by=world.member, happened_on=timezone.localdate(),
                 what="Wrote stories", led_by=LedBy.TEAM)
    client.force_login(world.admin)
    url, data = _edit_form(client, world.programme)
    data["name"] = "Benefits team: owning our ways of working"
    assert client.post(url, data).status_code == 302
    world.programme.refresh_from_db()
    assert world.programme.name == "Benefits team: owning our ways of working"
    assert list(world.programme.practices.values_list("name", flat=True)) == [
        "Write user stories", "Hold a retrospective"]

    url, data = _edit_form(client, world.programme)
    stories = next(key.removesuffix("-id") for key, value in data.items()
                   if key.startswith("practices-") and key.endswith("-id")
                   and value == str(world.stories.pk))
    data[f"{stories}-DELETE"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "“Write user stories” has evidence or phase changes, so it cannot be removed" in \
        response.content.decode()
    assert Practice.objects.filter(pk=world.stories.pk).exists()


def test_a_trainer_who_is_not_its_coach_cannot_open_a_programme_in_the_admin(client, world):
    from academy.setup import TRAINERS

    stranger = UserFactory(first_name="Tess", last_name="Othertrainer")
    stranger.groups.add(Group.objects.get(name=TRAINERS))
    client.force_login(stranger)
    assert client.get(reverse("programmes:edit", args=[world.programme.pk])).status_code in (
        302, 403, 404)
    world.coach.groups.add(Group.objects.get(name=TRAINERS))
    client.force_login(world.coach)
    assert client.get(reverse("programmes:edit", args=[world.programme.pk])).status_code == 200
