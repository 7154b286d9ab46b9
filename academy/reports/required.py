"""Required learning, HR's side: setting, changing and withdrawing an assignment, and
giving one person more time. Each writes its fact and its audit event in the request's
transaction and leaves the enrolments to `learners.tasks.required_learning_expand`,
enqueued on commit, which applies the assignment as it then stands (docs/celery.md).

Who may do what: an HR reporter sees an assignment that applies to anyone in their
organisations; they may change or withdraw it only if their scope covers all of its
organisations (it would otherwise change the deadline of people they cannot see), and
extend a deadline only for a person in their scope."""

from datetime import date
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from academy.audit import audit_record
from academy.models import AuditEvent
from learners.enqueue import enqueue_on_commit
from learners.models import DeadlineExtension, Enrolment, Organisation, RequiredLearning
from learners.scoping import reportable_enrolments, reporting_paths

PEOPLE_SHOWN = 50


def _day(value: date | None) -> str:
    return f"{value:%-d %B %Y}" if value else "none"


def _names(items) -> str:
    return ", ".join(sorted(str(item) for item in items)) or "all"


# --- Reads ---------------------------------------------------------------------------


def required_learning_list(*, viewer) -> QuerySet[RequiredLearning]:
    """The assignments that apply to anyone in the viewer's organisations (set for one
    of them, a team below, or an organisation above), soonest due first, with what the
    list shows."""
    paths = reporting_paths(viewer)
    # How many people it requires, counting only those the viewer may see: an
    # assignment set above the viewer's organisations must not give away the size of
    # anyone else's team.
    required = Q(enrolments__due_on__isnull=False)
    if paths is not None:
        required &= reduce(or_, (Q(enrolments__user__organisation__path__startswith=p)
                                 for p in paths), Q(pk__in=[]))
    assignments = RequiredLearning.objects.annotate(
        people_in_scope=Count("enrolments", filter=required, distinct=True))
    if paths is not None:  # set in, above or below one of the viewer's organisations
        steplen = Organisation.steplen
        around = Q(organisations__path__in=[p[:i] for p in paths
                                            for i in range(steplen, len(p), steplen)])
        for path in paths:
            around |= Q(organisations__path__startswith=path)
        assignments = assignments.filter(around)
    return (
        assignments.distinct().select_related("course")
        .prefetch_related("organisations", "grades", "professions").order_by("due_on", "pk")
    )


def _covers(paths: list[str] | None, assignment: RequiredLearning) -> bool:
    if paths is None:  # an academy admin
        return True
    return all(any(o.path.startswith(p) for p in paths)
               for o in assignment.organisations.all())


def _audience_scoped(paths: list[str] | None, assignment: RequiredLearning) -> RequiredLearning:
    """Sets what the viewer may be shown of who the assignment is for:
    `organisations_shown`, its organisations in their scope or above it (the ones their
    people belong to), and `organisations_elsewhere`, whether it also covers others
    (never their names: those are other people's teams)."""
    everyone = list(assignment.organisations.all())
    assignment.organisations_shown = everyone if paths is None else [
        o for o in everyone if any(o.path.startswith(p) or p.startswith(o.path) for p in paths)]
    assignment.organisations_elsewhere = len(assignment.organisations_shown) < len(everyone)
    return assignment


def required_learning_can_change(*, viewer, assignment: RequiredLearning) -> bool:
    """Whether the viewer's scope covers every organisation of the assignment (admins:
    always), so they may change or withdraw it."""
    return _covers(reporting_paths(viewer), assignment)


def required_learning_overview(*, viewer) -> tuple[list, list]:
    """The list page: the assignments in force and the withdrawn ones, each with
    `can_change` set. The same few queries however many there are."""
    paths = reporting_paths(viewer)
    assignments = [_audience_scoped(paths, a) for a in required_learning_list(viewer=viewer)]
    for assignment in assignments:
        assignment.can_change = _covers(paths, assignment)
    return ([a for a in assignments if not a.is_withdrawn],
            [a for a in assignments if a.is_withdrawn])


