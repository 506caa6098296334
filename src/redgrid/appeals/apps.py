from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "redgrid.appeals"
    label = "appeals"
    verbose_name = "接诉即办"

    def ready(self) -> None:
        from redgrid.appeals import rules, tasks  # noqa: F401  (rules table entries; the periodic sweep)
