"""Adds each learner's own progress to course and lesson pages and their status on
each course in the catalogue (courses.hooks), and
the certificate administration (list, and revoke with a reason) to the admin."""

from dataclasses import replace

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from content.addresses import reverse_kept
from courses.hooks import CATALOGUE_PAGE_CONTEXT, COURSE_PAGE_CONTEXT, LESSON_PAGE_CONTEXT
from courses.models import AssessmentPage
from courses.selectors import course_lesson_outline
from learners import selectors, services
from learners.lesson_session import (
    LESSON_ANSWERED,
    LESSON_ERRORS,
    LESSON_LOG_ERROR,
    LESSON_LOGGED,
)
from learners.models import AssessmentAttempt, Certificate, Enrolment, EnrolmentStatus, SignUpDomain
from learners.scorm_content import scorm_lesson_launches


def _required_ids(outline) -> list[int]:
    return [lesson.id for lesson in outline if lesson.required]


@hooks.register(COURSE_PAGE_CONTEXT)
def add_course_progress(request, page, context):
    """The learner's own enrolment, module statuses and "n of m lessons": one query
    (the enrolment, with its completed lessons counted), the outline being cached."""
    outline = course_lesson_outline(course=page)
    enrolment = selectors.enrolment_get(user=request.user, course=page,
                                        required_lesson_ids=_required_ids(outline))
    context["enrolment"] = enrolment
    if enrolment:
        context["outline"] = [
            (module, lessons,
             enrolment.module_status.get(str(module.pk), EnrolmentStatus.NOT_STARTED))
            for module, lessons, _status in context["outline"]
        ]
        # Where to continue, from the lesson pages the course page has already read.
        lessons = {lesson.pk: lesson for _module, module_lessons, _status in context["outline"]
                   for lesson in module_lessons}
        first = next(iter(lessons.values()), None)
        context["continue_lesson"] = (lessons.get(enrolment.next_lesson_id)
                                      or lessons.get(enrolment.last_lesson_id) or first)
        context["below_pass_mark"] = (enrolment.completed_at is None
                                      and enrolment.progress_percent == 100
                                      and not page.score_passes(enrolment.score_percent))
        context["lessons_done"], context["lessons_total"] = (
            services.enrolment_lesson_counts(enrolment=enrolment, outline=outline))
        assessment = context.get("final_assessment")
        if assessment is not None:
            # With a final assessment, the pass mark is the assessment's: the course
            # page shows it as the last step, with the learner's state.
            context["assessment_state"] = services.assessment_state_get(
                enrolment=enrolment, assessment=assessment)
            context["below_pass_mark"] = False
        if context["below_pass_mark"]:
            context["wrong_answer_lessons"] = services.enrolment_wrong_answer_lessons(
                enrolment=enrolment)


@hooks.register("before_delete_page")
def keep_assessments_learners_have_taken(request, page):
    """An assessment with attempts cannot be deleted (the attempts PROTECT it, so no
    result is lost): say so in the editor, rather than fail, and suggest unpublishing."""
    if page.specific_class is AssessmentPage and (
        AssessmentAttempt.objects.filter(assessment_id=page.pk).exists()
    ):
        messages.error(request, "Learners have taken this assessment, so it cannot be "
                       "deleted. Unpublish it instead: their results are kept.")
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register(LESSON_PAGE_CONTEXT)
def add_lesson_progress(request, page, context):
    """The learner's enrolment, their progress on this lesson, their "n of m lessons",
    their answers to its checks and their notes on its activities, in one query.
    Writes only on the first open of the lesson, or when it is not the lesson they were
    last on."""
    course = context["course"]
    outline = course_lesson_outline(course=course)
    enrolment = selectors.enrolment_get(
        user=request.user, course=course, lesson=page,
        required_lesson_ids=_required_ids(outline),
        answers=bool(page.knowledge_check_ids()),
        notes=bool(selectors.lesson_activities(lesson=page)))
    context["enrolment"] = enrolment
    if enrolment is None:
        return
    context["complete_url"] = reverse_kept("lesson_complete", page.pk)
    if not getattr(request, "is_preview", False):
        enrolment.lesson_progress_here = services.lesson_open(enrolment=enrolment, lesson=page)
    state = selectors.lesson_state_get(enrolment=enrolment, lesson=page)
    context["lesson_progress"] = state["progress"]
    context["check_results"] = state["results"]
    context["lessons_done"], context["lessons_total"] = (
        services.enrolment_lesson_counts(enrolment=enrolment, outline=outline))
    _lesson_action_outcome(request, page, context)
    if not getattr(request, "is_preview", False):  # a draft's activities cannot be saved
        context["activity_notes"] = _activity_notes(request, page, context)


