"""Each indicator on a hand-computed scenario (the `world` fixture: 广文街道 with 文化路社区 A1, A2 and
松鹤园社区 B1; each grid branch has three members, A1-0 … A1-2). "Today" is 2026-04-15 unless stated, so
the first quarter has ended and April has not."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from redgrid.assessment import indicators as I
from redgrid.assessment import periods, records, rollup
from redgrid.assessment.tests.kpi_helpers import (
    account_for,
    applicant,
    at,
    committee,
    dual_service,
    evaluation,
    meeting,
    node,
    pay,
    step,
    study,
    value,
    volunteer,
    wish,
)

TZ = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2026, 4, 15, 10, 0, tzinfo=TZ)


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False) as clock:
        yield clock


def test_branch_life_counts_each_required_meeting_once_per_period(world, today):
    """A1 (with a committee): 支委会 Jan only, 主题党日 Jan and Feb, 支部党员大会 in Q1, no 党课, 谈心谈话 Feb.
    Q1 requirements due: 支委会 ×3, 主题党日 ×3, 大会 ×1, 党课 ×1 = 8, of which 4 kept; the yearly 谈心谈话
    counts once held (1/1): 5/9. A2 (no committee; a party group held a 党小组会 in January): 党小组会 ×3,
    主题党日 ×3, 大会, 党课 = 8 due, 1 kept. B1: 主题党日 ×3, 大会, 党课 = 5 due, none kept."""
    from redgrid.party.models import PartyOrg

    a1, a2 = world.orgs["A1"], world.orgs["A2"]
    committee(a1, [world.members["A1-0"], world.members["A1-1"]])
    a1.refresh_from_db()
    group = a2.add_child(name="A2第一党小组", kind=PartyOrg.Kind.GROUP)
    meeting(a1, "branch_committee", date(2026, 1, 5))
    meeting(a1, "theme_day", date(2026, 1, 10))
    meeting(a1, "theme_day", date(2026, 2, 12))
    meeting(a1, "general_assembly", date(2026, 3, 20))
    meeting(a1, "talk", date(2026, 2, 1))
    meeting(group, "group_meeting", date(2026, 1, 18))
    rollup.fold()

    assert value(a1, "branch_life", "2026-Q1")[:2] == (5, 9)
    assert value(a1, "branch_life", "2026-02")[:2] == (2, 3)  # 支委会 missed, 主题党日 and 谈心谈话 held
    assert value(a1, "branch_life", "2026-04")[2] is None  # nothing has come due in April yet
    assert value(a2, "branch_life", "2026-Q1")[:2] == (1, 8)
    assert value(world.orgs["B1"], "branch_life", "2026-Q1")[:2] == (0, 5)
    assert value(world.regions["wenhua"], "branch_life", "2026-Q1")[:2] == (6, 17)
    assert value(world.regions["guangwen"], "branch_life", "2026-Q1")[:2] == (6, 22)
    assert value(world.orgs["guangwen"], "branch_life", "2026-Q1")[:2] == (6, 22)

    overdue = records.records(node(a1), I.get("branch_life"), periods.parse("2026-Q1"), failed_only=True)
    labels = sorted(r.label for r in overdue)
    assert len(labels) == 4
    assert sum("支委会" in label for label in labels) == 2 and sum("党课" in label for label in labels) == 1


def test_dues_on_time_counts_member_months_that_have_ended(world, today):
    """A1-0 paid January on the 20th, February late (3 March), nothing for March, April on the 2nd; A1-1
    and A1-2 paid nothing. Q1: 9 member-months due, 1 on time. April: only A1-0's early payment counts."""
    m = world.members["A1-0"]
    pay(m, 2026, 1, date(2026, 1, 20))
    pay(m, 2026, 2, date(2026, 3, 3))
    pay(m, 2026, 4, date(2026, 4, 2))
    rollup.fold()

    a1 = world.orgs["A1"]
    assert value(a1, "dues_on_time", "2026-Q1")[:2] == (1, 9)
    assert value(a1, "dues_on_time", "2026-02")[:2] == (0, 3)
    assert value(a1, "dues_on_time", "2026-04")[:2] == (1, 1)
    assert value(world.regions["A1"], "dues_on_time", "2026-Q1")[:2] == (1, 9)
    late = [
        r.label
        for r in records.item_records(
            records.records(node(a1), I.get("dues_on_time"), periods.parse("2026-02"), failed_only=True)
        )
    ]
    assert any("逾期补缴" in label for label in late) and sum("到期未缴" in label for label in late) == 2


