"""The access matrix: every page, export and API endpoint that shows learner data, for
every role, against one data owner. Each cell asserts one of three outcomes:

- allowed: the response shows the owner's record (their name, email, certificate...);
- own only: the response opens but shows only the viewer's own record or scope, and
  nothing of the owner's (no names, no counts that include them);
- denied: a sign-in redirect, 401, 403, 404 or 400, and the response reveals nothing:
  none of the owner's details, no counts, and (for a 404) the same page as for
  something that does not exist at all.

Two guards keep the matrix whole: every route of the project's own apps must be listed
either in LEARNER_DATA_URLS (and have rows here) or in NO_LEARNER_DATA_URLS, and every
page type Wagtail serves from the project's apps must be listed in PAGE_TYPES_WITH or
PAGE_TYPES_WITHOUT learner data. A new URL that nobody has classified fails the test.

Pages are requested by every other role after the owner has viewed them, so what pages
keep in the cache is in the matrix too.
"""

import copy
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.models import APIToken, get_page_models

from academy.models import Export
from academy.reports.bulk import bulk_file_read, bulk_rows_check
from academy.reports.services import bulk_enrolment_create, export_build
from academy.setup import TRAINERS
from learners.models import (
    BulkEnrolment,
    Certificate,
    Enrolment,
    Organisation,
    ReportingScope,
    RequiredLearning,
)
from learners.scoping import HR_REPORTERS
from tests.factories import UserFactory, course_with_lessons
from tests.learners.conftest import enrol, lesson_body, lessons_of, work_through

# --- Roles -------------------------------------------------------------------------

ANONYMOUS = "anonymous"
OWNER = "owner"                          # the learner whose record it is
LEARNER = "learner"                      # another learner
TRAINER_OTHER = "trainer_other_course"   # trains a different course
TRAINER_OWN = "trainer_owner_course"     # trains the owner's course
HR_OTHER_ORG = "hr_other_org"            # reports on a different root organisation
HR_SIBLING = "hr_sibling_team"           # reports on the team next to the owner's
HR_PARENT = "hr_parent_org"              # reports on the owner's parent organisation
HR_UNGROUPED = "hr_scope_without_group"  # has a scope, but is no longer an HR reporter
ADMIN = "admin"                          # academy admin (superuser)
LINE_MANAGER = "line_manager"            # the owner's line manager; otherwise a learner

ROLES = [ANONYMOUS, OWNER, LEARNER, TRAINER_OTHER, TRAINER_OWN, HR_OTHER_ORG, HR_SIBLING,
         HR_PARENT, HR_UNGROUPED, ADMIN, LINE_MANAGER]

ALLOWED, OWN_ONLY, DENIED = "allowed", "own_only", "denied"

# The owner's identity: none of it may appear where they are not visible.
OWNER_FIRST, OWNER_LAST = "Zebedee", "Quartermain"
OWNER_EMAIL = "zebedee.quartermain@example.gov.uk"
OWNER_TEAM = "Team North"
# Someone in the other organisation, on the same course: what its HR reporter may see.
AGENCY_LAST = "Agencyworker"
AGENCY_EMAIL = "ada.agencyworker@example.gov.uk"
# Distinctive figures, so that a leaked count can be told from any other number.
REQUIRED_COUNT = 79193
BULK_TOTAL, BULK_ENROLLED = 61379, 58771
BULK_FILENAME = "team-north-intake.csv"
BULK_CHECK_FILENAME = "team-north-to-check.csv"   # uploaded by HR_PARENT, not confirmed
# The owner's line manager (in Operations): who manages them is the owner's data too.
MANAGER_EMAIL = "mo.linemanager@example.gov.uk"
NEW_STAFF_NUMBER = "SN-40817"
# Two accounts in the owner's team, on the owner's course, that do not count as learners
# (issue 12): one signed up and never confirmed its email, one signed up from a domain
# that is not allowed. They are in no report, compliance view, API answer or export.
UNVERIFIED_LAST, UNVERIFIED_EMAIL = "Unconfirmedsen", "uma.unconfirmedsen@example.gov.uk"
UNLISTED_LAST, UNLISTED_EMAIL = "Offdomainley", "otto.offdomainley@gmail.com"
UNCOUNTED = (UNVERIFIED_LAST, UNVERIFIED_EMAIL, UNLISTED_LAST, UNLISTED_EMAIL)
COUNT_KEYS = {"total", "processed", "enrolled", "percent", "count",
              "results", "download_url"}

# --- The world -----------------------------------------------------------------------


@dataclass
class World:
    users: dict
    course: object
    other_course: object
    lesson: object
    certificate: Certificate
    export: Export
    bulk: BulkEnrolment
    # For "own only" API and report cells: the emails each role may legitimately see.
    scope_emails: dict = field(default_factory=dict)
    bulk_check: BulkEnrolment | None = None  # checked, waiting for HR_PARENT to confirm

    @property
    def owner(self):
        return self.users[OWNER]

    def owner_secrets(self) -> list[str]:
        return [OWNER_FIRST, OWNER_LAST, OWNER_EMAIL, self.certificate.code[:10], OWNER_TEAM]


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """The world, built once for the module inside a transaction rolled back after it;
    each test runs in a savepoint inside it, so what a cell changes is undone for the
    next. Built per test, it cost about two seconds a cell: half an hour of the suite."""
    from django.db import transaction

    from academy.setup import academy_roles_ensure, academy_site_ensure
    from courses.models import CataloguePage
    from tests.conftest import CommittingClient

    with django_db_blocker.unblock(), transaction.atomic():
        academy_site_ensure()
        academy_roles_ensure()
        yield _world_build(CommittingClient(), CataloguePage.objects.get())
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db) -> World:
    """The module's world, with fresh copies of its records, so that a test that changes
    one in memory does not change it for the next."""
    return copy.deepcopy(_world)


