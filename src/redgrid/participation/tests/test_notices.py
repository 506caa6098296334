"""公开公示: notices reach the subtree of their targets, 公示 periods and objections, concluding and
withdrawing, and the 党务公开 catalogue of a branch."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from redgrid.core.api import Conflict, TooManyRequests
from redgrid.core.models import Notification
from redgrid.participation import notices as no
from redgrid.participation.models import Notice

pytestmark = pytest.mark.django_db

MONDAY = timezone.make_aware(datetime(2026, 7, 6, 9, 0))  # a Monday, 09:00 local time


def notice(world, by="community", **kw):
    kw.setdefault("region_ids", [world.regions["wenhua"].pk])
    return no.notice_publish(actor=world.user(by), kind=kw.pop("kind", "notice"), title=kw.pop("title", "停水通知"),
                             body=kw.pop("body", "明日停水"), **kw)


def publicity(world, start=MONDAY, days=7, **kw):
    kw.setdefault("org_ids", [world.orgs["A1"].pk])
    kw.setdefault("region_ids", [])
    return notice(world, by="branch", kind="publicity", title="发展对象公示", starts_at=start,
                  ends_at=start + timedelta(days=days), **kw)


def visible(world, n):
    names = ("resident", "member", "gridworker", "outsider_gridworker", "branch", "outsider_branch", "community",
             "outsider_community", "street", "outsider_street", "leader", "outsider_resident")
    return {name for name in names if no.notices_visible_to(world.user(name)).filter(pk=n.pk).exists()}


def test_a_community_notice_reaches_everyone_below_and_the_street_above(world):
    n = notice(world)
    assert visible(world, n) == {"resident", "member", "gridworker", "outsider_gridworker", "community", "street", "leader"}


def test_a_notice_to_a_branch_reaches_its_members_and_secretary_only(world):
    n = notice(world, by="branch", region_ids=[], org_ids=[world.orgs["A1"].pk])
    # "member" belongs to branch A1; the A1 grid worker holds a region grant, not an org one.
    assert visible(world, n) == {"member", "branch"}


def test_residents_and_members_of_the_targets_get_the_notice_in_their_inbox_once(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        n = notice(world, region_ids=[world.regions["A1"].pk])
    inbox = Notification.objects.filter(kind="notice", link=f"/participation/notices/{n.pk}/")
    got = set(inbox.values_list("recipient__username", flat=True))
    assert {"resident", "member"} <= got
    assert not got & {"outsider_resident", "gridworker", "community", "street"}  # staff see it in their lists
    assert inbox.filter(recipient__username="resident").get().title == "【通知公告】停水通知"
    sent = inbox.count()
    assert no.notice_push(n.pk) == 0 and inbox.count() == sent  # a rerun sends nothing more
    assert n.events.filter(action="push").get().data == {"sent": sent}


def test_a_branch_disclosure_goes_to_its_members_and_a_withdrawn_notice_to_nobody(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice(world, by="branch", region_ids=[], org_ids=[world.orgs["A1"].pk])
    got = set(Notification.objects.filter(kind="notice").values_list("recipient__username", flat=True))
    assert "member" in got and "resident" not in got and "outsider_resident" not in got
    later = notice(world, title="会议通知")  # published, its push not run yet
    no.notice_withdraw(actor=world.user("community"), notice=later, reason="发错了")
    assert no.notice_push(later.pk) == 0


def test_targets_must_lie_in_the_publishers_scope(world):
    with pytest.raises(ValidationError, match="管辖范围"):
        notice(world, region_ids=[world.regions["songhe"].pk])
    with pytest.raises(ValidationError, match="管辖范围"):
        notice(world, by="branch", region_ids=[], org_ids=[world.orgs["A2"].pk])
    with pytest.raises(ValidationError, match="至少"):
        notice(world, region_ids=[])
    with pytest.raises(PermissionDenied):
        notice(world, by="resident")
    # A branch secretary may address the grid its branch is responsible for.
    n = notice(world, by="branch", region_ids=[world.regions["A1"].pk])
    assert "resident" in visible(world, n) and "outsider_gridworker" not in visible(world, n)


@time_machine.travel(MONDAY - timedelta(days=1), tick=False)
def test_a_publicity_lasts_at_least_five_working_days(world):
    assert no.workdays_between(MONDAY, MONDAY + timedelta(days=4)) == 4  # Monday to Friday morning
    with pytest.raises(ValidationError, match="notice.publicity_min_workdays"):
        publicity(world, days=4)
    assert no.workdays_between(MONDAY, MONDAY + timedelta(days=7)) == 5
    publicity(world, days=7)
    friday = MONDAY + timedelta(days=4)
    with pytest.raises(ValidationError):  # Friday to Wednesday spans only 3 working days
        publicity(world, start=friday, days=5)


@time_machine.travel(MONDAY - timedelta(days=1), tick=False)
def test_objections_are_taken_only_during_the_period(world, django_capture_on_commit_callbacks):
    p = publicity(world)
    with pytest.raises(Conflict, match="公示期"):
        no.objection_submit(actor=world.user("member"), notice=p, body="有异议")
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            no.objection_submit(actor=world.user("member"), notice=p, body="参加组织生活次数不足")
        assert Notification.objects.get().recipient == world.user("branch")
        with pytest.raises(PermissionDenied):
            no.objection_submit(actor=world.user("outsider_resident"), notice=p, body="路过")
    with time_machine.travel(MONDAY + timedelta(days=8), tick=False):
        with pytest.raises(Conflict, match="公示期"):
            no.objection_submit(actor=world.user("member"), notice=p, body="晚了")
    plain = notice(world)
    with pytest.raises(Conflict, match="只有公示"):
        no.objection_submit(actor=world.user("member"), notice=plain, body="x")


@time_machine.travel(MONDAY + timedelta(days=1), tick=False)
def test_objections_per_person_and_day_are_limited(world):
    p = publicity(world, start=MONDAY)
    for i in range(3):
        no.objection_submit(actor=world.user("member"), notice=p, body=f"异议{i}")
    with pytest.raises(TooManyRequests, match="notice.objections_per_day"):
        no.objection_submit(actor=world.user("member"), notice=p, body="第四条")


@time_machine.travel(MONDAY + timedelta(days=1), tick=False)
def test_objections_are_private_and_answered_by_the_publisher(world):
    p = publicity(world)
    o = no.objection_submit(actor=world.user("member"), notice=p, body="请核实")
    assert list(no.objections_visible_to(world.user("branch"), p)) == [o]
    assert not no.objections_visible_to(world.user("resident"), p).exists()
    with pytest.raises(PermissionDenied):
        no.objection_reply(actor=world.user("outsider_branch"), objection=o, reply="无")
    no.objection_reply(actor=world.user("branch"), objection=o, reply="经核实，符合条件")
    o.refresh_from_db()
    assert o.replied_by == world.user("branch")


def test_a_publicity_concludes_after_its_period_once_every_objection_is_answered(world):
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        p = publicity(world, start=MONDAY)
        o = no.objection_submit(actor=world.user("member"), notice=p, body="请核实")
        with pytest.raises(Conflict, match="期满后"):
            no.notice_conclude(actor=world.user("branch"), notice=p, outcome="无异议")
    with time_machine.travel(MONDAY + timedelta(days=8), tick=False):
        with pytest.raises(Conflict, match="1 条异议未答复"):
            no.notice_conclude(actor=world.user("branch"), notice=p, outcome="无异议")
        no.objection_reply(actor=world.user("branch"), objection=o, reply="已核实")
        p = no.notice_conclude(actor=world.user("branch"), notice=p, outcome="公示期满，异议已核实，不影响发展")
        assert p.status == "concluded"
        with pytest.raises(Conflict, match="公示结束"):
            no.notice_withdraw(actor=world.user("branch"), notice=p, reason="x")


def test_a_withdrawn_notice_disappears_for_residents_but_not_for_staff(world):
    n = notice(world)
    with pytest.raises(PermissionDenied):
        no.notice_withdraw(actor=world.user("outsider_community"), notice=n, reason="x")
    no.notice_withdraw(actor=world.user("community"), notice=n, reason="内容有误")
    assert "resident" not in visible(world, n) and "community" in visible(world, n)
    with pytest.raises(Conflict):
        no.notice_withdraw(actor=world.user("community"), notice=n, reason="再撤")


def test_party_affairs_need_a_branch_and_a_category_and_fill_the_catalogue(world):
    with pytest.raises(ValidationError, match="公开主体"):
        notice(world, by="branch", kind="party_affairs", region_ids=[], category="dues")
    with pytest.raises(ValidationError, match="公开主体"):
        notice(world, by="branch", kind="party_affairs", org=world.orgs["A2"], category="dues", region_ids=[])
    with pytest.raises(ValidationError, match="类别"):
        notice(world, by="branch", kind="party_affairs", org=world.orgs["A1"], region_ids=[])
    item = notice(world, by="branch", kind="party_affairs", org=world.orgs["A1"], category="dues", region_ids=[],
                  title="上半年党费收缴情况")
    assert list(item.party_orgs.all()) == [world.orgs["A1"]]  # by default: the branch's own members
    rows = {r["category"]: r for r in no.catalogue(world.user("member"), world.orgs["A1"], timezone.localdate().year)}
    assert rows["dues"]["items"] == [item] and rows["dues"]["count"] == 1
    assert sum(1 for r in rows.values() if r["count"] == 0) == len(Notice.Category.choices) - 1
    last_year = no.catalogue(world.user("member"), world.orgs["A1"], timezone.localdate().year - 1)
    assert all(r["count"] == 0 for r in last_year) and {r["category"]: r["latest"] for r in last_year}["dues"]


def test_the_catalogue_is_open_to_members_residents_of_the_grid_and_staff_in_scope(world):
    org = world.orgs["A1"]
    for name in ("member", "resident", "branch", "community", "street"):
        assert no.catalogue_orgs_visible_to(world.user(name)).filter(pk=org.pk).exists(), name
    for name in ("outsider_resident", "outsider_branch", "outsider_community", "outsider_street"):
        assert not no.catalogue_orgs_visible_to(world.user(name)).filter(pk=org.pk).exists(), name
