"""Academy admins manage the organisation tree, grades, professions and who reports
on what in Django's admin (/django-admin/), with treebeard's tree admin."""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from learners.models import Grade, Organisation, Profession, ReportingScope, User, XapiStatement


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


@admin.register(XapiStatement)
class XapiStatementAdmin(admin.ModelAdmin):
    """The xAPI outbox (learners.services.xapi), for academy admins: what is waiting,
    what was delivered, and what the LRS refused and why. Written by the system, never
    by hand; a refused statement can be sent again once the cause is put right."""

    list_display = ["id", "verb", "created_at", "attempts", "delivered_at", "rejected_at",
                    "last_error"]
    list_filter = ["verb", ("delivered_at", admin.EmptyFieldListFilter),
                   ("rejected_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["id", "user", "verb", "statement", "created_at", "next_attempt_at",
                       "attempts", "delivered_at", "rejected_at", "last_error"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.is_superuser

    @admin.action(description="Send the selected refused statements again",
                  permissions=["resend"])
    def send_again(self, request, queryset):
        from learners.services.xapi import xapi_statements_resend

        count = xapi_statements_resend(statement_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} refused statement(s) will be sent again.")
