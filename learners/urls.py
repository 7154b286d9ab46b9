from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from learners import views

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/check-your-email/", views.email_verify_sent, name="email_verify_sent"),
    path("sign-up/send-again/", views.email_verify_resend, name="email_verify_resend"),
    path("sign-up/verify/<str:token>/", views.email_verify, name="email_verify"),
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("profile/", views.profile, name="profile"),
    path("profile/my-data.json", views.my_data, name="my_data"),
    path("profile/password/", auth_views.PasswordChangeView.as_view(
        success_url=reverse_lazy("password_change_done")), name="password_change"),
    path("profile/password/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("learning/courses/<int:course_id>/enrol/", views.enrol, name="enrol"),
    path("learning/lessons/<int:lesson_id>/answer/", views.knowledge_check_answer,
         name="knowledge_check_answer"),
    path("learning/lessons/<int:lesson_id>/complete/", views.lesson_complete,
         name="lesson_complete"),
    path("my-learning/certificates/<str:code>.pdf", views.certificate_download,
         name="certificate_download"),
    path("certificates/verify/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("certificates/verify/", views.certificate_verify_form,
         name="certificate_verify_form"),
]

from learners import assessment_views, learning_log_views  # noqa: E402

urlpatterns += [
    path("learning/assessments/<int:assessment_id>/", assessment_views.assessment,
         name="assessment"),
    path("learning/assessments/<int:assessment_id>/start/", assessment_views.assessment_start,
         name="assessment_start"),
    path("learning/assessment-attempts/<int:attempt_id>/", assessment_views.assessment_attempt,
         name="assessment_attempt"),
]

urlpatterns += [
    path("learning/lessons/<int:lesson_id>/log/", learning_log_views.learning_log_entry_save,
         name="learning_log_entry_save"),
    path("my-learning/log/", learning_log_views.learning_log, name="learning_log"),
]

from learners import session_views  # noqa: E402

urlpatterns += [
    path("learning/sessions/<int:session_id>/", session_views.session_detail,
         name="session_detail"),
    path("learning/sessions/<int:session_id>/book/", session_views.session_book,
         name="session_book"),
    path("learning/sessions/<int:session_id>/cancel/", session_views.booking_cancel,
         name="booking_cancel"),
]

from learners import followup_views  # noqa: E402

urlpatterns += [
    path("my-learning/follow-ups/<int:followup_id>/", followup_views.followup_answer,
         name="followup_answer"),
    path("my-learning/follow-ups/stop/", followup_views.followups_opt_out,
         name="followups_opt_out"),
]

from learners import badge_views  # noqa: E402

urlpatterns += [  # Open Badges 3.0 (issue 17)
    path("certificates/verify/<str:code>/badge.json", badge_views.certificate_badge,
         name="certificate_badge"),
    path("certificates/verify/<str:code>/badge.jwt", badge_views.certificate_badge_signed,
         name="certificate_badge_signed"),
    path("badges/issuer.json", badge_views.open_badges_issuer, name="open_badges_issuer"),
    path("badges/keys.json", badge_views.open_badges_keys, name="open_badges_keys"),
    path("badges/status/<int:list_number>.jwt", badge_views.open_badges_status_list,
         name="open_badges_status_list"),
]

from learners import scorm_views  # noqa: E402

urlpatterns += [
    path("learning/scorm-attempts/<int:attempt_id>/commit/",
         scorm_views.scorm_attempt_commit_view, name="scorm_attempt_commit"),
]