def test_recruitment_kept_counts_timed_steps_and_files_past_their_deadline(world, today):
    """File 1 (A1): step 2 on time in January, step 16 recorded late (with an explanation) in February,
    step 17 due 31 March and not done. File 2 (A2): next deadline in May. Q1 for A1: 1 kept of 3."""
    a = applicant(
        world.residents["A1-31"],
        world.orgs["A1"],
        step=16,
        applied=date(2025, 12, 20),
        due_on=date(2026, 3, 31),
    )
    step(a, 2, date(2026, 1, 10))
    step(a, 16, date(2026, 2, 20), late=True)
    applicant(
        world.residents["A2-31"], world.orgs["A2"], step=1, applied=date(2026, 4, 1), due_on=date(2026, 5, 1)
    )
    rollup.fold()

    assert value(world.orgs["A1"], "recruitment_kept", "2026-Q1")[:2] == (1, 3)
    assert value(world.orgs["A1"], "recruitment_kept", "2026-02")[:2] == (0, 1)
    assert value(world.orgs["A2"], "recruitment_kept", "2026-Q2")[2] is None
    assert value(world.regions["wenhua"], "recruitment_kept", "2026-Q1")[:2] == (1, 3)


def test_study_hours_and_target_share_are_the_years_totals(world, today):
    """A1-0 studied 32 学时 (32 × 45 minutes), A1-1 16 学时, A1-2 nothing: mean 16 学时, 1 of 3 on target,
    in any period of 2026."""
    u0 = account_for(world.members["A1-0"].person, "m0")
    u1 = account_for(world.members["A1-1"].person, "m1")
    study(u0, 32 * 45 * 60)
    study(u1, 16 * 45 * 60)
    rollup.fold()

    a1 = world.orgs["A1"]
    num, den, avg = value(a1, "study_hours", "2026-04")
    assert (num, den, avg) == (480, 3, 16.0)
    assert value(a1, "study_target", "2026-Q1")[:2] == (1, 3)
    assert value(a1, "study_target", "2026")[:2] == (1, 3)


def test_volunteer_and_dual_report_hours_are_per_member(world, today):
    """March: A1-0 3.5 h of volunteering, A1-1 2.0 h flagged 双报到, a resident who is not a member 5 h;
    A1-2 a confirmed 双报到 service record of 1.5 h and an unconfirmed one of 4 h. Per member of A1 (3):
    volunteering 5.5 ÷ 3, 双报到 (2.0 + 1.5) ÷ 3."""
    u0 = account_for(world.members["A1-0"].person, "m0")
    u1 = account_for(world.members["A1-1"].person, "m1")
    volunteer(world, u0, at(date(2026, 3, 10), 9), "3.5")
    volunteer(world, u1, at(date(2026, 3, 12), 9), "2.0", dual=True)
    volunteer(world, world.user("resident"), at(date(2026, 3, 12), 9), "5.0")
    dual_service(world.members["A1-2"], world.regions["wenhua"], date(2026, 3, 15), "1.5")
    dual_service(world.members["A1-2"], world.regions["wenhua"], date(2026, 3, 16), "4.0", status="submitted")
    rollup.fold()

    a1 = world.orgs["A1"]
    assert value(a1, "volunteer_hours", "2026-03")[2] == pytest.approx(5.5 / 3, abs=1e-4)
    assert value(a1, "dual_hours", "2026-03")[2] == pytest.approx(3.5 / 3, abs=1e-4)
    assert value(a1, "volunteer_hours", "2026-02")[2] == 0
    assert value(world.regions["wenhua"], "volunteer_hours", "2026-03")[2] == pytest.approx(5.5 / 6, abs=1e-4)


def test_wishes_fulfilled_counts_wishes_by_the_day_they_went_up(world, today):
    """A1: one wish up on 2 March and fulfilled, one up on 5 March still claimed, one up in February and
    confirmed, one never approved."""
    wish(world, "A1", approved=at(date(2026, 3, 2)), status="fulfilled")
    wish(world, "A1", approved=at(date(2026, 3, 5)), status="claimed")
    wish(world, "A1", approved=at(date(2026, 2, 27)), status="confirmed")
    wish(world, "A1", approved=None, status="pending")
    rollup.fold()

    assert value(world.regions["A1"], "wishes_fulfilled", "2026-03")[:2] == (1, 2)
    assert value(world.regions["A1"], "wishes_fulfilled", "2026-02")[:2] == (1, 1)
    assert value(world.regions["wenhua"], "wishes_fulfilled", "2026-Q1")[:2] == (2, 3)
    assert value(world.regions["B1"], "wishes_fulfilled", "2026-Q1")[2] is None


