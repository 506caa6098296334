"""Administrators edit the rules tables (时限规则, 派单规则); appeals themselves change only through services."""

from django.contrib import admin

from redgrid.appeals.models import RoutingRule, SlaRule
from redgrid.core.admin import AuditedAdmin


@admin.register(SlaRule)
class SlaRuleAdmin(AuditedAdmin):
    list_display = ["urgency", "category", "respond_minutes", "resolve_minutes"]
    list_filter = ["urgency"]
    raw_id_fields = ["category"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = ["category", "area", "unit"]
    raw_id_fields = ["category", "area"]
    list_select_related = ["category", "area", "unit"]
