from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Academy"

    def ready(self):
        from celery.signals import task_failure
        from django.db.models.signals import m2m_changed

        from academy.privacy import PROVIDER
        from academy.roles import roles_forget
        from academy.signals import record_task_failure
        from learners.models import User
        from learners.privacy import privacy_provider_register

        task_failure.connect(record_task_failure, weak=False)
        # The export and erasure of a learner's data cover academy's own models too.
        privacy_provider_register(PROVIDER)
        # A change of groups changes the navigation at once (academy.roles).
        m2m_changed.connect(roles_forget, sender=User.groups.through,
                            dispatch_uid="academy-roles-forget")
