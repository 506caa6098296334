"""The ranking, node and records pages, the API and the report downloads: what each role sees, and that
a node outside the viewer's subtree answers 404 like a missing one."""

import re
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine

from redgrid.assessment import nodes as N
from redgrid.assessment import periods, reports, rollup, selectors
from redgrid.assessment.tests.kpi_helpers import at, committee, meeting, pay, wish

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def scene(world):
    """March 2026, seen on 15 April: wishes in A1, A2 and B1 (and C1 of the other street), dues, and a
    支委会-bearing A1 branch that held its meeting in January only."""
    with time_machine.travel(datetime(2026, 4, 15, 10, 0, tzinfo=TZ), tick=False) as clock:
        wish(world, "A1", approved=at(date(2026, 3, 2)), status="fulfilled", title="修自行车")
        wish(world, "A2", approved=at(date(2026, 3, 3)), status="claimed", title="辅导数学")
        wish(world, "B1", approved=at(date(2026, 3, 4)), status="confirmed", title="一袋大米")
        wish(world, "C1", approved=at(date(2026, 3, 5)), status="open", title="东关的心愿")
        pay(world.members["A1-0"], 2026, 3, date(2026, 3, 8))
        committee(world.orgs["A1"], [world.members["A1-0"], world.members["A1-1"]])
        world.orgs["A1"].refresh_from_db()
        meeting(world.orgs["A1"], "branch_committee", date(2026, 1, 6))
        rollup.fold()
        yield clock


def _names(html: str) -> list[str]:
    return re.findall(r'<td class="name"><a [^>]*>([^<]+)</a>', html)


# --- pages -------------------------------------------------------------------------------------------------------


def test_the_leader_ranks_the_communities_of_the_street_and_drills_down(world, scene, login):
    client = login(world.user("leader"))
    page = client.get("/assessment/?period=2026-03").content.decode()
    assert sorted(_names(page)) == ["文化路社区", "松鹤园社区"]
    assert "中学街社区" not in page  # the other street
    assert "接诉即办考核排名" in page and "下载 Excel" in page
    wenhua = world.regions["wenhua"]
    grids = client.get(f"/assessment/?node=region:{wenhua.pk}&level=grid&period=2026-03").content.decode()
    assert sorted(_names(grids)) == ["文化路社区A1网格", "文化路社区A2网格"]
    detail = client.get(f"/assessment/node/region:{world.regions['A1'].pk}/?period=2026-03").content.decode()
    assert "微心愿实现率" in detail and "100.0%" in detail
    records = client.get(
        f"/assessment/node/region:{world.regions['A2'].pk}/records/wishes_fulfilled/?period=2026-03&failed=1"
    ).content.decode()
    assert "辅导数学" in records and "修自行车" not in records


def test_records_behind_a_number_show_the_branches_overdue_on_their_committee_meeting(world, scene, login):
    client = login(world.user("community"))
    url = f"/assessment/node/org:{world.orgs['A1'].pk}/records/branch_life/?period=2026-Q1&failed=1"
    page = client.get(url).content.decode()
    assert page.count("支委会") >= 2 and "逾期未召开" in page
    assert "支委会 · 2026年1月" not in page and "支委会 · 2026年2月" in page  # January's was held


def test_a_ranking_table_sorts_by_an_indicator(world, scene, login):
    client = login(world.user("community"))
    wenhua = world.regions["wenhua"]
    url = f"/assessment/?node=region:{wenhua.pk}&level=grid&period=2026-03&sort=wishes_fulfilled"
    assert _names(client.get(url + "&dir=desc").content.decode()) == ["文化路社区A1网格", "文化路社区A2网格"]
    assert _names(client.get(url + "&dir=asc").content.decode()) == ["文化路社区A2网格", "文化路社区A1网格"]


