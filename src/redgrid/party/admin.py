from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from redgrid.core.admin import AuditedAdmin
from redgrid.party.models import PartyMember, PartyOrg


@admin.register(PartyOrg)
class PartyOrgAdmin(AuditedAdmin, TreeAdmin):
    form = movenodeform_factory(PartyOrg)
    list_display = ["name", "kind"]
    search_fields = ["name"]
    list_filter = ["kind"]
    filter_horizontal = ["regions"]


@admin.register(PartyMember)
class PartyMemberAdmin(AuditedAdmin):
    list_display = ["person", "org", "status", "joined_on"]
    list_filter = ["status", "dues_category"]
    search_fields = ["person__name"]
    raw_id_fields = ["person", "org", "home_community"]
