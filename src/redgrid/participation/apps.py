from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "redgrid.participation"
    label = "participation"
    verbose_name = "社区参与"

    def ready(self) -> None:
        from redgrid.core.registry import add_h5_tile
        from redgrid.demo import add_step
        from redgrid.participation import demo, rules, tasks  # noqa: F401  (rules table; periodic tasks)

        add_h5_tile("participation:board", "微心愿", "💝")
        add_h5_tile("participation:my_wishes", "我的心愿", "🎁")
        add_h5_tile("participation:stories", "心愿故事", "🌸")
        add_step("社区参与：微心愿与议事议题（文化路社区）", demo.build)
