from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "redgrid.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from redgrid.core import signals, tasks  # noqa: F401  (audit of logins; periodic tasks)
