from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from redgrid.accounts.models import ApiToken, RoleGrant, User
from redgrid.core.admin import AuditedAdmin, ReadOnlyAdmin


class GrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    raw_id_fields = ["region", "party_org", "unit"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "masked_phone", "is_active", "last_login"]
    search_fields = ["username", "display_name"]
    inlines = [GrantInline]
    raw_id_fields = ["person"]
    fieldsets = BaseUserAdmin.fieldsets + (("平台信息", {"fields": ("display_name", "person")}),)

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return obj.phone


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "expires_at", "last_used_at"]

    def has_delete_permission(self, request, obj=None):
        return True  # revoking a token
