"""The register of an instructor-led session, taken by its trainer on a phone: who
attended and who did not. Only the session's trainer and academy admins see it (it
shows people's reasonable adjustments); anyone else gets a 404."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from learners.models import Booking, TrainingSession
from learners.services.register import (
    RegisterRefused,
    session_register_bookings,
    session_register_may_take,
    session_register_opens_on,
    session_register_record,
)

MARKS = {"attended": True, "absent": False}


@dataclass
class RegisterRow:
    """One person on the register, with what they chose (or had recorded) and any error."""

    booking: Booking
    field: str
    value: str
    error: str = ""


def _value(attended: bool | None) -> str:
    return {True: "attended", False: "absent"}.get(attended, "")


def _session_for(request, session_id: int) -> TrainingSession:
    session = get_object_or_404(
        TrainingSession.objects.select_related("course", "module", "trainer"), pk=session_id)
    if not session_register_may_take(session=session, user=request.user):
        raise Http404("No session register here")
    return session


@login_required
def session_register(request, session_id: int):
    """GET: the register as recorded so far. POST: save it; every person must be marked
    attended or did not attend, otherwise the page says who and nothing is saved."""
    session = _session_for(request, session_id)
    rows = [RegisterRow(booking=booking, field=f"booking-{booking.pk}",
                        value=_value(booking.attended))
            for booking in session_register_bookings(session=session)]
    refusal = ""
    if request.method == "POST":
        for row in rows:
            row.value = request.POST.get(row.field, "")
            if row.value not in MARKS:
                name = row.booking.user.get_full_name() or row.booking.user.email
                row.error = f"Select whether {name} attended"
        if not any(row.error for row in rows):
            try:
                outcome = session_register_record(
                    session=session, by=request.user,
                    marks={row.booking.pk: MARKS[row.value] for row in rows})
            except RegisterRefused as refused:
                refusal = refused.message
            else:
                messages.success(
                    request,
                    f"Register saved: {outcome.attended} attended, "
                    f"{outcome.did_not_attend} did not attend")
                return redirect("session_register", session_id=session.pk)
    opens_on = session_register_opens_on(session=session)
    return render(request, "academy/trainer/register.html", {
        "session": session, "rows": rows, "refusal": refusal,
        "errors": [row for row in rows if row.error],
        "opens_on": opens_on, "open": timezone.localdate() >= opens_on,
    })
