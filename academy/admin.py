from django.contrib import admin

from academy.models import AuditEvent, TaskFailure


class RecordAdmin(admin.ModelAdmin):
    """Records the system writes: shown and read, never added by hand."""

    def has_add_permission(self, request):
        return False


@admin.register(TaskFailure)
class TaskFailureAdmin(RecordAdmin):
    list_display = ["task_name", "args", "exception", "failed_at"]
    list_filter = ["task_name"]
    readonly_fields = ["task_name", "task_id", "args", "exception", "failed_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    list_display = ["action", "actor", "row_count", "at"]
    list_filter = ["action"]
    readonly_fields = ["action", "actor", "filters", "row_count", "at"]
