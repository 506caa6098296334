"""Deadlines under time travel, and the sweep escalating each overdue item exactly once."""

from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone

from redgrid.appeals import services
from redgrid.appeals.models import Status
from redgrid.appeals.sweep import sweep
from redgrid.appeals.tasks import appeals_sweep_task
from redgrid.core.models import Notification
from redgrid.core.tasks import PERIODIC

START = "2026-07-01 09:00 +08:00"


def _dispatched(world, make_appeal):
    appeal = make_appeal(Status.REGISTERED)
    services.appeal_dispatch(actor=world.user("street"), appeal=appeal, unit=world.units["chengguan"])
    appeal.refresh_from_db()
    return appeal


def _inbox(world, user, kind="overdue"):
    return Notification.objects.filter(recipient=world.user(user), kind=kind).count()


def test_a_late_report_in_is_escalated_once_to_the_unit_and_the_street(
    world, make_appeal, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        appeal = _dispatched(world, make_appeal)
        assert appeal.respond_due_at == timezone.now() + timedelta(hours=24)  # general matter
    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(START, tick=False) as clock:
            clock.shift(timedelta(hours=23, minutes=59))
            assert sweep() == {"respond": 0, "resolve": 0}
            clock.shift(timedelta(minutes=2))
            assert sweep() == {"respond": 1, "resolve": 0}
            assert sweep() == {"respond": 0, "resolve": 0}
    assert _inbox(world, "unit") == 1 and _inbox(world, "street") == 1
    assert _inbox(world, "outsider_unit") == 0 and _inbox(world, "outsider_street") == 0
    assert appeal.events.filter(action="overdue_respond").count() == 1


def test_a_reported_in_task_is_never_late(world, make_appeal):
    with time_machine.travel(START, tick=False) as clock:
        appeal = _dispatched(world, make_appeal)
        services.appeal_accept(actor=world.user("unit"), appeal=appeal)
        clock.shift(timedelta(days=2))
        assert sweep()["respond"] == 0


def test_a_missed_resolve_deadline_is_escalated_once_and_again_after_an_extension(world, make_appeal):
    with time_machine.travel(START, tick=False) as clock:
        appeal = make_appeal(Status.IN_PROGRESS, resolve_due_at=timezone.now() + timedelta(days=7))
        clock.shift(timedelta(days=7, minutes=1))
        assert sweep()["resolve"] == 1
        assert sweep()["resolve"] == 0
        appeal.refresh_from_db()
        assert appeal.is_overdue()
        services.appeal_extend(actor=world.user("unit"), appeal=appeal, days=3, reason="需采购配件")
        services.appeal_approve_extension(actor=world.user("street"), appeal=appeal)
        appeal.refresh_from_db()
        assert not appeal.is_overdue()
        assert sweep()["resolve"] == 0
        clock.shift(timedelta(days=3))
        assert sweep()["resolve"] == 1
    assert appeal.events.filter(action="overdue_resolve").count() == 2


def test_closed_and_cancelled_appeals_are_not_escalated(world, make_appeal):
    past = timezone.now() - timedelta(days=1)
    make_appeal(Status.CLOSED, resolve_due_at=past)
    make_appeal(Status.CANCELLED, resolve_due_at=past)
    assert sweep() == {"respond": 0, "resolve": 0}


def test_the_sweep_runs_as_a_command_and_as_a_periodic_task(world, make_appeal, capsys):
    make_appeal(Status.IN_PROGRESS, resolve_due_at=timezone.now() - timedelta(minutes=1))
    call_command("appeals_sweep")
    assert "超期未办结督办 1 件" in capsys.readouterr().out
    assert any(t is appeals_sweep_task and s == 60 for t, s in PERIODIC)
    make_appeal(Status.IN_PROGRESS, resolve_due_at=timezone.now() - timedelta(minutes=1))
    assert appeals_sweep_task.enqueue().return_value == {"respond": 0, "resolve": 1}
