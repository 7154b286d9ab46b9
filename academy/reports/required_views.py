"""HR: required learning within the HR reporter's organisations: set a course as
required, see who it applies to, change it, give one person more time, withdraw it."""

from django.contrib import messages
from django.shortcuts import redirect, render

from academy.reports import required as service
from academy.reports.forms import DeadlineExtensionForm, RequiredLearningForm
from academy.reports.views import require_reporter
from learners.selectors import enrolments_annotate_compliance


def required_learning(request):
    """The assignments in the viewer's organisations, and the form to set one."""
    require_reporter(request)
    form = RequiredLearningForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        assignment = service.required_learning_create(
            viewer=request.user, course=data["course"], organisations=data["organisations"],
            grades=data["grades"], professions=data["professions"], due_on=data["due_on"],
            recurrence_months=data["recurrence_months"])
        messages.success(request, f"{assignment.course.title} is now required learning. "
                                  "People are being enrolled.")
        return redirect("required_learning")
    assignments, withdrawn = service.required_learning_overview(viewer=request.user)
    return render(request, "academy/reports/required_learning.html",
                  {"form": form, "assignments": assignments, "withdrawn": withdrawn})


def required_learning_detail(request, assignment_id: int):
    """One assignment and the people in the viewer's scope it requires, found by name
    or email; from here HR gives a person more time."""
    require_reporter(request)
    assignment = service.required_learning_get(viewer=request.user,
                                               assignment_id=assignment_id)
    query = request.GET.get("q", "").strip()[:254]
    people = service.required_learning_people(viewer=request.user, assignment=assignment,
                                              query=query)
    shown = list(enrolments_annotate_compliance(queryset=people)[:service.PEOPLE_SHOWN + 1])
    return render(request, "academy/reports/required_learning_detail.html", {
        "assignment": assignment, "query": query, "people": shown[:service.PEOPLE_SHOWN],
        "more": len(shown) > service.PEOPLE_SHOWN, "shown_max": service.PEOPLE_SHOWN,
        "can_change": service.required_learning_can_change(viewer=request.user,
                                                           assignment=assignment),
    })


def required_learning_change(request, assignment_id: int):
    """Change the due date and the audience of an assignment the viewer covers."""
    require_reporter(request)
    assignment = service.required_learning_get_to_change(viewer=request.user,
                                                         assignment_id=assignment_id)
    form = RequiredLearningForm(request.POST or None, instance=assignment, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = service.required_learning_update(
            viewer=request.user, assignment_id=assignment.pk, due_on=data["due_on"],
            organisations=data["organisations"], grades=data["grades"],
            professions=data["professions"], recurrence_months=data["recurrence_months"])
        if changed:
            messages.success(request, f"You changed {assignment.course.title}. People's due "
                                      "dates are being updated.")
        else:
            messages.info(request, f"You did not change anything in {assignment.course.title}.")
        return redirect("required_learning_detail", assignment_id=assignment.pk)
    return render(request, "academy/reports/required_learning_change.html",
                  {"form": form, "assignment": assignment})


def required_learning_extend(request, assignment_id: int, enrolment_id: int):
    """Give one person in the viewer's scope more time, with a reason."""
    require_reporter(request)
    assignment = service.required_learning_get(viewer=request.user,
                                               assignment_id=assignment_id)
    enrolment = service.required_enrolment_get(viewer=request.user, assignment=assignment,
                                               enrolment_id=enrolment_id)
    form = DeadlineExtensionForm(request.POST or None, current_due_on=enrolment.due_by)
    if request.method == "POST" and form.is_valid():
        service.deadline_extension_create(
            viewer=request.user, enrolment_id=enrolment.pk, due_on=form.cleaned_data["due_on"],
            reason=form.cleaned_data["reason"])
        messages.success(request, f"{enrolment.user.get_full_name()} now has until "
                                  f"{form.cleaned_data['due_on']:%-d %B %Y}.")
        return redirect("required_learning_detail", assignment_id=assignment.pk)
    return render(request, "academy/reports/required_learning_extend.html",
                  {"form": form, "assignment": assignment, "enrolment": enrolment,
                   "extensions": enrolment.extensions.order_by("-granted_at")})


def required_learning_withdraw(request, assignment_id: int):
    """Confirm (GET), then withdraw (POST) an assignment the viewer covers."""
    require_reporter(request)
    assignment = service.required_learning_get_to_change(
        viewer=request.user, assignment_id=assignment_id, withdrawn=True)
    if assignment.is_withdrawn:
        messages.info(request, f"{assignment.course.title} has already been withdrawn.")
        return redirect("required_learning")
    if request.method == "POST":
        service.required_learning_withdraw(viewer=request.user, assignment_id=assignment.pk)
        messages.success(request, f"{assignment.course.title} is no longer required. People "
                                  "stay enrolled; their due dates are being removed.")
        return redirect("required_learning")
    return render(request, "academy/reports/required_learning_withdraw.html",
                  {"assignment": assignment})
