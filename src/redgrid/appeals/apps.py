from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "redgrid.appeals"
    label = "appeals"
    verbose_name = "接诉即办"

    def ready(self) -> None:
        # rules: the rules-table entries; tasks: the periodic sweep.
        from redgrid.appeals import demo_appeals, rollup, rules, tasks  # noqa: F401
        from redgrid.appeals.demo import open311_demo_key, train_demo_model
        from redgrid.core.registry import add_h5_tile
        from redgrid.demo import add_step

        add_h5_tile("appeals:h5_new", "反映诉求", "📣")
        add_h5_tile("appeals:h5_mine", "我的诉求", "📋")
        add_h5_tile("appeals:h5_patrol", "巡查上报", "🚶", roles=("gridworker",))
        add_h5_tile("appeals:h5_verify", "诉求核查", "✔️", roles=("gridworker", "community"))

        add_step("诉求分类模型", train_demo_model)
        add_step("演示诉求（广文街道）", demo_appeals.build)
        add_step("Open311 演示密钥", open311_demo_key)
        add_step("诉求指标日汇总", rollup.demo_step)  # last: after every step that adds appeals
