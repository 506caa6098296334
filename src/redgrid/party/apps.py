from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "redgrid.party"
    label = "party"
    verbose_name = "智慧党建"

    def ready(self):
        # Register the party rows of the rules table (规则表) at start-up so the admin lists them.
        # 发展党员: its rules-table rows and hourly deadline sweep register on import; demo applicants; 公示 tile.
        from redgrid.core.registry import add_h5_tile
        from redgrid.demo import add_step
        from redgrid.party import limits, recruitment, recruitment_demo  # noqa: F401

        add_h5_tile("party:recruitment_notices", "发展党员公示", "📢")
        add_step("发展党员：各阶段的入党申请人（文化路社区）", recruitment_demo.build)
        # 定期填报、换届、双报到、民主评议: rules-table rows and the hourly reminder sweep register on
        # import; member/resident tiles; demo data.
        from redgrid.party import (  # noqa: F401
            dual_report,
            evaluation,
            reminders,
            reporting,
            reporting_demo,
            terms,
        )

        add_h5_tile("party:h5_dual", "双报到", "🏘️", members_only=True)
        add_h5_tile("party:h5_evaluation", "民主评议", "📝", members_only=True)
        add_step("智慧党建：定期填报、换届、双报到、民主评议（文化路社区）", reporting_demo.build)
