"""Who sees and manages what: outsiders in a sibling subtree get 404 (never 403), on pages and in the API."""

import pytest
import time_machine

from redgrid.participation import volunteer_selectors as sel
from redgrid.participation import volunteers as v
from redgrid.participation.tests.volunteer_helpers import (
    T0,
    first_shift,
    make_activity,
    make_team,
    shift,
    volunteer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def things(world):
    with time_machine.travel(T0, tick=False):
        team = make_team(world, leader=world.user("member"))
        activity = make_activity(world, team=team)
        signup = v.shift_signup(actor=world.user("member"), shift=first_shift(activity))
        project = v.project_propose(
            actor=world.user("resident"),
            title="旧物改造",
            description="手工课",
            place="活动室",
            starts_at=T0.replace(day=5),
            ends_at=T0.replace(day=5, hour=11),
            capacity=5,
        )
        membership = v.team_join(actor=volunteer(world, "A1-01"), team=team)
    return {
        "team": team,
        "activity": activity,
        "signup": signup,
        "project": project,
        "membership": membership,
    }


OUTSIDERS = ("outsider_resident", "outsider_community", "outsider_street")


@pytest.mark.parametrize("name", OUTSIDERS)
def test_outsiders_get_404_for_every_volunteer_object_in_the_api(world, things, client, api_token, name):
    h = api_token(world.user(name))
    t, a, s, p, m = (things[k] for k in ("team", "activity", "signup", "project", "membership"))
    sh = first_shift(a)
    for url in (
        f"/api/v1/volunteers/teams/{t.pk}",
        f"/api/v1/volunteers/activities/{a.pk}",
        f"/api/v1/volunteers/shifts/{sh.pk}/roster",
        f"/api/v1/volunteers/shifts/{sh.pk}/qr",
        f"/api/v1/volunteers/projects/{p.pk}",
    ):
        assert client.get(url, **h).status_code == 404, url
    for url in (
        f"/api/v1/volunteers/shifts/{sh.pk}/signup",
        f"/api/v1/volunteers/teams/{t.pk}/join",
        f"/api/v1/volunteers/signups/{s.pk}/confirm",
        f"/api/v1/volunteers/requests/{m.pk}/approve",
        f"/api/v1/volunteers/projects/{p.pk}/approve",
        f"/api/v1/volunteers/activities/{a.pk}/cancel",
    ):
        r = client.post(url, {"reason": "x"}, content_type="application/json", **h)
        assert r.status_code == 404, url
    listed = client.get("/api/v1/volunteers/activities", **h).json()
    assert listed["count"] == 0


@pytest.mark.parametrize("name", OUTSIDERS)
def test_outsiders_get_404_on_the_pages(world, things, client, name):
    client.force_login(world.user(name))
    a, t, p = things["activity"], things["team"], things["project"]
    for url in (
        f"/participation/volunteers/activities/{a.pk}/",
        f"/participation/volunteers/teams/{t.pk}/",
        f"/participation/volunteers/projects/{p.pk}/",
        f"/participation/volunteers/manage/shifts/{first_shift(a).pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/participation/volunteers/shifts/{first_shift(a).pk}/signup/").status_code == 404


def test_residents_of_the_same_street_see_the_activity_and_the_team_but_not_others_projects(world, things):
    neighbour = volunteer(world, "B1-01")  # 松鹤园社区, the same 广文街道
    assert sel.activities_visible_to(neighbour).filter(pk=things["activity"].pk).exists()
    assert sel.teams_visible_to(neighbour).filter(pk=things["team"].pk).exists()
    assert not sel.projects_visible_to(neighbour).exists()
    assert not sel.projects_visible_to(world.user("member")).exists()
    assert sel.projects_visible_to(world.user("resident")).get() == things["project"]


def test_a_grid_worker_sees_the_community_activity_but_cannot_manage_it(world, things, client, api_token):
    h = api_token(world.user("gridworker"))
    a = things["activity"]
    assert client.get(f"/api/v1/volunteers/activities/{a.pk}", **h).json()["can_manage"] is False
    assert client.get(f"/api/v1/volunteers/shifts/{first_shift(a).pk}/roster", **h).status_code == 403
    assert client.get(f"/api/v1/volunteers/shifts/{first_shift(a).pk}/qr", **h).status_code == 403


def test_the_team_leader_and_the_street_manage_but_the_outsider_branch_does_not(world, things):
    a, t = things["activity"], things["team"]
    assert sel.can_manage_activity(world.user("member"), a)  # the team's leader
    assert sel.can_manage_activity(world.user("street"), a)
    assert sel.can_manage_team(world.user("street"), t)
    for name in ("outsider_branch", "branch", "leader", "resident"):
        assert not sel.can_manage_activity(world.user(name), a), name
    assert sel.join_requests_for(world.user("member")).get() == things["membership"]
    assert not sel.join_requests_for(world.user("outsider_community")).exists()


def test_the_yearly_hours_of_people_are_limited_to_the_subtree(world, things):
    s = things["signup"]
    with time_machine.travel(s.shift.starts_at, tick=False):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    with time_machine.travel(s.shift.ends_at, tick=False):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "out"))
    v.signup_confirm(actor=world.user("community"), signup=s)
    assert [r["user_id"] for r in sel.hours_by_person(world.user("street"), 2026)] == [s.user_id]
    assert not sel.hours_by_person(world.user("outsider_street"), 2026).exists()
    assert not sel.hours_by_person(world.user("outsider_community"), 2026).exists()


def test_an_outsider_sees_an_activity_only_once_it_is_theirs(world):
    with time_machine.travel(T0, tick=False):
        a = make_activity(world, shifts=[shift(48)])
    assert not sel.activities_visible_to(world.user("outsider_resident")).filter(pk=a.pk).exists()
    a.organiser = world.user("outsider_resident")
    a.save()
    assert sel.activities_visible_to(world.user("outsider_resident")).filter(pk=a.pk).exists()
