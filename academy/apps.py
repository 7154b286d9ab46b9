from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Academy"

    def ready(self):
        from celery.signals import task_failure

        from academy.signals import record_task_failure

        task_failure.connect(record_task_failure, weak=False)
