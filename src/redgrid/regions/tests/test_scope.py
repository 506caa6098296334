"""Scope: every role sees its subtree and gets 404 for the sibling subtree, on pages and in the API."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "inside", "outside"),
    [
        ("gridworker", "A1", "A2"),
        ("community", "A1", "B1"),
        ("street", "B1", "C1"),
        ("leader", "A2", "C1"),
        ("outsider_street", "C1", "A1"),
    ],
)
def test_grid_detail_is_404_outside_the_subtree_on_pages_and_api(world, client, api_token, role, inside, outside):
    user = world.user(role)
    headers = api_token(user)
    assert client.get(f"/api/v1/grids/{world.regions[inside].pk}", **headers).status_code == 200
    assert client.get(f"/api/v1/grids/{world.regions[outside].pk}", **headers).status_code == 404
    client.force_login(user)
    assert client.get(f"/regions/grids/{world.regions[inside].pk}/").status_code == 200
    assert client.get(f"/regions/grids/{world.regions[outside].pk}/").status_code == 404


def test_a_missing_grid_answers_the_same_404_as_one_outside_the_subtree(world, client, api_token):
    headers = api_token(world.user("gridworker"))
    missing = client.get("/api/v1/grids/999999", **headers)
    outside = client.get(f"/api/v1/grids/{world.regions['C1'].pk}", **headers)
    assert missing.status_code == outside.status_code == 404
    assert missing.json() == outside.json()


def test_the_grid_list_only_contains_grids_of_the_subtree(world, client, api_token):
    body = client.get("/api/v1/grids", **api_token(world.user("community"))).json()
    assert {g["code"] for g in body["items"]} == {world.regions["A1"].code, world.regions["A2"].code}
    assert body["items"][0]["community"]["name"] == "文化路社区"


def test_the_admin_sees_every_grid(world, client, api_token):
    body = client.get("/api/v1/grids", **api_token(world.user("admin"))).json()
    assert body["count"] == 4


def test_a_grid_detail_carries_its_geojson_boundary(world, client, api_token):
    grid = world.regions["A1"]
    body = client.get(f"/api/v1/grids/{grid.pk}", **api_token(world.user("gridworker"))).json()
    assert body["code"] == grid.code and len(body["code"]) == 15
    assert body["geometry"]["type"] == "Polygon"
    assert body["community"]["name"] == "文化路社区"


def test_a_resident_sees_only_the_grids_of_their_own_community(world, client, api_token):
    body = client.get("/api/v1/grids", **api_token(world.user("resident"))).json()
    assert {g["code"] for g in body["items"]} == {world.regions["A1"].code, world.regions["A2"].code}
    assert client.get(f"/api/v1/grids/{world.regions['C1'].pk}", **api_token(world.user("resident"))).status_code == 404


def test_a_unit_handler_sees_their_unit_and_not_another(world, client, api_token):
    body = client.get("/api/v1/units", **api_token(world.user("unit"))).json()
    assert [u["name"] for u in body["items"]] == ["奎文区综合行政执法局"]
    assert body["items"][0]["categories"] == ["城市建设和市政管理"]


def test_a_street_admin_sees_district_units_but_not_another_streets_police(world, client, api_token):
    names = {u["name"] for u in client.get("/api/v1/units", **api_token(world.user("street"))).json()["items"]}
    assert names == {"奎文区综合行政执法局", "自来水公司"}
    names = {u["name"] for u in client.get("/api/v1/units", **api_token(world.user("outsider_street"))).json()["items"]}
    assert "东关派出所" in names


def test_resident_pages_are_404_outside_the_subtree(world, client):
    client.force_login(world.user("gridworker"))
    assert client.get(f"/regions/residents/{world.residents['A1-00'].pk}/").status_code == 200
    assert client.get(f"/regions/residents/{world.residents['A2-00'].pk}/").status_code == 404


def test_party_org_pages_are_404_outside_the_subtree(world, client):
    client.force_login(world.user("branch"))
    assert client.get(f"/party/orgs/{world.orgs['A1'].pk}/").status_code == 200
    assert client.get(f"/party/orgs/{world.orgs['A2'].pk}/").status_code == 404
    client.force_login(world.user("community"))
    assert client.get(f"/party/orgs/{world.orgs['A2'].pk}/").status_code == 200
    assert client.get(f"/party/orgs/{world.orgs['B1'].pk}/").status_code == 404


def test_the_member_roster_of_a_branch_secretary_holds_only_their_branch(world, client):
    client.force_login(world.user("branch"))
    html = client.get("/party/members/").content.decode()
    assert "A1居民000" not in html  # names are A1居民{h}{p}; members are A1居民00, A1居民10, A1居民20
    assert "A1居民10" in html and "A2居民10" not in html


def test_an_absurd_page_number_is_a_422_not_a_server_error(world, client, api_token):
    response = client.get("/api/v1/grids", {"page": 10**30}, **api_token(world.user("street")))
    assert response.status_code == 422
