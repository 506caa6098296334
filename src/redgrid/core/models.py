"""Platform-wide models: the audit trail, the rules table, the inbox, and the event-row base."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditProtectedError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditProtectedError("审计日志只能追加，不能修改")

    def delete(self):
        cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
        if self.filter(at__gt=cutoff).exists():
            raise AuditProtectedError(f"不满 {settings.AUDIT_RETENTION_DAYS} 天的审计日志不能删除（《网络安全法》第二十一条）")
        return super().delete()


class AuditLog(models.Model):
    """审计日志: one append-only row per write, sensitive-field reveal and login event.

    The actor is stored by id and name rather than a foreign key so that removing an account can never
    rewrite (or cascade into) the trail. `row_hash` covers the row's content; blocks chain the hashes.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    summary = models.JSONField("摘要", default=dict, blank=True)
    row_hash = models.CharField(max_length=64, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditProtectedError("审计日志只能追加，不能修改")
        self.row_hash = self.content_hash()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.at > timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS):
            raise AuditProtectedError(f"不满 {settings.AUDIT_RETENTION_DAYS} 天的审计日志不能删除")
        return super().delete(*args, **kwargs)

    def content_hash(self) -> str:
        payload = {
            "at": self.at.isoformat(),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "ip": self.ip,
            "summary": self.summary,
        }
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()


class AuditBlock(models.Model):
    """审计封存块: a sealed run of audit rows; its hash covers the rows' hashes and the previous block.

    Sealing happens in a periodic task, so writers of audit rows never wait on a chain lock: only the
    sealer serialises, on the newest block.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    row_count = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "审计封存块"
        ordering = ["seq"]

    def __str__(self):
        return f"#{self.seq} ({self.first_id}–{self.last_id})"


class Rule(models.Model):
    """规则表: a deployment's value for a configurable rule; the default lives in code (core.rules)."""

    key = models.CharField("规则键", max_length=100, unique=True)
    value = models.JSONField("取值")
    note = models.CharField("修改说明", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "规则表"
        ordering = ["key"]

    def __str__(self):
        return self.key


class Notification(models.Model):
    """站内消息: an inbox entry for one account."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    kind = models.CharField("类型", max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self):
        return self.title


class BaseEvent(models.Model):
    """Base of every business event row (who, when, from, to, note): timeline, metrics and audit source."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField("动作", max_length=40)
    from_state = models.CharField("原状态", max_length=40, blank=True)
    to_state = models.CharField("新状态", max_length=40, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class CalendarDay(models.Model):
    """工作日历的例外日: a statutory holiday on a weekday, or a weekend day that is worked (调休).

    Every other Monday–Friday is a working day and every other Saturday/Sunday is not (core.calendar)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否上班", default=False, help_text="勾选：调休上班日；不勾选：节假日")
    name = models.CharField("说明", max_length=40, blank=True, help_text="如：国庆节、春节调休")

    class Meta:
        verbose_name = verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '休息'} {self.name}"