def _world_build(client, catalogue) -> World:
    department = Organisation.add_root(name="Department for Matrices", slug="department")
    operations = department.add_child(name="Operations", slug="operations")
    team_north = operations.add_child(name=OWNER_TEAM, slug="team-north")
    team_south = operations.add_child(name="Team South", slug="team-south")
    agency = Organisation.add_root(name="Agency for Elsewhere", slug="agency")

    trainers = Group.objects.get(name=TRAINERS)
    hr_reporters = Group.objects.get(name=HR_REPORTERS)

    def person(email, first, last, organisation=None, groups=(), scope=None, **extra):
        user = UserFactory(email=email, first_name=first, last_name=last,
                           organisation=organisation, **extra)
        user.groups.add(*groups)
        if scope is not None:
            ReportingScope.objects.create(user=user, organisation=scope)
        return user

    users = {
        OWNER: person(OWNER_EMAIL, OWNER_FIRST, OWNER_LAST, team_north),
        LEARNER: person("lee.learner@example.gov.uk", "Lee", "Learner", team_south),
        TRAINER_OTHER: person("tara.trainer@example.gov.uk", "Tara", "Elsewhere",
                              groups=[trainers]),
        TRAINER_OWN: person("tom.trainer@example.gov.uk", "Tom", "Coursetrainer",
                            groups=[trainers]),
        HR_OTHER_ORG: person("hana.hr@example.gov.uk", "Hana", "Agencyhr",
                             groups=[hr_reporters], scope=agency),
        HR_SIBLING: person("sid.hr@example.gov.uk", "Sid", "Southhr",
                           groups=[hr_reporters], scope=team_south),
        HR_PARENT: person("pat.hr@example.gov.uk", "Pat", "Operationshr",
                          groups=[hr_reporters], scope=operations),
        HR_UNGROUPED: person("una.hr@example.gov.uk", "Una", "Formerhr", scope=department),
        ADMIN: person("ali.admin@example.gov.uk", "Ali", "Admin", is_superuser=True,
                      is_staff=True),
        LINE_MANAGER: person(MANAGER_EMAIL, "Mo", "Linemanager", operations),
    }
    users[OWNER].line_manager = users[LINE_MANAGER]
    users[OWNER].save(update_fields=["line_manager"])
    agency_learner = person(AGENCY_EMAIL, "Ada", AGENCY_LAST, agency)

    course = course_with_lessons(catalogue, modules=1, lessons=2, body=lesson_body,
                                 title="Kanban in practice", pass_mark=50)
    other_course = course_with_lessons(catalogue, modules=1, lessons=1,
                                       title="Service design basics")
    course.trainers.add(users[TRAINER_OWN])
    course.save()
    other_course.trainers.add(users[TRAINER_OTHER])
    other_course.save()

    # The owner completes the course over HTTP and earns a certificate; the Agency
    # learner and the other learner enrol on something, so "own only" has content.
    client.force_login(users[OWNER])
    assert enrol(client, course).status_code == 302
    work_through(client, lessons_of(course))
    client.force_login(agency_learner)
    enrol(client, course)
    client.force_login(users[LEARNER])
    enrol(client, other_course)
    client.logout()
    users["unverified"] = person(UNVERIFIED_EMAIL, "Uma", UNVERIFIED_LAST, team_north,
                                 email_verified_at=None, signed_up_at=timezone.now())
    users["unlisted"] = person(UNLISTED_EMAIL, "Otto", UNLISTED_LAST, team_north,
                               signed_up_at=timezone.now())
    for uncounted in (users["unverified"], users["unlisted"]):  # as if enrolled before
        Enrolment.objects.create(user=uncounted, course=course)
    certificate = Certificate.objects.get(enrolment__user=users[OWNER], enrolment__course=course)
    assert certificate.file, "the certificate PDF should have been made"

    export = Export.objects.create(requested_by=users[HR_PARENT], format="csv", filters={})
    export = export_build(export_id=export.pk)
    assert export.status == Export.DONE  # its rows: the owner, and the learner in Team South

    bulk = BulkEnrolment.objects.create(
        created_by=users[HR_PARENT], filename=BULK_FILENAME, rows=[], total=BULK_TOTAL,
        processed=BULK_TOTAL, enrolled=BULK_ENROLLED, status=BulkEnrolment.DONE,
        finished_at=timezone.now())
    required = RequiredLearning.objects.create(
        course=course, due_on=timezone.localdate() + timedelta(days=60),
        created_by=users[HR_PARENT], expanded_at=timezone.now(),
        expanded_count=REQUIRED_COUNT)  # the stored audience size: never shown, as
    required.organisations.set([team_north])  # pages count only people in scope
    # A file HR_PARENT has uploaded and not yet confirmed: the owner on the other course
    # (a new enrolment), and the Agency learner (outside their organisations: rejected).
    table = bulk_file_read(SimpleUploadedFile(BULK_CHECK_FILENAME, (
        f"email,course\n{OWNER_EMAIL},{other_course.title}\n"
        f"{AGENCY_EMAIL},{other_course.title}\n").encode()))
    check = bulk_rows_check(table=table, viewer=users[HR_PARENT])
    bulk_check = bulk_enrolment_create(viewer=users[HR_PARENT], filename=table.name,
                                       rows=check.rows, check_report=check.report())
    # The owner's completion is required learning, done on time: the compliance view's.
    Enrolment.objects.filter(user=users[OWNER], course=course).update(
        required_by=required, due_on=required.due_on)
    Enrolment.objects.filter(user__in=[users["unverified"], users["unlisted"]]).update(
        required_by=required, due_on=required.due_on)

    return World(
        users=users, course=course, other_course=other_course,
        lesson=lessons_of(course)[0], certificate=certificate, export=export, bulk=bulk,
        bulk_check=bulk_check,
        scope_emails={HR_OTHER_ORG: {AGENCY_EMAIL}, HR_SIBLING: {users[LEARNER].email}},
    )


# --- The rows ------------------------------------------------------------------------


def outcomes(default: str, **overrides: str) -> dict[str, str]:
    """One outcome for every role: `default`, except those named."""
    unknown = set(overrides) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: overrides.get(role, default) for role in ROLES}


# Who may see reports, and the shape of it: HR of the owner's parent and admins see the
# owner; HR of other organisations see only their own people; everyone else is refused.
REPORTING = outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED,
                     hr_other_org=OWN_ONLY, hr_sibling_team=OWN_ONLY)
ONLY_THE_HR_WHO_ASKED = outcomes(DENIED, hr_parent_org=ALLOWED)
# Changing required learning, and one person's deadline: HR covering the assignment's
# organisations (the owner's parent) and admins; HR elsewhere get the 404 of nothing.
CHANGING_REQUIRED = outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED)
# Any HR reporter may upload a file (the POST answers with a redirect to their own
# check page, and shows nothing); what it may enrol is their own scope, which
# _bulk_upload_check asserts on that page.
UPLOADERS = outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED, hr_other_org=ALLOWED,
                     hr_sibling_team=ALLOWED)


@dataclass(frozen=True)
class Row:
    key: str
    route: str                                   # a name in LEARNER_DATA_URLS, or a page type
    path: Callable[[World], str]
    outcomes: dict[str, str]
    evidence: Callable[[World], list[str]] = lambda w: [OWNER_LAST]
    secrets: Callable[[World], list[str]] = lambda w: []   # besides the owner's identity
    echoed: tuple[str, ...] = ()                 # secrets the viewer sent, so may see again
    forbidden: tuple[str, ...] = ()              # regexes: counts that must not show
    auth: str = "session"                        # "session", "token" or "session_no_token"
    method: str = "get"
    data: Callable[[World], dict] | None = None
    missing: Callable[[World], str] | None = None   # the same URL for something that isn't
    check: Callable | None = None   # more assertions: (response, body, world, role, outcome)


def _report_check(response, body, world, role, outcome):
    """The unfiltered report: an HR reporter of another organisation sees their own
    people counted, and the owner in no figure."""
    if outcome != OWN_ONLY:
        return
    scope = len(world.scope_emails[role])
    figures = dict(re.findall(r'<dt class="govuk-body-s">([^<]+)</dt>'
                              r'<dd class="govuk-heading-l">([^<]+)</dd>', body))
    assert figures["Enrolled"] == str(scope), figures
    assert figures["Completed"] == "0", figures  # only the owner has completed
    assert f"Records ({scope})" in body


def _api_check(response, body, world, role, outcome):
    if outcome == ALLOWED:
        records = response.json()["results"]
        mine = [r for r in records if r["email"] == OWNER_EMAIL]
        assert len(mine) == 1
        assert mine[0]["certificate_code"] == world.certificate.code
        assert mine[0]["status"] == "completed"
    elif outcome == OWN_ONLY and response.status_code == 200:
        emails = {r["email"] for r in response.json()["results"]}
        assert emails <= world.scope_emails[role], emails - world.scope_emails[role]


def _bulk_upload_check(response, body, world, role, outcome):
    """Uploading enrols no one: the checked file waits on its owner's check page. HR over
    the owner may enrol them; HR elsewhere are told the owner is not in their scope, and
    shown nothing else of them."""
    mine = BulkEnrolment.objects.filter(created_by=world.users.get(role)).exclude(
        pk__in=[world.bulk.pk, world.bulk_check.pk]) if role in world.users \
        else BulkEnrolment.objects.none()
    assert not Enrolment.objects.filter(user=world.owner, course=world.other_course).exists()
    if outcome != ALLOWED:
        assert not mine.exists(), "a bulk enrolment was created"
        return
    bulk = mine.get()
    assert response["Location"] == reverse("bulk_enrolment_check", args=[bulk.pk])
    page = response.client.get(response["Location"]).content.decode()
    if role in (HR_PARENT, ADMIN):
        assert bulk.rows == [[world.owner.pk, world.other_course.pk, None]]
        assert "1 new enrolment" in page
    else:
        assert bulk.rows == []
        assert f"Row 2: no one with the email {OWNER_EMAIL} is in your organisations" in page
        shown = [s for s in (OWNER_FIRST, OWNER_LAST, OWNER_TEAM) if s in page]
        assert not shown, f"{role}'s check page showed {shown}"


def _bulk_confirm_check(response, body, world, role, outcome):
    """Only the HR reporter who uploaded a file may confirm it; that enrols the owner."""
    world.bulk_check.refresh_from_db()
    enrolled = Enrolment.objects.filter(user=world.owner, course=world.other_course).exists()
    if outcome == ALLOWED:
        assert response["Location"] == reverse("bulk_enrolment_status",
                                               args=[world.bulk_check.pk])
        assert world.bulk_check.confirmed_at is not None
        assert enrolled
    else:
        assert world.bulk_check.confirmed_at is None
        assert not enrolled


def _csv_of_owner(world):
    content = f"email,course\n{OWNER_EMAIL},{world.other_course.title}\n".encode()
    return {"file": SimpleUploadedFile("people.csv", content, content_type="text/csv")}


def _compliance_check(response, body, world, role, outcome):
    """HR of other organisations see the page, with no one in it."""
    if outcome == OWN_ONLY:
        assert "No one has required learning in this selection." in body


