"""Academy admins manage the organisation tree, grades, professions and who reports
on what in Django's admin (/django-admin/), with treebeard's tree admin."""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from learners.models import Grade, Organisation, Profession, ReportingScope, User


@admin.register(Organisation)
class OrganisationAdmin(TreeAdmin):
    form = movenodeform_factory(Organisation)
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ["name", "rank"]


@admin.register(Profession)
class ProfessionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ReportingScope)
class ReportingScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
    search_fields = ["user__email", "organisation__name"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Find people (for reporting scopes). Accounts are edited in the Wagtail admin."""

    list_display = ["email", "first_name", "last_name", "organisation", "is_active",
                    "email_verified_at"]
    search_fields = ["email", "first_name", "last_name"]
    list_filter = ["is_active", "is_superuser", "groups"]
    fields = ["email", "first_name", "last_name", "organisation", "grade", "profession",
              "is_active", "groups", "email_verified_at", "signed_up_at"]
    readonly_fields = ["email", "signed_up_at"]
    actions = ["erase"]

    @admin.action(description="Erase personal data (UK GDPR)")
    def erase(self, request, queryset):
        from learners.privacy import learner_erase

        for user in queryset:
            learner_erase(user=user)
        self.message_user(request, f"Erased {queryset.count()} person(s). They can no longer "
                                   "sign in; their learning still counts in totals.")
