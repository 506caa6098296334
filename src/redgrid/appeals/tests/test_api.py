"""The REST API: intake, the scoped list and detail, the action endpoints and the metrics."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from redgrid.appeals import workflow
from redgrid.appeals.models import Appeal, Status
from redgrid.appeals.tests.conftest import JPEG

URL = "/api/v1/appeals"


@pytest.fixture
def call(client, api_token, world):
    """`call(user, method, path, json=None)` → response, authenticated with a Bearer token."""

    def _call(user, method, path, json=None, **params):
        headers = api_token(world.user(user))
        if method == "get":
            return client.get(path, params, **headers)
        return client.post(path, json or {}, content_type="application/json", **headers)

    return _call


def test_an_action_endpoint_exists_for_every_transition():
    # Imported here: importing appeals.api before core.api would mount the API without this router.
    from redgrid.appeals.api import ACTIONS

    assert set(ACTIONS) == set(workflow.TRANSITIONS)


def test_a_resident_submits_an_appeal_and_gets_the_grid_and_due_date(call, world):
    response = call(
        "resident",
        "post",
        URL,
        {"content": "楼道灯坏了", "lat": 36.705, "lng": 119.105, "category": world.categories["lights"].pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "received"
    assert body["grid"]["id"] == world.regions["A1"].pk
    assert body["category"]["name"] == "城市公共设施"
    assert body["due_at"] and body["duplicates"] == []
    assert Appeal.objects.get(pk=body["id"]).channel == "api"


def test_empty_content_is_a_400_with_a_chinese_message(call):
    response = call("resident", "post", URL, {"content": " "})
    assert response.status_code == 400
    assert response.json()["detail"] == "请填写诉求内容"


def test_the_rate_limit_answers_429(call):
    for _ in range(10):
        assert call("resident", "post", URL, {"content": "噪音扰民"}).status_code == 201
    response = call("resident", "post", URL, {"content": "噪音扰民"})
    assert response.status_code == 429
    assert "每小时最多反映 10 件" in response.json()["detail"]


def test_anonymous_callers_get_401(client):
    assert client.post(URL, {"content": "x"}, content_type="application/json").status_code == 401


def test_the_whole_loop_over_http(call, world):
    appeal_id = call(
        "resident", "post", URL, {"content": "路灯不亮", "category": world.categories["lights"].pk}
    ).json()["id"]
    steps = [
        ("community", "register", {}),
        ("street", "dispatch", {"unit_id": world.units["chengguan"].pk}),
        ("unit", "accept", {}),
        ("unit", "reply", {"content": "已更换灯泡"}),
        ("gridworker", "verify", {"passed": True, "note": "现场已亮"}),
        ("resident", "rate", {"rating": "satisfied", "comment": "很快"}),
    ]
    for user, action, body in steps:
        response = call(user, "post", f"{URL}/{appeal_id}/{action}", body)
        assert response.status_code == 200, (action, response.content)
    detail = call("resident", "get", f"{URL}/{appeal_id}").json()
    assert detail["status"] == "closed"
    assert [e["action"] for e in detail["timeline"]] == [
        "submit",
        "register",
        "dispatch",
        "accept",
        "reply",
        "verify",
        "rate",
    ]
    assert detail["ratings"][0]["rating"] == "satisfied"
    assert detail["actions"] == []  # rated once; reopening needs an unsatisfied rating


def test_an_illegal_action_is_409_naming_the_state(call, make_appeal, world):
    appeal = make_appeal(Status.CLOSED)
    response = call("street", "post", f"{URL}/{appeal.pk}/dispatch", {"unit_id": world.units["water"].pk})
    assert response.status_code == 409
    assert response.json()["detail"] == "诉求当前状态为「已结案」，不能派遣"


def test_a_visible_appeal_but_a_foreign_action_is_403(call, make_appeal):
    appeal = make_appeal(Status.RECEIVED)
    response = call("gridworker", "post", f"{URL}/{appeal.pk}/register", {})
    assert response.status_code == 403
    assert "无权立案" in response.json()["detail"]


def test_an_unknown_action_is_404(call, make_appeal):
    appeal = make_appeal(Status.RECEIVED)
    assert call("street", "post", f"{URL}/{appeal.pk}/explode", {}).status_code == 404


def test_dispatching_to_a_unit_outside_the_streets_reach_is_404(call, make_appeal, world):
    appeal = make_appeal(Status.REGISTERED)
    response = call("street", "post", f"{URL}/{appeal.pk}/dispatch", {"unit_id": world.units["police_dg"].pk})
    assert response.status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == Status.REGISTERED


def test_verify_without_passed_is_400(call, make_appeal):
    appeal = make_appeal(Status.REPLIED)
    response = call("gridworker", "post", f"{URL}/{appeal.pk}/verify", {})
    assert response.status_code == 400


# --- scope -------------------------------------------------------------------------------------------


@pytest.fixture
def spread(make_appeal):
    """One appeal per grid; A1's and C1's dispatched to their units."""
    return {
        "A1": make_appeal(Status.DISPATCHED, grid="A1", unit="chengguan"),
        "A2": make_appeal(Status.REGISTERED, grid="A2", reporter="member"),
        "B1": make_appeal(Status.REGISTERED, grid="B1", reporter="member"),
        "C1": make_appeal(Status.DISPATCHED, grid="C1", reporter="outsider_resident", unit="water"),
    }


def _ids(call, user):
    response = call(user, "get", URL)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["items"]}


@pytest.mark.parametrize(
    ("user", "grids"),
    [
        ("resident", {"A1"}),
        ("member", {"A2", "B1"}),
        ("outsider_resident", {"C1"}),
        ("gridworker", {"A1"}),
        ("outsider_gridworker", {"A2"}),
        ("community", {"A1", "A2"}),
        ("outsider_community", {"B1"}),
        ("street", {"A1", "A2", "B1"}),
        ("outsider_street", {"C1"}),
        ("unit", {"A1"}),
        ("outsider_unit", {"C1"}),
        ("branch", set()),
        ("admin", {"A1", "A2", "B1", "C1"}),
    ],
)
def test_each_account_lists_only_its_scope(call, spread, user, grids):
    assert _ids(call, user) == {spread[g].pk for g in grids}


def test_outside_the_scope_the_detail_is_404(call, spread):
    assert call("unit", "get", f"{URL}/{spread['C1'].pk}").status_code == 404
    assert call("outsider_community", "get", f"{URL}/{spread['A1'].pk}").status_code == 404
    assert call("outsider_community", "post", f"{URL}/{spread['A1'].pk}/register", {}).status_code == 404
    assert call("community", "get", f"{URL}/{spread['A1'].pk}").status_code == 200


def test_the_list_filters_by_status_grid_and_overdue(call, spread, world):
    Appeal.objects.filter(pk=spread["A2"].pk).update(resolve_due_at=timezone.now() - timedelta(hours=1))
    rows = call("street", "get", URL, status="registered").json()["items"]
    assert {r["id"] for r in rows} == {spread["A2"].pk, spread["B1"].pk}
    rows = call("street", "get", URL, grid=world.regions["B1"].pk).json()["items"]
    assert [r["id"] for r in rows] == [spread["B1"].pk]
    rows = call("street", "get", URL, overdue="true").json()["items"]
    assert [r["id"] for r in rows] == [spread["A2"].pk] and rows[0]["overdue"] is True


def test_the_list_takes_a_fixed_number_of_queries(
    call, make_appeal, django_assert_num_queries, client, world, api_token
):
    for _ in range(5):
        make_appeal(Status.DISPATCHED)
    headers = api_token(world.user("street"))
    # 1 token lookup, 2 token last_used_at update, 3 grants (scope), 4 count, 5 page with its joins
    with django_assert_num_queries(5):
        response = client.get(URL, **headers)
    assert len(response.json()["items"]) == 5


# --- photos and metrics ------------------------------------------------------------------------------


def test_the_reporter_uploads_photos_and_a_fake_one_is_refused(client, api_token, world):
    headers = api_token(world.user("resident"))
    appeal_id = client.post(URL, {"content": "垃圾堆放"}, content_type="application/json", **headers).json()[
        "id"
    ]
    ok = client.post(f"{URL}/{appeal_id}/photos", {"files": [SimpleUploadedFile("a.jpg", JPEG)]}, **headers)
    assert ok.status_code == 201 and ok.json() == {"added": 1}
    bad = client.post(
        f"{URL}/{appeal_id}/photos", {"files": [SimpleUploadedFile("b.jpg", b"GIF89a....")]}, **headers
    )
    assert bad.status_code == 400
    assert len(client.get(f"{URL}/{appeal_id}", **headers).json()["photos"]) == 1


def test_metrics_for_a_visible_node_and_404_outside(call, world, spread):
    params = {"node": str(world.regions["guangwen"].pk), "start": "2020-01-01", "end": "2030-12-31"}
    response = call("street", "get", f"{URL}/metrics", **params)
    assert response.status_code == 200, response.content
    assert set(response.json()["rates"]) >= {"response_rate", "resolution_rate", "satisfaction_rate"}
    assert call("outsider_street", "get", f"{URL}/metrics", **params).status_code == 404
    assert call("resident", "get", f"{URL}/metrics", **params).status_code == 404
    unit = call(
        "unit",
        "get",
        f"{URL}/metrics",
        node=f"unit:{world.units['chengguan'].pk}",
        start="2020-01-01",
        end="2030-12-31",
    )
    assert unit.status_code == 200 and unit.json()["node"]["kind"] == "unit"
    assert (
        call(
            "unit",
            "get",
            f"{URL}/metrics",
            node=f"unit:{world.units['water'].pk}",
            start="2020-01-01",
            end="2030-12-31",
        ).status_code
        == 404
    )
