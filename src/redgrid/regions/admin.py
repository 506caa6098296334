from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from redgrid.core.admin import AuditedAdmin
from redgrid.regions.models import Building, Household, Region, Resident


@admin.register(Region)
class RegionAdmin(AuditedAdmin, TreeAdmin):
    form = movenodeform_factory(Region, exclude=["geometry"])
    list_display = ["name", "code", "level"]
    search_fields = ["name", "code"]
    list_filter = ["level"]


@admin.register(Building)
class BuildingAdmin(AuditedAdmin):
    list_display = ["name", "grid", "address"]
    search_fields = ["name", "address"]
    raw_id_fields = ["grid"]


@admin.register(Household)
class HouseholdAdmin(AuditedAdmin):
    list_display = ["address", "building"]
    search_fields = ["address"]
    raw_id_fields = ["building"]


@admin.register(Resident)
class ResidentAdmin(AuditedAdmin):
    """Sensitive fields stay masked here too; full values only via the audited reveal on the page."""

    list_display = ["name", "gender", "birth_date", "masked_id", "masked_phone"]
    search_fields = ["name"]
    raw_id_fields = ["household"]
    exclude = ["id_number_enc", "id_number_hash", "id_number_last4", "phone_enc", "phone_hash", "phone_last4",
               "tags_enc"]

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return obj.id_number

    @admin.display(description="手机号")
    def masked_phone(self, obj):
        return obj.phone