def _line_manager_set_check(response, body, world, role, outcome):
    """Only HR over the owner (and admins) change who manages them, or their number."""
    world.owner.refresh_from_db()
    if outcome == ALLOWED:
        assert response.status_code in (200, 302), response.status_code
        assert world.owner.staff_number == NEW_STAFF_NUMBER
        assert world.owner.line_manager_id is None
    else:
        assert world.owner.staff_number == ""
        assert world.owner.line_manager == world.users[LINE_MANAGER]


def _line_manager_change(world):
    return {"line_manager_email": "", "staff_number": NEW_STAFF_NUMBER}


def _uncounted_absent(response, body, world, role, outcome):
    """Whoever asks, accounts that do not count as learners are not there."""
    shown = [s for s in UNCOUNTED if s in body]
    assert not shown, f"{role} was shown {shown}"


def _team_move(world):
    return {"organisation": Organisation.objects.get(slug="team-south").pk}


def _team_move_check(response, body, world, role, outcome):
    """Only HR over the owner (and admins) move them, to a team in their scope."""
    from academy.models import AuditEvent

    world.owner.refresh_from_db()
    moved = world.owner.organisation.slug == "team-south"
    assert moved == (outcome == ALLOWED), f"{role}: moved is {moved}"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TEAM_MOVED).exists() == moved


def _required(w):
    """The matrix's required learning, and the owner's open enrolment it requires: a
    second cycle of the course they completed, so that there is a deadline to extend."""
    required = RequiredLearning.objects.get(course=w.course)
    enrolment, _ = Enrolment.objects.get_or_create(
        user=w.owner, course=w.course, cycle=2,
        defaults={"required_by": required, "due_on": required.due_on})
    return required, enrolment


def _required_url(name, extend=False, missing=False):
    def path(w):
        required, enrolment = _required(w)
        args = [required.pk + 1000 if missing and not extend else required.pk]
        if extend:
            args.append(enrolment.pk + 100000 if missing else enrolment.pk)
        return reverse(name, args=args)
    return path


def _withdraw_check(response, body, world, role, outcome):
    withdrawn = RequiredLearning.objects.filter(withdrawn_at__isnull=False).exists()
    assert withdrawn == (outcome == ALLOWED), f"{role}: withdrawn is {withdrawn}"


def _owner_attempt(w):
    """The course's final assessment (added after the owner completed the course) and
    the owner's submitted attempt at it."""
    from courses.models import AssessmentPage
    from learners.models import AssessmentAttempt
    from learners.services import assessment_attempt_start, assessment_attempt_submit
    from tests.learners.assessment_helpers import add_assessment, correct_ids

    assessment = AssessmentPage.objects.child_of(w.course).first() or add_assessment(
        w.course, lessons_of(w.course), size=2, per_attempt=2)
    attempt = AssessmentAttempt.objects.filter(assessment=assessment).first()
    if attempt is None:
        enrolment = Enrolment.objects.get(user=w.owner, course=w.course, cycle=1)
        attempt = assessment_attempt_start(enrolment=enrolment, assessment=assessment)
        attempt = assessment_attempt_submit(attempt=attempt, answers={
            q["id"]: correct_ids(assessment, q["id"]) for q in attempt.questions})
    return assessment, attempt


def _assessment_start_check(response, body, world, role, outcome):
    """Nobody but the owner starts an attempt on the owner's record, or their own."""
    from learners.models import AssessmentAttempt

    assert AssessmentAttempt.objects.count() == 1


OWNER_LOG_ACTIVITY = "What slowed your team down?"
OWNER_LOG_ANSWER = "Our stand-ups ran long: we solved problems in them"


def _owner_log(w):
    """The owner's lesson, with an activity added, and the owner's answer to it in their
    learning log. Returns the lesson."""
    from courses.models import LessonPage
    from learners.services import learning_log_entry_save
    from tests.factories import activity

    lesson = LessonPage.objects.get(pk=w.lesson.pk)
    block = next((b for b in lesson.body.raw_data if b["type"] == "activity"), None)
    if block is None:
        block = activity(OWNER_LOG_ACTIVITY)
        lesson.body = [*lesson.body.raw_data, block]
        lesson.save_revision().publish()
    learning_log_entry_save(enrolment=Enrolment.objects.get(user=w.owner, course=w.course),
                            lesson=lesson, block_id=block["id"], answer=OWNER_LOG_ANSWER)
    return lesson


def _api(query=""):
    return lambda w: "/api/v1/records" + query



# The register of a session of the owner's course, taught by TRAINER_OWN, with the
# owner booked and their reasonable adjustments: only the session's trainer and admins.
ADJUSTMENTS = "Needs a hearing loop and seat near the front, ref ADJ-55123"


def _register(w):
    from learners.models import Booking, BookingStatus, TrainingSession

    session = TrainingSession.objects.filter(course=w.course).first()
    if session is None:
        session = TrainingSession.objects.create(
            course=w.course, trainer=w.users[TRAINER_OWN], capacity=10,
            starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now())
        Booking.objects.create(session=session, user=w.owner, status=BookingStatus.BOOKED,
                               booked_at=timezone.now(), adjustments=ADJUSTMENTS)
    return session


def _register_mark(w):
    return {f"booking-{_register(w).bookings.get().pk}": "absent"}


def _register_post_check(response, body, world, role, outcome):
    """Only the session's trainer and admins record the register."""
    attended = _register(world).bookings.get().attended
    assert attended is (False if outcome == ALLOWED else None), f"{role}: {attended}"


# The owner's place on an upcoming online session of their course: the joining link and
# their reasonable adjustments show on the session's page to them alone.
BOOKING_LINK = "https://meet.example.gov.uk/room-61247"
BOOKING_ADJUSTMENTS = "Captions on, please, ref ADJ-61248"


def _owner_booking(w):
    """The owner's booking, made when first asked for."""
    from learners.models import Booking, BookingStatus, SessionMode, TrainingSession

    booking = Booking.objects.filter(user=w.owner, session__joining_link=BOOKING_LINK).first()
    if booking is None:
        starts = timezone.now() + timedelta(days=7)
        session = TrainingSession.objects.create(
            course=w.course, trainer=w.users[TRAINER_OWN], mode=SessionMode.ONLINE,
            joining_link=BOOKING_LINK, capacity=10, starts_at=starts,
            ends_at=starts + timedelta(hours=2))
        booking = Booking.objects.create(session=session, user=w.owner,
                                         status=BookingStatus.BOOKED, booked_at=timezone.now(),
                                         adjustments=BOOKING_ADJUSTMENTS)
    return booking


def _booking_url(name, missing=False):
    return lambda w: reverse(name, args=[_owner_booking(w).session_id + (100000 * missing)])


def _booking_cancel_check(response, body, world, role, outcome):
    """Only the owner cancels their own place; nobody else's request touches it."""
    from learners.models import BookingStatus

    status = _owner_booking(world).status
    expected = BookingStatus.CANCELLED if outcome == ALLOWED else BookingStatus.BOOKED
    assert status == expected, f"{role}: {status}"


# A model → pair → coach programme of the owner's team (the owner a member, TRAINER_OWN
# its coach), with evidence the owner logged; and one that has closed, with its report.
PROGRAMME_OPEN, PROGRAMME_CLOSED = "Team North capability 58213", "Team North closed 58214"
PRACTICE_NAME = "Run a retrospective 58215"
OWNER_EVIDENCE = "Ran our first retrospective without help, ref EV-58216"


def _programme(w, closed=False):
    """The programme and its one practice, made when first asked for."""
    from learners.models import Programme
    from learners.services.programmes import (
        evidence_log,
        practice_add,
        programme_close,
        programme_create,
    )

    name = PROGRAMME_CLOSED if closed else PROGRAMME_OPEN
    programme = Programme.objects.filter(name=name).first()
    if programme is None:
        today = timezone.localdate()
        programme = programme_create(
            name=name, organisation=Organisation.objects.get(slug="team-north"),
            starts_on=today - timedelta(days=30),
            ends_on=today - timedelta(days=1) if closed else today + timedelta(days=30),
            created_by=w.users[ADMIN], members=[w.owner], coaches=[w.users[TRAINER_OWN]])
        practice = practice_add(programme=programme, name=PRACTICE_NAME, courses=[w.course])
        evidence_log(practice=practice, by=w.owner, happened_on=today - timedelta(days=2),
                     what=OWNER_EVIDENCE, led_by="team")
        if closed:
            programme = programme_close(programme_id=programme.pk)
    return programme, programme.practices.get()


