"""Admin of the assessment: schemes with their items (validated as in the scheme editor, audited), the
roll-ups read-only."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from redgrid.assessment.models import DailyFact, FoldState, Scheme, SchemeEvent, SchemeItem
from redgrid.assessment.schemes import clean_items
from redgrid.core.admin import AuditedAdmin, ReadOnlyAdmin


class ItemFormSet(BaseInlineFormSet):
    def clean(self):
        """The same rules as the scheme editor: applicable indicators, weights summing to 100."""
        super().clean()
        if any(self.errors):
            return
        rows = [
            (f.cleaned_data["indicator"], f.cleaned_data["weight"], f.cleaned_data.get("target"))
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        level = self.instance.level or (self.data.get("level") if self.data else "")
        try:
            clean_items(level, rows)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class SchemeItemInline(admin.TabularInline):
    model = SchemeItem
    formset = ItemFormSet
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(AuditedAdmin):
    list_display = ["name", "level", "period", "is_active", "version", "updated_at"]
    list_filter = ["level", "period", "is_active"]
    inlines = [SchemeItemInline]
    readonly_fields = ["version", "updated_by", "created_at", "updated_at"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        scheme = form.instance
        SchemeEvent.objects.create(
            scheme=scheme,
            actor=request.user,
            action="update" if change else "create",
            note="系统管理后台",
            data={"items": [[i.indicator, str(i.weight), str(i.target)] for i in scheme.items.all()]},
        )


@admin.register(DailyFact)
class DailyFactAdmin(ReadOnlyAdmin):
    list_display = ["day", "tree", "node_id", "indicator", "numerator", "denominator"]
    list_filter = ["tree", "indicator"]
    date_hierarchy = "day"


@admin.register(FoldState)
class FoldStateAdmin(ReadOnlyAdmin):
    list_display = ["source", "folded_until", "calendar_until", "compared_at"]
