from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "redgrid.party"
    label = "party"
    verbose_name = "智慧党建"

    def ready(self):
        # Register the party rows of the rules table (规则表) at start-up so the admin lists them.
        from redgrid.party import limits  # noqa: F401
