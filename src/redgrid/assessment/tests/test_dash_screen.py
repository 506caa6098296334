"""The leader's large screen: scoped JSON endpoints on a small hand-built scenario, its roll-up kept equal to
recomputation, and numbers that click through to the records behind them."""

import random
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from redgrid.appeals.models import Appeal, Status
from redgrid.assessment import dash_rollup, dashboards

TZ = timezone.get_default_timezone()
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=TZ)
SCREEN = "/api/v1/assessment/dash/screen"
MAP = "/api/v1/assessment/dash/map"
GRIDS = "/api/v1/assessment/dash/grids"


@pytest.fixture(autouse=True)
def _fresh_caches():
    dash_rollup.clear_caches()
    yield
    dash_rollup.clear_caches()


def appeal(world, grid, *, status=Status.REGISTERED, category="lights", **fields):
    street = world.regions["dongguan" if grid == "C1" else "guangwen"]
    return Appeal.objects.create(
        content=fields.pop("content", "路灯不亮"),
        grid=world.regions[grid] if grid else None,
        street=street,
        category=world.categories[category] if category else None,
        status=status,
        owner_unit=world.units["chengguan"]
        if status in ("dispatched", "in_progress", "replied", "closed")
        else None,
        **fields,
    )


@pytest.fixture
def scenario(world):
    """广文街道: A1 two open (one past its deadline), B1 one closed today; 东关街道: C1 one open."""
    with time_machine.travel(NOW, tick=False):
        appeal(world, "A1", resolve_due_at=NOW + timedelta(days=3))
        appeal(world, "A1", resolve_due_at=NOW - timedelta(hours=2))
        appeal(world, "B1", status=Status.CLOSED, closed_at=NOW, resolve_due_at=NOW + timedelta(days=1))
        appeal(world, "C1", resolve_due_at=NOW + timedelta(days=3))
    return world


def test_the_leader_sees_the_counters_of_their_street_only(scenario, client, login):
    login(scenario.user("leader"))
    with time_machine.travel(NOW, tick=False):
        data = client.get(SCREEN).json()
    assert data["node"]["name"] == "广文街道"
    c = data["counters"]
    assert (c["today"], c["intake_30d"], c["closed_30d"], c["open"], c["overdue"]) == (3, 3, 1, 2, 1)


def test_the_counters_link_to_the_queue_filtered_to_the_same_records(scenario, client, login):
    login(scenario.user("leader"))
    with time_machine.travel(NOW, tick=False):
        links = client.get(SCREEN).json()["counters"]["links"]
        page = client.get(links["overdue"])
    assert page.status_code == 200
    ids = {a.pk for a in page.context["rows"]}
    assert ids == set(
        Appeal.objects.filter(grid=scenario.regions["A1"], resolve_due_at__lt=NOW).values_list(
            "pk", flat=True
        )
    )


def test_the_map_colours_each_grid_by_open_appeals_per_thousand_residents(scenario, client, login):
    login(scenario.user("leader"))
    with time_machine.travel(NOW, tick=False):
        features = {g["name"]: g for g in client.get(MAP).json()["grids"]}
        shapes = client.get(GRIDS).json()["features"]
    a1 = features["文化路社区A1网格"]
    # A1 has 4 households × 2 residents = 8 residents and 2 open appeals: 2 / 8 × 1000.
    assert (a1["residents"], a1["open"], a1["overdue"], a1["load"]) == (8, 2, 1, 250.0)
    assert features["松鹤园社区B1网格"]["open"] == 0
    assert "中学街社区C1网格" not in features
    assert {f["properties"]["code"] for f in shapes} == {g["code"] for g in features.values()}
    assert shapes[0]["geometry"]["type"] == "Polygon"


def test_an_outsider_street_gets_404_for_another_streets_screen_and_map(scenario, client, login):
    login(scenario.user("outsider_street"))
    guangwen = scenario.regions["guangwen"].pk
    assert client.get(SCREEN, {"node": guangwen}).status_code == 404
    assert client.get(MAP, {"node": guangwen}).status_code == 404
    assert client.get(GRIDS, {"node": guangwen}).status_code == 404
    assert client.get("/assessment/screen/", {"node": guangwen}).status_code == 404
    login(scenario.user("outsider_street"))
    with time_machine.travel(NOW, tick=False):
        own = client.get(SCREEN).json()
    assert own["counters"]["open"] == 1


