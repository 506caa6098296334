"""The daily roll-ups give exactly the numbers recomputed from the raw rows.

The property tests drive random sequences of actions through the real services (fixed seeds, time
travel with midnights, ties and long gaps), then compare the roll-up metrics with the raw recomputation
for every node and many whole-day periods, and check that `appeals_rollup --rebuild` writes the same
table the actions kept in step.
"""

import random
from dataclasses import fields
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

from redgrid.appeals import metrics, rollup, workflow
from redgrid.appeals import services as s
from redgrid.appeals.models import ROLLUP_COUNTERS, Appeal, AppealDaily, AppealEvent, AppealRating
from redgrid.core.api import Conflict
from redgrid.core.models import Rule

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=TZ)
POINTS = {"A1": (36.705, 119.105), "A2": (36.705, 119.115), "B1": (36.705, 119.125), "C1": (36.705, 119.205)}
OUTSIDE = (36.72, 119.105)  # near A1 but in no grid: the 广文街道 triage queue
FAILURES = (Conflict, ValidationError, PermissionDenied)
# Progress is likelier than dead ends and detours, so that many appeals get to ratings and reopening.
WEIGHTS = {
    **{a: 4.0 for a in ("accept", "reply", "verify", "rate", "reopen")},
    **{a: 1.0 for a in ("extend", "approve_extension", "reassign")},
    **{a: 0.4 for a in ("return", "deny_extension", "merge")},
    **{a: 0.1 for a in ("reject", "cancel")},
}


def test_the_rollup_counters_are_the_metrics_counters():
    assert ROLLUP_COUNTERS == tuple(f.name for f in fields(metrics.Metrics))


class Driver:
    """Random actions through the services, with the clock moving between them."""

    def __init__(self, world, rng: random.Random, clock):
        self.w, self.rng, self.clock = world, rng, clock
        self.units = [world.units[k] for k in ("chengguan", "water", "police_dg")]
        self.admin = world.user("admin")

    def tick(self):
        r = self.rng.random()
        if r < 0.2:
            return  # several actions at the same instant (ties)
        if r < 0.7:
            self.clock.shift(timedelta(minutes=self.rng.randint(1, 240)))
        elif r < 0.95:
            self.clock.shift(timedelta(hours=self.rng.randint(4, 60)))
        else:
            self.clock.shift(timedelta(days=self.rng.randint(3, 20)))

    def submit(self):
        rng, w = self.rng, self.w
        where = rng.choice([*POINTS, "outside", "home"])
        reporter = w.user("outsider_resident" if where == "C1" else "resident")
        kwargs = {}
        if where in POINTS:
            kwargs["lat"], kwargs["lng"] = POINTS[where]
        elif where == "outside":
            kwargs["lat"], kwargs["lng"] = OUTSIDE
        category = w.categories["lights"].pk if rng.random() < 0.8 else None
        s.appeal_submit(actor=reporter, content=f"路灯不亮{rng.random()}", category=category, **kwargs)

    def act(self, appeal: Appeal):
        rng, admin = self.rng, self.admin
        choices = workflow.actions_from(appeal.status)
        if not choices:
            return
        action = rng.choices(choices, [WEIGHTS.get(c, 1.0) for c in choices])[0]
        reporter = appeal.reporter
        unit = rng.choice(self.units)
        calls = {
            "register": lambda: s.appeal_register(
                actor=admin,
                appeal=appeal,
                category=self.w.categories["lights"].pk,
                grid=rng.choice([None, None, *[self.w.regions[k] for k in POINTS]]),
                urgency=rng.choice([None, "urgent", "general"]),
            ),
            "reject": lambda: s.appeal_reject(actor=admin, appeal=appeal, reason="不属于受理范围"),
            "dispatch": lambda: s.appeal_dispatch(actor=admin, appeal=appeal, unit=unit),
            "whistle": lambda: s.appeal_whistle(
                actor=admin, appeal=appeal, lead_unit=unit, units=rng.sample(self.units, rng.randint(0, 2))
            ),
            "accept": lambda: s.appeal_accept(
                actor=admin,
                appeal=appeal,
                unit=rng.choice(
                    list(appeal.tasks.filter(ended_at__isnull=True).values_list("unit_id", flat=True))
                    or [None]
                ),
            ),
            "return": lambda: s.appeal_return(actor=admin, appeal=appeal, reason="非本单位职责"),
            "reassign": lambda: s.appeal_reassign(actor=admin, appeal=appeal, unit=unit),
            "reply": lambda: s.appeal_reply(actor=admin, appeal=appeal, content="已处理"),
            "verify": lambda: s.appeal_verify(
                actor=admin, appeal=appeal, passed=rng.random() < 0.8, note="现场未整改"
            ),
            "rate": lambda: s.appeal_rate(
                actor=reporter,
                appeal=appeal,
                rating=rng.choice(["satisfied", "basically_satisfied", "unsatisfied"]),
            ),
            "reopen": lambda: s.appeal_reopen(actor=reporter, appeal=appeal, reason="没修好"),
            "extend": lambda: s.appeal_extend(
                actor=admin, appeal=appeal, days=rng.randint(1, 3), reason="需采购"
            ),
            "approve_extension": lambda: s.appeal_approve_extension(actor=admin, appeal=appeal),
            "deny_extension": lambda: s.appeal_deny_extension(actor=admin, appeal=appeal),
            "merge": lambda: s.appeal_merge(actor=admin, appeal=appeal, into=self.other_open(appeal)),
            "cancel": lambda: s.appeal_cancel(actor=reporter, appeal=appeal),
        }
        if action in ("rate", "reopen", "cancel") and reporter is None:
            return
        try:
            calls[action]()
        except FAILURES:
            pass  # an action the state does not allow (reopen after a good rating…): nothing changed

    def other_open(self, appeal):
        others = list(
            Appeal.objects.filter(
                status__in=["received", "registered", "in_progress"], merged_into__isnull=True
            )
            .exclude(pk=appeal.pk)
            .values_list("pk", flat=True)
        )
        return self.rng.choice(others) if others else appeal.pk

    def live(self) -> list[Appeal]:
        """Appeals an action can still move: not rejected or cancelled, and not closed with a good
        rating for the current round (whose only actions left would fail)."""
        ended = AppealRating.objects.filter(round=F("appeal__round"), rating__in=metrics.GOOD).values(
            "appeal"
        )
        return list(
            Appeal.objects.exclude(status__in=["rejected", "cancelled"])
            .exclude(status="closed", pk__in=ended)
            .order_by("pk")
        )

    def run(self, steps: int):
        for _ in range(steps):
            self.tick()
            live = self.live()
            if not live or self.rng.random() < 0.12:
                self.submit()
            else:
                self.act(self.rng.choice(live))


