"""Test fixtures shared by every app (loaded as a pytest plugin from the root conftest.py).

`world` builds a small deterministic tree with two streets so every role has an **outsider** in a
sibling subtree (healthchecks' alice/bob/charlie pattern):

    山东省 / 潍坊市 / 奎文区
      广文街道 ── 文化路社区 ── 网格 A1 (gridworker, branch A1), 网格 A2 (outsider gridworker, branch A2)
               └─ 松鹤园社区 ── 网格 B1                              (outsider community)
      东关街道 ── 中学街社区 ── 网格 C1                              (outsider street)

Each grid is a 0.01° square with one building, four households and two residents per household.
"""

from dataclasses import dataclass, field
from datetime import date

import pytest

PASSWORD = "Test@2026x"


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
        ],
    }


@dataclass
class World:
    regions: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    residents: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)

    def user(self, name):
        return self.users[name]


def page_queries(client, url: str) -> int:
    """How many queries a page costs (it must answer 200): compared before and after adding rows, it shows
    that a list page does not query once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def make_user(username: str, *, role=None, password: str = PASSWORD, person=None, phone: str = "", **node):
    from redgrid.accounts.models import RoleGrant, User

    user = User(username=username, display_name=username, person=person)
    if phone:
        user.phone = phone
    user.set_password(password)
    user.save()
    if role:
        RoleGrant.objects.create(user=user, role=role, **node)
    return user


def build_world() -> World:
    from redgrid.party.models import PartyMember, PartyOrg
    from redgrid.regions.models import Building, Household, Region, Resident
    from redgrid.units.models import Category, Unit

    w = World()
    province = Region.add_root(code="370000000000", name="山东省", level="province")
    city = province.add_child(code="370700000000", name="潍坊市", level="city")
    county = city.add_child(code="370705000000", name="奎文区", level="county")
    guangwen = county.add_child(code="370705007000", name="广文街道", level="street")
    county.refresh_from_db()
    dongguan = county.add_child(code="370705001000", name="东关街道", level="street")
    wenhua = guangwen.add_child(code="370705007008", name="文化路社区", level="community")
    guangwen.refresh_from_db()
    songhe = guangwen.add_child(code="370705007007", name="松鹤园社区", level="community")
    zhongxue = dongguan.add_child(code="370705001001", name="中学街社区", level="community")
    w.regions.update(
        province=province,
        city=city,
        county=county,
        guangwen=guangwen,
        dongguan=dongguan,
        wenhua=wenhua,
        songhe=songhe,
        zhongxue=zhongxue,
    )
    grids = [
        ("A1", wenhua, "001", 119.10),
        ("A2", wenhua, "002", 119.11),
        ("B1", songhe, "001", 119.12),
        ("C1", zhongxue, "001", 119.20),
    ]
    n = 0
    for key, community, seq, lng in grids:
        community.refresh_from_db()
        grid = community.add_child(
            code=f"{community.code}{seq}",
            name=f"{community.name}{key}网格",
            level="grid",
            geometry=square(lng, 36.70),
            center_lng=lng + 0.005,
            center_lat=36.705,
        )
        w.regions[key] = grid
        building = Building.objects.create(
            grid=grid, name="1号楼", address=f"{key}路1号1号楼", lng=lng + 0.005, lat=36.705
        )
        for h in range(4):
            household = Household.objects.create(
                building=building, unit_no=1, room=f"10{h + 1}", address=f"{key}路1号1号楼1单元10{h + 1}室"
            )
            for p in range(2):
                n += 1
                r = Resident(
                    name=f"{key}居民{h}{p}",
                    gender="M" if p == 0 else "F",
                    household=household,
                    birth_date=date(1970 + n % 30, 1 + n % 12, 1 + n % 28),
                    relation="户主" if p == 0 else "配偶",
                )
                r.id_number = f"37070519{70 + n % 30:02d}0101{n:03d}X"[:18]
                r.phone = f"139{n:08d}"
                r.tags = ["低保"] if n % 5 == 0 else []
                r.save()
                w.residents[f"{key}-{h}{p}"] = r
    committee = PartyOrg.add_root(name="广文街道党工委", kind="working_committee")
    committee.regions.set([guangwen])
    for key in ("A1", "A2", "B1"):
        committee.refresh_from_db()
        branch = committee.add_child(name=f"{key}网格党支部", kind="grid_branch")
        branch.regions.set([w.regions[key]])
        w.orgs[key] = branch
    other = PartyOrg.add_root(name="东关街道党工委", kind="working_committee")
    other.regions.set([dongguan])
    branch_c = other.add_child(name="C1网格党支部", kind="grid_branch")
    branch_c.regions.set([w.regions["C1"]])
    w.orgs.update(guangwen=committee, dongguan=other, C1=branch_c)
    for key in ("A1", "A2", "B1", "C1"):
        for i, status in enumerate(["full", "full", "probationary"]):
            person = w.residents[f"{key}-{i}0"]
            w.members[f"{key}-{i}"] = PartyMember.objects.create(
                person=person, org=w.orgs[key], status=status, joined_on=date(2010, 1, 1)
            )
    root = Category.add_root(name="城乡建设", level=1)
    mid = root.add_child(name="城市建设和市政管理", level=2)
    w.categories.update(urban=root, municipal=mid, lights=mid.add_child(name="城市公共设施", level=3))
    w.units["chengguan"] = Unit.objects.create(
        name="奎文区综合行政执法局", short_name="城管执法", area=county
    )
    w.units["water"] = Unit.objects.create(name="自来水公司", short_name="供水", kind="company", area=county)
    w.units["police_dg"] = Unit.objects.create(name="东关派出所", short_name="派出所", area=dongguan)
    w.units["chengguan"].categories.set([mid])

    u = w.users
    u["resident"] = make_user("resident", person=w.residents["A1-31"], phone="13900009999")
    u["member"] = make_user("member", person=w.residents["A1-10"])
    u["outsider_resident"] = make_user("outsider_resident", person=w.residents["C1-31"])
    u["gridworker"] = make_user("gridworker", role="gridworker", region=w.regions["A1"])
    u["outsider_gridworker"] = make_user("outsider_gridworker", role="gridworker", region=w.regions["A2"])
    u["branch"] = make_user("branch", role="branch", party_org=w.orgs["A1"])
    u["outsider_branch"] = make_user("outsider_branch", role="branch", party_org=w.orgs["A2"])
    u["community"] = make_user("community", role="community", region=wenhua)
    u["outsider_community"] = make_user("outsider_community", role="community", region=songhe)
    u["street"] = make_user("street", role="street", region=guangwen)
    u["outsider_street"] = make_user("outsider_street", role="street", region=dongguan)
    u["unit"] = make_user("unit", role="unit", unit=w.units["chengguan"])
    u["outsider_unit"] = make_user("outsider_unit", role="unit", unit=w.units["water"])
    u["leader"] = make_user("leader", role="leader", region=guangwen)
    u["admin"] = make_user("admin", role="admin", region=province)
    return w


@pytest.fixture(autouse=True)
def _fresh_rules_cache():
    """The rules-table cache is process memory and survives a test's rollback: start every test clean."""
    from redgrid.core import calendar, rules

    rules.invalidate()
    calendar.invalidate()
    yield
    rules.invalidate()
    calendar.invalidate()


@pytest.fixture(autouse=True)
def _no_shared_appeals_model(monkeypatch, tmp_path_factory):
    """Each test starts without a trained appeals model unless it trains one (demo steps write one)."""
    monkeypatch.setenv("REDGRID_APPEALS_MODEL", str(tmp_path_factory.mktemp("model") / "appeals.joblib"))


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def login(client):
    """`login(user)` logs the Django test client in as that account and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api_token(client):
    """`api_token(user)` returns headers with a fresh Bearer token for that account."""

    def _token(user):
        from redgrid.core.api import issue_token

        return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}

    return _token
