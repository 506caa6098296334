from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse

from redgrid.accounts.models import ApiKey, ApiToken, RoleGrant, User
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


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    """API 密钥: adding one issues the secret and shows it once; revoking deactivates (never deletes)."""

    list_display = [
        "name",
        "prefix",
        "owner",
        "street",
        "hourly_limit",
        "is_active",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "owner", "prefix"]
    list_select_related = ["street"]
    raw_id_fields = ["street"]
    fields = [
        "name",
        "owner",
        "contact",
        "street",
        "hourly_limit",
        "prefix",
        "is_active",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["prefix", "is_active", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_keys"]

    def has_delete_permission(self, request, obj=None):
        return False  # appeals refer to the key that filed them; revoke instead

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        from redgrid.accounts.services import api_key_issue

        plain = api_key_issue(actor=request.user, key=obj)
        self.message_user(
            request,
            f"API 密钥「{obj.name}」已签发：{plain}　—— 只显示这一次，系统只保存其摘要，请立即复制并安全交给使用单位。",
            messages.WARNING,
        )

    @admin.action(description="吊销所选 API 密钥（立即停用，不可恢复）")
    def revoke_keys(self, request, queryset):
        from redgrid.accounts.services import api_key_revoke

        keys = list(queryset.filter(is_active=True))
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "确认吊销 API 密钥",
                "keys": keys,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/accounts/apikey/revoke_confirmation.html", context)
        revoked = sum(api_key_revoke(actor=request.user, key=key) for key in keys)
        self.message_user(
            request, f"已吊销 {revoked} 个 API 密钥，使用它们的请求将被拒绝（403）。", messages.SUCCESS
        )
        return None