def _nodes(world):
    return [*world.regions.values(), *world.units.values()]


def _periods(rng, first, last, count):
    """Whole-day periods inside and around [first, last]: single days, weeks, months, and all of it."""
    span = (last - first).days + 2
    out = [(first - timedelta(days=1), last + timedelta(days=2))]
    for _ in range(count):
        start = first + timedelta(days=rng.randint(-1, span))
        out.append((start, start + timedelta(days=rng.choice([1, 1, 2, 7, 30, span]))))
    return [
        (
            datetime.combine(a, datetime.min.time(), tzinfo=TZ),
            datetime.combine(b, datetime.min.time(), tzinfo=TZ),
        )
        for a, b in out
    ]


def _assert_same(world, rng, periods=12):
    days = sorted({e.at.astimezone(TZ).date() for a in Appeal.objects.all() for e in a.events.all()})
    mismatches = []
    for start, end in _periods(rng, days[0], days[-1], periods):
        for node in _nodes(world):
            fast, raw = metrics.compute(node, start, end), metrics.compute_raw(node, start, end)
            if fast != raw:
                mismatches.append((str(node), start.date(), end.date(), fast, raw))
    assert not mismatches, mismatches[:3]


@pytest.fixture
def generous_limits(db):
    Rule.objects.create(key="appeals.intake.per_account_per_hour", value=100000)
    Rule.objects.create(key="appeals.reopen.max", value=3)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_action_sequences_give_the_raw_numbers_through_the_rollups(world, generous_limits, seed):
    rng = random.Random(seed)
    with time_machine.travel(T0 + timedelta(minutes=seed * 97), tick=False) as clock:
        Driver(world, rng, clock).run(150)
    done = set(AppealEvent.objects.values_list("action", flat=True))
    assert done >= {"register", "whistle", "accept", "verify", "rate", "reopen", "merge"}
    _assert_same(world, rng)


