"""志愿服务 pages: the mobile list, sign-up, scan, hours; the organiser's roster and confirmations; staff lists
with search, filters, paging and empty states; the demo step."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from redgrid.participation import volunteers as v
from redgrid.participation.models import (
    ShiftSignup,
    TeamMembership,
    VolunteerActivity,
    VolunteerProject,
    VolunteerTeam,
)
from redgrid.participation.tests.volunteer_helpers import (
    T0,
    first_shift,
    make_activity,
    make_team,
    shift,
    volunteer,
)

pytestmark = pytest.mark.django_db
V = "/participation/volunteers"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(T0, tick=False):
        yield


def text(response) -> str:
    return response.content.decode()


def test_the_mobile_list_shows_upcoming_activities_with_the_own_community_first(world, client):
    team_b = make_team(
        world,
        community=world.regions["songhe"],
        instructor=world.members["B1-0"],
        actor=world.user("street"),
        name="松鹤园队",
    )
    make_activity(world, team=team_b, actor=world.user("street"), title="松鹤园义诊", shifts=[shift(24)])
    make_activity(world, title="文化路清洁", shifts=[shift(72)], dual_report=True, lng=119.115, lat=36.705)
    client.force_login(world.user("member"))
    page = text(client.get(f"{V}/"))
    assert page.index("文化路清洁") < page.index("松鹤园义诊")
    assert "双报到" in page and "约 0.9 公里" in page  # from the A1 grid's centre (119.105, 36.705)
    only_mine = text(client.get(f"{V}/?scope=community"))
    assert "文化路清洁" in only_mine and "松鹤园义诊" not in only_mine
    assert "换个关键词" in text(client.get(f"{V}/?q=不存在的活动"))


def test_the_mobile_list_uses_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    for i in range(3):
        make_activity(world, title=f"活动{i}", shifts=[shift(24 + i)])
    client.force_login(world.user("member"))
    client.get(f"{V}/")  # warm the rules/session caches
    # 1 session, 2 user, 3 "has grants?" (idle-timeout middleware), 4 role grants (scope), 5 the household's
    # grid (home communities, distances), 6 the member record (双报到 community), 7 count for the pager,
    # 8 the page of activities with community, team and next shift (distances need no query).
    with django_assert_num_queries(8):
        r = client.get(f"{V}/")
    assert len(re.findall('class="card vol"', text(r))) == 3
    for i in range(3, 8):
        make_activity(world, title=f"活动{i}", shifts=[shift(24 + i)])
    with django_assert_num_queries(8):
        client.get(f"{V}/")


def test_a_member_signs_up_on_the_page_sees_the_shift_and_cancels_with_confirmation(world, client):
    a = make_activity(world, shifts=[shift(48, capacity=2)])
    sh = first_shift(a)
    client.force_login(world.user("member"))
    page = text(client.get(f"{V}/activities/{a.pk}/"))
    assert "报名（剩 2）" in page
    r = client.post(f"{V}/shifts/{sh.pk}/signup/", follow=True)
    assert "报名成功" in text(r) and "已报名" in text(r)
    mine = text(client.get(f"{V}/mine/"))
    assert a.title in mine and 'data-confirm="确定取消这个班次的报名吗？"' in mine
    signup = ShiftSignup.objects.get(shift=sh)
    r = client.post(f"{V}/signups/{signup.pk}/cancel/", {"next": f"{V}/mine/"}, follow=True)
    assert "已取消报名" in text(r)
    assert "还没有报名的班次" in text(client.get(f"{V}/mine/"))
    assert "已取消" in text(client.get(f"{V}/mine/?when=past"))


def test_the_organiser_corrects_the_place_and_signed_up_volunteers_are_told(
    world, client, django_capture_on_commit_callbacks
):
    from redgrid.core.models import AuditLog, Notification

    a = make_activity(world, shifts=[shift(48, capacity=3)])
    v.shift_signup(actor=world.user("member"), shift=first_shift(a))
    client.force_login(world.user("community"))
    page = text(client.get(f"{V}/activities/{a.pk}/"))
    assert "保存修改" in page and 'data-confirm="修改后将通知已报名的志愿者，确定保存吗？"' in page
    url = f"{V}/manage/activities/{a.pk}/edit/"
    form = {"title": a.title, "description": a.description, "address": "文化路社区党群服务中心二楼"}
    with django_capture_on_commit_callbacks(execute=True):  # the message is sent once the change commits
        r = client.post(url, form, follow=True)
    assert "活动已修改" in text(r) and "文化路社区党群服务中心二楼" in text(r)
    told = Notification.objects.get(recipient=world.user("member"), title=f"志愿活动「{a.title}」有变更")
    assert "文化路社区党群服务中心二楼" in told.body
    assert AuditLog.objects.filter(action="volunteer.activity.update", object_id=str(a.pk)).exists()
    r = client.post(url, form, follow=True)  # the same values again
    assert "内容没有变化" in text(r)
    r = client.post(url, {**form, "title": " "}, follow=True)
    assert "活动名称" in text(r) and VolunteerActivity.objects.get(pk=a.pk).title == a.title
    client.force_login(world.user("member"))
    assert "保存修改" not in text(client.get(f"{V}/activities/{a.pk}/"))
    client.post(url, {**form, "address": "别处"})
    assert VolunteerActivity.objects.get(pk=a.pk).address == "文化路社区党群服务中心二楼"
    client.force_login(world.user("outsider_community"))
    assert client.post(url, {**form, "address": "别处"}).status_code == 404


def test_a_full_shift_shows_no_button_and_the_post_is_refused_with_a_message(world, client):
    a = make_activity(world, shifts=[shift(48, capacity=1)])
    v.shift_signup(actor=volunteer(world, "A1-01"), shift=first_shift(a))
    client.force_login(world.user("member"))
    assert "名额已满" in text(client.get(f"{V}/activities/{a.pk}/"))
    r = client.post(f"{V}/shifts/{first_shift(a).pk}/signup/", follow=True)
    assert "该班次名额已满" in text(r)


def _signed(world, start_hours=1):
    a = make_activity(world, shifts=[shift(start_hours)])
    return v.shift_signup(actor=world.user("member"), shift=first_shift(a))


def test_opening_the_qr_link_while_logged_in_checks_in_and_out(world, client):
    s = _signed(world)
    client.force_login(world.user("member"))
    with time_machine.travel(s.shift.starts_at, tick=False):
        r = client.get(f"{V}/scan/{v.scan_token(s.shift, 'in')}/")
        assert r.status_code == 200 and "签到成功" in text(r)
    with time_machine.travel(s.shift.starts_at + timedelta(minutes=90), tick=False):
        r = client.get(f"{V}/scan/{v.scan_token(s.shift, 'out')}/")
        assert "签退成功" in text(r) and "1.5" in text(r)


def test_the_scan_link_sends_a_logged_out_phone_to_the_login_and_refuses_bad_tokens(world, client):
    s = _signed(world)
    with time_machine.travel(s.shift.starts_at, tick=False):
        token = v.scan_token(s.shift, "in")
        r = client.get(f"{V}/scan/{token}/")
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
        client.force_login(world.user("resident"))
        r = client.get(f"{V}/scan/{token}/")
        assert r.status_code == 403 and "没有报名" in text(r)
        client.force_login(world.user("member"))
        assert client.get(f"{V}/scan/forged-token/").status_code == 400
    with time_machine.travel(s.shift.starts_at + timedelta(minutes=11), tick=False):
        r = client.get(f"{V}/scan/{token}/")
        assert r.status_code == 400 and "已过期" in text(r)
    s.refresh_from_db()
    assert s.status == "signed_up"


def test_the_roster_shows_fresh_qr_codes_and_the_organiser_confirms_hours(world, client):
    s = _signed(world)
    client.force_login(world.user("community"))
    page = text(client.get(f"{V}/manage/shifts/{s.shift_id}/"))
    assert "签到码" in page and "签退码" in page and "<svg" in page and 'hx-trigger="every 300s"' in page
    assert "member" in page
    token = re.search(r'id="scan-in-url" href="[^"]*/scan/([^/"]+)/"', page).group(1)
    assert v.read_scan_token(token) == (s.shift_id, "in")
    partial = text(client.get(f"{V}/manage/shifts/{s.shift_id}/qr/"))
    assert "<svg" in partial and "<html" not in partial
    with time_machine.travel(s.shift.starts_at, tick=False):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    with time_machine.travel(s.shift.starts_at + timedelta(minutes=120), tick=False):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "out"))
        client.logout()  # the staff idle timeout (30 min) ended the session two hours ago
        client.force_login(world.user("community"))
        assert "一键确认已签退时长（1 人）" in text(client.get(f"{V}/manage/shifts/{s.shift_id}/"))
        assert "member" in text(client.get(f"{V}/manage/hours/"))
        r = client.post(
            f"{V}/signups/{s.pk}/confirm/", {"hours": "2.0", "next": f"{V}/manage/hours/"}, follow=True
        )
        assert "已确认时长" in text(r) and "没有待确认的时长" in text(r)
    s.refresh_from_db()
    assert s.confirmed_hours == 2


def test_the_roster_costs_the_same_queries_however_many_volunteers_signed_up(world, client):
    from redgrid.testing import page_queries

    a = make_activity(world, shifts=[shift(48, capacity=10)])
    sh = first_shift(a)
    v.shift_signup(actor=world.user("member"), shift=sh)
    client.force_login(world.user("community"))
    url = f"{V}/manage/shifts/{sh.pk}/"
    client.get(url)  # warm the session and rules caches
    before = page_queries(client, url)
    for key in ("A1-01", "A1-11", "A1-20", "A1-21"):
        v.shift_signup(actor=volunteer(world, key), shift=sh)
    assert page_queries(client, url) == before


def test_the_roster_is_refused_to_volunteers_and_grid_workers(world, client):
    s = _signed(world)
    for name in ("member", "gridworker"):
        client.force_login(world.user(name))
        assert client.get(f"{V}/manage/shifts/{s.shift_id}/").status_code == 403


def test_my_hours_page_shows_the_year_total_and_the_dual_report_part(world, client):
    m = world.members["A1-1"]
    m.in_service = True
    m.save()
    a = make_activity(world, shifts=[shift(1)], dual_report=True)
    s = v.shift_signup(actor=world.user("member"), shift=first_shift(a))
    with time_machine.travel(s.shift.starts_at, tick=False):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    with time_machine.travel(s.shift.ends_at, tick=False):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "out"))
    v.signup_confirm(actor=world.user("community"), signup=s)
    client.force_login(world.user("member"))
    page = text(client.get(f"{V}/hours/?year=2026"))
    assert re.search(r'id="hours-total">2.0<', page) and "其中双报到服务" in page and a.title in page
    assert "2025 年还没有确认的志愿时长" in text(client.get(f"{V}/hours/?year=2025"))
    client.force_login(world.user("street"))
    people = text(client.get(f"{V}/manage/people/?year=2026"))
    assert "member" in people and "2.0" in people
    assert "没有确认的志愿时长" in text(client.get(f"{V}/manage/people/?year=2026&q=没有这个人"))


def test_staff_publish_an_activity_with_shifts_through_the_form(world, client):
    client.force_login(world.user("community"))
    assert "发布志愿活动" in text(client.get(f"{V}/manage/activities/new/"))
    data = {
        "title": "防诈骗宣传",
        "description": "在小区门口发放宣传册",
        "address": "小区南门",
        "community": str(world.regions["wenhua"].pk),
        "dual_report": "1",
        "shift-0-starts_at": "2026-07-04T09:00",
        "shift-0-ends_at": "2026-07-04T11:00",
        "shift-0-place": "南门",
        "shift-0-capacity": "4",
        "shift-1-starts_at": "2026-07-04T14:00",
        "shift-1-ends_at": "2026-07-04T13:00",  # ends before it starts
        "shift-1-place": "南门",
        "shift-1-capacity": "4",
    }
    r = client.post(f"{V}/manage/activities/new/", data)
    assert r.status_code == 200 and "结束时间须晚于开始时间" in text(r) and "防诈骗宣传" in text(r)
    assert not VolunteerActivity.objects.exists()
    data["shift-1-ends_at"] = "2026-07-04T16:00"
    r = client.post(f"{V}/manage/activities/new/", data)
    a = VolunteerActivity.objects.get()
    assert r.status_code == 302 and a.dual_report and a.shifts.count() == 2
    starts = [timezone.localtime(s.starts_at).hour for s in a.shifts.order_by("starts_at")]
    assert starts == [9, 14]  # the form's times are Asia/Shanghai


def test_the_publish_form_is_refused_to_residents(world, client):
    client.force_login(world.user("resident"))
    assert client.get(f"{V}/manage/activities/new/").status_code == 403


def test_the_staff_activity_list_searches_filters_and_shows_the_queues(
    world, client, django_assert_num_queries
):
    make_activity(world, title="敬老院陪伴")
    make_activity(world, title="河道清理").shifts.update(is_cancelled=False)
    client.force_login(world.user("community"))
    page = text(client.get(f"{V}/manage/activities/"))
    assert "敬老院陪伴" in page and "河道清理" in page and "待确认时长" in page
    page = text(client.get(f"{V}/manage/activities/?q=敬老院"))
    assert "敬老院陪伴" in page and "河道清理" not in page
    assert "没有符合条件的活动" in text(client.get(f"{V}/manage/activities/?status=cancelled"))
    client.get(f"{V}/manage/activities/")
    # 1 session, 2 user, 3 "has grants?", 4 role grants (scope), 5 manager grants, 6 count for the pager,
    # 7 the page of activities (community, team, organiser, next shift), 8 the community picker, 9–11 the
    # three queue counts, 12 the navigator's region roots, 13–15 savepoint, session update, release.
    with django_assert_num_queries(15):
        client.get(f"{V}/manage/activities/")


def test_staff_found_a_team_through_the_form_and_the_leader_approves_a_request(world, client):
    client.force_login(world.user("community"))
    page = text(client.get(f"{V}/manage/teams/new/"))
    assert "A1居民00" in page and "C1居民00" not in page  # only the community's members can instruct
    r = client.post(
        f"{V}/manage/teams/new/",
        {
            "community": str(world.regions["wenhua"].pk),
            "name": "微光健康服务队",
            "kind": "professional",
            "skills": "义诊，健康讲座",
            "instructor": str(world.members["A1-0"].pk),
            "leader": "member",
        },
    )
    team = VolunteerTeam.objects.get()
    assert (
        r.status_code == 302 and team.skills == ["义诊", "健康讲座"] and team.leader == world.user("member")
    )
    client.force_login(world.user("resident"))
    assert "微光健康服务队" in text(client.get(f"{V}/teams/?kind=professional&skill=义诊"))
    assert "没有符合条件的服务队" in text(client.get(f"{V}/teams/?skill=律师"))
    client.post(f"{V}/teams/{team.pk}/join/", {"skills": "护士", "note": "周末可以"})
    row = TeamMembership.objects.get(user=world.user("resident"))
    client.force_login(world.user("member"))
    assert "护士" in text(client.get(f"{V}/manage/requests/"))
    r = client.post(f"{V}/requests/{row.pk}/approve/", {"next": f"{V}/manage/requests/"}, follow=True)
    assert "已批准入队" in text(r) and "没有待审批的入队申请" in text(r)


def test_a_resident_proposes_a_project_on_the_phone_and_the_community_approves_it(world, client):
    client.force_login(world.user("resident"))
    data = {
        "title": "旧物改造手工课",
        "description": "教居民做环保袋",
        "place": "活动室",
        "starts_at": "2026-07-10T09:00",
        "ends_at": "2026-07-10T11:00",
        "capacity": "8",
    }
    r = client.post(f"{V}/projects/new/", {**data, "capacity": "0"})
    assert r.status_code == 200 and "名额须在 1 到" in text(r)
    r = client.post(f"{V}/projects/new/", data, follow=True)
    assert "项目已提交" in text(r) and "待审核" in text(r)
    p = VolunteerProject.objects.get()
    client.force_login(world.user("community"))
    assert "旧物改造手工课" in text(client.get(f"{V}/manage/projects/"))
    r = client.post(f"{V}/projects/{p.pk}/approve/", {"next": f"{V}/manage/projects/"}, follow=True)
    assert "已审核通过" in text(r) and "没有待审核的申报项目" in text(r)
    p.refresh_from_db()
    client.force_login(world.user("resident"))
    page = text(client.get(f"{V}/activities/{p.activity_id}/"))
    assert "花名册与签到码" in page and "居民自主申报项目" in page


def test_the_h5_home_shows_the_volunteer_tiles_and_the_staff_nav_links_the_desk(world, client):
    client.force_login(world.user("member"))
    home = text(client.get("/h5/"))
    assert "志愿服务" in home and "志愿时长" in home
    client.force_login(world.user("community"))
    assert f'href="{V}/manage/activities/"' in text(client.get(f"{V}/manage/hours/"))
    assert client.get(f"{V}/").status_code == 302  # a desk account is taken to the staff list


def test_the_demo_step_builds_teams_activities_and_hours_once(world):
    from redgrid.demo import EXTRA_STEPS, DemoContext
    from redgrid.participation import volunteer_demo
    from redgrid.participation.volunteer_selectors import hours_of

    assert any(fn is volunteer_demo.build for _, fn in EXTRA_STEPS)
    ctx = DemoContext(scale="street", log=lambda s: None)
    volunteer_demo.build(ctx)
    assert VolunteerTeam.objects.filter(kind="professional").count() == 3
    assert VolunteerActivity.objects.count() == 6  # 4 upcoming + the past one + the approved project's
    assert ShiftSignup.objects.filter(user=world.user("member"), status="signed_up").exists()
    assert (
        hours_of(
            world.user("member"), ShiftSignup.objects.filter(status="confirmed").first().shift.starts_at.year
        )["total"]
        > 0
    )
    assert VolunteerProject.objects.filter(status="pending").count() == 1
    volunteer_demo.build(ctx)
    assert VolunteerTeam.objects.count() == 4 and VolunteerActivity.objects.count() == 6
