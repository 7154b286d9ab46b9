from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = "Learners"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from courses.cache import course_page_signal
        from learners.models import Booking, TrainingSession

        # A course page shows its upcoming sessions and their places left, kept under
        # the course page version (learners.services.sessions.course_sessions_upcoming).
        for model in (TrainingSession, Booking):
            for signal, what in ((post_save, "saved"), (post_delete, "deleted")):
                signal.connect(course_page_signal, sender=model,
                               dispatch_uid=f"learners_course_page_{model.__name__}_{what}")

        from learners.followups_privacy import PROVIDER
        from learners.privacy import privacy_provider_register

        # "Have you used it at work?" joins the data export and erasure as one share.
        privacy_provider_register(PROVIDER)

        from learners.sessions_privacy import PROVIDER as SESSIONS

        # Bookings (reasonable adjustments, attendance) and sessions taught, likewise.
        privacy_provider_register(SESSIONS)

        from learners.xapi_privacy import PROVIDER as XAPI

        # The learner's LRS account name and their xAPI statements, likewise.
        privacy_provider_register(XAPI)

        from learners.scorm_privacy import PROVIDER as SCORM

        # Attempts at SCORM packages, with the runtime data they stored, likewise.
        privacy_provider_register(SCORM)