@pytest.mark.parametrize(
    ("viewer", "node"),
    [
        ("outsider_community", "region:wenhua"),
        ("outsider_street", "region:guangwen"),
        ("community", "region:songhe"),
        ("outsider_branch", "org:A1"),
        ("branch", "org:A2"),
        ("unit", "unit:water"),
        ("outsider_unit", "unit:chengguan"),
    ],
)
def test_nodes_outside_the_subtree_answer_404_everywhere(world, scene, login, api_token, viewer, node):
    tree, key = node.split(":")
    obj = {"region": world.regions, "org": world.orgs, "unit": world.units}[tree][key]
    node_key = f"{tree}:{obj.pk}"
    client = login(world.user(viewer))
    assert client.get(f"/assessment/?node={node_key}").status_code == 404
    assert client.get(f"/assessment/node/{node_key}/").status_code == 404
    assert client.get(f"/assessment/node/{node_key}/records/wishes_fulfilled/").status_code == 404
    assert client.get(f"/assessment/export.xlsx?node={node_key}").status_code == 404
    headers = api_token(world.user(viewer))
    assert client.get(f"/api/v1/assessment/rankings?node={node_key}", **headers).status_code == 404
    assert client.get(f"/api/v1/assessment/nodes/{node_key}", **headers).status_code == 404
    assert (
        client.get(f"/api/v1/assessment/nodes/{node_key}/records/dues_on_time", **headers).status_code == 404
    )


def test_a_community_leader_sees_only_its_own_subtree(world, scene):
    community = world.user("community")
    start = N.start_node(community)
    assert start.obj == world.regions["wenhua"]
    ranked = selectors.ranking(community, start, "org", periods.parse("2026-03"))
    assert [r.node.obj for r in ranked.rows] == [world.orgs["A1"], world.orgs["A2"]]


def test_residents_have_no_assessment_pages(world, scene, login, api_token):
    client = login(world.user("resident"))
    assert client.get("/assessment/").status_code == 302
    headers = api_token(world.user("resident"))
    assert client.get("/api/v1/assessment/rankings", **headers).status_code == 404


def test_a_unit_handler_sees_its_units_scores(world, scene, login):
    client = login(world.user("unit"))
    page = client.get(f"/assessment/node/unit:{world.units['chengguan'].pk}/?period=2026-03")
    assert page.status_code == 200 and "响应率" in page.content.decode()


# --- API ----------------------------------------------------------------------------------------------------


def test_the_rankings_api_returns_scores_and_the_indicator_breakdown(world, scene, client, api_token):
    headers = api_token(world.user("leader"))
    wenhua = world.regions["wenhua"]
    r = client.get(f"/api/v1/assessment/rankings?node={wenhua.pk}&level=grid&period=2026-03", **headers)
    assert r.status_code == 200
    body = r.json()
    assert body["level"] == "grid" and body["period"]["key"] == "2026-03"
    assert body["scheme"]["level"] == "grid" and sum(i["weight"] for i in body["scheme"]["items"]) == 100
    rows = {row["node"]["name"]: row for row in body["rows"]}
    assert set(rows) == {"文化路社区A1网格", "文化路社区A2网格"}
    wishes = {c["indicator"]: c for c in rows["文化路社区A1网格"]["indicators"]}["wishes_fulfilled"]
    assert (wishes["numerator"], wishes["denominator"], wishes["value"]) == (1, 1, 1.0)
    assert rows["文化路社区A1网格"]["rank"] == 1
    default = client.get("/api/v1/assessment/rankings?period=2026-03", **headers).json()
    assert default["node"]["name"] == "广文街道" and default["level"] == "community"


def test_the_api_lists_schemes_indicators_details_and_records(world, scene, client, api_token):
    headers = api_token(world.user("street"))
    assert len(client.get("/api/v1/assessment/schemes?active=true", **headers).json()) == 15
    keys = {i["key"] for i in client.get("/api/v1/assessment/indicators", **headers).json()}
    assert "branch_life" in keys and "response_rate" in keys
    a1 = world.regions["A1"]
    detail = client.get(f"/api/v1/assessment/nodes/region:{a1.pk}?period=2026-03", **headers).json()
    assert detail["node"]["level"] == "grid" and len(detail["trend"]) == 6
    org = world.orgs["A1"]
    rec = client.get(
        f"/api/v1/assessment/nodes/org:{org.pk}/records/branch_life?period=2026-Q1&failed=true", **headers
    ).json()
    assert rec["count"] >= 2 and all(not item["ok"] for item in rec["items"])
    assert client.get("/api/v1/assessment/rankings").status_code == 401
    bad = client.get("/api/v1/assessment/rankings?period=2026-13", **headers)
    assert bad.status_code == 400 and "月份" in bad.json()["detail"]


