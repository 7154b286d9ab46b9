"""Cancelling a whole instructor-led session, in the Wagtail admin: a page that shows
the session and who is booked and waiting, and asks why (the reason goes to everyone
booked and waiting). The session's trainer, the course's trainers and academy admins
may; anyone else gets the 404 of a session that does not exist. The work is
learners.services.session_notices.session_cancel."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from learners.calendar import (
    session_local_times,
    session_location,
    session_title,
    session_when,
)
from learners.models import TrainingSession
from learners.services.session_notices import (
    REASON_MAX,
    session_booking_counts,
    session_cancel,
    session_may_cancel,
)


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the session cancelled?",
        help_text="Everyone with a place and everyone on the waiting list is emailed this "
                  "reason. Say whether there will be another session.",
        widget=forms.Textarea(attrs={"rows": 4}), max_length=REASON_MAX,
        error_messages={"required": "Enter why the session is cancelled",
                        "max_length": f"The reason must be {REASON_MAX} characters or fewer"},
    )


class SessionCancelView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "learners/admin/session_cancel.html"
    header_icon = "date"
    page_title = "Cancel a session"

    def dispatch(self, request, session_id: int):
        self.session = get_object_or_404(
            TrainingSession.objects.select_related("course", "module", "trainer"),
            pk=session_id)
        if not session_may_cancel(user=request.user, session=self.session):
            # The same answer as for a session that does not exist: whether it does is
            # not for them to learn.
            raise Http404
        return super().dispatch(request)

    def get_page_subtitle(self):
        start, _end = session_local_times(self.session)
        return f"{session_title(self.session)}, {start:%-d %B %Y}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("sessions:index"), "label": "Sessions"},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(session=self.session, title=session_title(self.session),
                       when=session_when(self.session),
                       location=session_location(self.session, with_link=False),
                       counts=session_booking_counts(session=self.session),
                       form=kwargs.get("form") or SessionCancelForm())
        return context

    def post(self, request):
        form = SessionCancelForm(request.POST)
        if form.is_valid():
            try:
                session_cancel(session=self.session, reason=form.cleaned_data["reason"],
                               by=request.user)
            except ValidationError as error:
                for message in error.message_dict.get("reason", error.messages):
                    form.add_error("reason", message)
            else:
                messages.success(request, "The session is cancelled. Everyone who was "
                                 "booked or waiting is being emailed.")
                return redirect("session_cancel", self.session.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def session_cancel_urls():
    """The admin URL (registered by learners.wagtail_hooks)."""
    return [path("session-cancel/<int:session_id>/", SessionCancelView.as_view(),
                 name="session_cancel")]
