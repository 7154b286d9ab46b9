from django.apps import AppConfig


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = "Academy"

    def ready(self):
        from celery.signals import task_failure
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from academy.privacy import PROVIDER
        from academy.reports.filters import filter_choices_changed
        from academy.roles import roles_forget
        from academy.signals import record_task_failure
        from learners.models import Grade, Profession, User
        from learners.privacy import privacy_provider_register

        task_failure.connect(record_task_failure, weak=False)
        # The export and erasure of a learner's data cover academy's own models too.
        privacy_provider_register(PROVIDER)
        # A change of groups changes the navigation at once (academy.roles).
        m2m_changed.connect(roles_forget, sender=User.groups.through,
                            dispatch_uid="academy-roles-forget")
        # The report keeps its filter form's markup by the lists' version.
        for model in (Grade, Profession):
            for signal, event in ((post_save, "saved"), (post_delete, "deleted")):
                signal.connect(filter_choices_changed, sender=model,
                               dispatch_uid=f"academy-report-choices-{model.__name__}-{event}")
