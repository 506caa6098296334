"""A claim not fulfilled within 14 days (rule) returns to the board — swept by a task and a command."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from redgrid.core.models import AuditLog, Notification, Rule
from redgrid.core.rules import invalidate
from redgrid.participation import services as s
from redgrid.participation.tasks import wishes_expire_claims_task

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_claim_returns_to_the_board_after_14_days(world, wishes, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        wish = wishes.make("claimed")
    with time_machine.travel(T0 + timedelta(days=13, hours=23), tick=False):
        assert s.wishes_expire_claims() == 0
    with time_machine.travel(T0 + timedelta(days=14, minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert s.wishes_expire_claims() == 1
    wish.refresh_from_db()
    assert wish.status == "open" and wish.claimed_by is None and wish.claim_due_at is None
    event = wish.events.last()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "expire",
        "claimed",
        "open",
        None,
    )
    assert AuditLog.objects.filter(action="wish.expire", object_id=str(wish.pk), actor_name="系统").exists()
    told = set(
        Notification.objects.filter(title__contains="超期").values_list("recipient__username", flat=True)
    )
    assert told == {"resident", "member"}
    # The member may claim it again; the sweep does nothing the second time.
    assert s.wishes_expire_claims() == 0


def test_a_fulfilled_wish_is_never_returned(world, wishes):
    with time_machine.travel(T0, tick=False):
        wish = wishes.make("fulfilled")
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        assert s.wishes_expire_claims() == 0
    wish.refresh_from_db()
    assert wish.status == "fulfilled"


def test_the_sweep_skips_a_claim_that_changed_after_it_was_read(world, wishes, monkeypatch):
    """Compare-and-swap: a release and re-claim between the read and the update is left alone."""
    with time_machine.travel(T0, tick=False):
        wish = wishes.make("claimed")
    from redgrid.participation.models import Wish

    real_filter = Wish.objects.filter

    with time_machine.travel(T0 + timedelta(days=15), tick=False):
        due = list(Wish.objects.filter(pk=wish.pk).values_list("pk", "claimed_by_id", "claim_due_at"))
        s.wish_release(actor=world.user("member"), wish=wish)
        s.wish_claim(actor=world.user("member"), wish=wish)  # a fresh claim with a new deadline

        class Stale:
            def values_list(self, *a, **k):
                return due

        monkeypatch.setattr(
            Wish.objects,
            "filter",
            lambda *a, **k: Stale() if "claim_due_at__lte" in k else real_filter(*a, **k),
        )
        assert s.wishes_expire_claims() == 0
    wish.refresh_from_db()
    assert wish.status == "claimed"


def test_the_claim_period_is_a_rule(world, wishes):
    Rule.objects.create(key="wish.claim_days", value=3)
    invalidate()
    with time_machine.travel(T0, tick=False):
        wish = wishes.make("claimed")
    assert wish.claim_due_at == T0 + timedelta(days=3)


def test_the_periodic_task_and_the_command_run_the_sweep(world, wishes, capsys):
    from redgrid.core.tasks import PERIODIC

    assert any(t is wishes_expire_claims_task and sec == 3600 for t, sec in PERIODIC)
    with time_machine.travel(T0, tick=False):
        wishes.make("claimed", title="一")
        wishes.make("claimed", title="二")
    with time_machine.travel(T0 + timedelta(days=15), tick=False):
        assert wishes_expire_claims_task.enqueue().return_value == 2
        wishes.make("claimed", title="三")
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        call_command("wishes_expire_claims")
    assert "退回 1 个" in capsys.readouterr().out
