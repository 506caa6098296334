from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "redgrid.participation"
    label = "participation"
    verbose_name = "社区参与"
