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
        # 志愿服务 (volunteers): rules, tiles and demo step
        from redgrid.participation import volunteer_demo, volunteer_rules  # noqa: F401

        add_h5_tile("participation:vol_activities", "志愿服务", "🙋")
        add_h5_tile("participation:vol_my_shifts", "我的班次", "📅")
        add_h5_tile("participation:vol_hours", "志愿时长", "⏱️")
        add_step("社区参与：志愿服务队、活动与班次（文化路社区）", volunteer_demo.build)
        # 议事厅、征求意见、公开公示、网上评议、信息发布: rules, background tasks, tiles and demo step
        from redgrid.participation import deliberation_demo, deliberation_rules, deliberation_tasks  # noqa: F401

        add_h5_tile("participation:topics", "议事厅", "🗳️")
        add_h5_tile("participation:solicitations", "征求意见", "📝")
        add_h5_tile("participation:notices", "公开公示", "📢")
        add_h5_tile("participation:evaluate", "网上评议", "⭐")
        add_h5_tile("participation:articles", "信息发布", "📰")
        add_step("社区参与：议事厅、征求意见、公开公示、网上评议、信息发布（文化路社区）", deliberation_demo.build)
