"""The learner's pages for instructor-led sessions: a session's details with "Book a
place" or "Join the waiting list", their booking, and cancelling it with a reason.
Thin: validate, call learners.services.sessions, redirect or render."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from learners.models import BookingStatus, SessionMode, TrainingSession
from learners.services import sessions as booking

ADJUSTMENTS_MAX = 2000


class BookingForm(forms.Form):
    adjustments = forms.CharField(
        label="Do you need any reasonable adjustments? (optional)", required=False,
        max_length=ADJUSTMENTS_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, a hearing loop, step-free access, breaks or materials in "
                  "advance. Only the trainer and the academy team can read this.",
        error_messages={"max_length": f"Reasonable adjustments must be {ADJUSTMENTS_MAX} "
                                      "characters or fewer"},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling?", max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The trainer sees this. It helps them plan future sessions.",
        error_messages={"required": "Enter a reason for cancelling",
                        "max_length": "The reason must be 1000 characters or fewer"},
    )


def _session(session_id: int) -> TrainingSession:
    try:
        return booking.session_get_for_learner(session_id=session_id)
    except TrainingSession.DoesNotExist:
        raise Http404 from None


def session_detail(request, session_id: int, *, form=None):
    """A session: when and where, who teaches it, places left; for the signed-in
    person, their booking (and the joining link once they have a place) or the form to
    book."""
    session = _session(session_id)
    mine = booking.booking_open_for(session=session, user=request.user)
    places_left = booking.session_places_left(session=session)
    context = {
        "session": session,
        "booking": mine,
        "has_place": mine is not None and mine.status == BookingStatus.BOOKED,
        "places_left": places_left,
        "full": places_left == 0 or session.waiting_count > 0,
        "refusal": booking.session_bookable_refusal(session=session),
        "waiting_position": mine and booking.booking_waiting_position(booking=mine),
        "cancel_cutoff": booking.session_cancel_cutoff(session=session),
        "BookingStatus": BookingStatus,
        "SessionMode": SessionMode,
        "form": form or BookingForm(),
    }
    return render(request, "learners/sessions/session.html", context,
                  status=400 if form is not None else 200)


@login_required
@require_POST
def session_book(request, session_id: int):
    """Book a place, or join the waiting list, then back to the session's page."""
    session = _session(session_id)
    form = BookingForm(request.POST)
    if not form.is_valid():
        return session_detail(request, session_id, form=form)
    try:
        mine, created = booking.session_book(session=session, user=request.user,
                                             adjustments=form.cleaned_data["adjustments"])
    except booking.BookingRefused as refused:
        messages.error(request, refused.message)
        return redirect("session_detail", session_id)
    if not created:
        messages.success(request, "You have already booked this session.")
    elif mine.status == BookingStatus.BOOKED:
        messages.success(request, "You have a place on this session. We have emailed you "
                                  "the details and a calendar invitation.")
    else:
        messages.success(request, "You are on the waiting list. We will email you if a "
                                  "place becomes free.")
    return redirect("session_detail", session_id)


@login_required
def booking_cancel(request, session_id: int):
    """Cancel your place (or leave the waiting list), with a reason. After the cut-off,
    the page says why not and whom to contact instead."""
    session = _session(session_id)
    mine = booking.booking_open_for(session=session, user=request.user)
    if mine is None:  # nothing of theirs here to cancel
        raise Http404
    form = CancelForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            booking.booking_cancel(booking=mine, reason=form.cleaned_data["reason"],
                                   by=request.user)
        except booking.CancellationRefused as refused:
            refusal = refused.message
        else:
            messages.success(request, "You have left the waiting list." if
                             mine.status == BookingStatus.WAITING else
                             "Your place has been cancelled.")
            return redirect("session_detail", session_id)
    late = (mine.status == BookingStatus.BOOKED
            and not booking.booking_cancel_allowed_now(booking=mine, by=request.user))
    if late and refusal is None:
        refusal = booking.booking_cancel_refusal_message(session=session)
    return render(request, "learners/sessions/cancel.html", {
        "session": session, "booking": mine, "form": form, "refusal": refusal,
        "late": late, "BookingStatus": BookingStatus,
    }, status=400 if request.method == "POST" else 200)