def test_a_unit_counts_an_appeal_it_rated_by_the_latest_rating_of_any_unit(world, generous_limits):
    """Round 1 by 城管 is rated 不满意 on 03-02, reopened and reassigned to 供水; round 2 is rated 满意 on
    03-04. For 城管, a period holding only its rating counts the appeal unresolved, a longer one resolved."""
    admin, resident, units = world.user("admin"), world.user("resident"), world.units
    with time_machine.travel(T0, tick=False) as clock:
        appeal = s.appeal_submit(
            actor=resident, content="路灯不亮", category=world.categories["lights"].pk
        ).appeal
        s.appeal_register(actor=admin, appeal=appeal)
        s.appeal_dispatch(actor=admin, appeal=appeal, unit=units["chengguan"])
        for unit, rating, days in ((units["chengguan"], "unsatisfied", 1), (units["water"], "satisfied", 2)):
            s.appeal_accept(actor=admin, appeal=appeal, unit=unit)
            s.appeal_reply(actor=admin, appeal=appeal, content="已修复")
            s.appeal_verify(actor=admin, appeal=appeal, passed=True)
            clock.shift(timedelta(days=days))
            s.appeal_rate(actor=resident, appeal=appeal, rating=rating)
            if rating == "unsatisfied":
                s.appeal_reopen(actor=resident, appeal=appeal)
                s.appeal_reassign(actor=admin, appeal=appeal, unit=units["water"])
    day, first = timedelta(days=1), datetime(2026, 3, 1, tzinfo=TZ)
    for start, end in ((first, first + n * day) for n in (1, 2, 3, 4, 5)):
        for node in (units["chengguan"], units["water"], world.regions["A1"], world.regions["county"]):
            assert metrics.compute(node, start, end) == metrics.compute_raw(node, start, end), (node, end)
    only_first = metrics.compute(units["chengguan"], first + day, first + 2 * day)
    assert (only_first.rated_appeals, only_first.resolved_appeals) == (1, 0)
    both = metrics.compute(units["chengguan"], first, first + 5 * day)
    assert (both.rated_appeals, both.resolved_appeals) == (1, 1)


def test_rebuild_writes_the_table_the_actions_kept_and_a_partial_rebuild_too(world, generous_limits):
    rng = random.Random(11)
    with time_machine.travel(T0, tick=False) as clock:
        Driver(world, rng, clock).run(120)
    kept = rollup.stored_rows()
    assert kept == rollup.expected_rows()
    call_command("appeals_rollup", "--rebuild")
    assert rollup.stored_rows() == kept
    middle = sorted(day for (_, _, day) in kept[0])[len(kept[0]) // 2]
    call_command("appeals_rollup", "--rebuild", "--since", middle.isoformat())
    assert rollup.stored_rows() == kept
    call_command("appeals_rollup", "--check")


def test_the_check_finds_a_drifted_table_and_the_rebuild_repairs_it(world, generous_limits):
    rng = random.Random(12)
    with time_machine.travel(T0, tick=False) as clock:
        Driver(world, rng, clock).run(60)
    row = AppealDaily.objects.filter(should_close__gt=0).first()
    AppealDaily.objects.filter(pk=row.pk).update(should_close=row.should_close + 5)
    with pytest.raises(CommandError, match="不一致"):
        call_command("appeals_rollup", "--check")
    call_command("appeals_rollup", "--rebuild")
    call_command("appeals_rollup", "--check")
    _assert_same(world, rng, periods=4)


def test_a_period_that_is_not_whole_days_is_recomputed_from_the_raw_rows(world, generous_limits):
    rng = random.Random(13)
    with time_machine.travel(T0, tick=False) as clock:
        Driver(world, rng, clock).run(60)
    AppealDaily.objects.all().delete()  # the roll-ups are not read for such a period
    start, end = T0 - timedelta(hours=3), T0 + timedelta(days=30, hours=5)
    street = world.regions["guangwen"]
    assert metrics.compute(street, start, end) == metrics.compute_raw(street, start, end)
    assert metrics.compute(street, start, end).should_close > 0


def test_the_rebuild_command_refuses_unclear_options(db):
    with pytest.raises(CommandError):
        call_command("appeals_rollup")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("appeals_rollup", "--rebuild", "--since", "昨天")


@pytest.mark.django_db(transaction=True)
def test_concurrent_actions_on_different_appeals_add_up_in_the_shared_rows(world, generous_limits):
    """Four threads (four connections) walk their own appeals through the workflow at the same time;
    every action adds to the same street, community and unit rows of the day."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    admin, resident, lights = world.user("admin"), world.user("resident"), world.categories["lights"].pk
    appeals = [
        s.appeal_submit(actor=resident, content=f"路灯不亮{i}", category=lights).appeal for i in range(12)
    ]

    def walk(part):
        try:
            for appeal in part:
                s.appeal_register(actor=admin, appeal=appeal)
                s.appeal_dispatch(actor=admin, appeal=appeal, unit=world.units["chengguan"])
                s.appeal_accept(actor=admin, appeal=appeal)
                s.appeal_reply(actor=admin, appeal=appeal, content="已修复")
                s.appeal_verify(actor=admin, appeal=appeal, passed=True)
                s.appeal_rate(actor=resident, appeal=appeal, rating="satisfied")
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(walk, [appeals[i::4] for i in range(4)]))
    assert rollup.stored_rows() == rollup.expected_rows()
    today = datetime.combine(datetime.now(TZ).date(), datetime.min.time(), tzinfo=TZ)
    start, end = today - timedelta(days=1), today + timedelta(days=2)
    m = metrics.compute(world.regions["guangwen"], start, end)
    assert m == metrics.compute_raw(world.regions["guangwen"], start, end)
    assert (m.should_close, m.closed, m.ratings) == (12, 12, 12)
