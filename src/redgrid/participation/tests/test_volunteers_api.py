"""The /api/v1/volunteers/… endpoints: the whole flow a phone app would drive, with its error codes."""

from datetime import timedelta

import pytest
import time_machine

from redgrid.participation import volunteers as v
from redgrid.participation.models import ShiftSignup, VolunteerActivity
from redgrid.participation.tests.volunteer_helpers import T0, first_shift, make_activity, make_team, shift

pytestmark = pytest.mark.django_db
API = "/api/v1/volunteers"


def post(client, url, data=None, **h):
    return client.post(url, data or {}, content_type="application/json", **h)


def test_staff_publish_an_activity_and_a_member_signs_up_checks_in_and_out_and_gets_hours(
    world, client, api_token
):
    staff, member = api_token(world.user("community")), api_token(world.user("member"))
    with time_machine.travel(T0, tick=False):
        start = T0 + timedelta(hours=1)
        r = post(
            client,
            f"{API}/activities",
            {
                "title": "敬老院陪伴",
                "description": "陪老人聊天、读报",
                "address": "文化路敬老院",
                "community_id": world.regions["wenhua"].pk,
                "dual_report": True,
                "shifts": [
                    {
                        "starts_at": start.isoformat(),
                        "ends_at": (start + timedelta(hours=2)).isoformat(),
                        "place": "敬老院一楼",
                        "capacity": 1,
                    }
                ],
            },
            **staff,
        )
        assert r.status_code == 201, r.content
        body = r.json()
        assert body["can_manage"] is True and body["dual_report"] is True and body["shifts"][0]["left"] == 1
        shift_id = body["shifts"][0]["id"]
        r = post(client, f"{API}/shifts/{shift_id}/signup", **member)
        assert r.status_code == 201 and r.json()["status"] == "signed_up"
        assert (
            post(client, f"{API}/shifts/{shift_id}/signup", **api_token(world.user("resident"))).status_code
            == 409
        )
        detail = client.get(f"{API}/activities/{body['id']}", **member).json()
        assert detail["shifts"][0]["my_status"] == "signed_up" and detail["shifts"][0]["left"] == 0
        assert detail["can_manage"] is False
        assert client.get(f"{API}/shifts/{shift_id}/qr", **member).status_code == 403
    with time_machine.travel(start, tick=False):
        qr = client.get(f"{API}/shifts/{shift_id}/qr?kind=in", **staff).json()
        assert "/participation/volunteers/scan/" in qr["url"]
        r = post(client, f"{API}/scan", {"token": qr["token"]}, **member)
        assert r.status_code == 200 and r.json()["status"] == "checked_in"
    with time_machine.travel(start + timedelta(minutes=100), tick=False):
        token = client.get(f"{API}/shifts/{shift_id}/qr?kind=out", **staff).json()["token"]
        r = post(client, f"{API}/scan", {"token": token}, **member)
        assert r.json()["status"] == "checked_out" and r.json()["hours"] == 1.7
        roster = client.get(f"{API}/shifts/{shift_id}/roster", **staff).json()
        signup_id = roster["items"][0]["id"]
        r = post(client, f"{API}/signups/{signup_id}/confirm", {"hours": 1.5}, **staff)
        assert r.status_code == 400 and "说明" in r.json()["detail"]
        r = post(client, f"{API}/signups/{signup_id}/confirm", {"hours": 1.5, "note": "提前离开"}, **staff)
        assert r.status_code == 200 and r.json()["confirmed_hours"] == 1.5
        hours = client.get(f"{API}/hours?year=2026", **member).json()
        assert (hours["total"], hours["dual_report"], hours["count"]) == (
            1.5,
            0.0,
            1,
        )  # not an in-service member
        people = client.get(f"{API}/hours/people?year=2026", **staff).json()
        assert people["items"] == [
            {
                "user_id": world.user("member").pk,
                "name": "member",
                "total": 1.5,
                "dual_report": 0.0,
                "services": 1,
            }
        ]
        assert client.get(f"{API}/hours/people", **member).status_code == 403


def test_scanning_an_expired_or_forged_token_answers_400(world, client, api_token):
    with time_machine.travel(T0, tick=False):
        sh = first_shift(make_activity(world, shifts=[shift(1)]))
        v.shift_signup(actor=world.user("member"), shift=sh)
        token = v.scan_token(sh, "in")
    h = api_token(world.user("member"))
    with time_machine.travel(T0 + timedelta(minutes=11), tick=False):
        r = post(client, f"{API}/scan", {"token": token}, **h)
        assert r.status_code == 400 and "已过期" in r.json()["detail"]
        r = post(client, f"{API}/scan", {"token": token[:-3] + "abc"}, **h)
        assert r.status_code == 400 and r.json()["detail"] == "二维码无效"


def test_cancelling_through_the_api_respects_the_deadline(world, client, api_token):
    with time_machine.travel(T0, tick=False):
        sh = first_shift(make_activity(world, shifts=[shift(3)]))
        s = v.shift_signup(actor=world.user("member"), shift=sh)
    h = api_token(world.user("member"))
    with time_machine.travel(T0 + timedelta(hours=1, minutes=1), tick=False):
        r = post(client, f"{API}/signups/{s.pk}/cancel", **h)
        assert r.status_code == 409 and "volunteer.cancel_hours" in r.json()["detail"]
        assert (
            post(client, f"{API}/signups/{s.pk}/cancel", **api_token(world.user("resident"))).status_code
            == 404
        )
    with time_machine.travel(T0 + timedelta(minutes=59), tick=False):
        assert post(client, f"{API}/signups/{s.pk}/cancel", **h).json()["status"] == "cancelled"
    mine = client.get(f"{API}/signups?when=past", **h).json()
    assert [row["status"] for row in mine["items"]] == ["cancelled"]


