"""Responsible units (责任单位/职能部门) and the category tree of matters they handle (事项分类)."""

from django.db import models
from treebeard.mp_tree import MP_Node

from redgrid.regions.models import Region


class Category(MP_Node):
    """事项分类: three levels (default tree from the 12345 message-board taxonomy), editable by admins."""

    name = models.CharField("名称", max_length=60)
    level = models.PositiveSmallIntegerField("层级")
    is_sensitive = models.BooleanField("敏感类别", default=False, help_text="公开页面只显示到网格")
    is_active = models.BooleanField("启用", default=True)

    node_order_by = []

    class Meta:
        verbose_name = verbose_name_plural = "事项分类"

    def __str__(self):
        return self.name


class Unit(models.Model):
    """责任单位: a department or public-service company that receives dispatched work."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "职能部门"
        COMPANY = "company", "公共服务企业"
        STREET = "street", "街道科室"

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    area = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="units", verbose_name="服务区域")
    categories = models.ManyToManyField(Category, blank=True, related_name="units", verbose_name="负责事项")
    phone = models.CharField("值班电话", max_length=30, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "责任单位"
        ordering = ["name"]

    def __str__(self):
        return self.name