def test_online_evaluation_score_is_the_mean_of_the_ratings(world, today):
    """March: branch A1 rated 5 and 3, member A1-0 rated 4 (counts for A1), the 城管 unit rated 2."""
    r = world.user("resident")
    when = at(date(2026, 3, 10))
    evaluation(r, "branch", world.orgs["A1"].pk, 5, when)
    evaluation(world.user("member"), "branch", world.orgs["A1"].pk, 3, when)
    evaluation(r, "member", world.members["A1-0"].pk, 4, when)
    evaluation(r, "unit", world.units["chengguan"].pk, 2, when)
    rollup.fold()

    assert value(world.orgs["A1"], "eval_score", "2026-03")[2] == 4.0
    assert value(world.units["chengguan"], "eval_score", "2026-03")[2] == 2.0
    assert value(world.regions["A1"], "eval_score", "2026-03")[2] == 4.0


def test_appeal_indicators_agree_with_the_appeals_metrics_and_their_records(world):
    """Two appeals in A1 in July 2026: one reported in on time, closed on time and rated 满意; one reported
    in late, still open. Response 1/2, satisfaction 1/1, close 1/2; the records behind each number agree."""
    from datetime import timedelta

    from redgrid.appeals import metrics
    from redgrid.appeals import services as s

    u, units = world.user, world.units
    lights = world.categories["lights"].pk
    with time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=TZ), tick=False) as clock:
        a1 = s.appeal_submit(actor=u("resident"), content="路灯不亮", category=lights).appeal
        a2 = s.appeal_submit(actor=u("resident"), content="井盖松动", category=lights).appeal
        for a in (a1, a2):
            s.appeal_register(actor=u("admin"), appeal=a)
            s.appeal_dispatch(actor=u("street"), appeal=a, unit=units["chengguan"])
        s.appeal_accept(actor=u("unit"), appeal=a1)
        s.appeal_reply(actor=u("unit"), appeal=a1, content="已修复")
        s.appeal_verify(actor=u("gridworker"), appeal=a1, passed=True)
        s.appeal_rate(actor=u("resident"), appeal=a1, rating="satisfied")
        clock.shift(timedelta(days=3))
        s.appeal_accept(actor=u("unit"), appeal=a2)
        clock.shift(timedelta(days=40))
        period = periods.parse("2026-07")
        grid = node(world.regions["A1"])
        m = metrics.compute(world.regions["A1"], *period.bounds)
        for key in (
            "response_rate",
            "satisfaction_rate",
            "close_rate",
            "on_time_close_rate",
            "resolution_rate",
        ):
            num, den, _ = value(world.regions["A1"], key, "2026-07")
            ind = I.get(key)
            assert (num, den) == (getattr(m, ind.appeal_counts[0]), getattr(m, ind.appeal_counts[1]))
            rows = records.records(grid, ind, period)
            assert (sum(r.ok for r in rows), len(rows)) == (num, den), key
        assert value(world.regions["A1"], "response_rate", "2026-07")[:2] == (1, 2)
        assert value(world.regions["A1"], "close_rate", "2026-07")[:2] == (1, 2)
        late = records.records(grid, I.get("response_rate"), period, failed_only=True)
        assert [r.link for r in late] == [f"/appeals/staff/{a2.pk}/"]


def test_indicator_registry_documents_every_indicator():
    for ind in I.INDICATORS.values():
        assert ind.name and ind.doc and ind.levels and ind.direction in ("higher", "lower")
    assert {
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "close_rate",
        "on_time_close_rate",
        "rework_rate",
        "extension_rate",
        "branch_life",
        "dues_on_time",
        "recruitment_kept",
        "study_hours",
        "study_target",
        "volunteer_hours",
        "dual_hours",
        "wishes_fulfilled",
        "eval_score",
    } <= set(I.INDICATORS)
    assert I.get("rework_rate").item_score(0.1, "month") == pytest.approx(0.9)
    assert I.get("volunteer_hours").item_score(1.5, "quarter") == pytest.approx(0.5)  # target 3 h a quarter
