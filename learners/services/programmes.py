"""Model → pair → coach programmes (issue 16): who may see and change a programme, the
two facts people record (evidence, and a coach moving a practice to another phase),
what the programme page reads, and the closing report.

Rules:
- Members of the partner team and coaches see their programme; academy admins see
  every programme; an HR reporter sees a summary of programmes of organisations in
  their scope; anyone else is told it does not exist.
- Anyone in the programme (member or coach) logs evidence. Only a coach moves a
  practice: forward one phase at a time, or back any number, always with a note.
  An academy admin who wants to move one adds themselves as a coach: the move is a
  coach's judgement, and the history says who made it.
- Once closed (the day after its end date) a programme takes no more evidence or
  moves: the closing report is its final word.
- The plan a practice is measured against: the programme's days in three equal
  stretches; by the end of the first a practice should be at least in Pair, by the
  end of the second at least in Coach, and by the end date Owned. Behind that it is
  "Behind plan"; not owned after the end date it is "Overdue"."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from courses.models import CoursePage
from learners.models import (
    Enrolment,
    Evidence,
    LedBy,
    Organisation,
    PhaseChange,
    Practice,
    PracticePhase,
    Programme,
    ProgrammeMember,
    ProgrammeRole,
    User,
)
from learners.models.programmes import PHASE_ORDER, phase_step
from learners.programme_pdf import (
    ProgrammeReport,
    ReportEvidence,
    ReportPhaseChange,
    ReportPractice,
    programme_report_render,
)
from learners.scoping import reporting_paths

logger = logging.getLogger(__name__)

EVIDENCE_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000


class ProgrammeRefused(Exception):
    """The change cannot be made; `message` says why, in words for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ProgrammeForbidden(ProgrammeRefused):
    """The person may see the programme but not make this change."""


class ProgrammeAccess(StrEnum):
    COACH = "coach"
    MEMBER = "member"
    ADMIN = "admin"
    HR = "hr"  # a summary only


def _in_scope(organisation: Organisation, paths: list[str]) -> bool:
    return any(organisation.path.startswith(path) for path in paths)


def programme_access_get(*, programme: Programme, user: User) -> ProgrammeAccess | None:
    """What the user may do with the programme, or None: it does not exist for them."""
    if not user.is_authenticated or not user.is_active:
        return None
    role = (ProgrammeMember.objects.filter(programme=programme, user=user)
            .values_list("role", flat=True).first())
    if role == ProgrammeRole.COACH:
        return ProgrammeAccess.COACH
    if role == ProgrammeRole.MEMBER:
        return ProgrammeAccess.MEMBER
    if user.is_superuser:
        return ProgrammeAccess.ADMIN
    paths = reporting_paths(user)
    if paths and _in_scope(programme.organisation, paths):
        return ProgrammeAccess.HR
    return None


def programmes_visible_to(*, user: User) -> QuerySet[Programme]:
    """The programmes the user may open: their own, all for an academy admin, and those
    of organisations in an HR reporter's scope."""
    if not user.is_authenticated or not user.is_active:
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.select_related("organisation")
    condition = Q(members__user=user)
    for path in reporting_paths(user) or []:
        condition |= Q(organisation__path__startswith=path)
    return (Programme.objects.filter(pk__in=Programme.objects.filter(condition).values("pk"))
            .select_related("organisation"))


# --- Setting up (the Wagtail admin does the same through its forms) ---------------------


@transaction.atomic
def programme_create(*, name: str, organisation: Organisation, starts_on: date,
                     ends_on: date, created_by: User | None, description: str = "",
                     members: list[User] = (), coaches: list[User] = ()) -> Programme:
    """A programme with its partner team and coaches (no practices yet)."""
    if ends_on <= starts_on:
        raise ProgrammeRefused("The end date must be after the start date")
    programme = Programme.objects.create(
        name=name, organisation=organisation, description=description,
        starts_on=starts_on, ends_on=ends_on, created_by=created_by)
    ProgrammeMember.objects.bulk_create(
        [ProgrammeMember(programme=programme, user=u, role=ProgrammeRole.MEMBER)
         for u in members]
        + [ProgrammeMember(programme=programme, user=u, role=ProgrammeRole.COACH)
           for u in coaches])
    return programme