def _practice_url(name, missing=False):
    def path(w):
        programme, practice = _programme(w)
        return reverse(name, args=[programme.pk, practice.pk + (100000 if missing else 0)])
    return path


def _evidence_post(w):
    return {"happened_on_day": timezone.localdate().day,
            "happened_on_month": timezone.localdate().month,
            "happened_on_year": timezone.localdate().year,
            "what": "Logged through the matrix", "led_by": "team"}


def _evidence_post_check(response, body, world, role, outcome):
    """Only people in the programme (the owner, a member; TRAINER_OWN, its coach) log."""
    from learners.models import Evidence

    logged = Evidence.objects.filter(what="Logged through the matrix").exists()
    assert logged == (outcome == ALLOWED), f"{role}: logged is {logged}"


def _phase_post_check(response, body, world, role, outcome):
    """Only the programme's coach moves a practice; a member is refused."""
    from learners.models import PhaseChange

    practice = _programme(world)[1]
    moved = PhaseChange.objects.filter(practice=practice).exists()
    assert moved == (outcome == ALLOWED), f"{role}: moved is {moved}"
    assert practice.phase == ("pair" if outcome == ALLOWED else "model")


# In a programme: its members and coaches; admins; HR over the programme's organisation
# (a summary only, so no practice pages). Everyone else: the 404 of nothing.
PROGRAMME_PEOPLE = outcomes(DENIED, owner=ALLOWED, trainer_owner_course=ALLOWED,
                            admin=ALLOWED, hr_parent_org=ALLOWED)



# "Have you used it at work?": the owner's answer on their course, with how they used it.
# The owner answers; their line manager sees and confirms it; the course's trainer sees
# the "how" without the owner's name; HR sees only rates, suppressed for one person.
OWNER_FOLLOWUP_HOW = "Mapped our team flow on a Kanban board, ref FU-70311"


def _owner_followup(w):
    """The owner's 30-day question, sent and answered "yes", made when first asked for."""
    from learners.models import FollowUp

    enrolment = Enrolment.objects.get(user=w.owner, course=w.course, cycle=1)
    followup, _ = FollowUp.objects.get_or_create(
        enrolment=enrolment, point_days=30,
        defaults={"due_on": timezone.localdate(), "sent_at": timezone.now(), "answer": "yes",
                  "how": OWNER_FOLLOWUP_HOW, "answered_at": timezone.now()})
    return followup


def _followup_answer_check(response, body, world, role, outcome):
    """Only the owner changes their answer."""
    followup = _owner_followup(world)
    followup.refresh_from_db()
    assert followup.answer == ("not yet" if outcome == ALLOWED else "yes"), role


def _followup_confirm_check(response, body, world, role, outcome):
    """Only the owner's line manager confirms it."""
    followup = _owner_followup(world)
    followup.refresh_from_db()
    confirmed = followup.confirmed_by_id
    assert confirmed == (world.users[LINE_MANAGER].pk if outcome == ALLOWED else None), role


def _trainer_sees_no_names(response, body, world, role, outcome):
    """The trainer reads how it was used, not who wrote it."""
    if outcome == ALLOWED:
        assert OWNER_LAST not in body
        assert OWNER_FIRST not in body


