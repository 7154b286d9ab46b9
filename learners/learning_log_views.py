"""The learning log: saving an answer under an activity on the lesson page, and the
learner's own log of every answer. Thin: validate, call a service or selector."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from courses.models import CoursePage, LessonPage
from learners import selectors, services
from learners.lesson_session import LESSON_LOG_ERROR, LESSON_LOGGED
from learners.models import LEARNING_LOG_MAX_LENGTH


@require_POST
@login_required
def learning_log_entry_save(request, lesson_id: int):
    """Keep the answer written under one activity. Back to the activity, with a success
    banner there; an answer that cannot be kept goes back to the box, as sent, with
    the error (the top of the lesson, where the error summary is)."""
    lesson = get_object_or_404(LessonPage.objects.live().public(), pk=lesson_id)
    course = CoursePage.objects.ancestor_of(lesson).first()
    enrolment = selectors.enrolment_get(user=request.user, course=course)
    if enrolment is None:
        messages.error(request, f"Enrol on {course.title} to keep your answers in your "
                                "learning log. Your answer has not been saved.")
        return redirect(lesson.url)
    block_id = request.POST.get("activity", "")
    answer = request.POST.get("answer", "")
    try:
        saved = services.learning_log_entry_save(
            enrolment=enrolment, lesson=lesson, block_id=block_id, answer=answer)
    except services.LearningLogEntryRejected as rejected:
        # What they wrote goes back into the box (cut short only when far too long for
        # it), so nothing they typed is lost to an error.
        request.session[LESSON_LOG_ERROR] = {
            "lesson": lesson.pk, "activity": block_id, "message": rejected.message,
            "answer": answer.replace("\x00", "")[:2 * LEARNING_LOG_MAX_LENGTH]}
        return redirect(lesson.url)
    request.session[LESSON_LOGGED] = {"lesson": lesson.pk, "activity": block_id,
                                      "outcome": saved.outcome}
    return redirect(f"{lesson.url}#activity-{block_id}-saved")


@require_GET
@login_required
@cache_control(private=True, no_store=True)
def learning_log(request):
    """The signed-in learner's own answers, by course and lesson; printable."""
    return render(request, "learners/learning_log.html",
                  {"courses": selectors.learning_log_list(user=request.user)})
