from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from redgrid.core.admin import AuditedAdmin
from redgrid.party.models import DuesPayment, OrgLifeMeeting, PartyMember, PartyOrg, Transfer


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


@admin.register(OrgLifeMeeting)
class OrgLifeMeetingAdmin(AuditedAdmin):
    list_display = ["date", "kind", "topic", "org", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["topic", "org__name"]
    raw_id_fields = ["org", "created_by"]


@admin.register(DuesPayment)
class DuesPaymentAdmin(AuditedAdmin):
    list_display = ["member", "year", "month", "amount", "paid_on"]
    list_filter = ["year"]
    raw_id_fields = ["member", "org", "recorded_by"]


@admin.register(Transfer)
class TransferAdmin(AuditedAdmin):
    list_display = ["letter_no", "member", "direction", "to_name", "status", "valid_until"]
    list_filter = ["direction", "status"]
    raw_id_fields = ["member", "from_org", "to_org", "created_by"]


# --- 定期填报、换届、双报到、民主评议 (records are written through the services; the admin is for lookups) ---
from redgrid.party.models import (  # noqa: E402
    DualRegistration,
    DualServiceRecord,
    EvaluationRound,
    OrgTerm,
    PeriodicReport,
)


@admin.register(PeriodicReport)
class PeriodicReportAdmin(AuditedAdmin):
    list_display = ["org", "kind", "period_start", "status", "submitted_at", "due_on"]
    list_filter = ["kind", "status"]
    search_fields = ["org__name"]
    raw_id_fields = ["org", "submitted_by", "reviewed_by"]


@admin.register(OrgTerm)
class OrgTermAdmin(AuditedAdmin):
    list_display = ["org", "started_on", "years", "ends_on", "approval_no"]
    search_fields = ["org__name"]
    raw_id_fields = ["org", "recorded_by"]


@admin.register(DualRegistration)
class DualRegistrationAdmin(AuditedAdmin):
    list_display = ["member", "community", "status", "confirmed_on", "valid_until"]
    list_filter = ["status"]
    raw_id_fields = ["member", "community", "decided_by"]


@admin.register(DualServiceRecord)
class DualServiceRecordAdmin(AuditedAdmin):
    list_display = ["member", "community", "served_on", "hours", "status"]
    list_filter = ["status"]
    raw_id_fields = ["member", "registration", "community", "decided_by"]


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(AuditedAdmin):
    list_display = ["org", "year", "phase", "opened_at", "closed_at"]
    list_filter = ["phase", "year"]
    raw_id_fields = ["org", "opened_by"]
