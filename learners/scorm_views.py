"""A SCORM package's commits, as the lesson page sends them on (learners.scorm_content
has the isolation): on the academy's origin, with the learner's session and CSRF token,
for the learner's own attempt only. Answers JSON for the page's status line."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_POST

from learners.models import Enrolment
from learners.services.scorm import CmiRefused, ScormOutcome, scorm_attempt_commit


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"saved": False, "message": f"Your progress could not be saved: "
                                                    f"{message}"}, status=status)


def _outcome_message(outcome: ScormOutcome, *, course) -> str:
    if outcome.lesson_completed:
        return "Your progress is saved. You have completed this lesson."
    if outcome.success_status == "failed":
        return "Your progress is saved. You did not pass this time: you can try again."
    if outcome.score_percent is not None and not course.score_passes(outcome.score_percent):
        return (f"Your progress is saved. Your score of {outcome.score_percent}% is below "
                f"the pass mark of {course.pass_mark}%: you can try again.")
    if outcome.passes:
        return ("Your progress is saved. Answer the questions in this lesson to "
                "complete it.")
    return "Your progress is saved."


@require_POST
@login_required
def scorm_attempt_commit_view(request, attempt_id: int):
    """Store one commit of the learner's own attempt. An attempt that is not theirs is
    a 404; data that cannot be stored a 400 saying why, with nothing changed."""
    enrolment = (Enrolment.objects.select_related("course")
                 .filter(user=request.user, scorm_attempts__pk=attempt_id).first())
    if enrolment is None:
        raise Http404("no such attempt")
    limit = settings.SCORM_COMMIT_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit or len(request.body) > limit:
        return _refused(f"it is larger than {limit // 1024} KB.", status=413)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _refused("it is not in the form the academy expects.")
    if not isinstance(data, dict) or "cmi" not in data:
        return _refused("it is not in the form the academy expects.")
    try:
        outcome = scorm_attempt_commit(enrolment=enrolment, attempt_id=attempt_id,
                                       data=data["cmi"],
                                       terminate=request.GET.get("terminate") == "1")
    except CmiRefused as refused:
        return _refused(refused.message)
    return JsonResponse({
        "saved": True, "lessonCompleted": outcome.lesson_completed, "passes": outcome.passes,
        "finished": outcome.finished, "scorePercent": outcome.score_percent,
        "message": _outcome_message(outcome, course=enrolment.course),
    })
