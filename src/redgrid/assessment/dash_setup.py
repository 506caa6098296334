"""Wiring of the dashboards part of the app (called from AssessmentConfig.ready)."""


def ready() -> None:
    from redgrid.assessment import dash_demo, dash_rollup, dash_rules, dash_tasks  # noqa: F401
    from redgrid.demo import add_step

    dash_rollup.connect()
    add_step("考核评价：大屏汇总、每月一题与未诉先办预警（广文街道）", dash_demo.build)
