from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "redgrid.units"
    label = "units"
    verbose_name = "责任单位与事项分类"