@hooks.register(LESSON_PAGE_CONTEXT)
def add_scorm_launches(request, page, context):
    """Each SCORM block's launch for this learner (after add_lesson_progress, which
    reads their enrolment), and whether a package is still to pass: the lesson's own
    "Mark as complete" is not offered until it is (the service refuses it too)."""
    launches = scorm_lesson_launches(request=request, lesson=page,
                                     enrolment=context.get("enrolment"))
    context["scorm_launches"] = launches
    context["scorm_unpassed"] = any(launch.url and not launch.passed
                                    for launch in launches.values())


def _lesson_action_outcome(request, page, context) -> None:
    """The outcome of the action just taken on this lesson (learners.views), once: the
    errors for the error summary and inline at each check, and the check just answered,
    whose feedback is focused and announced."""
    errors = request.session.pop(LESSON_ERRORS, None)
    if errors and errors.get("lesson") == page.pk:
        context["check_errors"] = []
        for check, message in errors["errors"].items():
            if check in context["check_results"]:
                context["check_results"][check] = replace(
                    context["check_results"][check], error=message)
                # GOV.UK: the summary links to the first radio or checkbox.
                context["check_errors"].append((f"#check-{check}-1", message))
            else:  # a question no longer in the lesson
                context["check_errors"].append(("#main-content", message))
    answered = request.session.pop(LESSON_ANSWERED, None)
    if answered and answered.get("lesson") == page.pk:
        context["answered_check"] = answered["check"]


def _activity_notes(request, page, context) -> dict[str, selectors.ActivityNotes]:
    """The answer box under each activity (the learning log): the learner's saved
    answer; after a save, its outcome; after a refusal, what they sent and why, also
    in the lesson's error summary."""
    notes = selectors.learning_log_notes_for_lesson(user=request.user, lesson=page,
                                                    enrolment=context["enrolment"])
    for block_id in selectors.lesson_activities(lesson=page):
        notes.setdefault(block_id, selectors.ActivityNotes())
    logged = request.session.pop(LESSON_LOGGED, None)
    if logged and logged.get("lesson") == page.pk and logged["activity"] in notes:
        notes[logged["activity"]] = replace(notes[logged["activity"]],
                                            outcome=logged["outcome"])
    refused = request.session.pop(LESSON_LOG_ERROR, None)
    if refused and refused.get("lesson") == page.pk:
        block_id = refused["activity"]
        if block_id in notes:
            notes[block_id] = replace(notes[block_id], text=refused["answer"],
                                      error=refused["message"])
            href = f"#activity-{block_id}-answer"
        else:  # an activity no longer in the lesson
            href = "#main-content"
        context.setdefault("check_errors", []).append((href, refused["message"]))
    return notes


@hooks.register(CATALOGUE_PAGE_CONTEXT)
def add_catalogue_statuses(request, page, context):
    """Set `learner_enrolment` on each listed course: the signed-in learner's latest
    enrolment with its status, or None. One query for the whole page of courses."""
    courses = list(context["courses"])
    for course in courses:
        course.learner_enrolment = None
    if not request.user.is_authenticated or not courses:
        return
    by_course = {course.pk: course for course in courses}
    enrolments = selectors.enrolments_annotate_status(
        queryset=Enrolment.objects.filter(user=request.user, course_id__in=by_course)
    ).order_by("cycle")
    for enrolment in enrolments:  # the latest cycle wins
        by_course[enrolment.course_id].learner_enrolment = enrolment


class RevokeForm(forms.ModelForm):
    revoked_reason = forms.CharField(
        label="Reason for revoking", widget=forms.Textarea, required=True,
        help_text="Recorded with the certificate. Its verify page will say it is revoked.",
    )

    class Meta:
        model = Certificate
        fields = ["revoked_reason"]

    def save(self, commit=True):
        return services.certificate_revoke(
            certificate=self.instance, reason=self.cleaned_data["revoked_reason"]
        )


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full-inverse"
    menu_label = "Certificates"
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["learner_name", "course_title", "completed_on", "code", "revoked_at"]
    search_fields = ["learner_name", "course_title", "code"]
    list_filter = ["completed_on"]
    form_fields = ["revoked_reason"]
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return RevokeForm


hooks.register("register_admin_viewset")(lambda: CertificateViewSet("certificates"))



class SignUpDomainViewSet(ModelViewSet):
    """Settings → Sign-up domains: who may create their own account, and where they
    may join (learners.models.signup). With none, self sign-up is closed."""

    model = SignUpDomain
    icon = "mail"
    menu_label = "Sign-up domains"
    add_to_settings_menu = True
    list_display = ["domain", "organisation"]
    search_fields = ["domain"]
    form_fields = ["domain", "organisation"]


hooks.register("register_admin_viewset")(lambda: SignUpDomainViewSet("sign_up_domains"))

import learners.programme_admin  # noqa: E402, F401  (Programmes: model → pair → coach)

# Instructor-led sessions: the "Sessions" admin and the course page's upcoming sessions.
from learners import session_admin  # noqa: E402, F401


@hooks.register("register_admin_urls")
def session_cancel_urls():
    """Cancelling a whole session, with a reason everyone booked or waiting is told."""
    from learners.session_cancel_admin import session_cancel_urls as urls

    return urls()