def test_a_community_account_sees_its_community_and_not_the_sibling(scenario, client, login):
    login(scenario.user("outsider_community"))  # 松鹤园社区
    with time_machine.travel(NOW, tick=False):
        data = client.get(SCREEN).json()
        names = [g["name"] for g in client.get(MAP).json()["grids"]]
        assert client.get(SCREEN, {"node": scenario.regions["wenhua"].pk}).status_code == 404
    assert data["node"]["name"] == "松鹤园社区"
    assert names == ["松鹤园社区B1网格"]


def test_residents_and_unit_handlers_have_no_screen(scenario, client, login):
    for name in ("resident", "unit"):
        login(scenario.user(name))
        assert client.get(SCREEN).status_code == 404


def test_the_trend_counts_received_and_closed_appeals_by_day(world, client, login):
    day1 = NOW - timedelta(days=2)
    with time_machine.travel(day1, tick=False):
        a = appeal(world, "A1")
        appeal(world, "A2")
    with time_machine.travel(NOW, tick=False):
        a.status, a.closed_at, a.owner_unit = Status.CLOSED, NOW, world.units["chengguan"]
        a.save()
        login(world.user("leader"))
        trend = client.get(SCREEN).json()["trend"]
    by_day = dict(zip(trend["days"], zip(trend["intake"], trend["closed"], strict=True), strict=True))
    assert len(trend["days"]) == 90
    assert by_day[day1.date().isoformat()] == (2, 0)
    assert by_day[NOW.date().isoformat()] == (0, 1)


def test_top_categories_count_first_level_categories_and_link_to_their_appeals(scenario, client, login):
    login(scenario.user("leader"))
    with time_machine.travel(NOW, tick=False):
        cats = client.get(SCREEN).json()["categories"]
        assert [(c["name"], c["count"]) for c in cats] == [("城乡建设", 3)]
        rows = client.get(cats[0]["link"]).context["rows"]
    assert len(rows) == 3


def test_the_roll_up_equals_recomputation_after_random_changes(world):
    rng = random.Random(7)
    made = []
    for _step in range(60):
        when = NOW - timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23))
        with time_machine.travel(when, tick=False):
            action = rng.choice(["new", "new", "close", "reopen", "move", "recategorise", "delete"])
            if action == "new" or not made:
                made.append(
                    appeal(
                        world,
                        rng.choice(["A1", "A2", "B1", "C1", None]),
                        category=rng.choice(["lights", "urban", None]),
                    )
                )
                continue
            a = rng.choice(made)
            if action == "close":
                a.status, a.closed_at, a.owner_unit = Status.CLOSED, timezone.now(), world.units["chengguan"]
            elif action == "reopen":
                a.status = Status.IN_PROGRESS
                a.owner_unit = world.units["chengguan"]
            elif action == "move":
                a.grid = world.regions[rng.choice(["A1", "A2", "B1"])]
            elif action == "recategorise":
                a.category = world.categories[rng.choice(["lights", "urban"])]
            elif action == "delete":
                made.remove(a)
                a.delete()
                continue
            a.save()
    _facts, expected = dash_rollup.expected()
    assert dash_rollup.stored_rows() == expected
    street = world.regions["guangwen"]
    with time_machine.travel(NOW, tick=False):
        assert dashboards.trend(street) == dashboards.trend_raw(street)
        assert dashboards.top_categories(street) == dashboards.top_categories_raw(street)
        for key, value in dashboards.counters_raw(street).items():
            assert dashboards.counters(world.user("admin"), street)[key] == value
    dash_rollup.rebuild()
    assert dash_rollup.stored_rows() == expected


def test_the_unit_ranking_lists_units_with_the_three_rates(scenario, client, login):
    login(scenario.user("leader"))
    with time_machine.travel(NOW, tick=False):
        units = client.get(SCREEN).json()["units"]
    assert {u["name"] for u in units} >= {"城管执法"}
    assert set(units[0]) >= {"response_rate", "resolution_rate", "satisfaction_rate", "score"}


def test_the_screen_page_loads_its_data_from_the_json_endpoints(scenario, client, login):
    login(scenario.user("leader"))
    page = client.get("/assessment/screen/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/api/v1/assessment/dash/map?node={scenario.regions['guangwen'].pk}" in html
    assert "<script>" not in html  # CSP: no inline scripts
