from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "redgrid.regions"
    label = "regions"
    verbose_name = "区划与网格"

    def ready(self) -> None:
        from redgrid.regions import signals  # noqa: F401  (grid index invalidation)
