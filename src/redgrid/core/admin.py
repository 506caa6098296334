from django.contrib import admin

from redgrid.core import audit
from redgrid.core.models import AuditBlock, AuditLog, CalendarDay, Notification, Rule
from redgrid.core.rules import REGISTRY


class AuditedAdmin(admin.ModelAdmin):
    """Every admin write is also an audit row (the admin's own LogEntry can be edited)."""

    def log_addition(self, request, obj, message):
        audit.record("admin.add", obj, actor=request.user, summary={"message": str(message)[:500]})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit.record("admin.change", obj, actor=request.user, summary={"message": str(message)[:500]})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit.record("admin.delete", obj, actor=request.user)
        return super().log_deletions(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "object_id", "action"]
    date_hierarchy = "at"


@admin.register(AuditBlock)
class AuditBlockAdmin(ReadOnlyAdmin):
    list_display = ["seq", "first_id", "last_id", "row_count", "hash", "sealed_at"]


@admin.register(Rule)
class RuleAdmin(AuditedAdmin):
    list_display = ["key", "value", "description", "source", "updated_at"]
    search_fields = ["key"]

    @admin.display(description="说明")
    def description(self, obj):
        d = REGISTRY.get(obj.key)
        return d.description if d else "（未知规则）"

    @admin.display(description="依据")
    def source(self, obj):
        d = REGISTRY.get(obj.key)
        return f"{d.source}（{d.confidence}）" if d else ""


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "title", "created_at", "read_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    search_fields = ("name",)
    date_hierarchy = "date"
