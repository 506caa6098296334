from django.contrib import admin

from redgrid.learning.models import Course, PointEntry, PointRule, Question, Quiz


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "category", "minutes", "is_published")
    list_filter = ("kind", "category", "is_published")
    search_fields = ("title", "slug")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "category", "difficulty", "is_active")
    list_filter = ("kind", "category", "difficulty")
    search_fields = ("code", "stem")


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "opens_at", "closes_at", "time_limit_seconds")
    list_filter = ("kind",)
    filter_horizontal = ("questions",)


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ("activity", "points", "daily_cap", "weekly_cap", "source")


@admin.register(PointEntry)
class PointEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is append-only."""

    list_display = ("user", "activity", "points", "at", "source_key")
    list_filter = ("activity",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
