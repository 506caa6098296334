from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "redgrid.learning"
    label = "learning"
    verbose_name = "党员教育"

    def ready(self):
        from redgrid.core.registry import add_h5_tile
        from redgrid.demo import add_step
        from redgrid.learning import demo, rules, tasks  # noqa: F401  (rules and periodic tasks register)

        add_step("党员教育：课程、题库与每日答题", demo.build)
        add_h5_tile("learning:home", "学习教育", "📖", members_only=True)