ROWS = [
    Row("my_learning", "my_learning", lambda w: reverse("my_learning"),
        outcomes(OWN_ONLY, anonymous=DENIED, owner=ALLOWED),
        evidence=lambda w: [w.course.title, w.certificate.code],
        secrets=lambda w: [w.course.title, w.certificate.code]),
    Row("course_page", "page:courses.CoursePage", lambda w: w.course.url,
        outcomes(OWN_ONLY, owner=ALLOWED),
        evidence=lambda w: ["Your progress", "2 of 2 required lessons complete",
                            reverse("certificate_download", args=[w.certificate.code])],
        secrets=lambda w: ["Your progress", "You completed this course", w.certificate.code]),
    Row("lesson_page", "page:courses.LessonPage", lambda w: w.lesson.url,
        outcomes(OWN_ONLY, owner=ALLOWED),
        evidence=lambda w: ["You completed this lesson", "govuk-tag--green"],
        secrets=lambda w: ["You completed this lesson", "govuk-tag--green"]),
    # The learning log: the owner's answers, on their lesson and on their log page, are
    # theirs alone: no trainer, manager, HR reporter or admin sees them through the site.
    Row("lesson_page_learning_log", "page:courses.LessonPage", lambda w: _owner_log(w).url,
        outcomes(OWN_ONLY, owner=ALLOWED), evidence=lambda w: [OWNER_LOG_ANSWER],
        secrets=lambda w: [OWNER_LOG_ANSWER]),
    Row("learning_log", "learning_log", lambda w: _owner_log(w) and reverse("learning_log"),
        outcomes(OWN_ONLY, anonymous=DENIED, owner=ALLOWED),
        evidence=lambda w: [OWNER_LOG_ANSWER, OWNER_LOG_ACTIVITY, w.course.title],
        secrets=lambda w: [OWNER_LOG_ANSWER, OWNER_LOG_ACTIVITY]),
    Row("certificate_download", "certificate_download",
        lambda w: reverse("certificate_download", args=[w.certificate.code]),
        outcomes(DENIED, owner=ALLOWED, admin=ALLOWED),
        evidence=lambda w: ["%PDF"], secrets=lambda w: ["%PDF"],
        missing=lambda w: reverse("certificate_download", args=["no-such-certificate"])),
    # Email and certificate are optional columns of the records table: asked for here.
    Row("report", "report",
        lambda w: reverse("report") + "?columns=email&columns=certificate", REPORTING,
        evidence=lambda w: [OWNER_LAST, OWNER_EMAIL, OWNER_TEAM, w.certificate.code[:10]],
        check=_report_check),
    Row("report_detail_by_organisation", "report",
        lambda w: reverse("report") + "?organisation=team-north&sort=name&order=desc"
                                      "&columns=email",
        REPORTING, evidence=lambda w: [OWNER_LAST, OWNER_EMAIL, "Records (1)"],
        forbidden=(r'<dd class="govuk-heading-l">[1-9]', r"Records \([1-9]")),
    Row("report_detail_by_course", "report",
        lambda w: reverse("report") + f"?course={w.course.slug}&status=completed&sort=completed"
                                      "&columns=email",
        REPORTING, evidence=lambda w: [OWNER_LAST, OWNER_EMAIL, "Records (1)"],
        forbidden=(r'<dd class="govuk-heading-l">[1-9]', r"Records \([1-9]")),
    Row("compliance", "compliance", lambda w: reverse("compliance"), REPORTING,
        evidence=lambda w: [OWNER_LAST, OWNER_TEAM, "govuk-tag--green\">Completed on time"],
        forbidden=(r'<dd class="govuk-heading-l">[1-9]',), check=_compliance_check),
    Row("compliance_by_organisation", "compliance",
        lambda w: reverse("compliance") + "?organisation=team-north", REPORTING,
        evidence=lambda w: [OWNER_LAST, OWNER_TEAM, "Completed on time"],
        forbidden=(r'<dd class="govuk-heading-l">[1-9]',), check=_compliance_check),
    Row("compliance_by_course_and_status", "compliance",
        lambda w: reverse("compliance") + f"?course={w.course.slug}&status=completed+on+time",
        REPORTING, evidence=lambda w: [OWNER_LAST, OWNER_TEAM],
        forbidden=(r'<dd class="govuk-heading-l">[1-9]',), check=_compliance_check),
    Row("export_status", "export_status",
        lambda w: reverse("export_status", args=[w.export.pk]), ONLY_THE_HR_WHO_ASKED,
        evidence=lambda w: ["Your export is ready", "2 rows",
                            reverse("export_download", args=[w.export.pk])],
        secrets=lambda w: ["Your export is ready", "processed"],
        missing=lambda w: reverse("export_status", args=[uuid.uuid4()])),
    Row("export_status_json", "export_status_json",
        lambda w: reverse("export_status_json", args=[w.export.pk]), ONLY_THE_HR_WHO_ASKED,
        evidence=lambda w: ['"status": "done"', '"processed": 2,'],
        secrets=lambda w: ["processed", str(w.export.pk)],
        missing=lambda w: reverse("export_status_json", args=[uuid.uuid4()])),
    Row("export_download", "export_download",
        lambda w: reverse("export_download", args=[w.export.pk]), ONLY_THE_HR_WHO_ASKED,
        evidence=lambda w: [f"{OWNER_FIRST} {OWNER_LAST},{OWNER_EMAIL},", f",{OWNER_TEAM},",
                            w.certificate.code],
        secrets=lambda w: ["Certificate code", Path(w.export.file.name).name],
        missing=lambda w: reverse("export_download", args=[uuid.uuid4()])),
    Row("bulk_enrolment_status", "bulk_enrolment_status",
        lambda w: reverse("bulk_enrolment_status", args=[w.bulk.pk]), ONLY_THE_HR_WHO_ASKED,
        evidence=lambda w: [BULK_FILENAME, f"{BULK_TOTAL} rows", str(BULK_ENROLLED)],
        secrets=lambda w: [BULK_FILENAME, str(BULK_TOTAL), str(BULK_ENROLLED)],
        missing=lambda w: reverse("bulk_enrolment_status", args=[w.bulk.pk + 1000])),
    Row("bulk_enrolment_status_json", "bulk_enrolment_status_json",
        lambda w: reverse("bulk_enrolment_status_json", args=[w.bulk.pk]),
        ONLY_THE_HR_WHO_ASKED,
        evidence=lambda w: [f'"total": {BULK_TOTAL}', f'"enrolled": {BULK_ENROLLED}'],
        secrets=lambda w: [str(BULK_TOTAL), str(BULK_ENROLLED)],
        missing=lambda w: reverse("bulk_enrolment_status_json", args=[w.bulk.pk + 1000])),
    Row("bulk_enrolment_form", "bulk_enrolment", lambda w: reverse("bulk_enrolment"),
        outcomes(DENIED, hr_parent_org=OWN_ONLY, hr_other_org=OWN_ONLY,
                 hr_sibling_team=OWN_ONLY, admin=OWN_ONLY)),
    Row("bulk_enrolment_upload_owner", "bulk_enrolment", lambda w: reverse("bulk_enrolment"),
        UPLOADERS, method="post", data=_csv_of_owner, echoed=(OWNER_EMAIL,),
        evidence=lambda w: [], check=_bulk_upload_check),
    Row("bulk_enrolment_check", "bulk_enrolment_check",
        lambda w: reverse("bulk_enrolment_check", args=[w.bulk_check.pk]),
        ONLY_THE_HR_WHO_ASKED,
        evidence=lambda w: [BULK_CHECK_FILENAME, "1 new enrolment",
                            f"Row 3: no one with the email {AGENCY_EMAIL} is in your "
                            "organisations"],
        secrets=lambda w: [BULK_CHECK_FILENAME, AGENCY_EMAIL, "new enrolment"],
        missing=lambda w: reverse("bulk_enrolment_check", args=[w.bulk_check.pk + 1000])),
    Row("bulk_enrolment_confirm", "bulk_enrolment_confirm",
        lambda w: reverse("bulk_enrolment_confirm", args=[w.bulk_check.pk]),
        ONLY_THE_HR_WHO_ASKED, method="post", evidence=lambda w: [],
        secrets=lambda w: [BULK_CHECK_FILENAME], check=_bulk_confirm_check,
        missing=lambda w: reverse("bulk_enrolment_confirm", args=[w.bulk_check.pk + 1000])),
    Row("required_learning", "required_learning", lambda w: reverse("required_learning"),
        REPORTING, evidence=lambda w: [OWNER_TEAM, w.course.title],
        secrets=lambda w: [str(REQUIRED_COUNT)]),
    Row("required_learning_detail", "required_learning_detail",
        _required_url("required_learning_detail"), CHANGING_REQUIRED,
        evidence=lambda w: [OWNER_LAST, OWNER_EMAIL],
        secrets=lambda w: [str(REQUIRED_COUNT), w.course.title],
        missing=_required_url("required_learning_detail", missing=True)),
    Row("required_learning_change", "required_learning_change",
        _required_url("required_learning_change"), CHANGING_REQUIRED,
        evidence=lambda w: [OWNER_TEAM, "Save changes"],
        secrets=lambda w: [str(REQUIRED_COUNT), w.course.title],
        missing=_required_url("required_learning_change", missing=True)),
    Row("required_learning_withdraw", "required_learning_withdraw",
        _required_url("required_learning_withdraw"), CHANGING_REQUIRED,
        evidence=lambda w: [OWNER_TEAM, w.course.title],
        secrets=lambda w: [str(REQUIRED_COUNT), w.course.title],
        missing=_required_url("required_learning_withdraw", missing=True)),
    Row("required_learning_withdraw_post", "required_learning_withdraw",
        _required_url("required_learning_withdraw"), CHANGING_REQUIRED, method="post",
        evidence=lambda w: [], check=_withdraw_check),
    Row("required_learning_extend", "required_learning_extend",
        _required_url("required_learning_extend", extend=True), CHANGING_REQUIRED,
        evidence=lambda w: [OWNER_FIRST, OWNER_LAST, OWNER_EMAIL, "Reason for the extension"],
        secrets=lambda w: [w.course.title],
        missing=_required_url("required_learning_extend", extend=True, missing=True)),
    Row("trainer_dashboard", "trainer_dashboard", lambda w: reverse("trainer_dashboard"),
        outcomes(OWN_ONLY, anonymous=DENIED, trainer_owner_course=ALLOWED),
        evidence=lambda w: [w.course.title, reverse("trainer_course", args=[w.course.pk])],
        secrets=lambda w: [w.course.title, reverse("trainer_course", args=[w.course.pk])]),
    Row("trainer_course", "trainer_course",
        lambda w: reverse("trainer_course", args=[w.course.pk]),
        outcomes(DENIED, trainer_owner_course=ALLOWED),
        evidence=lambda w: [OWNER_FIRST, OWNER_LAST, OWNER_TEAM, AGENCY_LAST],
        secrets=lambda w: [AGENCY_LAST, w.course.title],
        missing=lambda w: reverse("trainer_course", args=[w.course.pk + 100000])),
    # Item analysis: figures about the course's answers, for its trainers and admins.
    Row("trainer_item_analysis", "trainer_item_analysis",
        lambda w: reverse("trainer_item_analysis", args=[w.course.pk]),
        outcomes(DENIED, trainer_owner_course=ALLOWED, admin=ALLOWED),
        evidence=lambda w: [w.course.title, "How learners answer the knowledge checks"],
        secrets=lambda w: [w.course.title],
        missing=lambda w: reverse("trainer_item_analysis", args=[w.course.pk + 100000])),
    Row("api_records", "records_api:records", _api(), REPORTING, auth="token",
        evidence=lambda w: [OWNER_EMAIL, w.certificate.code], check=_api_check),
    Row("api_records_by_organisation", "records_api:records",
        _api("?organisation=team-north&status=completed"),
        outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED), auth="token",
        evidence=lambda w: [OWNER_EMAIL, w.certificate.code], check=_api_check),
    Row("api_records_by_course", "records_api:records",
        lambda w: f"/api/v1/records?course={w.course.slug}", REPORTING, auth="token",
        evidence=lambda w: [OWNER_EMAIL, w.certificate.code], check=_api_check),
    Row("api_records_session_cookie_only", "records_api:records", _api(),
        outcomes(DENIED), auth="session_no_token"),
    # Line managers: the owner's manager sees them on /my-team/; everyone else sees
    # only their own team (none). HR over the owner, and admins, set who manages them.
    Row("my_team", "my_team", lambda w: reverse("my_team"),
        outcomes(OWN_ONLY, anonymous=DENIED, line_manager=ALLOWED),
        evidence=lambda w: [OWNER_FIRST, OWNER_LAST, w.course.title, "100%"],
        secrets=lambda w: [w.course.title]),
    Row("people_lookup", "people_lookup",
        lambda w: reverse("people_lookup") + f"?email={OWNER_EMAIL}",
        outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED, hr_other_org=OWN_ONLY,
                 hr_sibling_team=OWN_ONLY),
        evidence=lambda w: [OWNER_FIRST, OWNER_LAST, OWNER_TEAM, MANAGER_EMAIL,
                            reverse("person_line_manager", args=[w.owner.pk])],
        secrets=lambda w: [MANAGER_EMAIL, reverse("person_line_manager", args=[w.owner.pk])],
        echoed=(OWNER_EMAIL,)),
    Row("person_line_manager", "person_line_manager",
        lambda w: reverse("person_line_manager", args=[w.owner.pk]),
        outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED),
        evidence=lambda w: [OWNER_FIRST, OWNER_LAST, OWNER_EMAIL, MANAGER_EMAIL],
        secrets=lambda w: [MANAGER_EMAIL],
        missing=lambda w: reverse("person_line_manager", args=[w.owner.pk + 100000])),
    Row("person_line_manager_set", "person_line_manager",
        lambda w: reverse("person_line_manager", args=[w.owner.pk]),
        outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED), method="post",
        data=_line_manager_change, evidence=lambda w: [], secrets=lambda w: [MANAGER_EMAIL],
        check=_line_manager_set_check),
    # Moving someone to another team: HR over them, within their own scope, and admins.
    Row("person_team", "person_team", lambda w: reverse("person_team", args=[w.owner.pk]),
        outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED),
        evidence=lambda w: [OWNER_FIRST, OWNER_LAST, OWNER_EMAIL, OWNER_TEAM, "Team South"],
        secrets=lambda w: ["Move to another team"],
        missing=lambda w: reverse("person_team", args=[w.owner.pk + 100000])),
    Row("person_team_move", "person_team", lambda w: reverse("person_team", args=[w.owner.pk]),
        outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED), method="post",
        data=_team_move, evidence=lambda w: [], check=_team_move_check),
    Row("person_team_of_unverified_account", "person_team",
        lambda w: reverse("person_team", args=[w.users["unverified"].pk]), outcomes(DENIED),
        secrets=lambda w: list(UNCOUNTED),
        missing=lambda w: reverse("person_team", args=[w.owner.pk + 100000])),
    # Unverified and not-allowed-domain accounts, in the owner's team and on their
    # course, are in no report, compliance view, API answer or export, for anyone.
    Row("report_without_uncounted_accounts", "report",
        lambda w: reverse("report") + "?organisation=team-north&columns=email", REPORTING,
        evidence=lambda w: [OWNER_EMAIL, "Records (1)"], check=_uncounted_absent),
    Row("compliance_without_uncounted_accounts", "compliance",
        lambda w: reverse("compliance") + "?organisation=team-north", REPORTING,
        evidence=lambda w: [OWNER_LAST], check=_uncounted_absent),
    Row("api_without_uncounted_accounts", "records_api:records",
        _api("?organisation=team-north"),
        outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED), auth="token",
        evidence=lambda w: [OWNER_EMAIL], check=_uncounted_absent),
    Row("export_without_uncounted_accounts", "export_download",
        lambda w: reverse("export_download", args=[w.export.pk]), ONLY_THE_HR_WHO_ASKED,
        evidence=lambda w: [OWNER_EMAIL], check=_uncounted_absent,
        missing=lambda w: reverse("export_download", args=[uuid.uuid4()])),
    Row("trainer_course_without_uncounted_accounts", "trainer_course",
        lambda w: reverse("trainer_course", args=[w.course.pk]),
        outcomes(DENIED, trainer_owner_course=ALLOWED),
        evidence=lambda w: [OWNER_LAST, AGENCY_LAST], check=_uncounted_absent,
        missing=lambda w: reverse("trainer_course", args=[w.course.pk + 100000])),
    Row("api_person_update", "records_api:person_update",
        lambda w: f"/api/v1/people/{OWNER_EMAIL}",
        outcomes(DENIED, hr_parent_org=ALLOWED, admin=ALLOWED), auth="token", method="put",
        data=_line_manager_change, evidence=lambda w: [OWNER_EMAIL, NEW_STAFF_NUMBER],
        secrets=lambda w: [MANAGER_EMAIL], check=_line_manager_set_check),
    Row("api_person_update_session_cookie_only", "records_api:person_update",
        lambda w: f"/api/v1/people/{OWNER_EMAIL}", outcomes(DENIED),
        auth="session_no_token", method="put", data=_line_manager_change,
        secrets=lambda w: [MANAGER_EMAIL], check=_line_manager_set_check),
    Row("assessment", "assessment",
        lambda w: reverse("assessment", args=[_owner_attempt(w)[0].pk]),
        outcomes(DENIED, owner=ALLOWED),
        evidence=lambda w: ["Attempt 1", "100% (passed)", "See result"],
        secrets=lambda w: ["Attempt 1", "See result"],
        missing=lambda w: reverse("assessment", args=[_owner_attempt(w)[0].pk + 100000])),
    Row("assessment_start", "assessment_start",
        lambda w: reverse("assessment_start", args=[_owner_attempt(w)[0].pk]),
        outcomes(DENIED, owner=ALLOWED), method="post", evidence=lambda w: [],
        check=_assessment_start_check),
    Row("assessment_attempt", "assessment_attempt",
        lambda w: reverse("assessment_attempt", args=[_owner_attempt(w)[1].pk]),
        outcomes(DENIED, owner=ALLOWED),
        evidence=lambda w: ["You passed", "you scored 100%", "Your answers"],
        secrets=lambda w: ["You passed", "you scored", "Your answers"],
        missing=lambda w: reverse("assessment_attempt",
                                  args=[_owner_attempt(w)[1].pk + 100000])),
    Row("session_register", "session_register",
        lambda w: reverse("session_register", args=[_register(w).pk]),
        outcomes(DENIED, trainer_owner_course=ALLOWED, admin=ALLOWED),
        evidence=lambda w: [OWNER_LAST, ADJUSTMENTS], secrets=lambda w: [ADJUSTMENTS],
        missing=lambda w: reverse("session_register", args=[_register(w).pk + 100000])),
    Row("session_register_post", "session_register",
        lambda w: reverse("session_register", args=[_register(w).pk]),
        outcomes(DENIED, trainer_owner_course=ALLOWED, admin=ALLOWED), method="post",
        data=_register_mark, evidence=lambda w: [], secrets=lambda w: [ADJUSTMENTS],
        check=_register_post_check),
    Row("session_detail", "session_detail", _booking_url("session_detail"),
        outcomes(OWN_ONLY, owner=ALLOWED),
        evidence=lambda w: ["You have a place on this session.", BOOKING_LINK,
                            BOOKING_ADJUSTMENTS],
        secrets=lambda w: [BOOKING_LINK, BOOKING_ADJUSTMENTS, "You have a place"]),
    Row("booking_cancel", "booking_cancel", _booking_url("booking_cancel"),
        outcomes(DENIED, owner=ALLOWED),
        evidence=lambda w: ["Cancel your place", "Why are you cancelling?"],
        secrets=lambda w: [BOOKING_LINK, BOOKING_ADJUSTMENTS, "Cancel your place"],
        missing=_booking_url("booking_cancel", missing=True)),
    Row("booking_cancel_post", "booking_cancel", _booking_url("booking_cancel"),
        outcomes(DENIED, owner=ALLOWED), method="post",
        data=lambda w: {"reason": "Posted through the matrix"}, evidence=lambda w: [],
        secrets=lambda w: [BOOKING_LINK, BOOKING_ADJUSTMENTS], check=_booking_cancel_check),
    Row("programme_list", "programme_list",
        lambda w: _programme(w) and reverse("programme_list"),
        outcomes(OWN_ONLY, anonymous=DENIED, owner=ALLOWED, trainer_owner_course=ALLOWED,
                 admin=ALLOWED, hr_parent_org=ALLOWED),
        evidence=lambda w: [PROGRAMME_OPEN], secrets=lambda w: [PROGRAMME_OPEN]),
    Row("programme_detail", "programme_detail",
        lambda w: reverse("programme_detail", args=[_programme(w)[0].pk]), PROGRAMME_PEOPLE,
        evidence=lambda w: [PROGRAMME_OPEN, PRACTICE_NAME, "step 1 of 4", OWNER_TEAM],
        secrets=lambda w: [PROGRAMME_OPEN, PRACTICE_NAME],
        missing=lambda w: reverse("programme_detail", args=[_programme(w)[0].pk + 100000])),
    Row("practice_detail", "practice_detail", _practice_url("practice_detail"),
        outcomes(DENIED, owner=ALLOWED, trainer_owner_course=ALLOWED, admin=ALLOWED),
        evidence=lambda w: [PRACTICE_NAME, OWNER_EVIDENCE, OWNER_LAST],
        secrets=lambda w: [PRACTICE_NAME, OWNER_EVIDENCE],
        missing=_practice_url("practice_detail", missing=True)),
    Row("programme_report_download", "programme_report_download",
        lambda w: reverse("programme_report_download", args=[_programme(w, closed=True)[0].pk]),
        PROGRAMME_PEOPLE, evidence=lambda w: ["%PDF"], secrets=lambda w: ["%PDF"],
        missing=lambda w: reverse("programme_report_download",
                                  args=[_programme(w, closed=True)[0].pk + 100000])),
    Row("practice_evidence_log", "practice_evidence_log", _practice_url("practice_evidence_log"),
        outcomes(DENIED, owner=ALLOWED, trainer_owner_course=ALLOWED), method="post",
        data=_evidence_post, evidence=lambda w: [], secrets=lambda w: [OWNER_EVIDENCE],
        check=_evidence_post_check),
    Row("practice_phase_change", "practice_phase_change", _practice_url("practice_phase_change"),
        outcomes(DENIED, trainer_owner_course=ALLOWED), method="post",
        data=lambda w: {"to_phase": "pair", "note": "Moved through the matrix"},
        evidence=lambda w: [], secrets=lambda w: [OWNER_EVIDENCE], check=_phase_post_check),
    Row("followup_answer", "followup_answer",
        lambda w: reverse("followup_answer", args=[_owner_followup(w).pk]),
        outcomes(DENIED, owner=ALLOWED),
        evidence=lambda w: ["Have you used this at work?", OWNER_FOLLOWUP_HOW],
        secrets=lambda w: [OWNER_FOLLOWUP_HOW],
        missing=lambda w: reverse("followup_answer", args=[_owner_followup(w).pk + 100000])),
    Row("followup_answer_post", "followup_answer",
        lambda w: reverse("followup_answer", args=[_owner_followup(w).pk]),
        outcomes(DENIED, owner=ALLOWED), method="post",
        data=lambda w: {"answer": "not yet", "how": ""}, evidence=lambda w: [],
        secrets=lambda w: [OWNER_FOLLOWUP_HOW], check=_followup_answer_check),
    Row("team_followups", "team_followups",
        lambda w: _owner_followup(w) and reverse("team_followups"),
        outcomes(OWN_ONLY, anonymous=DENIED, line_manager=ALLOWED),
        evidence=lambda w: [OWNER_LAST, OWNER_FOLLOWUP_HOW, w.course.title],
        secrets=lambda w: [OWNER_FOLLOWUP_HOW]),
    Row("team_followups_confirm", "team_followups",
        lambda w: _owner_followup(w) and reverse("team_followups"),
        outcomes(DENIED, line_manager=ALLOWED), method="post",
        data=lambda w: {"followup": _owner_followup(w).pk}, evidence=lambda w: [],
        secrets=lambda w: [OWNER_FOLLOWUP_HOW], check=_followup_confirm_check),
    Row("trainer_followups", "trainer_followups",
        lambda w: _owner_followup(w) and reverse("trainer_followups", args=[w.course.pk]),
        outcomes(DENIED, trainer_owner_course=ALLOWED),
        evidence=lambda w: [OWNER_FOLLOWUP_HOW, "Have learners used Kanban in practice"],
        secrets=lambda w: [OWNER_FOLLOWUP_HOW], check=_trainer_sees_no_names,
        missing=lambda w: reverse("trainer_followups", args=[w.course.pk + 100000])),
    # One person answered: those who may see the course's rate see it suppressed; HR of
    # other organisations do not see the course at all.
    Row("followup_rates", "followup_rates",
        lambda w: _owner_followup(w) and reverse("followup_rates"), REPORTING,
        evidence=lambda w: [w.course.title, "fewer than 5 people answered"],
        secrets=lambda w: [w.course.title, OWNER_FOLLOWUP_HOW],
        forbidden=(r">\d+%<",)),
]

