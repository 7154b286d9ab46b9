""""Have you used it at work?" for line managers (confirm their team's answers) and
trainers (the answers on their own courses). Thin: selectors read (academy.followups),
one service writes (learners.services.followups)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control

from academy.followups import followups_for_team, followups_summary_for_trainer
from learners.scoping import trainer_courses
from learners.services.followups import FollowUpRejected, followup_confirm


@login_required
@cache_control(private=True, no_store=True)
def team_followups(request):
    """The signed-in person's direct reports who say they have used a course at work;
    the line manager confirms each with one button. Anyone else's answers cannot be
    confirmed here: a post for one is a 404, and nothing changes."""
    followups = followups_for_team(manager=request.user)
    if request.method == "POST":
        chosen = request.POST.get("followup", "")
        followup = (followups.filter(pk=int(chosen)).first()
                    if chosen.isascii() and chosen.isdigit() and len(chosen) < 10 else None)
        if followup is None:  # not one of theirs: the 404 of an answer that does not exist
            raise Http404
        try:
            followup_confirm(followup=followup, manager=request.user)
        except FollowUpRejected as rejected:
            messages.error(request, rejected.message)
        else:
            learner = followup.enrolment.user
            messages.success(request, f"You confirmed that {learner.get_full_name()} has "
                                      f"used {followup.enrolment.course.title} at work.")
        return redirect("team_followups")
    return render(request, "academy/team/followups.html", {"followups": list(followups)})


@login_required
def trainer_followups(request, course_id: int):
    """Whether learners on one of the trainer's own courses have used it at work, at 30,
    60 and 90 days, and how (without names). Any other course is a 404."""
    course = get_object_or_404(trainer_courses(request.user), pk=course_id)
    return render(request, "academy/trainer/followups.html", {
        "course": course, **followups_summary_for_trainer(trainer=request.user, course=course)})
