"""The region tree (行政区划 down to 网格), buildings, households and residents."""

from django.db import models
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from redgrid.core.crypto import Sensitive, SensitiveList


class Region(MP_Node):
    """行政区划节点: 省 → 市 → 区县 → 街道/乡镇 → 社区/村 → 网格.

    Street and community nodes carry the 12-digit statistical code; a grid carries the community code
    plus a 3-digit sequence (15 digits, as Beijing DB11) and a GeoJSON boundary.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "区县"
        STREET = "street", "街道/乡镇"
        COMMUNITY = "community", "社区/村"
        GRID = "grid", "网格"

    code = models.CharField("区划代码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices, db_index=True)
    geometry = models.JSONField("边界 GeoJSON", null=True, blank=True)
    center_lng = models.FloatField("中心经度", null=True, blank=True)
    center_lat = models.FloatField("中心纬度", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    node_order_by = []  # insertion order; codes are sortable anyway

    class Meta:
        verbose_name = verbose_name_plural = "行政区划/网格"
        indexes = [models.Index(fields=["level", "path"])]

    def __str__(self):
        return self.name

    @property
    def is_grid(self) -> bool:
        return self.level == self.Level.GRID

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen]

    @classmethod
    def prefixes(cls, path: str, *, include_self: bool = True) -> list[str]:
        """Paths of the node's ancestors (root first), and of the node itself unless excluded."""
        end = len(path) + (1 if include_self else 0)
        return [path[:i] for i in range(cls.steplen, end, cls.steplen)]


class Building(models.Model):
    """楼栋."""

    grid = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="buildings", verbose_name="网格")
    name = models.CharField("楼栋名称", max_length=100)
    address = models.CharField("地址", max_length=200, db_index=True)
    lng = models.FloatField("经度")
    lat = models.FloatField("纬度")
    floors = models.PositiveSmallIntegerField("层数", default=6)

    class Meta:
        verbose_name = verbose_name_plural = "楼栋"
        constraints = [models.UniqueConstraint(fields=["grid", "name"], name="building_unique_name_in_grid")]

    def __str__(self):
        return self.name


class Household(models.Model):
    """户: one dwelling in a building; the grid follows from the building (not stored twice)."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households", verbose_name="楼栋")
    unit_no = models.PositiveSmallIntegerField("单元", default=1)
    room = models.CharField("门牌", max_length=20)
    address = models.CharField("完整地址", max_length=200, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "户"

    def __str__(self):
        return self.address


class Resident(models.Model):
    """居民/人员: one record per human (residents, party members, staff who live or serve here).

    ID number, phone and special-group tags are sensitive (PIPL 第28条): encrypted at rest, looked up
    by hash, shown masked; the full value only through the audited reveal service.
    """

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期", null=True, blank=True)
    education = models.CharField("学历", max_length=20, blank=True)
    occupation = models.CharField("职业", max_length=50, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members", verbose_name="户"
    )
    relation = models.CharField("与户主关系", max_length=20, blank=True)

    id_number_enc = models.TextField(blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    id_number_last4 = models.CharField(max_length=4, blank=True, default="")
    phone_enc = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_last4 = models.CharField(max_length=4, blank=True, default="")
    tags_enc = models.TextField(blank=True, default="")

    id_number = Sensitive("id_number", masked_length=18)
    phone = Sensitive("phone", masked_length=11)
    tags = SensitiveList()

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    SENSITIVE_FIELDS = {"id_number": "身份证号", "phone": "手机号", "tags": "特殊人群标签"}

    class Meta:
        verbose_name = verbose_name_plural = "居民"

    def __str__(self):
        return self.name

    @property
    def age(self) -> int | None:
        if not self.birth_date:
            return None
        today = timezone.localdate()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))
