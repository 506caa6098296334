"""Builders for the 志愿服务 tests: a team, an activity with shifts at a fixed time, volunteer accounts.

Tests freeze time at T0 (time_machine) and put shifts at T0 + n hours, so every window is exact.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from redgrid.participation import volunteers as v
from redgrid.testing import make_user

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PLACE = "文化路社区党群服务中心"


def shift(start_hours: float = 48, length_hours: float = 2, capacity: int = 3, place: str = PLACE) -> dict:
    start = T0 + timedelta(hours=start_hours)
    return {
        "starts_at": start,
        "ends_at": start + timedelta(hours=length_hours),
        "place": place,
        "capacity": capacity,
    }


def make_team(world, **kw):
    data = {
        "actor": world.user("community"),
        "community": world.regions["wenhua"],
        "name": "文化路志愿服务队",
        "instructor": world.members["A1-0"],
    }
    data.update(kw)
    return v.team_create(**data)


def make_activity(world, *, shifts=None, actor=None, title="周末楼道清洁", **kw):
    """An activity of 文化路社区 published by the community account (one 2-hour shift at T0+48h, 3 seats)."""
    data = {"community": world.regions["wenhua"]} if "team" not in kw else {}
    data.update(kw)
    return v.activity_create(
        actor=actor or world.user("community"),
        title=title,
        description="清理楼道杂物和小广告",
        address=PLACE,
        shifts=[shift()] if shifts is None else shifts,
        **data,
    )


def volunteer(world, key: str):
    """An account for the world's resident `key` (e.g. "A1-01"), reusing the existing one if any."""
    from redgrid.accounts.models import User

    person = world.residents[key]
    return User.objects.filter(person=person).first() or make_user(f"vol_{key}", person=person)


def first_shift(activity):
    return activity.shifts.order_by("starts_at", "id").first()


def served(world, signup, *, minutes_in: int = 0, minutes_out: int = 120):
    """Check the sign-up in and out by QR at shift start + minutes_in / + minutes_out (time frozen)."""
    import time_machine

    s = signup.shift
    with time_machine.travel(s.starts_at + timedelta(minutes=minutes_in), tick=False):
        v.signup_scan(actor=signup.user, token=v.scan_token(s, "in"))
    with time_machine.travel(s.starts_at + timedelta(minutes=minutes_out), tick=False):
        return v.signup_scan(actor=signup.user, token=v.scan_token(s, "out"))
