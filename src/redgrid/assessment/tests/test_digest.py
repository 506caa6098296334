"""考核周报: one inbox message per leader per week, on Monday from 08:00, with the week's figures, the
bottom of the month's ranking and the overdue counts."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from redgrid.assessment import digest, rollup
from redgrid.assessment.tests.kpi_helpers import at, wish
from redgrid.core.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 4, 20, 9, 0, tzinfo=TZ)


def _digests(user):
    return Notification.objects.filter(recipient=user, kind="assessment.digest")


@pytest.fixture
def week(world):
    with time_machine.travel(MONDAY - timedelta(days=5), tick=False):
        wish(world, "A1", approved=at(date(2026, 4, 14)), status="fulfilled")
        wish(world, "B1", approved=at(date(2026, 4, 15)), status="open")
        rollup.fold()


def test_each_leader_gets_the_weekly_digest_once(world, week):
    leader = world.user("leader")
    with time_machine.travel(MONDAY, tick=False) as clock:
        assert digest.send_weekly() == 1
        assert digest.send_weekly() == 0  # the second run of the hour finds the marker already moved
        clock.shift(timedelta(days=2))
        assert digest.send_weekly() == 0
        clock.shift(timedelta(days=5))  # the next Monday, 09:00
        assert digest.send_weekly() == 1
    assert _digests(leader).count() == 2
    for name in ("street", "community", "admin", "gridworker"):
        assert not _digests(world.user(name)).exists()


def test_the_digest_waits_for_monday_eight_oclock(world, week):
    with time_machine.travel(MONDAY.replace(hour=7, minute=30), tick=False) as clock:
        assert digest.send_weekly() == 0
        clock.shift(timedelta(minutes=30))
        assert digest.send_weekly() == 1  # 08:00: the week of 13–19 April
    assert _digests(world.user("leader")).count() == 1


def test_the_digest_names_the_week_the_bottom_and_the_overdue_work(world, week):
    with time_machine.travel(MONDAY, tick=False):
        digest.send_weekly()
    note = _digests(world.user("leader")).get()
    assert "04月13日" in note.title
    assert "广文街道" in note.body and "响应率" in note.body
    assert "社区排名靠后" in note.body and "松鹤园社区" in note.body
    assert "超期未办结诉求 0" in note.body and "组织生活逾期未开" in note.body
    assert note.link.startswith("/assessment/?node=region:")
