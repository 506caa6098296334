from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from redgrid.core.admin import AuditedAdmin
from redgrid.units.models import Category, Unit


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, TreeAdmin):
    form = movenodeform_factory(Category)
    list_display = ["name", "level", "is_sensitive", "is_active"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "kind", "area", "phone", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]
    raw_id_fields = ["area"]
