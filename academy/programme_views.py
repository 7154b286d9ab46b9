"""Model → pair → coach programmes (issue 16): the list of a person's programmes, the
programme page (every practice's phase at a glance), the practice page (its timeline,
with forms to log evidence and, for coaches, to move it to another phase), and the
closing report. Who may see and do what is decided in learners.services.programmes:
anyone it does not let in is told the programme does not exist."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from academy.dates import GovukDateField
from learners.models import LedBy, Practice, PracticePhase, Programme, ProgrammeRole, User
from learners.models.programmes import PHASE_DESCRIPTIONS, PHASE_ORDER, phase_step
from learners.services.programmes import (
    EVIDENCE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    ProgrammeAccess,
    ProgrammeForbidden,
    ProgrammeRefused,
    evidence_log,
    phase_display,
    practice_phase_move,
    practice_timeline,
    programme_access_get,
    programme_members,
    programme_overview,
    programmes_visible_to,
)

IN_PROGRAMME = (ProgrammeAccess.COACH, ProgrammeAccess.MEMBER)


def _programme_get(request, programme_id: int) -> tuple[Programme, ProgrammeAccess]:
    programme = get_object_or_404(Programme.objects.select_related("organisation"),
                                  pk=programme_id)
    access = programme_access_get(programme=programme, user=request.user)
    if access is None:
        raise Http404("No programme")
    return programme, access


def _practice_get(request, programme_id: int, practice_id: int):
    """The practice, for people in the programme and admins; HR see the summary only."""
    programme, access = _programme_get(request, programme_id)
    if access == ProgrammeAccess.HR:
        raise Http404("No practice")
    practice = get_object_or_404(Practice, pk=practice_id, programme=programme)
    practice.programme = programme
    return programme, access, practice


class EvidenceForm(forms.Form):
    happened_on = GovukDateField(label="Date it happened")
    what = forms.CharField(
        label="What was done", max_length=EVIDENCE_MAX_LENGTH, widget=forms.Textarea,
        help_text="For example, “Wrote the user stories for the appointment booking "
                  "change and agreed them with the product owner”.",
        error_messages={"required": "Enter what was done",
                        "max_length": f"What was done must be {EVIDENCE_MAX_LENGTH:,} "
                                      "characters or fewer"})
    led_by = forms.ChoiceField(label="Who led it",
                               error_messages={"required": "Select who led it",
                                               "invalid_choice": "Select who led it"})
    reflection = forms.CharField(
        label="What did the team learn? (optional)", required=False,
        max_length=EVIDENCE_MAX_LENGTH, widget=forms.Textarea,
        error_messages={"max_length": f"What the team learnt must be "
                                      f"{EVIDENCE_MAX_LENGTH:,} characters or fewer"})

    def __init__(self, *args, people: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["led_by"].choices = [
            ("", "Choose who led it"),
            (LedBy.EXPERTS.value, "The experts (model)"),
            (LedBy.TOGETHER.value, "The experts and your team together (pair)"),
            (LedBy.TEAM.value, "Your team (coach or owned)"),
            *((f"person-{pk}", str(person)) for pk, person in self.people.items()),
        ]

    def led_by_parts(self) -> tuple[str, User | None]:
        value = self.cleaned_data["led_by"]
        if value.startswith("person-"):
            return LedBy.PERSON.value, self.people[value.removeprefix("person-")]
        return value, None


class PhaseMoveForm(forms.Form):
    to_phase = forms.ChoiceField(
        label="Where should the practice move?", widget=forms.RadioSelect,
        error_messages={"required": "Select where the practice should move",
                        "invalid_choice": "Select where the practice should move"})
    note = forms.CharField(
        label="Note", max_length=NOTE_MAX_LENGTH, widget=forms.Textarea,
        help_text="Why it is moving: what the team showed, or what it still needs.",
        error_messages={"required": "Enter a note saying why the practice is moving",
                        "max_length": f"The note must be {NOTE_MAX_LENGTH:,} characters "
                                      "or fewer"})

    def __init__(self, *args, practice: Practice, **kwargs):
        super().__init__(*args, **kwargs)
        step = phase_step(practice.phase)
        choices = []
        if step < len(PHASE_ORDER):
            forward = PHASE_ORDER[step]
            choices.append((forward.value, f"Move on to {forward.label} "
                                           f"(step {step + 1} of {len(PHASE_ORDER)})"))
        choices += [(phase.value, f"Move back to {phase.label} "
                                  f"(step {number} of {len(PHASE_ORDER)})")
                    for number, phase in enumerate(PHASE_ORDER[:step - 1], start=1)]
        self.fields["to_phase"].choices = choices


def _practice_page(request, programme, access, practice, *, evidence_form=None,
                   move_form=None, status=200):
    is_open = programme.closed_at is None
    can_log = access in IN_PROGRAMME and is_open
    can_move = access == ProgrammeAccess.COACH and is_open
    people = programme_members(programme=programme, role=ProgrammeRole.MEMBER) + \
        programme_members(programme=programme, role=ProgrammeRole.COACH)
    if can_log and evidence_form is None:
        evidence_form = EvidenceForm(people=people)
    if can_move and move_form is None:
        move_form = PhaseMoveForm(practice=practice)
    return render(request, "academy/programmes/practice.html", {
        "programme": programme, "practice": practice, "access": access,
        "phase": phase_display(practice.phase),
        "phase_description": PHASE_DESCRIPTIONS[PracticePhase(practice.phase)],
        "timeline": practice_timeline(practice=practice),
        "courses": practice.courses.order_by("title"),
        "evidence_form": evidence_form if can_log else None,
        "move_form": move_form if can_move else None,
    }, status=status)


@login_required
def programme_list(request):
    programmes = programmes_visible_to(user=request.user).order_by("-starts_on", "name")
    return render(request, "academy/programmes/list.html", {"programmes": programmes})


@login_required
def programme_detail(request, programme_id: int):
    """Every practice's phase, in words; what is overdue or behind plan; the courses
    members still need (by name for coaches and admins, as counts for the rest)."""
    programme, access = _programme_get(request, programme_id)
    summary_only = access == ProgrammeAccess.HR
    return render(request, "academy/programmes/programme.html", {
        "programme": programme, "access": access, "summary_only": summary_only,
        "show_names": access in (ProgrammeAccess.COACH, ProgrammeAccess.ADMIN),
        "rows": programme_overview(programme=programme),
        "phases": [(phase.label, PHASE_DESCRIPTIONS[phase]) for phase in PHASE_ORDER],
        "coaches": programme_members(programme=programme, role=ProgrammeRole.COACH),
        "members": ([] if summary_only else
                    programme_members(programme=programme, role=ProgrammeRole.MEMBER)),
    })


@login_required
def practice_detail(request, programme_id: int, practice_id: int):
    programme, access, practice = _practice_get(request, programme_id, practice_id)
    return _practice_page(request, programme, access, practice)


def _practice_url(programme, practice, anchor="timeline") -> str:
    return reverse("practice_detail", args=[programme.pk, practice.pk]) + f"#{anchor}"


@require_POST
@login_required
def practice_evidence_log(request, programme_id: int, practice_id: int):
    programme, access, practice = _practice_get(request, programme_id, practice_id)
    if access not in IN_PROGRAMME:
        raise PermissionDenied("Only people in this programme can log evidence")
    people = programme_members(programme=programme, role=ProgrammeRole.MEMBER) + \
        programme_members(programme=programme, role=ProgrammeRole.COACH)
    form = EvidenceForm(request.POST, people=people)
    if form.is_valid():
        led_by, person = form.led_by_parts()
        try:
            evidence_log(practice=practice, by=request.user,
                         happened_on=form.cleaned_data["happened_on"],
                         what=form.cleaned_data["what"], led_by=led_by, led_by_person=person,
                         reflection=form.cleaned_data["reflection"])
        except ProgrammeForbidden as refused:
            raise PermissionDenied(refused.message) from None
        except ProgrammeRefused as refused:
            field = "happened_on" if "date" in refused.message else None
            form.add_error(field, refused.message)
        else:
            messages.success(request, "Your evidence is added to the timeline.")
            return redirect(_practice_url(programme, practice))
    return _practice_page(request, programme, access, practice, evidence_form=form)


@require_POST
@login_required
def practice_phase_change(request, programme_id: int, practice_id: int):
    programme, access, practice = _practice_get(request, programme_id, practice_id)
    if access != ProgrammeAccess.COACH:
        raise PermissionDenied("Only a coach of this programme can move a practice")
    form = PhaseMoveForm(request.POST, practice=practice)
    if form.is_valid():
        try:
            change = practice_phase_move(practice=practice, to_phase=form.cleaned_data[
                "to_phase"], note=form.cleaned_data["note"], by=request.user)
        except ProgrammeForbidden as refused:
            raise PermissionDenied(refused.message) from None
        except ProgrammeRefused as refused:
            form.add_error("note" if "note" in refused.message else "to_phase",
                           refused.message)
        else:
            direction = "back to" if change.is_back else "on to"
            messages.success(request, f"{practice.name} moved {direction} "
                                      f"{phase_display(change.to_phase)}.")
            return redirect(_practice_url(programme, practice))
    return _practice_page(request, programme, access, practice, move_form=form)


@login_required
def programme_report_download(request, programme_id: int):
    """The closing report, for anyone who may see the programme, once it is made."""
    programme, _access = _programme_get(request, programme_id)
    if not programme.report:
        raise Http404("No report yet")
    return FileResponse(programme.report.open("rb"), as_attachment=True,
                        filename=f"closing-report-programme-{programme.pk}.pdf",
                        content_type="application/pdf")
