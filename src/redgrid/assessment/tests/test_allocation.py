"""资源配置建议: a dense, older, high-demand community ranks first, and its inputs and formula are shown."""

from datetime import date

import pytest

from redgrid.appeals.models import Appeal
from redgrid.assessment import allocation, dash_rollup
from redgrid.regions.models import Household, Resident


@pytest.fixture(autouse=True)
def _fresh_caches():
    dash_rollup.clear_caches()


@pytest.fixture
def needy(world):
    """文化路社区: 16 more residents in A1, everyone born in 1945, six appeals; 松鹤园社区: one appeal."""
    a1 = world.regions["A1"]
    building = a1.buildings.get()
    for h in range(4):
        household = Household.objects.create(
            building=building, room=f"20{h}", address=f"A1路1号1号楼1单元20{h}室"
        )
        for p in range(4):
            Resident.objects.create(name=f"新居民{h}{p}", gender="F", household=household, education="小学")
    Resident.objects.filter(household__building__grid__path__startswith=world.regions["wenhua"].path).update(
        birth_date=date(1945, 5, 1)
    )
    for i in range(6):
        Appeal.objects.create(
            content=f"诉求{i}", grid=world.regions["A1" if i % 2 else "A2"], street=world.regions["guangwen"]
        )
    Appeal.objects.create(content="诉求", grid=world.regions["B1"], street=world.regions["guangwen"])
    return world


def test_the_area_of_a_grid_comes_from_its_boundary():
    # A 0.01° square at 36.7° N: 1.1132 km × (1.1132 km × cos 36.705°).
    km2 = allocation.area_km2(
        {
            "type": "Polygon",
            "coordinates": [[[119.1, 36.7], [119.11, 36.7], [119.11, 36.71], [119.1, 36.71], [119.1, 36.7]]],
        }
    )
    assert km2 == pytest.approx(0.9935, abs=0.001)
    assert allocation.area_km2(None) is None


def test_the_largest_remainder_split_adds_up_to_the_budget():
    parts = allocation.largest_remainder({"a": 0.5, "b": 0.3, "c": 0.2}, 7)
    assert sum(parts.values()) == 7 and parts == {"a": 4, "b": 2, "c": 1}
    assert allocation.largest_remainder({"a": 0, "b": 0}, 5) == {"a": 0, "b": 0}


def test_a_dense_older_high_demand_community_ranks_first(needy):
    communities = [needy.regions[k] for k in ("wenhua", "songhe", "zhongxue")]
    result = allocation.proposal(communities, budget={"volunteer_teams": 10, "service_terminals": 6})
    wenhua = needy.regions["wenhua"].pk
    for resource in ("volunteer_teams", "service_terminals"):
        assert result["ranking"][resource][0] == wenhua
    row = next(r for r in result["rows"] if r.region.pk == wenhua)
    assert row.inputs["residents"] == 32 and row.inputs["grids"] == 2 and row.inputs["appeals"] == 6
    assert row.indicators["elderly_share"] == 1.0
    assert row.indicators["density"] == pytest.approx(32 / (2 * 0.9935), rel=0.01)
    assert row.indicators["appeals_per_1k"] == pytest.approx(6 / 32 * 1000, rel=0.001)
    # The score is Σ weight × value ÷ max; wenhua holds every maximum of the volunteer-team indicators it leads.
    terms = {t["indicator"]: t for t in row.scores["volunteer_teams"]["terms"]}
    assert terms["elderly_share"]["normalised"] == 1.0
    assert row.scores["volunteer_teams"]["score"] == pytest.approx(
        sum(t["contribution"] for t in terms.values())
    )
    assert sum(r.scores["volunteer_teams"]["allocation"] for r in result["rows"]) == 10


def test_the_page_shows_inputs_weights_and_formula(needy, client, login):
    login(needy.user("admin"))
    page = client.get("/assessment/allocation/", {"node": needy.regions["county"].pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "文化路社区" in html and "assessment.allocation.weights" in html
    assert "得分 = Σ 权重" in html
    first = html.index("志愿服务队：共")
    assert html.index("文化路社区", first) < html.index("松鹤园社区", first)


def test_an_outsider_street_cannot_see_another_streets_allocation(needy, client, login):
    login(needy.user("outsider_street"))
    assert client.get("/assessment/allocation/", {"node": needy.regions["guangwen"].pk}).status_code == 404
    response = client.get("/api/v1/assessment/allocation", {"node": needy.regions["guangwen"].pk})
    assert response.status_code == 404
    own = client.get("/api/v1/assessment/allocation").json()
    assert [c["name"] for c in own["communities"]] == ["中学街社区"]
