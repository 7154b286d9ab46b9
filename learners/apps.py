from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = "Learners"

    def ready(self):
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
