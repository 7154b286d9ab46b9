"""Setting a person's line manager and staff number: one set of rules for the HR page
and the records API (PUT /api/v1/people/{email})."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from academy.audit import audit_record
from academy.models import AuditEvent
from learners.enqueue import enqueue_on_commit
from learners.identity import email_normalise
from learners.models import Organisation, User
from learners.scoping import reportable_people, reporting_organisations

UNCHANGED = object()  # a field the caller did not send: leave it as it is

# A line-management chain longer than this is a mistake in the data, not a real office.
_MAX_CHAIN = 50


def _manager_check(*, actor: User, person: User, email: str) -> User:
    """The active person in the actor's scope with this email, who is not the person
    and does not report (directly or further down) to them."""
    manager = (reportable_people(actor).filter(email=email_normalise(email), is_active=True)
               .first())
    if manager is None:
        raise ValidationError({"line_manager_email": (
            f"No one with the email {email.strip()} is in your organisations. "
            "Check the email address, or ask an academy admin")})
    if manager.pk == person.pk:
        raise ValidationError({"line_manager_email": "A person cannot be their own line manager"})
    above, steps = manager.line_manager_id, 0
    while above is not None and steps < _MAX_CHAIN:
        if above == person.pk:
            raise ValidationError({"line_manager_email": (
                f"{manager.email} reports to {person.email}, directly or through their "
                "team, so cannot also be their line manager")})
        above = User.objects.filter(pk=above).values_list("line_manager_id", flat=True).first()
        steps += 1
    return manager


def person_line_manager_set(*, actor: User, person: User, manager_email=UNCHANGED,
                            staff_number=UNCHANGED) -> User:
    """Set or clear `person`'s line manager (by email; None or "" clears) and staff
    number (None or "" clears); UNCHANGED leaves a field alone. The person must be in
    the actor's reporting scope (callers answer 404 otherwise). The manager must be an
    active person in the actor's scope too (docs/decisions.md), not the person, and not
    someone who reports to them. A staff number belongs to one person.

    Raises ValidationError keyed by field (`line_manager_email`, `staff_number`) with
    messages for the person at the keyboard; nothing is changed then. A change is
    audited (LINE_MANAGER_SET) by user ids, never names, since the log outlives people."""
    if not reportable_people(actor).filter(pk=person.pk).exists():
        raise ValidationError("This person is not in your organisations")
    errors: dict[str, str] = {}
    manager = UNCHANGED
    if manager_email is not UNCHANGED:
        manager = None
        if manager_email and manager_email.strip():
            try:
                manager = _manager_check(actor=actor, person=person, email=manager_email)
            except ValidationError as error:
                errors |= {k: v[0] for k, v in error.message_dict.items()}
    number = UNCHANGED
    if staff_number is not UNCHANGED:
        number = (staff_number or "").strip()
        if len(number) > User._meta.get_field("staff_number").max_length:
            errors["staff_number"] = "Staff number must be 30 characters or fewer"
        elif number and User.objects.filter(staff_number=number).exclude(pk=person.pk).exists():
            errors["staff_number"] = (f"Staff number {number} is already someone else's. "
                                      "Each person has their own")
    if errors:
        raise ValidationError(errors)

    changes, fields = [], []
    if manager is not UNCHANGED and (manager.pk if manager else None) != person.line_manager_id:
        before = f"user {person.line_manager_id}" if person.line_manager_id else "none"
        changes.append(f"line manager {before} -> {f'user {manager.pk}' if manager else 'none'}")
        person.line_manager = manager
        fields.append("line_manager")
    if number is not UNCHANGED and number != person.staff_number:
        changes.append("staff number " + ("cleared" if not number else
                                          "set" if not person.staff_number else "changed"))
        person.staff_number = number
        fields.append("staff_number")
    if not fields:
        return person
    try:
        with transaction.atomic():
            person.save(update_fields=fields)
            audit_record(actor=actor, action=AuditEvent.Action.LINE_MANAGER_SET,
                         filters={"person": person.pk}, row_count=1,
                         detail=f"User {person.pk}: " + "; ".join(changes))
    except IntegrityError:  # another request took the staff number a moment ago
        person.refresh_from_db()
        raise ValidationError({"staff_number": f"Staff number {number} is already someone "
                                               "else's. Each person has their own"}) from None
    return person


@transaction.atomic
def person_team_move(*, actor: User, person: User, organisation: Organisation) -> User:
    """Move `person` to `organisation`. Both must be in the actor's reporting scope:
    HR moves people between their own teams only (callers answer 404 for a person out
    of scope). Audited (TEAM_MOVED) by ids; the person's required learning is then
    re-applied by a task after the commit (new team's given, old team's released).

    Raises ValidationError keyed `organisation`, changing nothing."""
    from learners.tasks import required_learning_for_user

    if not reportable_people(actor).filter(pk=person.pk).exists():
        raise ValidationError("This person is not in your organisations")
    if not reporting_organisations(actor).filter(pk=organisation.pk).exists():
        raise ValidationError({"organisation": "Select a team in your organisations"})
    if organisation.pk == person.organisation_id:
        return person
    before = person.organisation_id
    person.organisation = organisation
    person.save(update_fields=["organisation"])
    audit_record(actor=actor, action=AuditEvent.Action.TEAM_MOVED,
                 filters={"person": person.pk}, row_count=1,
                 detail=f"User {person.pk}: organisation {before} -> {organisation.pk}")
    enqueue_on_commit(required_learning_for_user, person.pk)
    return person
