from django import forms
from django.contrib import admin

from redgrid.core.uploads import sniff_media
from redgrid.learning.models import Course, PointEntry, PointRule, Question, Quiz

MAX_COURSE_FILE = 500 * 1024 * 1024
EXPECTED = {Course.Kind.VIDEO: ("video/mp4", "video/webm"), Course.Kind.DOCUMENT: ("application/pdf",)}


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = [
            "slug",
            "title",
            "kind",
            "category",
            "summary",
            "body",
            "file",
            "minutes",
            "audience",
            "required_for",
            "is_published",
        ]

    def clean(self):
        """The file's type comes from its bytes and must fit the course kind; its name gets that extension
        (the file view serves it with the matching type)."""
        data = super().clean()
        upload = self.files.get("file")
        if upload is None:
            return data
        if upload.size > MAX_COURSE_FILE:
            raise forms.ValidationError({"file": "文件不能超过 500 MB"})
        sniffed = sniff_media(upload.read(16))
        upload.seek(0)
        kind = data.get("kind")
        if sniffed is None or sniffed[0] not in EXPECTED.get(kind, ()):
            wanted = "MP4 或 WebM 视频" if kind == Course.Kind.VIDEO else "PDF 文档"
            raise forms.ValidationError({"file": f"{Course.Kind(kind).label}课程只接受{wanted}"})
        stem = upload.name.rsplit(".", 1)[0][:60] or "course"
        upload.name = f"{stem}.{sniffed[1]}"
        return data


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    form = CourseForm
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
