"""The JSON API of 议事厅, 征求意见, 公开公示, 网上评议 and 信息发布: status codes a client relies on (201,
400, 403, 404 for outsiders, 409 for illegal transitions and repeats, 429 for limits)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from redgrid.core.models import Rule
from redgrid.participation.models import Article, Notice, TopicComment
from redgrid.participation.tests.deliberation_helpers import make_topic, resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, api_token):
    """`call(user, "post", path, json)` → response."""

    def _call(user, method, path, data=None):
        headers = api_token(user)
        if method == "get":
            return client.get(f"/api/v1{path}", data or {}, **headers)
        return client.post(f"/api/v1{path}", data or {}, content_type="application/json", **headers)

    return _call


def test_a_resident_proposes_and_the_community_accepts(world, call):
    r = call(world.user("resident"), "post", "/deliberation/proposals", {"title": "增设快递柜", "body": "丢件多"})
    assert r.status_code == 201 and r.json()["phase"] == "proposed"
    pk = r.json()["id"]
    assert call(world.user("member"), "get", f"/topics/{pk}/detail").status_code == 404
    assert call(world.user("gridworker"), "post", f"/topics/{pk}/accept").status_code == 403
    r = call(world.user("community"), "post", f"/topics/{pk}/accept", {"options": ["同意", "不同意"]})
    assert r.status_code == 200 and (r.json()["phase"], r.json()["options"]) == ("collecting", ["同意", "不同意"])
    assert call(world.user("community"), "post", f"/topics/{pk}/accept").status_code == 409
    assert call(world.user("outsider_community"), "post", f"/topics/{pk}/reject", {"reason": "x"}).status_code == 404


def test_staff_initiate_a_topic_in_their_area(world, call):
    payload = {"title": "加装电梯", "body": "征集意向", "area_id": world.regions["A1"].pk, "options": ["赞成", "反对"]}
    r = call(world.user("community"), "post", "/deliberation/topics", payload)
    assert r.status_code == 201 and r.json()["phase"] == "collecting"
    r = call(world.user("outsider_community"), "post", "/deliberation/topics", payload)
    assert r.status_code == 404  # the area is outside their subtree
    r = call(world.user("community"), "post", "/deliberation/topics", {**payload, "options": ["只有一个"]})
    assert r.status_code == 400 and "选项" in r.json()["detail"]


def test_comments_reports_and_moderation(world, call):
    topic = make_topic(world)
    r = call(world.user("resident"), "post", f"/topics/{topic.pk}/comments", {"body": "难听的话"})
    assert r.status_code == 201
    cid = r.json()["id"]
    reply = call(world.user("member"), "post", f"/topics/{topic.pk}/comments", {"body": "请文明发言", "parent_id": cid})
    assert reply.status_code == 201 and (reply.json()["parent_id"], reply.json()["depth"]) == (cid, 1)
    reporters = [resident(world, k) for k in ("A1-00", "A1-20", "A2-00")]
    for i, reporter in enumerate(reporters):
        r = call(reporter, "post", f"/topics/comments/{cid}/report", {"reason": "辱骂"})
        assert r.status_code == 200 and r.json()["status"] == ("hidden" if i == 2 else "visible")
    assert r.json()["body"] == "该评论被多人举报，已暂时隐藏，等待审核"
    assert call(reporters[0], "post", f"/topics/comments/{cid}/report").status_code == 409
    assert call(world.user("outsider_resident"), "post", f"/topics/comments/{cid}/report").status_code == 404
    listed = call(world.user("member"), "get", f"/topics/{topic.pk}/comments").json()
    assert [c["body"] for c in listed["items"]] == ["该评论被多人举报，已暂时隐藏，等待审核", "请文明发言"]
    queue = call(world.user("community"), "get", "/moderation/comments").json()
    assert [c["id"] for c in queue["items"]] == [cid]
    assert call(world.user("gridworker"), "post", f"/moderation/comments/{cid}/remove").status_code == 403
    r = call(world.user("community"), "post", f"/moderation/comments/{cid}/remove", {"note": "人身攻击"})
    assert r.status_code == 200 and r.json()["status"] == "removed"
    assert TopicComment.objects.get(pk=cid).moderated_by == world.user("community")


def test_commenting_outside_the_phase_is_409_and_too_often_429(world, call):
    closed = make_topic(world, "closed")
    assert call(world.user("resident"), "post", f"/topics/{closed.pk}/comments", {"body": "晚了"}).status_code == 409
    Rule.objects.create(key="topic.comments_per_hour", value=1)
    topic = make_topic(world)
    assert call(world.user("resident"), "post", f"/topics/{topic.pk}/comments", {"body": "一"}).status_code == 201
    r = call(world.user("resident"), "post", f"/topics/{topic.pk}/comments", {"body": "二"})
    assert r.status_code == 429 and "topic.comments_per_hour" in r.json()["detail"]


def test_stakeholders_results_and_progress(world, call):
    topic = make_topic(world, "publicity")
    r = call(world.user("community"), "post", f"/topics/{topic.pk}/stakeholders",
             {"kind": "property", "username": "unit", "name": "物业公司"})
    assert r.status_code == 201 and r.json()["kind_label"] == "物业"
    assert call(world.user("unit"), "get", f"/topics/{topic.pk}/stakeholders").status_code == 200
    r = call(world.user("community"), "post", f"/topics/{topic.pk}/results/publish", {"note": "未达到参与率"})
    assert r.status_code == 200 and r.json()["results"]["passed"] is False
    r = call(world.user("unit"), "post", f"/topics/{topic.pk}/progress", {"percent": 10, "note": "开工"})
    assert r.status_code == 409  # nothing to implement: the topic did not pass


def test_solicitation_api(world, call):
    now = timezone.now()
    payload = {"title": "居民公约", "body": "第一条", "area_id": world.regions["wenhua"].pk,
               "opens_at": now.isoformat(), "closes_at": (now + timedelta(days=10)).isoformat()}
    r = call(world.user("community"), "post", "/solicitations", payload)
    assert r.status_code == 201 and r.json()["phase"] == "open"
    sid = r.json()["id"]
    r = call(world.user("resident"), "post", f"/solicitations/{sid}/opinions", {"body": "写明遛狗时间", "clause": "第三条"})
    assert r.status_code == 201
    oid = r.json()["id"]
    assert call(world.user("member"), "get", f"/solicitations/{sid}/opinions").json() == []
    assert call(world.user("outsider_resident"), "get", f"/solicitations/{sid}").status_code == 404
    r = call(world.user("community"), "post", f"/solicitations/opinions/{oid}/response",
             {"adoption": "adopted", "response": "采纳"})
    assert r.status_code == 200 and r.json()["adoption"] == "adopted"
    assert call(world.user("community"), "post", f"/solicitations/{sid}/summary", {"summary": "s"}).status_code == 409


def test_notice_api_objections_and_catalogue(world, call):
    now = timezone.now()
    payload = {"kind": "publicity", "title": "发展对象公示", "body": "拟确定张明为发展对象", "org_ids": [world.orgs["A1"].pk],
               "starts_at": (now - timedelta(days=1)).isoformat(), "ends_at": (now + timedelta(days=9)).isoformat()}
    r = call(world.user("branch"), "post", "/notices", payload)
    assert r.status_code == 201 and r.json()["open_for_objections"] is True
    nid = r.json()["id"]
    assert call(world.user("outsider_branch"), "get", f"/notices/{nid}").status_code == 404
    r = call(world.user("member"), "post", f"/notices/{nid}/objections", {"text": "请核实"})
    assert r.status_code == 201
    assert call(world.user("resident"), "post", f"/notices/{nid}/objections", {"text": "x"}).status_code == 404
    assert call(world.user("branch"), "post", f"/notices/{nid}/conclude", {"text": "无异议"}).status_code == 409
    r = call(world.user("branch"), "post", f"/notices/objections/{r.json()['id']}/reply", {"text": "已核实"})
    assert r.status_code == 200 and r.json()["reply"] == "已核实"
    r = call(world.user("branch"), "post", "/notices", {"kind": "party_affairs", "title": "党费收缴", "body": "已足额收缴",
                                                       "org_id": world.orgs["A1"].pk, "category": "dues"})
    assert r.status_code == 201
    rows = call(world.user("member"), "get", f"/notices/catalogue/{world.orgs['A1'].pk}").json()
    assert {row["category"]: row["count"] for row in rows}["dues"] == 1
    assert call(world.user("outsider_resident"), "get", f"/notices/catalogue/{world.orgs['A1'].pk}").status_code == 404
    assert Notice.objects.count() == 2


def test_evaluation_api_once_per_period(world, call):
    targets = call(world.user("resident"), "get", "/evaluations/targets", {"type": "branch"}).json()["items"]
    assert [t["name"] for t in targets] == ["广文街道党工委", "A1网格党支部"] and not targets[1]["rated"]
    payload = {"target_type": "branch", "target_id": world.orgs["A1"].pk, "score": 5, "comment": "好"}
    assert call(world.user("resident"), "post", "/evaluations", payload).status_code == 201
    assert call(world.user("resident"), "post", "/evaluations", payload).status_code == 409
    assert call(world.user("resident"), "post", "/evaluations", {**payload, "score": 9,
                                                                 "target_type": "unit"}).status_code in (400, 404)
    assert call(world.user("outsider_resident"), "post", "/evaluations", payload).status_code == 404
    scores = call(world.user("branch"), "get", "/evaluations/scores", {"type": "branch"}).json()
    assert scores == [{"id": world.orgs["A1"].pk, "name": "A1网格党支部", "count": 1, "average": 5.0,
                       "satisfaction": 100.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}}]
    assert call(world.user("outsider_branch"), "get", "/evaluations/scores", {"type": "branch"}).json() == []


def test_article_api_publish_read_and_coverage(world, call, django_capture_on_commit_callbacks):
    payload = {"title": "服务站启用", "body": "欢迎", "region_ids": [world.regions["wenhua"].pk], "roles": ["resident"]}
    r = call(world.user("community"), "post", "/articles", payload)
    assert r.status_code == 201 and r.json()["status"] == "draft"
    aid = r.json()["id"]
    assert call(world.user("resident"), "get", f"/articles/{aid}").status_code == 404  # drafts are not pushed
    with django_capture_on_commit_callbacks(execute=True):  # the push task runs after commit
        r = call(world.user("community"), "post", f"/articles/{aid}/publish")
    assert r.status_code == 200
    assert Article.objects.get(pk=aid).audience_size == 2  # resident and member live in 文化路社区
    assert call(world.user("resident"), "post", f"/articles/{aid}/read").json() == {"first_read": True}
    assert call(world.user("resident"), "post", f"/articles/{aid}/read").json() == {"first_read": False}
    assert call(world.user("outsider_resident"), "post", f"/articles/{aid}/read").status_code == 404
    cov = call(world.user("community"), "get", f"/articles/{aid}/coverage").json()
    assert cov["total"] == {"total": 2, "read": 1, "percent": 50.0}
    assert call(world.user("resident"), "get", f"/articles/{aid}/coverage").status_code == 403
    assert call(world.user("community"), "post", f"/articles/{aid}/publish").status_code == 409
