"""Views for accounts, the learning actions (enrol, answer, complete) and
certificates. Thin: validate, call a service, redirect or render."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage, is_ratelimited
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from courses.routing import routed_page_and_course
from courses.selectors import course_lesson_outline
from learners import selectors, services
from learners.badge_views import certificate_badge_ld_json
from learners.certificate_pdf import learning_time_display
from learners.enqueue import enqueue_on_commit
from learners.forms import AcademyPasswordResetForm, ProfileForm, SignInForm, SignUpForm
from learners.lesson_session import LESSON_ANSWERED, LESSON_ERRORS
from learners.models import Certificate, Enrolment, SignUpDomain
from learners.services import accounts
from learners.services.certificates import (
    CODE_EXAMPLE,
    certificate_code_display,
    certificate_find,
)
from learners.services.enrolments import EnrolmentRefused
from learners.tasks import (
    email_verification_send,
    required_learning_for_user,
    sign_up_attempt_notify,
)

# "Send the link again": per address, so a shared office address is not locked out.
EMAIL_VERIFY_RESEND_RATE = "3/h"
# The address a browser signed up with: its "check your email" page names it, and the
# link followed in the same browser signs that person in.
SIGN_UP_EMAIL = "sign_up_email"
TOO_MANY_SIGN_UPS = ("You have tried to create an account too many times. Wait an hour, "
                     "then try again")
TOO_MANY_RESETS = ("You have asked for too many password reset emails. Wait an hour, then "
                   "try again")


def _too_many(request, *, group: str, address: str, per_address: str, per_ip: str) -> bool:
    """Counts one more email asked for, for this address and from this IP address, and
    says whether either is now over its limit. The same answer whether or not the
    address has an account."""
    by_address = is_ratelimited(request, group=f"{group}-address", rate=per_address,
                                key=lambda _group, _request: address, increment=True)
    by_ip = is_ratelimited(request, group=f"{group}-ip", key="ip", rate=per_ip,
                           increment=True)
    return by_address or by_ip


def sign_up(request):
    """Self sign-up, for email domains an admin allows. The account counts for nothing
    (no enrolling, no required learning, in no report) until the person follows the
    link emailed to them; with no domains allowed, sign-up is closed.

    As GOV.UK services do, the answer is "check your email" whether or not the address
    already has an account (so the page tells no one who has one); an existing owner is
    emailed to say someone tried. Both are limited per address and per IP address."""
    from django.conf import settings

    if request.user.is_authenticated:
        return redirect("my_learning")
    if not SignUpDomain.objects.exists():
        return render(request, "learners/sign_up_closed.html")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if _too_many(request, group="sign-up", address=email,
                     per_address=settings.SIGN_UP_RATE_PER_ADDRESS,
                     per_ip=settings.SIGN_UP_RATE_PER_IP):
            form.add_error("email", TOO_MANY_SIGN_UPS)
            return render(request, "learners/sign_up.html", {"form": form}, status=429)
        with transaction.atomic():
            if form.existing_user is not None:
                enqueue_on_commit(sign_up_attempt_notify, form.existing_user.pk)
            else:
                user = form.save()
                enqueue_on_commit(email_verification_send, user.pk)
        request.session[SIGN_UP_EMAIL] = email
        return redirect("email_verify_sent")
    return render(request, "learners/sign_up.html", {"form": form})


def _sign_up_address(request) -> str | None:
    if request.user.is_authenticated:
        return request.user.email
    return request.session.get(SIGN_UP_EMAIL)


def email_verify_sent(request):
    """Check your email: the link is on its way, and can be sent again. Shown after
    sign-up (not yet signed in), and to a signed-in person whose address is not yet
    confirmed."""
    if request.user.is_authenticated and request.user.email_verified_at is not None:
        return redirect("my_learning")
    address = _sign_up_address(request)
    if address is None:
        return redirect("sign_up")
    return render(request, "learners/email_verify_sent.html",
                  {"hide_verify_banner": True, "address": address})


@require_POST
def email_verify_resend(request):
    """Send the link again, a few times an hour at most. Says the same whether or not
    the address is waiting for one."""
    if request.user.is_authenticated and request.user.email_verified_at is not None:
        return redirect("my_learning")
    address = _sign_up_address(request)
    if address is None:
        return redirect("sign_up")
    if is_ratelimited(request, group="email_verify_resend", rate=EMAIL_VERIFY_RESEND_RATE,
                      key=lambda _group, _request: address, increment=True):
        messages.error(request, "You have asked for the link too many times. Check your "
                                "email, including your junk folder, or try again in an hour.")
    else:
        waiting = accounts.account_awaiting_verification(email=address)
        if waiting is not None:
            enqueue_on_commit(email_verification_send, waiting.pk)
        messages.success(request, f"We have sent the link again to {address}.")
    return redirect("email_verify_sent")


def email_verify(request, token: str):
    """The link in the email: confirms the address, from any browser. Followed in the
    browser that signed up, it signs the person in too (once). A forged or expired link
    gets a page that says so, and changes nothing."""
    try:
        user = accounts.email_verify(token=token)
    except accounts.VerificationLinkInvalid:
        return render(request, "learners/email_verify_invalid.html", status=400)
    if request.user.is_authenticated and request.user.pk == user.pk:
        request.user = user  # as confirmed: the copy loaded before this view is not
    elif not request.user.is_authenticated and request.session.get(SIGN_UP_EMAIL) == user.email:
        del request.session[SIGN_UP_EMAIL]
        login(request, user, backend="learners.auth.AcademyModelBackend")
    return render(request, "learners/email_verified.html", {
        "verified_user": user,
        "signed_in_as_them": request.user.is_authenticated and request.user.pk == user.pk,
    })


class SignInView(auth_views.LoginView):
    """Sign in. django-axes locks one account from one address after five bad
    passwords; here, an address that fails too often across accounts is stopped."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def _failures(self, increment: bool) -> dict:
        from django.conf import settings

        return get_usage(self.request, group="sign-in-failures", key="ip",
                         rate=settings.SIGN_IN_FAILURES_PER_ADDRESS, increment=increment)

    def post(self, request, *args, **kwargs):
        usage = self._failures(increment=False)
        if usage and usage["count"] >= usage["limit"]:
            return render(request, "learners/locked_out.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        self._failures(increment=True)
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, finding accounts by the one spelling of an address, and limited per
    address and per IP address with a message that is the same for every address."""

    form_class = AcademyPasswordResetForm
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        from django.conf import settings

        if _too_many(self.request, group="password-reset", address=form.cleaned_data["email"],
                     per_address=settings.PASSWORD_RESET_RATE_PER_ADDRESS,
                     per_ip=settings.PASSWORD_RESET_RATE_PER_IP):
            form.add_error("email", TOO_MANY_RESETS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


def sign_out(request):
    if request.method == "POST":
        return auth_views.LogoutView.as_view()(request)
    return render(request, "learners/sign_out.html")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            # A new team, grade or profession may bring new required learning.
            enqueue_on_commit(required_learning_for_user, request.user.pk)
        messages.success(request, "Your profile has been updated.")
        return redirect("profile")
    return render(request, "learners/profile.html", {"form": form})


@login_required
def my_data(request):
    """Everything the academy holds about the signed-in person, as a JSON download."""
    from learners.privacy import learner_data_export

    response = JsonResponse(learner_data_export(user=request.user),
                            json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-academy-data.json"'
    return response


@require_POST
@login_required
def enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
    try:
        _, created = services.enrolment_create(user=request.user, course=course)
    except EnrolmentRefused as refused:
        messages.error(request, refused.message)
        return redirect(course.url)
    if created:
        messages.success(request, f"You are enrolled on {course.title}.")
    return redirect(course.url)


# What the learning actions read of a lesson: where it is and its address, not its body
# (a lesson's knowledge checks are in the course's outline).
LESSON_ACTION_FIELDS = ("id", "title", "path", "depth", "url_path", "live")


def _lesson_and_enrolment(request, lesson_id: int, *, narrow: bool = False,
                          ) -> tuple[LessonPage, Enrolment]:
    """The live lesson, with no view restriction, and the signed-in learner's own
    enrolment on its course. Not enrolled is a 404: there is nothing of theirs here to
    change. `narrow`: the lesson without its body. The lesson and its course come from
    the course tree's map where it routes the lesson (one query, no view-restriction
    query: courses.routing); otherwise from the database as Wagtail would find them."""
    found = routed_page_and_course(
        lesson_id, LessonPage,
        attnames=("page_ptr_id", *LESSON_ACTION_FIELDS) if narrow else None)
    if found is not None:
        lesson, course = found
    else:
        lessons = LessonPage.objects.live().public()
        lesson = get_object_or_404(lessons.only(*LESSON_ACTION_FIELDS) if narrow else lessons,
                                   pk=lesson_id)
        course = CoursePage.objects.ancestor_of(lesson).first()
    enrolment = selectors.enrolment_get(user=request.user, course=course)
    if enrolment is None:
        raise Http404
    return lesson, enrolment


@require_POST
@login_required
def knowledge_check_answer(request, lesson_id: int):
    lesson, enrolment = _lesson_and_enrolment(request, lesson_id)
    block_id = request.POST.get("check", "")
    try:
        services.knowledge_check_answer(
            enrolment=enrolment, lesson=lesson, block_id=block_id,
            chosen_ids=request.POST.getlist("answer"),
        )
    except services.AnswerRejected as rejected:
        # Shown as an error summary at the top of the lesson and inline at the check.
        request.session[LESSON_ERRORS] = {"lesson": lesson.pk,
                                          "errors": {block_id: rejected.message}}
        return redirect(lesson.url)
    # The lesson page focuses and announces this check's feedback, and the fragment
    # lands there (not at the question), so it is in view on a small screen.
    request.session[LESSON_ANSWERED] = {"lesson": lesson.pk, "check": block_id}
    return redirect(f"{lesson.url}#check-{block_id}-feedback")


@require_POST
@login_required
def lesson_complete(request, lesson_id: int):
    lesson, enrolment = _lesson_and_enrolment(request, lesson_id, narrow=True)
    outline = course_lesson_outline(course=enrolment.course)
    try:
        services.lesson_complete(enrolment=enrolment, lesson=lesson, outline=outline)
    except services.LessonNotFinished as unfinished:
        questions = {block.id: block.value["question"] for block in lesson.knowledge_checks()}
        request.session[LESSON_ERRORS] = {"lesson": lesson.pk, "errors": {
            check: f"Answer the question \u2018{questions.get(check, '')}\u2019 before you "
                   "mark this lesson as complete"
            for check in unfinished.unanswered
        } | {
            f"scorm-{package_id}": "Finish the e-learning in this lesson, and pass it, "
                                   "before you mark this lesson as complete"
            for package_id in unfinished.unpassed_packages
        }}
        # The top of the page, where the error summary is (it focuses itself).
        return redirect(lesson.url)
    messages.success(request, f"Lesson complete: {lesson.title}")
    # The next lesson in course order, from the course's outline (which carries its
    # address; read here only from an outline without one).
    ids = [entry.id for entry in outline]
    following = outline[ids.index(lesson.pk) + 1:] if lesson.pk in ids else []
    if not following:
        return redirect(enrolment.course.url)
    return redirect(getattr(following[0], "url", "") or Page.objects.only(
        "id", "path", "depth", "url_path").get(pk=following[0].id).url)


@login_required
def certificate_download(request, code: str):
    """The PDF, for its learner and academy admins only; anyone else gets a 404, which
    says nothing about whether the code exists."""
    owner = Q(enrolment__user=request.user)
    allowed = Certificate.objects.all() if request.user.is_superuser else (
        Certificate.objects.filter(owner))
    certificate = get_object_or_404(allowed.exclude(file=""), code=code)
    return FileResponse(
        certificate.file.open("rb"), as_attachment=True,
        filename=f"certificate-{certificate.enrolment.course.slug}.pdf",
        content_type="application/pdf",
    )


CERTIFICATE_CODE_ERROR = f"Enter the code printed on the certificate, like {CODE_EXAMPLE}"


def certificate_verify(request, code: str):
    """Public: says valid, expired (the day after its expiry date, UK time) or revoked
    (which wins), with name, course and dates, and nothing more."""
    from django.conf import settings

    if is_ratelimited(request, group="certificate_verify", key="ip",
                      rate=settings.CERTIFICATE_VERIFY_RATE, increment=True):
        return render(request, "learners/certificate_rate_limited.html", status=429)
    certificate = certificate_find(code=code)
    status = 200 if certificate else 404
    return render(request, "learners/certificate_verify.html", {
        "certificate": certificate,
        "status": certificate.status if certificate else None,
        # The certificate as an Open Badges 3.0 credential, for machines reading the page.
        "open_badge_json": (certificate_badge_ld_json(code=certificate.code)
                            if certificate and not certificate.is_revoked else ""),
        "code": certificate_code_display(code=certificate.code) if certificate else "",
        "learning_time": (learning_time_display(certificate.learning_minutes)
                          if certificate and certificate.learning_minutes else ""),
    }, status=status)


class CertificateCodeForm(forms.Form):
    code = forms.CharField(
        label="Certificate code", max_length=100,
        help_text=f"It is printed on the certificate, under the QR code, like {CODE_EXAMPLE}",
        error_messages={"required": CERTIFICATE_CODE_ERROR,
                        "max_length": CERTIFICATE_CODE_ERROR},
    )

    def clean_code(self):
        self.certificate = certificate_find(code=self.cleaned_data["code"])
        if self.certificate is None:  # the same words for any code not found
            raise forms.ValidationError(CERTIFICATE_CODE_ERROR)
        return self.certificate.code


def certificate_verify_form(request):
    """Public: a box to type a certificate's code. A GET with ?code= (works without
    JavaScript, can be bookmarked) goes to that certificate's verify page; a code not
    found is an error on the form. Codes not found count against the verify page's rate
    limit; codes found count when their verify page is shown."""
    from django.conf import settings

    rate = settings.CERTIFICATE_VERIFY_RATE
    if "code" not in request.GET:
        return render(request, "learners/certificate_verify_form.html",
                      {"form": CertificateCodeForm()})
    if is_ratelimited(request, group="certificate_verify", key="ip", rate=rate,
                      increment=False):
        return render(request, "learners/certificate_rate_limited.html", status=429)
    form = CertificateCodeForm(request.GET)
    if form.is_valid():
        return redirect("certificate_verify", form.cleaned_data["code"])
    if is_ratelimited(request, group="certificate_verify", key="ip", rate=rate,
                      increment=True):
        return render(request, "learners/certificate_rate_limited.html", status=429)
    return render(request, "learners/certificate_verify_form.html", {"form": form})


