""""Have you used it at work?": the learner answers their own question, and chooses
whether to be asked. Thin: validate, call learners.services.followups, render."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control

from learners.models import FOLLOWUP_HOW_MAX_LENGTH, FollowUp, FollowUpAnswer, FollowUpOptOut
from learners.services import followups as services


class FollowUpAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Have you used this at work?", choices=FollowUpAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you have used this at work",
                        "invalid_choice": "Select whether you have used this at work"})
    how = forms.CharField(
        label="How did you use it? (optional)", required=False, strip=False,
        widget=forms.Textarea,
        help_text="For example, what you did differently, or what got in the way. Your "
                  "line manager can read it with your name, the course's trainers "
                  "without it.")

    def clean_how(self):
        how = services.followup_how_clean(self.cleaned_data["how"])
        if len(how) > FOLLOWUP_HOW_MAX_LENGTH:
            raise forms.ValidationError(
                f"How you used it must be {FOLLOWUP_HOW_MAX_LENGTH} characters or fewer")
        if "\x00" in how:
            raise forms.ValidationError("How you used it must not contain unusual characters")
        return how


def _own_followup(request, followup_id: int) -> FollowUp:
    """The signed-in learner's own question, once sent; anyone else's is the 404 of a
    question that does not exist."""
    followup = (FollowUp.objects.select_related("enrolment__course")
                .filter(pk=followup_id, enrolment__user=request.user, sent_at__isnull=False)
                .first())
    if followup is None:
        raise Http404
    return followup


@login_required
@cache_control(private=True, no_store=True)
def followup_answer(request, followup_id: int):
    """The question "have you used it at work?" for one of the learner's courses: GOV.UK
    radios and an optional "how"; an error summary if no answer is chosen."""
    followup = _own_followup(request, followup_id)
    initial = {"answer": followup.answer or None, "how": followup.how}
    form = FollowUpAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_answer(followup=followup, user=request.user,
                                     answer=form.cleaned_data["answer"],
                                     how=form.cleaned_data["how"])
        except services.FollowUpRejected as rejected:
            form.add_error(rejected.field, rejected.message)
        else:
            messages.success(request, "Thank you. Your answer about "
                                      f"{followup.enrolment.course.title} is saved.")
            return redirect("my_learning")
    return render(request, "learners/followups/answer.html", {
        "form": form, "followup": followup, "course": followup.enrolment.course,
        "max_length": FOLLOWUP_HOW_MAX_LENGTH})


@login_required
@cache_control(private=True, no_store=True)
def followups_opt_out(request):
    """The learner's own choice: be asked follow-up questions after completing a
    course, or not."""
    opted_out = FollowUpOptOut.objects.filter(user=request.user).exists()
    if request.method == "POST":
        stop = request.POST.get("choice") == "stop"
        services.followups_opt_out(user=request.user, opt_out=stop)
        messages.success(request, "We will not send you follow-up questions." if stop else
                         "We will send you follow-up questions after you complete a course.")
        return redirect("followups_opt_out")
    return render(request, "learners/followups/opt_out.html", {"opted_out": opted_out})
