"""Resolve deadlines and extensions on the optional working-day calendar (rules.md §6)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from redgrid.appeals import services
from redgrid.appeals.models import Status
from redgrid.core.models import Rule

SH = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 11, 20, 9, 0, tzinfo=SH)


def test_a_general_appeal_is_due_seven_calendar_days_later_by_default(world):
    with time_machine.travel(FRIDAY, tick=False):
        result = services.appeal_submit(actor=world.user("resident"), content="楼道灯不亮了", urgency="general")
    assert result.appeal.resolve_due_at == FRIDAY + timedelta(days=7)


def test_with_the_working_day_calendar_a_general_appeal_skips_weekends(world):
    Rule.objects.create(key="appeals.sla.working_days", value=True)
    with time_machine.travel(FRIDAY, tick=False):
        result = services.appeal_submit(actor=world.user("resident"), content="楼道灯不亮了", urgency="general")
    # Friday + 7 working days = Tuesday 1 December, same hour.
    assert result.appeal.resolve_due_at == datetime(2026, 12, 1, 9, 0, tzinfo=SH)


def test_urgent_limits_stay_in_hours_even_with_the_calendar(world):
    Rule.objects.create(key="appeals.sla.working_days", value=True)
    with time_machine.travel(FRIDAY, tick=False):
        result = services.appeal_submit(actor=world.user("resident"), content="燃气泄漏味道很大", urgency="urgent")
    assert result.appeal.resolve_due_at == FRIDAY + timedelta(hours=2)


def test_an_approved_extension_counts_working_days_with_the_calendar(world, make_appeal):
    Rule.objects.create(key="appeals.sla.working_days", value=True)
    appeal = make_appeal(Status.IN_PROGRESS, resolve_due_at=FRIDAY)
    with time_machine.travel(FRIDAY - timedelta(days=1), tick=False):
        services.appeal_extend(actor=world.user("unit"), appeal=appeal, days=2, reason="需协调供电公司停电施工")
        services.appeal_approve_extension(actor=world.user("street"), appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.resolve_due_at == datetime(2026, 11, 24, 9, 0, tzinfo=SH)
