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

        # The signed-in person's row kept between requests (learners.people_kept): read
        # afresh after any save or delete of it; a delete also clears line managers,
        # and migrate may write any row, without a signal for each.
        from django.db.models.signals import post_migrate

        from learners.models import User
        from learners.people_kept import people_changed, person_changed

        for signal, what in ((post_save, "saved"), (post_delete, "deleted")):
            signal.connect(person_changed, sender=User, dispatch_uid=f"learners_person_{what}")
        post_delete.connect(people_changed, sender=User, dispatch_uid="learners_people_deleted")
        post_migrate.connect(people_changed, sender=self, dispatch_uid="learners_people_migrated")

        # The organisations an HR reporter reports on, kept with their row
        # (learners.scoping): read afresh by everyone after any write that can change
        # them. Writes to many rows at once, organisation moves among them, say so
        # themselves (the models' querysets, ScopeWrites).
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed

        from learners.models import Organisation, ReportingScope
        from learners.scoping import scopes_changed, scopes_changed_by_groups

        for model in (ReportingScope, Organisation, Group):
            for signal, what in ((post_save, "saved"), (post_delete, "deleted")):
                signal.connect(scopes_changed, sender=model,
                               dispatch_uid=f"learners_scopes_{model.__name__}_{what}")
        m2m_changed.connect(scopes_changed_by_groups, sender=User.groups.through,
                            dispatch_uid="learners_scopes_groups")
        post_migrate.connect(scopes_changed, sender=self, dispatch_uid="learners_scopes_migrated")

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