def required_learning_get(*, viewer, assignment_id: int) -> RequiredLearning:
    """One assignment the viewer can see (404 otherwise), with what they may be shown
    of whom it is for."""
    return _audience_scoped(reporting_paths(viewer), get_object_or_404(
        required_learning_list(viewer=viewer), pk=assignment_id))


def required_learning_get_to_change(*, viewer, assignment_id: int,
                                    withdrawn: bool = False) -> RequiredLearning:
    """One assignment the viewer may change or withdraw: their scope covers all its
    organisations. A withdrawn one only when `withdrawn` (404 otherwise), so the same
    answer is given for an assignment they may not change as for none at all."""
    assignment = required_learning_get(viewer=viewer, assignment_id=assignment_id)
    if not required_learning_can_change(viewer=viewer, assignment=assignment):
        raise _not_found()
    if assignment.is_withdrawn and not withdrawn:
        raise _not_found()
    return assignment


def required_learning_people(*, viewer, assignment: RequiredLearning,
                             query: str = "") -> QuerySet[Enrolment]:
    """The enrolments this assignment requires of people in the viewer's scope (the
    latest cycle first), optionally only those whose name or email contains each word
    of `query` ("sam okafor", "sam.okafor@")."""
    enrolments = reportable_enrolments(viewer).filter(required_by=assignment)
    for word in query.split():
        enrolments = enrolments.filter(Q(user__email__icontains=word)
                                       | Q(user__first_name__icontains=word)
                                       | Q(user__last_name__icontains=word))
    return enrolments.select_related("user").order_by(
        "user__last_name", "user__first_name", "user_id", "-cycle")


def required_enrolment_get(*, viewer, assignment: RequiredLearning,
                           enrolment_id: int) -> Enrolment:
    """An open enrolment this assignment requires of someone in the viewer's scope
    (404 otherwise: completed, someone else's requirement, or outside the scope)."""
    return get_object_or_404(
        reportable_enrolments(viewer).select_related("user", "course"),
        pk=enrolment_id, required_by=assignment, completed_at__isnull=True,
        due_on__isnull=False, required_by__withdrawn_at__isnull=True)


def _not_found() -> Http404:
    return Http404("No such required learning")


# --- Writes --------------------------------------------------------------------------


@transaction.atomic
def required_learning_create(*, viewer, course, organisations, due_on, grades=(),
                             professions=(), recurrence_months=None) -> RequiredLearning:
    """Make a course required for an audience by a date; a task enrols them."""
    from learners.tasks import required_learning_expand

    assignment = RequiredLearning.objects.create(
        course=course, due_on=due_on, recurrence_months=recurrence_months, created_by=viewer)
    assignment.organisations.set(organisations)
    assignment.grades.set(grades)
    assignment.professions.set(professions)
    audit_record(actor=viewer, action=AuditEvent.Action.REQUIRED_LEARNING_SET,
                 filters={"required_learning": assignment.pk, "course": course.slug},
                 detail=f"{course.title} required by {due_on:%-d %B %Y} for "
                        + ", ".join(o.name for o in organisations))
    enqueue_on_commit(required_learning_expand, assignment.pk)
    return assignment