# Every route of the project's apps shows learner data or it doesn't; each must be here.
LEARNER_DATA_URLS = {
    "my_learning", "certificate_download", "report", "export_status", "export_status_json",
    "export_download", "required_learning", "bulk_enrolment", "bulk_enrolment_status",
    "required_learning_detail", "required_learning_change", "required_learning_withdraw",
    "required_learning_extend",
    "bulk_enrolment_status_json", "bulk_enrolment_check", "bulk_enrolment_confirm",
    "trainer_dashboard", "trainer_course", "trainer_item_analysis",
    "person_team",
    "records_api:records", "compliance",
    "my_team", "people_lookup", "person_line_manager", "records_api:person_update",
    "assessment", "assessment_start", "assessment_attempt",
    "learning_log",
    "programme_list", "programme_detail", "practice_detail", "programme_report_download",
    "practice_evidence_log", "practice_phase_change",
    "session_register",
    "session_detail", "booking_cancel",
    "followup_answer", "team_followups", "trainer_followups", "followup_rates",
}
NO_LEARNER_DATA_URLS = {
    "healthz", "glossary", "sign_up", "sign_in", "sign_out",
    "email_verify_sent", "email_verify_resend",   # the signed-in user's own address only
    "email_verify",                 # a signed link: confirms its own account, shows its email
    "profile",                      # the signed-in user's own details only
    "my_data",                      # the signed-in user's own data only (tests/security)
    "password_change", "password_change_done", "password_reset", "password_reset_done",
    "password_reset_confirm", "password_reset_complete",
    "enrol", "knowledge_check_answer", "lesson_complete",   # POST, on the caller's own record
    "scorm_attempt_commit",         # POST, the caller's own attempt only, else 404
                                    # (tests/learners/test_scorm_runtime.py)
    "session_book",                 # POST, books the caller's own place
    "followups_opt_out",            # the caller's own choice to be asked follow-up questions
    "learning_log_entry_save",      # POST, into the caller's own log (test below)
    "certificate_verify",           # public by design: name, course and date only
    "certificate_verify_form",      # public: an empty box for a code; finds go to the above
    # Open Badges 3.0 (issue 17): a certificate's credential for anyone with its code, as
    # its verify page, with a salted hash in place of the email and no name
    # (tests/learners/test_open_badges.py); the issuer profile, public key and revocation
    # lists (bits only) are public by design.
    "certificate_badge", "certificate_badge_signed",
    "open_badges_issuer", "open_badges_keys", "open_badges_status_list",
    "export_create",                # POST, redirects to the viewer's own export
    "bulk_enrolment_template", "bulk_enrolment_template_xlsx",  # column names, an example
    "records_api:openapi-json", "records_api:openapi-view", "records_api:api-root",
    "rendition_serve",              # lesson pictures only (tests/content/test_lesson_pictures.py)
}
# Pages Wagtail serves from the catch-all, by type.
PAGE_TYPES_WITH_LEARNER_DATA = {"courses.CoursePage", "courses.LessonPage"}
PAGE_TYPES_WITHOUT_LEARNER_DATA = {"content.HomePage", "content.StandardPage",
                                   "courses.CataloguePage", "courses.ModulePage",
                                   "courses.AssessmentPage"}  # redirects to "assessment"

