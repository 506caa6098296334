"""Seed the points rules table with the defaults of rules.md §8 (a deployment edits the rows)."""

from django.db import migrations

from redgrid.learning.rules import POINT_DEFAULTS, SOURCE_POINTS


def seed(apps, schema_editor):
    PointRule = apps.get_model("learning", "PointRule")
    for activity, (points, daily_cap, weekly_cap) in POINT_DEFAULTS.items():
        PointRule.objects.get_or_create(
            activity=activity,
            defaults={
                "points": points,
                "daily_cap": daily_cap,
                "weekly_cap": weekly_cap,
                "source": SOURCE_POINTS,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