@transaction.atomic
def practice_add(*, programme: Programme, name: str, description: str = "",
                 courses: list[CoursePage] = ()) -> Practice:
    """A practice at the end of the programme's list, starting in Model."""
    practice = Practice.objects.create(
        programme=programme, name=name, description=description,
        sort_order=programme.practices.count())
    practice.courses.set(courses)
    practice.save()  # a ParentalManyToManyField is written when its object is saved
    return practice


# --- The facts ---------------------------------------------------------------------------


def _open_programme(programme: Programme) -> None:
    if programme.closed_at is not None:
        raise ProgrammeRefused("This programme has closed: its closing report is final")


@transaction.atomic
def evidence_log(*, practice: Practice, by: User, happened_on: date, what: str,
                 led_by: str, led_by_person: User | None = None,
                 reflection: str = "", at: datetime | None = None) -> Evidence:
    """Record something the team did in a practice. Anyone in the programme may.
    `at` is when it was logged (now, unless history is being loaded)."""
    programme = Programme.objects.get(pk=practice.programme_id)  # as it is now: closed?
    access = programme_access_get(programme=programme, user=by)
    if access not in (ProgrammeAccess.COACH, ProgrammeAccess.MEMBER):
        raise ProgrammeForbidden("Only people in this programme can log evidence")
    _open_programme(programme)
    what, reflection = what.strip(), reflection.strip()
    if not what:
        raise ProgrammeRefused("Enter what was done")
    if len(what) > EVIDENCE_MAX_LENGTH or len(reflection) > EVIDENCE_MAX_LENGTH:
        raise ProgrammeRefused(f"Write {EVIDENCE_MAX_LENGTH:,} characters or fewer")
    if happened_on > timezone.localdate():
        raise ProgrammeRefused("The date it happened must be today or in the past")
    if happened_on < programme.starts_on:
        raise ProgrammeRefused("The date it happened must be on or after the programme "
                               f"started ({programme.starts_on:%-d %B %Y})")
    if led_by not in LedBy.values:
        raise ProgrammeRefused("Select who led it")
    if led_by == LedBy.PERSON:
        if led_by_person is None or not programme.members.filter(user=led_by_person).exists():
            raise ProgrammeRefused("Select who led it from the people in this programme")
    else:
        led_by_person = None
    return Evidence.objects.create(
        practice=practice, happened_on=happened_on, what=what, led_by=led_by,
        led_by_person=led_by_person, reflection=reflection, logged_by=by,
        logged_at=at or timezone.now())


@transaction.atomic
def practice_phase_move(*, practice: Practice, to_phase: str, note: str,
                        by: User, at: datetime | None = None) -> PhaseChange:
    """A coach moves the practice forward one phase, or back any number, with a note
    (`at`: when; now, unless history is being loaded).
    The practice row is locked, so two coaches moving it at once are taken in turn
    and the second is measured against the first's result."""
    practice = Practice.objects.select_for_update(of=("self",)).select_related("programme").get(
        pk=practice.pk)
    access = programme_access_get(programme=practice.programme, user=by)
    if access is None:
        raise Practice.DoesNotExist
    if access != ProgrammeAccess.COACH:
        raise ProgrammeForbidden("Only a coach of this programme can move a practice to "
                                 "another phase")
    _open_programme(practice.programme)
    note = note.strip()
    if not note:
        raise ProgrammeRefused("Enter a note saying why the practice is moving")
    if len(note) > NOTE_MAX_LENGTH:
        raise ProgrammeRefused(f"The note must be {NOTE_MAX_LENGTH:,} characters or fewer")
    if to_phase not in PracticePhase.values:
        raise ProgrammeRefused("Select the phase to move to")
    now_step, to_step = phase_step(practice.phase), phase_step(to_phase)
    if to_step == now_step:
        raise ProgrammeRefused(f"The practice is already in {PracticePhase(to_phase).label}")
    if to_step > now_step + 1:
        raise ProgrammeRefused("A practice moves forward one phase at a time")
    change = PhaseChange.objects.create(practice=practice, from_phase=practice.phase,
                                        to_phase=to_phase, note=note, by=by,
                                        at=at or timezone.now())
    practice.phase = to_phase
    practice.save(update_fields=["phase"])
    return change


