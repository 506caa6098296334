from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "redgrid.appeals"
    label = "appeals"
    verbose_name = "接诉即办"

    def ready(self) -> None:
        from redgrid.appeals import rules, tasks  # noqa: F401  (rules table entries; the periodic sweep)
        from redgrid.appeals.demo import train_demo_model
        from redgrid.demo import add_step

        add_step("诉求分类模型", train_demo_model)
