"""Region, org and unit pages: content, scope, and query counts."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_node_page_lists_children_with_household_counts(world, client):
    client.force_login(world.user("community"))
    html = client.get(f"/regions/nodes/{world.regions['wenhua'].pk}/").content.decode()
    assert world.regions["A1"].name in html and world.regions["A2"].name in html
    assert "<td>4</td><td>8</td>" in html  # 4 households, 8 residents per grid


def test_the_node_page_is_404_outside_the_subtree(world, client):
    client.force_login(world.user("community"))
    assert client.get(f"/regions/nodes/{world.regions['songhe'].pk}/").status_code == 404


def test_the_tree_navigator_loads_children_lazily_and_in_scope(world, client):
    client.force_login(world.user("street"))
    html = client.get(f"/regions/nodes/{world.regions['guangwen'].pk}/children/").content.decode()
    assert "文化路社区" in html and "松鹤园社区" in html
    assert client.get(f"/regions/nodes/{world.regions['dongguan'].pk}/children/").status_code == 404


def test_the_region_search_only_finds_nodes_in_scope(world, client):
    client.force_login(world.user("community"))
    html = client.get("/regions/search/", {"q": "社区"}).content.decode()
    assert "文化路社区" in html and "松鹤园社区" not in html and "中学街社区" not in html


def test_the_map_data_holds_only_grids_in_scope(world, client):
    client.force_login(world.user("community"))
    features = client.get("/regions/map/grids.geojson").json()["features"]
    assert {f["properties"]["code"] for f in features} == {world.regions["A1"].code, world.regions["A2"].code}
    assert features[0]["properties"]["value"] == 4


def test_the_grid_page_names_the_responsible_branch(world, client):
    client.force_login(world.user("gridworker"))
    assert "A1网格党支部" in client.get(f"/regions/grids/{world.regions['A1'].pk}/").content.decode()


def test_the_unit_list_shows_the_units_of_the_account(world, client, django_assert_max_num_queries):
    client.force_login(world.user("unit"))
    client.get("/units/")
    # session, user, grants (scope), nav roots/orgs/units, count, page of units (joined area),
    # categories of the page, idle-timeout grant check, session save
    with django_assert_max_num_queries(12):
        html = client.get("/units/").content.decode()
    assert "奎文区综合行政执法局" in html and "自来水公司" not in html


def test_the_org_list_takes_a_fixed_number_of_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.user("street"))
    client.get("/party/orgs/")
    # session, user, grants, nav roots/orgs/units, anchored org paths, count, page, member counts of the
    # page, idle-timeout grant check, session save
    with django_assert_max_num_queries(13):
        html = client.get("/party/orgs/").content.decode()
    assert "A1网格党支部" in html and "C1网格党支部" not in html


def test_the_coverage_report_of_an_admin_spans_every_street(world, client):
    world.orgs["B1"].regions.clear()
    world.orgs["C1"].regions.clear()
    client.force_login(world.user("admin"))
    html = client.get("/party/coverage/").content.decode()
    assert world.regions["B1"].name in html and world.regions["C1"].name in html
