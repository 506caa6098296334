"""Accounts (账号), role grants on tree nodes (授权) and API tokens."""

import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from redgrid.core.crypto import Sensitive


class Role(models.TextChoices):
    GRID_WORKER = "gridworker", "网格员"
    BRANCH_SECRETARY = "branch", "支部书记/党务工作者"
    COMMUNITY = "community", "社区书记/社区工作者"
    STREET_ADMIN = "street", "街道管理员"
    UNIT_HANDLER = "unit", "部门处置人员"
    LEADER = "leader", "领导/督查"
    SYSADMIN = "admin", "系统管理员"


# Which tree a role is granted on (design.md §1).
ROLE_NODE_TYPE = {
    Role.GRID_WORKER: "region",
    Role.COMMUNITY: "region",
    Role.STREET_ADMIN: "region",
    Role.LEADER: "region",
    Role.SYSADMIN: "region",
    Role.BRANCH_SECRETARY: "party_org",
    Role.UNIT_HANDLER: "unit",
}


class User(AbstractUser):
    """账号: login by username or phone number; the phone is sensitive and stored encrypted."""

    display_name = models.CharField("显示名", max_length=50, blank=True)
    person = models.OneToOneField(
        "regions.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="account",
        verbose_name="对应人员",
    )
    phone_enc = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_last4 = models.CharField(max_length=4, blank=True, default="")
    phone = Sensitive("phone", masked_length=11)

    objects = UserManager()

    class Meta:
        verbose_name = verbose_name_plural = "账号"
        constraints = [
            models.UniqueConstraint(fields=["phone_hash"], condition=~Q(phone_hash=""), name="user_unique_phone"),
        ]

    def __str__(self):
        return self.display_name or self.username


class RoleGrant(models.Model):
    """授权: a role held on one node of a tree; it covers that node's whole subtree and nothing else."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name="账号")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", verbose_name="区划节点")
    party_org = models.ForeignKey("party.PartyOrg", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="+", verbose_name="党组织节点")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", verbose_name="责任单位")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "角色授权"
        constraints = [
            models.CheckConstraint(
                name="grant_exactly_one_node",
                condition=(
                    Q(region__isnull=False, party_org__isnull=True, unit__isnull=True)
                    | Q(region__isnull=True, party_org__isnull=False, unit__isnull=True)
                    | Q(region__isnull=True, party_org__isnull=True, unit__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["user", "role", "region", "party_org", "unit"], name="grant_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} @ {self.node}"

    @property
    def node(self):
        return self.region or self.party_org or self.unit

    @property
    def node_type(self) -> str:
        return "region" if self.region_id else "party_org" if self.party_org_id else "unit"


class ApiToken(models.Model):
    """API 令牌: only the SHA-256 of the token is stored; the token is shown once when issued."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self):
        return f"{self.user} 的令牌（{self.expires_at:%Y-%m-%d %H:%M} 到期）"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """API 密钥 (Open311 等外部系统接入): only the SHA-256 of the key is stored; the key is shown once.

    A key identifies a client system (e.g. a city's 12345 platform or a FixMyStreet instance), not a
    person: appeals it files carry the key, count against its hourly limit, and fall back to its street
    when they cannot be located. Revoking deactivates the key; keys are never deleted (appeals refer to them).
    """

    name = models.CharField("名称", max_length=100, help_text="接入系统的名称，如“区 12345 平台”")
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    prefix = models.CharField("密钥前缀", max_length=12, editable=False, help_text="用于辨认，不能用来调用")
    is_active = models.BooleanField("启用", default=True, editable=False)
    owner = models.CharField("使用单位", max_length=100)
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    street = models.ForeignKey(
        "regions.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "street"},
        verbose_name="默认街道",
        help_text="无法按位置定位的诉求进入该街道的待分拣队列",
    )
    hourly_limit = models.PositiveIntegerField(
        "每小时提交上限",
        null=True,
        blank=True,
        help_text="留空则按规则表 appeals.intake.per_key_per_hour；同一 IP 还受 appeals.intake.per_ip_per_hour 限制",
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 密钥"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        state = "" if self.is_active else "（已吊销）"
        return f"{self.name} {self.prefix}…{state}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    def set_key(self, key: str) -> None:
        self.key_hash = self.hash_key(key)
        self.prefix = key[:8]
