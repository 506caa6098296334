"""Helpers for the 议事/公开 tests: topics in a given phase, resident accounts of the world."""

from datetime import timedelta

from django.utils import timezone

from redgrid.participation.models import Topic
from redgrid.testing import make_user

# Phase start offsets in days from now: collect, discuss, vote, vote until, publicity until.
OFFSETS = {
    "collecting": (-1, 5, 10, 15, 20),
    "discussing": (-10, -1, 5, 10, 15),
    "voting": (-20, -10, -1, 6, 13),
    "publicity": (-30, -20, -10, -1, 6),
    "closed": (-40, -30, -20, -10, -1),
}


def make_topic(world, phase="discussing", *, area="wenhua", unit="household", by="community", **extra) -> Topic:
    now = timezone.now()
    days = OFFSETS[phase]
    fields = ("collect_from", "discuss_from", "vote_from", "vote_until", "publicity_until")
    return Topic.objects.create(
        title=extra.pop("title", "楼道堆物清理办法"),
        body="请大家讨论",
        area=world.regions[area],
        vote_unit=unit,
        created_by=world.user(by),
        announced_phase=phase,
        **{f: now + timedelta(days=d) for f, d in zip(fields, days, strict=True)},
        **extra,
    )


def resident(world, key, name=None):
    """An account for resident `key` (e.g. "A1-00"), created once."""
    from redgrid.accounts.models import User

    person = world.residents[key]
    return User.objects.filter(person=person).first() or make_user(name or f"r_{key}", person=person)
