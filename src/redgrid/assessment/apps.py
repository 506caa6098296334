from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "redgrid.assessment"
    label = "assessment"
    verbose_name = "考核评价"

    def ready(self):
        # rules: the rules-table rows; tasks: the periodic fold and the weekly digest; demo: visible numbers.
        from redgrid.assessment import demo, rules, tasks  # noqa: F401
        from redgrid.demo import add_step

        add_step("考核评价：组织生活、党费、学时与考核日汇总（广文街道）", demo.build)
        # Dashboards, hot issues, early warning, allocation: rules, roll-up signal, periodic jobs, demo step.
        from redgrid.assessment import dash_setup

        dash_setup.ready()