@transaction.atomic
def required_learning_update(*, viewer, assignment_id: int, due_on: date, organisations,
                             grades=(), professions=(),
                             recurrence_months: int | None = None) -> str:
    """Change an assignment's due date and audience. Audited with what changed, in
    words; a task then moves the due dates of open enrolments (later or earlier),
    enrols people new to the audience and releases those no longer in it. Returns the
    description of the change ("" when nothing changed: then nothing is written)."""
    from learners.tasks import required_learning_expand

    assignment = (RequiredLearning.objects.select_for_update(of=("self",))
                  .select_related("course").get(pk=assignment_id, withdrawn_at__isnull=True))
    changes = []
    if assignment.due_on != due_on:
        changes.append(f"Due date {_day(assignment.due_on)} → {_day(due_on)}")
    for label, field, new in (("organisations", "organisations", organisations),
                              ("grades", "grades", grades),
                              ("professions", "professions", professions)):
        old = list(getattr(assignment, field).all())
        if {o.pk for o in old} != {o.pk for o in new}:
            changes.append(f"{label}: {_names(old)} → {_names(new)}")
    if assignment.recurrence_months != recurrence_months:
        changes.append("repeats: " + " → ".join(
            f"every {m} months" if m else "once only"
            for m in (assignment.recurrence_months, recurrence_months)))
    if not changes:
        return ""
    detail = f"{assignment.course.title}: " + "; ".join(changes)
    assignment.due_on = due_on
    assignment.recurrence_months = recurrence_months
    assignment.updated_at = timezone.now()
    assignment.save(update_fields=["due_on", "recurrence_months", "updated_at"])
    assignment.organisations.set(organisations)
    assignment.grades.set(grades)
    assignment.professions.set(professions)
    audit_record(actor=viewer, action=AuditEvent.Action.REQUIRED_LEARNING_CHANGED,
                 filters={"required_learning": assignment.pk,
                          "course": assignment.course.slug}, detail=detail)
    enqueue_on_commit(required_learning_expand, assignment.pk)
    return detail


@transaction.atomic
def required_learning_withdraw(*, viewer, assignment_id: int) -> bool:
    """Withdraw an assignment: it is no longer required. A task then clears the due
    date (and any extension) from its open enrolments; people stay enrolled and
    completed enrolments keep their history. Returns False if it was withdrawn
    already (a second click changes nothing)."""
    from learners.tasks import required_learning_expand

    now = timezone.now()
    withdrawn = RequiredLearning.objects.filter(
        pk=assignment_id, withdrawn_at__isnull=True).update(withdrawn_at=now, updated_at=now)
    if not withdrawn:
        return False
    assignment = RequiredLearning.objects.select_related("course").get(pk=assignment_id)
    audit_record(actor=viewer, action=AuditEvent.Action.REQUIRED_LEARNING_WITHDRAWN,
                 filters={"required_learning": assignment.pk,
                          "course": assignment.course.slug},
                 row_count=assignment.expanded_count,
                 detail=f"{assignment.course.title} (due {_day(assignment.due_on)}, for "
                        f"{_names(assignment.organisations.all())}) is no longer required")
    enqueue_on_commit(required_learning_expand, assignment.pk)
    return True


@transaction.atomic
def deadline_extension_create(*, viewer, enrolment_id: int, due_on: date,
                              reason: str) -> DeadlineExtension:
    """Give one person more time: record the extension with HR's reason and set the
    enrolment's `extended_due_on` (reminders start again for the new date). Expanding
    the assignment again never undoes it. The reason may hold personal circumstances,
    so it is kept with the extension and not copied into the audit log."""
    enrolment = (Enrolment.objects.select_for_update(of=("self",))
                 .select_related("user", "course").get(pk=enrolment_id))
    extension = DeadlineExtension.objects.create(
        enrolment=enrolment, due_on=due_on, previous_due_on=enrolment.due_by,
        reason=reason, granted_by=viewer)
    Enrolment.objects.filter(pk=enrolment.pk).update(extended_due_on=due_on,
                                                     reminder_sent_on=None)
    # By id, never name or email: audit events outlive a person's erasure.
    audit_record(actor=viewer, action=AuditEvent.Action.DEADLINE_EXTENDED,
                 filters={"enrolment": enrolment.pk, "required_learning": enrolment.required_by_id,
                          "course": enrolment.course.slug},
                 row_count=1,
                 detail=f"User {enrolment.user_id}, {enrolment.course.title}: due date "
                        f"{_day(extension.previous_due_on)} → {_day(due_on)}")
    return extension
