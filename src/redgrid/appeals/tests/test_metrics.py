"""The indicators on a hand-computed scenario (July 2026, 广文街道 and the outsider 东关街道).

| appeal | grid | story                                                                          |
|--------|------|--------------------------------------------------------------------------------|
| a1     | A1   | dispatch 城管 → report-in on time → closed on time → 满意                      |
| a2     | A1   | dispatch 城管 → report-in late → +3 days approved → closed on time → 不满意 →  |
|        |      | 重办 → closed again → 基本满意                                                  |
| a3     | A2   | whistle 城管 (on time) + 供水 (late) → closed late → 不满意                     |
| a4     | B1   | dispatch 城管 → 退单 without report-in → dispatch 供水 → on time, still open    |
| a5     | A1   | registered, merged into a2 (not counted)                                       |
| a6     | C1   | the outsider street: dispatch 派出所 → on time → closed → 满意                 |
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from redgrid.appeals import metrics
from redgrid.appeals import services as s

TZ = ZoneInfo("Asia/Shanghai")
START, END = datetime(2026, 7, 1, tzinfo=TZ), datetime(2026, 8, 1, tzinfo=TZ)


@pytest.fixture
def scenario(world):
    u, units, lights = world.user, world.units, world.categories["lights"].pk
    street, unit, water = u("street"), u("unit"), u("outsider_unit")

    def new(reporter="resident", **where):
        appeal = s.appeal_submit(actor=u(reporter), content="路灯不亮", category=lights, **where).appeal
        s.appeal_register(actor=u("admin"), appeal=appeal)
        return appeal

    def close(appeal, verifier="gridworker", rating=None, reporter="resident", handler=unit):
        s.appeal_reply(actor=handler, appeal=appeal, content="已修复")
        s.appeal_verify(actor=u(verifier), appeal=appeal, passed=True)
        if rating:
            s.appeal_rate(actor=u(reporter), appeal=appeal, rating=rating)

    with time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=TZ), tick=False) as clock:
        a1, a2 = new(), new()
        a3 = new(lat=36.705, lng=119.115)
        a4 = new(address="B1路1号1号楼")
        a5 = new()
        a6 = new("outsider_resident")
        s.appeal_merge(actor=street, appeal=a5, into=a2)
        clock.shift(timedelta(minutes=10))  # 09:10
        for a in (a1, a2, a4):
            s.appeal_dispatch(actor=street, appeal=a, unit=units["chengguan"])  # report in by 07-02 09:10
        s.appeal_whistle(
            actor=street, appeal=a3, lead_unit=units["chengguan"], units=[units["water"]]
        )  # by 09:40
        s.appeal_dispatch(actor=u("outsider_street"), appeal=a6, unit=units["police_dg"])
        clock.shift(timedelta(minutes=10))  # 09:20
        for a in (a1, a3):
            s.appeal_accept(actor=unit, appeal=a)
        s.appeal_accept(actor=u("admin"), appeal=a6)
        clock.shift(timedelta(minutes=40))  # 10:00
        s.appeal_accept(actor=water, appeal=a3)  # 20 minutes late
        s.appeal_return(actor=unit, appeal=a4, reason="供水管道问题")
        s.appeal_dispatch(actor=street, appeal=a4, unit=units["water"])
        s.appeal_accept(actor=water, appeal=a4)
        clock.shift(timedelta(days=1, hours=2))  # 07-02 12:00
        s.appeal_accept(actor=unit, appeal=a2)  # late
        s.appeal_extend(actor=unit, appeal=a2, days=3, reason="需采购灯具")
        s.appeal_approve_extension(actor=street, appeal=a2)  # due 07-08 09:00 → 07-11 09:00
        clock.shift(timedelta(days=1))  # 07-03
        close(a1, rating="satisfied")
        close(a6, verifier="admin", rating="satisfied", reporter="outsider_resident", handler=u("admin"))
        clock.shift(timedelta(days=7))  # 07-10 12:00
        close(a2, rating="unsatisfied")
        s.appeal_reopen(actor=u("resident"), appeal=a2)
        clock.shift(timedelta(days=2))  # 07-12
        close(a2, rating="basically_satisfied")
        clock.shift(timedelta(days=8))  # 07-20: a3 is late (due 07-08)
        close(a3, verifier="community", rating="unsatisfied")
    return world


def _rates(node):
    return metrics.compute(node, START, END).as_dict()["rates"]


def test_the_street_indicators_match_the_hand_computation(scenario):
    r = _rates(scenario.regions["guangwen"])
    assert r["response_rate"] == 0.5  # on time: a1, a3 城管, a4 供水 / 6 tasks
    assert r["satisfaction_rate"] == 0.5  # 满意 a1, 基本满意 a2 / 4 ratings
    assert r["resolution_rate"] == 0.6667  # latest rating good: a1, a2 / rated a1, a2, a3
    assert r["close_rate"] == 0.75  # closed a1, a2, a3 / registered a1–a4 (a5 merged)
    assert r["on_time_close_rate"] == 0.5  # a1, a2 / 4
    assert r["rework_rate"] == 0.3333  # a2 / closed once a1, a2, a3
    assert r["extension_rate"] == 0.25  # a2 / dispatched a1–a4
    assert r["score"] == round(100 * (0.5 * 30 + 0.6667 * 35 + 0.5 * 35) / 100, 2)


def test_the_community_indicators_leave_out_the_other_community(scenario):
    r = _rates(scenario.regions["wenhua"])
    assert r["response_rate"] == 0.5  # a1, a3 城管 / a1, a2, a3 × 2
    assert r["close_rate"] == 1.0
    assert r["on_time_close_rate"] == 0.6667
    assert r["extension_rate"] == 0.3333


def test_the_unit_indicators_count_only_that_units_tasks_and_ratings(scenario):
    chengguan = _rates(scenario.units["chengguan"])
    assert chengguan["response_rate"] == 0.5  # a1, a3 / a1, a2, a3, a4 (returned)
    assert chengguan["satisfaction_rate"] == 0.5
    assert chengguan["close_rate"] == 1.0  # owns a1, a2, a3
    water = _rates(scenario.units["water"])
    assert water["response_rate"] == 0.5  # a4 on time, a3 late
    assert water["satisfaction_rate"] is None
    assert water["close_rate"] == 0.0  # owns a4, still open


def test_the_outsider_street_sees_only_its_own_appeal(scenario):
    r = _rates(scenario.regions["dongguan"])
    assert r["response_rate"] == 1.0 and r["satisfaction_rate"] == 1.0 and r["close_rate"] == 1.0


def test_a_period_before_the_scenario_is_empty(scenario):
    m = metrics.compute(scenario.regions["guangwen"], datetime(2026, 6, 1, tzinfo=TZ), START)
    assert m.should_close == 0 and m.response_rate is None and m.score is None
