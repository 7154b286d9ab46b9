from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Academy"

    def ready(self):
        from celery.signals import task_failure

        from academy.privacy import PROVIDER
        from academy.signals import record_task_failure
        from learners.privacy import privacy_provider_register

        task_failure.connect(record_task_failure, weak=False)
        # The export and erasure of a learner's data cover academy's own models too.
        privacy_provider_register(PROVIDER)
