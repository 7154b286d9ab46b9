"""Line managers' view of their team (/my-team/), and HR's pages to find a person and
set their line manager and staff number. Views are thin: selectors read, one service
(academy.managers.services) writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from academy.managers import selectors
from academy.managers.forms import LineManagerForm, PersonFindForm, TeamMoveForm
from academy.managers.services import person_line_manager_set, person_team_move
from academy.reports.views import require_reporter
from learners.models import ComplianceStatus
from learners.scoping import reportable_people


@login_required
def my_team(request):
    """The signed-in person's direct reports: required learning (overdue first) and
    their other courses. Three queries whatever the size of the team."""
    reports = list(selectors.direct_reports_list(manager=request.user))
    if not reports:
        return render(request, "academy/team/no_team.html")
    required = list(selectors.team_required_list(manager=request.user))
    other = list(selectors.team_other_list(manager=request.user))
    with_learning = {e.user_id for e in required} | {e.user_id for e in other}
    return render(request, "academy/team/my_team.html", {
        "reports": reports, "required": required, "other": other,
        "without_learning": [r for r in reports if r.pk not in with_learning],
        "overdue": sum(1 for e in required if e.compliance == ComplianceStatus.OVERDUE),
    })


def people_lookup(request):
    """HR: find a person in the viewer's organisations by email."""
    require_reporter(request)
    form = PersonFindForm(request.GET if "email" in request.GET else None)
    person = None
    if form.is_bound and form.is_valid():
        person = selectors.person_find(viewer=request.user, email=form.cleaned_data["email"])
    return render(request, "academy/team/people.html", {"form": form, "person": person})


@login_required
def person_line_manager(request, user_id: int):
    """HR: set or clear a person's line manager and staff number. Anyone who may not
    report on the person gets the same 404 as for someone who does not exist."""
    person = get_object_or_404(reportable_people(request.user).select_related("line_manager"),
                               pk=user_id)
    initial = {"line_manager_email": person.line_manager.email if person.line_manager else "",
               "staff_number": person.staff_number}
    form = LineManagerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person_line_manager_set(
                actor=request.user, person=person,
                manager_email=form.cleaned_data["line_manager_email"],
                staff_number=form.cleaned_data["staff_number"])
        except ValidationError as error:
            form.add_error(None, error)  # keyed by the form's own field names
        else:
            messages.success(request, f"Saved the line manager and staff number of "
                                      f"{person.get_full_name() or person.email}")
            return redirect(reverse("people_lookup") + "?" + urlencode({"email": person.email}))
    return render(request, "academy/team/line_manager.html", {"form": form, "person": person})


@login_required
def person_team(request, user_id: int):
    """HR: move a person to another team in the viewer's organisations. Anyone who may
    not report on the person gets the same 404 as for someone who does not exist."""
    person = get_object_or_404(reportable_people(request.user).select_related("organisation"),
                               pk=user_id)
    form = TeamMoveForm(request.POST or None, viewer=request.user,
                        initial={"organisation": person.organisation_id})
    if request.method == "POST" and form.is_valid():
        try:
            person_team_move(actor=request.user, person=person,
                             organisation=form.cleaned_data["organisation"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Moved {person.get_full_name() or person.email} to "
                                      f"{person.organisation.name}")
            return redirect(reverse("people_lookup") + "?" + urlencode({"email": person.email}))
    return render(request, "academy/team/person_team.html", {"form": form, "person": person})