# --- reports ---------------------------------------------------------------------------------------------------


def test_the_ranking_downloads_as_an_excel_workbook(world, scene, login):
    from openpyxl import load_workbook

    client = login(world.user("leader"))
    wenhua = world.regions["wenhua"]
    r = client.get(f"/assessment/export.xlsx?node=region:{wenhua.pk}&level=grid&period=2026-03")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    wb = load_workbook(BytesIO(r.content))
    ws = wb["排名"]
    assert "文化路社区" in ws["A1"].value and "2026年3月" in ws["A1"].value
    header = [c.value for c in ws[4]]
    assert header[:4] == ["名次", "名称", "综合得分", "指标覆盖"] and "微心愿实现率" in header
    names = {ws.cell(row=i, column=2).value for i in range(5, ws.max_row + 1)}
    assert names == {"文化路社区A1网格", "文化路社区A2网格"}
    assert {"方案", "指标说明"} <= set(wb.sheetnames)


def test_the_ranking_downloads_as_a_printable_pdf_with_its_page_count(world, scene, login):
    client = login(world.user("leader"))
    r = client.get("/assessment/export.pdf?period=2026-03")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert re.search(rb"/Count 1\b", r.content)
    assert b"STSong-Light" in r.content


def test_a_long_ranking_runs_over_several_numbered_pages(world, scene):
    ranking = selectors.ranking(
        world.user("leader"),
        N.Node("region", world.regions["guangwen"]),
        "community",
        periods.parse("2026-03"),
    )
    ranking.rows = ranking.rows * 40
    body = reports.pdf(ranking)
    pages = int(re.search(rb"/Count (\d+)", body).group(1))
    assert pages >= 2
    assert len(re.findall(rb"/Type /Page\b", body)) == pages


def test_the_records_page_costs_the_same_queries_however_many_records_it_lists(world, scene, login):
    from redgrid.testing import page_queries

    client = login(world.user("leader"))
    url = f"/assessment/node/region:{world.regions['A2'].pk}/records/wishes_fulfilled/?period=2026-03"
    client.get(url)  # warm the session and rules caches
    before = page_queries(client, url)
    for i in range(4):
        wish(world, "A2", approved=at(date(2026, 3, 10 + i)), status="claimed", title=f"心愿{i}")
    rollup.fold()
    assert page_queries(client, url) == before
    assert "心愿3" in client.get(url).content.decode()


def test_a_ranking_costs_the_same_few_queries_however_many_nodes_it_ranks(
    world, scene, django_assert_num_queries
):
    leader = world.user("leader")
    street = N.Node("region", world.regions["guangwen"])
    N.start_node(leader)  # the account's grants are read once per request (scope_of caches them)
    for level in ("community", "grid"):
        # 1 the active scheme, 2 its items, 3 the nodes in scope, 4–5 the appeals roll-ups (daily rows and
        # the rows straddling the end), 6 the daily facts of every node, 7 the yearly member snapshots
        with django_assert_num_queries(7):
            selectors.ranking(leader, street, level, periods.parse("2026-03"))


def test_the_administrator_creates_and_activates_a_new_scheme_on_the_page(world, login):
    from redgrid.assessment.models import Scheme

    client = login(world.user("admin"))
    assert client.get("/assessment/schemes/new/?level=org&period=quarter").status_code == 200
    form = {
        "level": "org",
        "period": "quarter",
        "name": "党支部季度考核（试行）",
        "w_branch_life": "70",
        "w_dues_on_time": "30",
        "active": "1",
    }
    response = client.post("/assessment/schemes/new/", form)
    new = Scheme.objects.get(name="党支部季度考核（试行）")
    assert response.status_code == 302 and new.is_active
    assert Scheme.objects.filter(level="org", period="quarter", is_active=True).get() == new
    listing = client.get("/assessment/schemes/?level=org").content.decode()
    assert "党支部季度考核（试行）" in listing and "组织生活合规率 70" in listing
