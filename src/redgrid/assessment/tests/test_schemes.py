"""Schemes (考核方案): weights are validated (sum 100, nothing half-saved), change the ranking at once,
are edited by administrators only, on the staff page or the service, and every change is audited."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from redgrid.assessment import nodes as N
from redgrid.assessment import periods, rollup, schemes, selectors
from redgrid.assessment.models import Scheme, SchemeEvent
from redgrid.assessment.tests.kpi_helpers import at, pay, wish
from redgrid.core.models import AuditLog

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def grid_scheme(db):
    return Scheme.objects.get(level="grid", period="month", is_active=True)


@pytest.fixture
def march(world):
    """A1 fulfilled its only wish of March but collected no dues; A2 collected every member's March dues on
    time but its wish is still open."""
    with time_machine.travel(datetime(2026, 4, 15, 10, 0, tzinfo=TZ), tick=False):
        wish(world, "A1", approved=at(date(2026, 3, 2)), status="fulfilled")
        wish(world, "A2", approved=at(date(2026, 3, 3)), status="claimed")
        for i in range(3):
            pay(world.members[f"A2-{i}"], 2026, 3, date(2026, 3, 10))
        rollup.fold()
        yield


def _order(world):
    ranking = selectors.ranking(
        world.user("community"), N.Node("region", world.regions["wenhua"]), "grid", periods.parse("2026-03")
    )
    return [(r.node.name, r.score) for r in ranking.rows]


def test_default_schemes_exist_for_every_level_and_period(db):
    active = Scheme.objects.filter(is_active=True)
    assert {(s.level, s.period) for s in active} == {
        (lv, p) for lv in ("street", "community", "grid", "unit", "org") for p in ("month", "quarter", "year")
    }
    for s in active:
        assert sum(i.weight for i in s.items.all()) == 100


def test_weights_decide_the_order_of_the_ranking(world, grid_scheme, march):
    admin = world.user("admin")
    schemes.scheme_update(
        actor=admin, scheme=grid_scheme, items=[("wishes_fulfilled", 80), ("dues_on_time", 20)]
    )
    assert _order(world) == [("文化路社区A1网格", 80.0), ("文化路社区A2网格", 20.0)]
    schemes.scheme_update(
        actor=admin, scheme=grid_scheme, items=[("wishes_fulfilled", 20), ("dues_on_time", 80)]
    )
    assert _order(world) == [("文化路社区A2网格", 80.0), ("文化路社区A1网格", 20.0)]


def test_a_target_below_one_lets_a_rate_earn_full_marks(world, grid_scheme, march):
    schemes.scheme_update(
        actor=world.user("admin"),
        scheme=grid_scheme,
        items=[("dues_on_time", 50, "0.5"), ("wishes_fulfilled", 50)],
    )
    assert dict(_order(world)) == {"文化路社区A1网格": 50.0, "文化路社区A2网格": 50.0}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([("wishes_fulfilled", 60), ("dues_on_time", 39)], "合计应为 100"),
        ([("no_such", 100)], "未知的考核指标"),
        ([("wishes_fulfilled", 120), ("dues_on_time", -20)], "0–100"),
        ([("wishes_fulfilled", 50), ("dues_on_time", 50, "1.5")], "0–1"),
        ([("wishes_fulfilled", "五十"), ("dues_on_time", 50)], "不是数字"),
        ([("wishes_fulfilled", 0)], "至少需要一个"),
    ],
)
def test_invalid_weights_are_refused_and_nothing_is_saved(world, grid_scheme, items, message):
    before = [(i.indicator, i.weight) for i in grid_scheme.items.all()]
    with pytest.raises(ValidationError, match=message):
        schemes.scheme_update(actor=world.user("admin"), scheme=grid_scheme, items=items)
    grid_scheme.refresh_from_db()
    assert grid_scheme.version == 1
    assert [(i.indicator, i.weight) for i in grid_scheme.items.all()] == before


def test_an_indicator_that_does_not_apply_to_the_level_is_refused(world):
    unit_scheme = Scheme.objects.get(level="unit", period="month", is_active=True)
    with pytest.raises(ValidationError, match="不适用于责任单位"):
        schemes.scheme_update(actor=world.user("admin"), scheme=unit_scheme, items=[("branch_life", 100)])


def test_only_administrators_change_schemes(world, grid_scheme):
    for name in ("street", "leader", "community"):
        with pytest.raises(PermissionDenied):
            schemes.scheme_update(
                actor=world.user(name), scheme=grid_scheme, items=[("wishes_fulfilled", 100)]
            )


def test_every_change_is_an_event_and_an_audit_row(world, grid_scheme):
    admin = world.user("admin")
    schemes.scheme_update(actor=admin, scheme=grid_scheme, items=[("wishes_fulfilled", 100)], note="试行")
    event = SchemeEvent.objects.filter(scheme=grid_scheme).latest("id")
    assert event.action == "update" and event.actor == admin and event.note == "试行"
    assert event.data["items"] == [["wishes_fulfilled", "100", None]]
    assert AuditLog.objects.filter(action="assessment.scheme.update", object_id=str(grid_scheme.pk)).exists()
    grid_scheme.refresh_from_db()
    assert grid_scheme.version == 2


def test_a_new_active_scheme_replaces_the_old_one_which_can_be_activated_again(world, grid_scheme):
    admin = world.user("admin")
    new = schemes.scheme_create(
        actor=admin, name="网格月度（试行）", level="grid", period="month", items=[("wishes_fulfilled", 100)]
    )
    grid_scheme.refresh_from_db()
    assert new.is_active and not grid_scheme.is_active
    schemes.scheme_activate(actor=admin, scheme=grid_scheme)
    new.refresh_from_db()
    assert (
        not new.is_active and Scheme.objects.get(level="grid", period="month", is_active=True) == grid_scheme
    )


def test_the_administrator_edits_weights_on_the_staff_page(world, grid_scheme, login):
    client = login(world.user("admin"))
    url = f"/assessment/schemes/{grid_scheme.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "w_wishes_fulfilled" in page.content.decode()
    form = {"name": grid_scheme.name, "w_wishes_fulfilled": "60", "w_dues_on_time": "30", "note": "调整"}
    bad = client.post(url, form)
    assert bad.status_code == 400 and "合计应为 100" in bad.content.decode()
    form["w_dues_on_time"] = "40"
    assert client.post(url, form).status_code == 302
    assert {i.indicator: float(i.weight) for i in grid_scheme.items.all()} == {
        "wishes_fulfilled": 60.0,
        "dues_on_time": 40.0,
    }


def test_other_staff_read_schemes_but_cannot_post(world, grid_scheme, login):
    client = login(world.user("leader"))
    url = f"/assessment/schemes/{grid_scheme.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "保存方案" not in page.content.decode()
    assert client.post(url, {"w_wishes_fulfilled": "100"}).status_code == 403
    assert client.get("/assessment/schemes/new/").status_code == 403