# Routes outside the matrix: the Wagtail and Django admins (staff only, their own
# permissions), documents, and Wagtail's page serving (covered by page type above).
SKIPPED_PREFIXES = ("admin/", "django-admin/", "documents/")
SKIPPED_URLCONFS = {"wagtail.urls"}

CELLS = [pytest.param(row, role, id=f"{row.key}-{role}-{row.outcomes[role]}")
         for row in ROWS for role in ROLES]


# --- The cells -----------------------------------------------------------------------

DENIED_STATUSES = {302, 400, 401, 403, 404}


def _request(client, world, row, role):
    client.logout()
    if row.route.startswith("page:") and row.method == "get" and role != OWNER:
        # Pages keep what they can in the cache (routes, outlines, the linked lesson body:
        # issue 15): the owner views the page first, so every other role is served from
        # what the owner's view left there.
        client.force_login(world.users[OWNER])
        assert client.get(row.path(world)).status_code == 200
        client.logout()
    headers = {}
    if row.auth in ("session", "session_no_token") and role != ANONYMOUS:
        client.force_login(world.users[role])
    if row.auth == "token" and role != ANONYMOUS:
        _token, key = APIToken.create_token(user=world.users[role], name="matrix")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    path = row.path(world)
    if row.method == "post":
        return client.post(path, row.data(world) if row.data else {}, **headers)
    if row.method == "put":
        return client.put(path, json.dumps(row.data(world)), content_type="application/json",
                          **headers)
    return client.get(path, **headers)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    return raw.decode("utf-8", errors="replace")


def _assert_reveals_nothing(response, body, world, row, role):
    secrets = [s for s in world.owner_secrets() + row.secrets(world) if s not in row.echoed]
    if role == OWNER:  # their own identity is not a leak to them
        secrets = [s for s in secrets if s not in world.owner_secrets()]
    shown = [s for s in secrets if s in body]
    assert not shown, f"{role} on {row.key} was shown {shown}"
    for pattern in row.forbidden:
        match = re.search(pattern, body)
        assert match is None, f"{role} on {row.key} was shown a count: {match.group(0)!r}"