def test_teams_join_requests_and_projects_through_the_api(world, client, api_token):
    staff, member, resident = (api_token(world.user(n)) for n in ("community", "member", "resident"))
    r = post(
        client,
        f"{API}/teams",
        {
            "community_id": world.regions["wenhua"].pk,
            "name": "微光法律服务队",
            "kind": "professional",
            "instructor_id": world.members["A1-0"].pk,
            "skills": ["法律咨询"],
            "leader_id": world.user("member").pk,
        },
        **staff,
    )
    assert r.status_code == 201, r.content
    team = r.json()
    assert (team["instructor_name"], team["leader_name"], team["member_count"]) == ("A1居民00", "member", 1)
    bad = {
        "community_id": world.regions["wenhua"].pk,
        "name": "x队",
        "instructor_id": world.members["C1-0"].pk,
    }
    assert post(client, f"{API}/teams", bad, **staff).status_code == 400
    assert (
        post(
            client, f"{API}/teams", {**bad, "instructor_id": world.members["A1-0"].pk}, **resident
        ).status_code
        == 404
    )
    assert client.get(f"{API}/teams?skill=法律咨询", **resident).json()["count"] == 1
    assert client.get(f"{API}/teams?skill=义诊", **resident).json()["count"] == 0
    r = post(client, f"{API}/teams/{team['id']}/join", {"skills": ["合同"], "note": "我是律师"}, **resident)
    assert r.status_code == 201
    req = r.json()
    assert post(client, f"{API}/teams/{team['id']}/join", **resident).status_code == 409
    assert client.get(f"{API}/requests", **member).json()["count"] == 1  # the leader's queue
    assert post(client, f"{API}/requests/{req['id']}/approve", **resident).status_code == 403
    assert post(client, f"{API}/requests/{req['id']}/approve", **member).json()["status"] == "approved"
    assert client.get(f"{API}/teams/{team['id']}/members", **member).json()["count"] == 2
    assert client.get(f"{API}/teams/{team['id']}/members", **resident).status_code == 403

    with time_machine.travel(T0, tick=False):
        start = T0 + timedelta(days=3)
        r = post(
            client,
            f"{API}/projects",
            {
                "title": "义务法律讲座",
                "description": "讲讲遗嘱和赡养",
                "place": "社区会议室",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=2)).isoformat(),
                "capacity": 3,
            },
            **resident,
        )
        assert r.status_code == 201 and r.json()["status"] == "pending"
        pid = r.json()["id"]
        assert client.get(f"{API}/projects", **member).json()["count"] == 0
        assert post(client, f"{API}/projects/{pid}/approve", **member).status_code == 404
        r = post(client, f"{API}/projects/{pid}/approve", **staff)
        assert r.status_code == 200 and r.json()["status"] == "approved"
        activity = VolunteerActivity.objects.get(pk=r.json()["activity_id"])
        assert activity.organiser == world.user("resident")
        assert post(client, f"{API}/projects/{pid}/reject", {"reason": "x"}, **staff).status_code == 409


def test_the_nearby_list_puts_the_own_community_first_and_hides_what_is_over(world, client, api_token):
    with time_machine.travel(T0, tick=False):
        team_b = make_team(
            world,
            community=world.regions["songhe"],
            instructor=world.members["B1-0"],
            actor=world.user("street"),
            name="松鹤园队",
        )
        make_activity(
            world, team=team_b, title="松鹤园早的活动", shifts=[shift(24)], actor=world.user("street")
        )
        make_activity(world, title="文化路晚的活动", shifts=[shift(72)])
        make_activity(world, title="已结束的活动", shifts=[shift(1)])
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        h = api_token(world.user("member"))
        titles = [a["title"] for a in client.get(f"{API}/activities?nearby=true", **h).json()["items"]]
        assert titles == ["文化路晚的活动", "松鹤园早的活动"]
        past = client.get(f"{API}/activities?when=past", **h).json()["items"]
        assert [a["title"] for a in past] == ["已结束的活动"]


def test_bad_input_answers_400_or_422_and_nothing_is_saved(world, client, api_token):
    staff = api_token(world.user("community"))
    with time_machine.travel(T0, tick=False):
        r = post(
            client,
            f"{API}/activities",
            {
                "title": "x",
                "description": "y",
                "address": "z",
                "community_id": world.regions["wenhua"].pk,
                "shifts": [],
            },
            **staff,
        )
        assert r.status_code == 400 and "班次" in r.json()["detail"]
        r = post(client, f"{API}/activities", {"title": "x"}, **staff)
        assert r.status_code == 422
        r = post(
            client,
            f"{API}/activities",
            {
                "title": "x",
                "description": "y",
                "address": "z",
                "community_id": world.regions["songhe"].pk + 999,
                "shifts": [],
            },
            **staff,
        )
        assert r.status_code == 404
    assert not VolunteerActivity.objects.exists() and not ShiftSignup.objects.exists()
    assert client.get(f"{API}/hours?year=1900", **staff).status_code == 400
