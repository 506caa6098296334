"""微心愿 API: posting, the scoped board, actions with 409/403/404, shaking."""

import pytest

from redgrid.participation.models import Wish

pytestmark = pytest.mark.django_db


def post(client, headers, path, data=None):
    return client.post(path, data or {}, content_type="application/json", **headers)


def test_a_resident_posts_a_wish_and_sees_it_pending(world, client, api_token):
    h = api_token(world.user("resident"))
    r = post(
        client,
        h,
        "/api/v1/wishes",
        {"title": "助听器", "content": "奶奶耳背", "value_estimate": 150, "category": "elderly"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "pending" and body["status_label"] == "待审核"
    assert body["grid"]["name"] == "文化路社区A1网格" and body["category_label"] == "助老助残"
    assert body["actions"] == ["approve", "reject"]
    assert client.get(f"/api/v1/wishes/{body['id']}", **h).json()["title"] == "助听器"


def test_posting_over_the_cap_is_a_400_with_a_chinese_message_and_saves_nothing(world, client, api_token):
    r = post(
        client,
        api_token(world.user("resident")),
        "/api/v1/wishes",
        {"title": "电视", "content": "想要电视", "value_estimate": 999},
    )
    assert r.status_code == 400 and "200 元" in r.json()["detail"]
    assert not Wish.objects.exists()


def test_posting_without_a_title_is_refused(world, client, api_token):
    h = api_token(world.user("resident"))
    assert post(client, h, "/api/v1/wishes", {"content": "x"}).status_code == 422
    assert post(client, h, "/api/v1/wishes", {"title": "", "content": "x"}).status_code == 400


def test_the_whole_workflow_through_the_api(world, client, api_token, wishes):
    wish = wishes.make("pending")
    url = f"/api/v1/wishes/{wish.pk}"
    assert post(client, api_token(world.user("gridworker")), f"{url}/approve").json()["status"] == "open"
    member = api_token(world.user("member"))
    body = post(client, member, f"{url}/claim").json()
    assert body["status"] == "claimed" and body["claimed_by_name"] == "member" and body["claim_due_at"]
    assert post(client, member, f"{url}/fulfil", {"content": "已送到"}).json()["status"] == "fulfilled"
    body = post(client, api_token(world.user("resident")), f"{url}/confirm", {"thanks": "谢谢"}).json()
    assert body["status"] == "confirmed" and body["thanks"] == "谢谢"


def test_reject_needs_a_reason(world, client, api_token, wishes):
    wish = wishes.make("pending")
    h = api_token(world.user("community"))
    r = post(client, h, f"/api/v1/wishes/{wish.pk}/reject")
    assert r.status_code == 400 and "驳回原因" in r.json()["detail"]
    r = post(client, h, f"/api/v1/wishes/{wish.pk}/reject", {"reason": "重复发布"})
    assert r.json()["status"] == "rejected" and r.json()["reject_reason"] == "重复发布"


def test_an_illegal_action_is_a_409_naming_the_state(world, client, api_token, wishes):
    wish = wishes.make("claimed")
    r = post(client, api_token(world.user("community")), f"/api/v1/wishes/{wish.pk}/approve")
    assert r.status_code == 409
    assert r.json()["detail"] == "该心愿当前状态为「已认领」，不能审核通过"
    r = post(client, api_token(world.user("resident")), f"/api/v1/wishes/{wish.pk}/confirm")
    assert r.status_code == 409 and "已认领" in r.json()["detail"]


def test_a_resident_approving_is_a_403(world, client, api_token, wishes):
    wish = wishes.make("pending")
    r = post(client, api_token(world.user("resident")), f"/api/v1/wishes/{wish.pk}/approve")
    assert r.status_code == 403 and "审核" in r.json()["detail"]


def test_an_unknown_action_is_refused(world, client, api_token, wishes):
    wish = wishes.make("pending")
    assert (
        post(client, api_token(world.user("community")), f"/api/v1/wishes/{wish.pk}/delete").status_code
        == 422
    )


def test_a_second_member_claiming_gets_a_409(world, client, api_token, wishes):
    wish = wishes.make("claimed")
    r = post(client, api_token(wishes.member2), f"/api/v1/wishes/{wish.pk}/claim")
    assert r.status_code == 409 and "已认领" in r.json()["detail"]


def test_shaking_claims_a_random_open_wish(world, client, api_token, wishes):
    wish = wishes.make("open")
    r = post(client, api_token(world.user("member")), "/api/v1/wishes/shake")
    assert r.status_code == 200 and r.json()["id"] == wish.pk and r.json()["status"] == "claimed"
    r = post(client, api_token(wishes.member2), "/api/v1/wishes/shake")
    assert r.status_code == 409 and "没有待认领" in r.json()["detail"]


def test_the_list_filters_by_status(world, client, api_token, wishes):
    wishes.make("pending", title="甲")
    wishes.make("open", title="乙")
    h = api_token(world.user("community"))
    assert client.get("/api/v1/wishes", **h).json()["count"] == 2
    assert [w["title"] for w in client.get("/api/v1/wishes?status=open", **h).json()["items"]] == ["乙"]
    assert client.get("/api/v1/wishes?status=bogus", **h).status_code == 422


def test_other_residents_see_the_posters_name_masked(world, client, api_token, wishes):
    from redgrid.accounts.models import User

    User.objects.filter(pk=world.user("resident").pk).update(display_name="王小明")
    wish = wishes.make("open")
    assert (
        client.get(f"/api/v1/wishes/{wish.pk}", **api_token(world.user("member"))).json()["poster_name"]
        == "王**"
    )
    assert (
        client.get(f"/api/v1/wishes/{wish.pk}", **api_token(world.user("resident"))).json()["poster_name"]
        == "王小明"
    )
    assert (
        client.get(f"/api/v1/wishes/{wish.pk}", **api_token(world.user("community"))).json()["poster_name"]
        == "王小明"
    )


def test_the_api_needs_a_login(world, client):
    assert client.get("/api/v1/wishes").status_code == 401


def test_the_api_list_uses_a_fixed_number_of_queries(
    world, client, api_token, wishes, django_assert_num_queries
):
    for i in range(4):
        wishes.make("open", title=f"心愿{i}")
    h = api_token(world.user("member"))
    client.get("/api/v1/wishes", **h)
    # 1 token (with its user), 2 role grants (scope), 3 the household's grid, 4 the member record,
    # 5 count for the pager, 6 the page of wishes with grid, poster and claimer joined.
    with django_assert_num_queries(6):
        body = client.get("/api/v1/wishes", **h).json()
    assert body["count"] == 4


def test_the_openapi_schema_lists_the_wish_and_topic_endpoints(world, client, api_token):
    paths = client.get("/api/v1/openapi.json", **api_token(world.user("admin"))).json()["paths"]
    assert {
        "/api/v1/wishes",
        "/api/v1/wishes/{wish_id}/{action}",
        "/api/v1/wishes/shake",
        "/api/v1/topics/{topic_id}/vote",
        "/api/v1/topics/{topic_id}/results",
    } <= set(paths)