@pytest.mark.parametrize(("row", "role"), CELLS)
def test_access_matrix(client, world, row, role):
    outcome = row.outcomes[role]
    response = _request(client, world, row, role)
    body = _body(response)

    if outcome == ALLOWED:
        if row.method == "get":
            assert response.status_code == 200, f"{role} should see {row.key}"
        missing = [e for e in row.evidence(world) if e not in body]
        assert not missing, f"{role} on {row.key} should have been shown {missing}"
    elif outcome == OWN_ONLY:
        expected = {200, 403} if row.auth == "token" else {200}
        assert response.status_code in expected, (
            f"{role} on {row.key}: {response.status_code}")
        _assert_reveals_nothing(response, body, world, row, role)
    else:
        assert response.status_code in DENIED_STATUSES, (
            f"{role} on {row.key} got {response.status_code}, not a refusal")
        if response.status_code == 302:
            assert response["Location"].startswith(settings.LOGIN_URL), response["Location"]
        _assert_reveals_nothing(response, body, world, row, role)
        if response.get("Content-Type", "").startswith("application/json"):
            payload = json.loads(body)
            keys = set(payload) if isinstance(payload, dict) else set()
            assert not keys & COUNT_KEYS, f"{role} on {row.key} was shown {keys & COUNT_KEYS}"
        if row.missing:
            # The refusal must say nothing about whether the thing exists: the same as
            # for something that does not.
            nothing = client.get(row.missing(world))
            assert nothing.status_code == response.status_code, (
                f"{role} on {row.key}: {response.status_code} here, "
                f"{nothing.status_code} for something that does not exist")
            assert _body(nothing) == body, "the refusal differs from one for a missing object"

    if row.check:
        row.check(response, body, world, role, outcome)


def test_a_report_who_changes_manager_leaves_the_old_managers_team_at_once(client, world):
    client.force_login(world.users[LINE_MANAGER])
    assert OWNER_LAST in _body(client.get(reverse("my_team")))
    world.owner.line_manager = world.users[LEARNER]
    world.owner.save(update_fields=["line_manager"])
    gone = _body(client.get(reverse("my_team")))
    assert "No one has you as their line manager" in gone
    assert OWNER_LAST not in gone
    client.force_login(world.users[LEARNER])
    assert OWNER_LAST in _body(client.get(reverse("my_team")))


def test_saving_an_answer_only_ever_writes_to_your_own_learning_log(client, world):
    """Whoever posts an answer to the owner's lesson, the owner's entry stays as it was:
    a signed-out post goes to sign in; anyone else saves into their own log, and only
    if they are enrolled (none of them is, on the owner's course)."""
    from learners.models import LearningLogEntry

    lesson = _owner_log(world)
    block_id = next(b["id"] for b in lesson.body.raw_data if b["type"] == "activity")
    url = reverse("learning_log_entry_save", args=[lesson.pk])
    for role in ROLES:
        client.logout()
        if role != ANONYMOUS:
            client.force_login(world.users[role])
        response = client.post(url, {"activity": block_id, "answer": f"Written by {role}"})
        assert response.status_code == 302, role
        if role == ANONYMOUS:
            assert response["Location"].startswith(settings.LOGIN_URL)
    entries = list(LearningLogEntry.objects.values_list("user__email", "answer"))
    assert entries == [(OWNER_EMAIL, f"Written by {OWNER}")]


# --- The guards ----------------------------------------------------------------------


def project_routes() -> dict[str, str]:
    """Every route the project's own urlconfs add: {name (namespaced) or route: route}."""
    found: dict[str, str] = {}

    def walk(resolver, prefix: str, namespace: str):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(entry, URLResolver):
                if getattr(entry.urlconf_module, "__name__", None) in SKIPPED_URLCONFS:
                    continue
                inner = ":".join(n for n in (namespace, entry.namespace) if n)
                walk(entry, route, inner)
            elif entry.name:
                found[f"{namespace}:{entry.name}" if namespace else entry.name] = route
            else:
                found[f"(unnamed) {route}"] = route

    walk(get_resolver(), "", "")
    return found


def test_every_route_is_classified():
    routes = project_routes()
    unclassified = sorted(set(routes) - LEARNER_DATA_URLS - NO_LEARNER_DATA_URLS)
    assert not unclassified, (
        "These routes are in neither LEARNER_DATA_URLS (add rows to the access matrix) "
        "nor NO_LEARNER_DATA_URLS: " + ", ".join(f"{n} ({routes[n]})" for n in unclassified))
    assert not LEARNER_DATA_URLS & NO_LEARNER_DATA_URLS
    stale = sorted((LEARNER_DATA_URLS | NO_LEARNER_DATA_URLS) - set(routes))
    assert not stale, f"Classified routes that no longer exist: {stale}"


def test_every_learner_data_route_and_page_type_has_rows_for_every_role():
    covered = {row.route for row in ROWS}
    wanted = LEARNER_DATA_URLS | {f"page:{t}" for t in PAGE_TYPES_WITH_LEARNER_DATA}
    assert not wanted - covered, f"No matrix rows for {sorted(wanted - covered)}"
    assert not covered - wanted, f"Rows for unclassified routes {sorted(covered - wanted)}"
    for row in ROWS:
        assert set(row.outcomes) == set(ROLES), row.key
        assert set(row.outcomes.values()) <= {ALLOWED, OWN_ONLY, DENIED}, row.key
    assert len({row.key for row in ROWS}) == len(ROWS)


def test_every_page_type_is_classified():
    base = Path(settings.BASE_DIR).resolve()
    project_apps = {
        config.label for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(base)
        and ".venv" not in Path(config.path).parts
    }
    page_types = {f"{m._meta.app_label}.{m.__name__}" for m in get_page_models()
                  if m._meta.app_label in project_apps}
    unclassified = sorted(page_types - PAGE_TYPES_WITH_LEARNER_DATA
                          - PAGE_TYPES_WITHOUT_LEARNER_DATA)
    assert not unclassified, (
        "These page types are in neither PAGE_TYPES_WITH_LEARNER_DATA (add rows to the "
        "access matrix) nor PAGE_TYPES_WITHOUT_LEARNER_DATA: " + ", ".join(unclassified))
    stale = sorted((PAGE_TYPES_WITH_LEARNER_DATA | PAGE_TYPES_WITHOUT_LEARNER_DATA)
                   - page_types)
    assert not stale, f"Classified page types that no longer exist: {stale}"


# --- Cancelling a whole session (a Wagtail admin page, outside the route guards) -------


def test_only_the_sessions_trainers_and_admins_cancel_a_session(client, world):
    """Each role in turn, on a session of the owner's course taught by TRAINER_OWN with
    the owner booked: only TRAINER_OWN and admins see the page and cancel it. Everyone
    else is sent to sign in (no admin) or gets the 404 of a session that does not
    exist, and their post changes nothing."""
    from learners.models import Booking, BookingStatus, TrainingSession

    missing = reverse("session_cancel", args=[10**8])
    for role in ROLES:
        starts = timezone.now() + timedelta(days=7)
        session = TrainingSession.objects.create(
            course=world.course, trainer=world.users[TRAINER_OWN], capacity=10,
            venue_name="Room 7.01", venue_address="1 Matrix Way", starts_at=starts,
            ends_at=starts + timedelta(hours=2))
        Booking.objects.create(session=session, user=world.owner, booked_at=timezone.now(),
                               status=BookingStatus.BOOKED)
        url = reverse("session_cancel", args=[session.pk])
        client.logout()
        if role != ANONYMOUS:
            client.force_login(world.users[role])
        allowed = role in (TRAINER_OWN, ADMIN)

        page = client.get(url)
        body = _body(page)
        if allowed:
            assert page.status_code == 200, role
            assert "1 with a place, 0 on the waiting list" in body, role
        else:
            assert page.status_code in DENIED_STATUSES, f"{role}: {page.status_code}"
            assert "Room 7.01" not in body, role
            assert client.get(missing).status_code == page.status_code, role
        client.post(url, {"reason": f"Cancelled by {role}"})
        session.refresh_from_db()
        assert (session.cancelled_reason == f"Cancelled by {role}") is allowed, role
        assert Booking.objects.get(session=session).status == (
            BookingStatus.CANCELLED if allowed else BookingStatus.BOOKED), role
