from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "redgrid.learning"
    label = "learning"
    verbose_name = "党员教育"