# --- What the pages read ----------------------------------------------------------------


def phase_display(phase: str) -> str:
    """"Pair (step 2 of 4)": the phase in words, never by colour alone."""
    return f"{PracticePhase(phase).label} (step {phase_step(phase)} of {len(PHASE_ORDER)})"


def programme_plan_step(*, programme: Programme, today: date) -> int:
    """The phase step every practice should have reached by `today` (module docstring)."""
    if today > programme.ends_on:
        return len(PHASE_ORDER)
    days = (programme.ends_on - programme.starts_on).days
    elapsed = max(0, (today - programme.starts_on).days)
    return min(3, 1 + (3 * elapsed) // days)


@dataclass
class CourseNeed:
    course: CoursePage
    members: list[User]   # members without a completed enrolment on it
    of: int               # members in the programme


@dataclass
class PracticeRow:
    practice: Practice
    phase: str
    last_evidence: Evidence | None
    status: str             # "owned", "on track", "behind plan" or "overdue"
    status_text: str        # the same in a sentence
    courses_needed: list[CourseNeed] = field(default_factory=list)

    @property
    def status_detail(self) -> str:
        """The sentence after its label ("should be in Coach or later by now"), to follow
        a tag that says the label."""
        return self.status_text.split(": ", 1)[-1]


def programme_members(*, programme: Programme, role: str) -> list[User]:
    return [m.user for m in programme.members.filter(role=role).select_related("user")
            .order_by("user__last_name", "user__first_name", "pk")]


def programme_courses_needed(*, programme: Programme,
                             practices: list[Practice]) -> dict[int, list[CourseNeed]]:
    """For each practice, its courses and the members who have not completed each."""
    members = programme_members(programme=programme, role=ProgrammeRole.MEMBER)
    course_ids = {c.pk for p in practices for c in p.courses.all()}
    completed = set(Enrolment.objects.filter(
        user__in=members, course_id__in=course_ids, completed_at__isnull=False,
    ).values_list("user_id", "course_id"))
    return {p.pk: [CourseNeed(course=c, of=len(members),
                              members=[m for m in members if (m.pk, c.pk) not in completed])
                   for c in p.courses.all()]
            for p in practices}


def programme_overview(*, programme: Programme, today: date | None = None) -> list[PracticeRow]:
    """Each practice's phase, latest evidence, standing against the plan, and the
    courses members still need. A fixed number of queries, however many practices."""
    today = today or timezone.localdate()
    practices = list(programme.practices.prefetch_related("courses"))
    latest: dict[int, Evidence] = {}
    for evidence in (Evidence.objects.filter(practice__programme=programme)
                     .order_by("practice_id", "-happened_on", "-logged_at", "-pk")
                     .select_related("led_by_person")):
        latest.setdefault(evidence.practice_id, evidence)
    needed = programme_courses_needed(programme=programme, practices=practices)
    plan = programme_plan_step(programme=programme, today=today)
    rows = []
    for practice in practices:
        if practice.phase == PracticePhase.OWNED:
            status, text = "owned", "Owned: your team does this without help"
        elif today > programme.ends_on:
            status = "overdue"
            text = f"Overdue: not owned by the end date, {programme.ends_on:%-d %B %Y}"
        elif practice.step < plan:
            status = "behind plan"
            text = (f"Behind plan: should be in {PracticePhase(PHASE_ORDER[plan - 1]).label} "
                    "or later by now")
        else:
            status, text = "on track", "On track"
        rows.append(PracticeRow(practice=practice, phase=practice.phase,
                                last_evidence=latest.get(practice.pk), status=status,
                                status_text=text, courses_needed=needed[practice.pk]))
    return rows


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    phase_change: PhaseChange | None = None
    evidence: Evidence | None = None


def practice_timeline(*, practice: Practice) -> list[TimelineEntry]:
    """Evidence and phase changes interleaved by date, oldest first (the day a phase
    change was made in Europe/London; on the same day, in the order they were written)."""
    entries = [(timezone.localdate(c.at), c.at, TimelineEntry(
        on=timezone.localdate(c.at), phase_change=c))
        for c in practice.phase_changes.select_related("by")]
    entries += [(e.happened_on, e.logged_at, TimelineEntry(on=e.happened_on, evidence=e))
                for e in practice.evidence.select_related("logged_by", "led_by_person")]
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [entry for _on, _at, entry in entries]


def evidence_led_by_display(evidence: Evidence) -> str:
    if evidence.led_by == LedBy.PERSON and evidence.led_by_person is not None:
        return str(evidence.led_by_person)
    return LedBy(evidence.led_by).label


# --- The closing report ------------------------------------------------------------------


def programme_report_content(*, programme: Programme) -> ProgrammeReport:
    """What the closing report says, read from the histories."""
    rows = programme_overview(programme=programme,
                              today=max(timezone.localdate(), programme.ends_on))
    practices = []
    for row in rows:
        practice = row.practice
        practices.append(ReportPractice(
            name=practice.name, phase=phase_display(practice.phase),
            owned=practice.phase == PracticePhase.OWNED,
            changes=[ReportPhaseChange(
                on=timezone.localdate(c.at),
                from_phase=PracticePhase(c.from_phase).label,
                to_phase=PracticePhase(c.to_phase).label, back=c.is_back,
                by=str(c.by), note=c.note)
                for c in practice.phase_changes.select_related("by")],
            evidence=[ReportEvidence(on=e.happened_on, what=e.what,
                                     led_by=evidence_led_by_display(e),
                                     reflection=e.reflection)
                      for e in practice.evidence.select_related("led_by_person")],
            courses_needed=[(need.course.title, len(need.members), need.of)
                            for need in row.courses_needed if need.members],
        ))
    return ProgrammeReport(
        name=programme.name, organisation=programme.organisation.name,
        starts_on=programme.starts_on, ends_on=programme.ends_on,
        made_on=timezone.localdate(),
        coaches=[str(u) for u in programme_members(programme=programme,
                                                   role=ProgrammeRole.COACH)],
        practices=practices)


def programme_close(*, programme_id: int) -> Programme:
    """Close a programme whose end date has passed: make its closing report, once.
    Run again (or for a programme not yet ended) it changes nothing."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update(of=("self",)).select_related(
            "organisation").get(pk=programme_id)
        if programme.closed_at is not None or programme.ends_on >= timezone.localdate():
            return programme
        pdf = programme_report_render(programme_report_content(programme=programme))
        programme.report.save(f"programme-{programme.pk}-closing-report.pdf",
                              ContentFile(pdf), save=False)
        programme.closed_at = timezone.now()
        programme.save(update_fields=["report", "closed_at"])
    logger.info("programme %s closed with its report", programme.pk)
    return programme


def programmes_close_due() -> int:
    """Periodic (celery beat): close every programme whose end date has passed and that
    has no closing report yet. Returns how many were closed."""
    due = Programme.objects.filter(closed_at__isnull=True,
                                   ends_on__lt=timezone.localdate()).values_list("pk", flat=True)
    closed = 0
    for programme_id in list(due):
        if programme_close(programme_id=programme_id).closed_at is not None:
            closed += 1
    return closed


def programmes_export(user: User) -> dict:
    """The person's share of programmes, for their data export (learners.privacy)."""
    return {
        "programmes": [{
            "programme": m.programme.name, "role": m.get_role_display(),
        } for m in ProgrammeMember.objects.filter(user=user).select_related("programme")],
        "programme_phase_moves_you_made": [{
            "practice": c.practice.name, "from": c.from_phase, "to": c.to_phase,
            "note": c.note, "at": c.at.isoformat(),
        } for c in PhaseChange.objects.filter(by=user).select_related("practice")],
        "programme_evidence": [{
            "practice": e.practice.name, "happened_on": e.happened_on.isoformat(),
            "what": e.what, "reflection": e.reflection,
            "you": "logged it" if e.logged_by_id == user.pk else "led it",
        } for e in Evidence.objects.filter(Q(logged_by=user) | Q(led_by_person=user))
            .select_related("practice").order_by("happened_on", "pk")],
    }
