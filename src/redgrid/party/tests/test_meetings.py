"""Branch life: recording meetings, QR sign-in, the 支委会 quorum (第十二条) and scope."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from redgrid.core.api import Conflict
from redgrid.core.models import AuditLog, Notification
from redgrid.party import services
from redgrid.party.models import MeetingAttendance, MeetingEvent, OrgLifeMeeting, PartyMember
from redgrid.testing import make_user

pytestmark = pytest.mark.django_db


def _record(world, kind="theme_day", **kw):
    params = dict(
        actor=world.user("branch"),
        org=world.orgs["A1"],
        kind=kind,
        date=date(2026, 7, 1),
        place="党群服务中心",
        topic="学习党章",
    )
    params.update(kw)
    return services.meeting_record(**params)


def _committee(world, *members):
    org = world.orgs["A1"]
    org.has_committee = True
    org.save()
    titles = ["书记", "组织委员", "宣传委员"]
    for key, title in zip(members, titles, strict=False):
        PartyMember.objects.filter(pk=world.members[key].pk).update(position=title)
    return org


def test_recording_a_meeting_creates_attendance_for_every_member_of_the_branch(world):
    m = _record(world, present=[world.members["A1-0"].pk], absences={world.members["A1-1"].pk: "出差"})
    rows = {a.member_id: a for a in m.attendance.all()}
    assert len(rows) == 3
    assert rows[world.members["A1-0"].pk].present and rows[world.members["A1-0"].pk].signed_in_at
    assert rows[world.members["A1-1"].pk].absence_reason == "出差"
    assert m.status == OrgLifeMeeting.Status.OPEN
    assert MeetingEvent.objects.filter(meeting=m, action="record").exists()
    assert AuditLog.objects.filter(action="party.meeting.record", object_id=str(m.pk)).exists()


def test_members_with_an_account_get_a_meeting_notice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _record(world)
    assert Notification.objects.filter(recipient=world.user("member"), kind="party.meeting").count() == 1


def test_a_branch_without_a_committee_cannot_hold_a_committee_meeting(world):
    with pytest.raises(ValidationError, match="第六章"):
        _record(world, kind="branch_committee")
    assert not OrgLifeMeeting.objects.exists()


def test_a_committee_meeting_expects_only_members_with_a_position(world):
    _committee(world, "A1-0", "A1-1")
    m = _record(world, kind="branch_committee")
    assert set(m.attendance.values_list("member_id", flat=True)) == {
        world.members["A1-0"].pk,
        world.members["A1-1"].pk,
    }


def test_a_committee_meeting_with_exactly_half_present_is_refused_citing_article_12(world):
    _committee(world, "A1-0", "A1-1")
    with pytest.raises(Conflict, match="第十二条") as exc:
        _record(world, kind="branch_committee", present=[world.members["A1-0"].pk], close=True)
    assert "未超过委员总数 2 人的半数" in str(exc.value)
    assert not OrgLifeMeeting.objects.exists()  # nothing half-saved


def test_a_committee_meeting_with_more_than_half_present_can_be_closed(world):
    _committee(world, "A1-0", "A1-1", "A1-2")
    m = _record(world, kind="branch_committee", present=[world.members["A1-0"].pk, world.members["A1-1"].pk])
    assert services.meeting_quorum(m)["met"]
    services.meeting_close(actor=world.user("branch"), meeting=m)
    m.refresh_from_db()
    assert m.status == OrgLifeMeeting.Status.CLOSED


def test_closing_twice_is_a_conflict_naming_the_current_state(world):
    m = _record(world)
    services.meeting_close(actor=world.user("branch"), meeting=m)
    with pytest.raises(Conflict, match="已召开"):
        services.meeting_close(actor=world.user("branch"), meeting=m)


def test_a_meeting_cannot_be_recorded_as_held_before_its_date(world):
    with time_machine.travel(date(2026, 6, 30)), pytest.raises(ValidationError, match="还没到"):
        _record(world, close=True)


def test_a_party_group_cannot_record_a_general_assembly(world):
    group = world.orgs["A1"].add_child(name="一号楼党小组", kind="building_group")
    with pytest.raises(ValidationError, match="党小组不能召开"):
        _record(world, org=group, kind="general_assembly")


def test_strangers_in_the_attendance_list_are_refused(world):
    with pytest.raises(ValidationError, match="不属于"):
        _record(world, present=[world.members["C1-0"].pk])
    assert not MeetingAttendance.objects.exists()


def test_the_member_signs_in_with_the_token_and_is_marked_present(world, client):
    m = _record(world)
    token = services.meeting_sign_in_token(m)
    client.force_login(world.user("member"))  # the member account is A1-1
    response = client.get(f"/party/meetings/{m.pk}/sign-in/{token}/")
    assert response.status_code == 200 and "签到成功" in response.content.decode()
    row = MeetingAttendance.objects.get(meeting=m, member=world.members["A1-1"])
    assert row.present and row.signed_in_at
    assert client.get(f"/party/meetings/{m.pk}/sign-in/{token}/").status_code == 200  # idempotent
    assert MeetingEvent.objects.filter(meeting=m, action="sign_in").count() == 1


def test_an_expired_sign_in_token_is_refused(world, client):
    with time_machine.travel("2026-07-01 09:00 +0800", tick=False):
        m = _record(world)
        token = services.meeting_sign_in_token(m)
    client.force_login(world.user("member"))
    with time_machine.travel("2026-07-01 12:59 +0800", tick=False):
        assert client.get(f"/party/meetings/{m.pk}/sign-in/{token}/").status_code == 200
    MeetingAttendance.objects.update(present=False)
    with time_machine.travel("2026-07-01 13:01 +0800", tick=False):
        response = client.get(f"/party/meetings/{m.pk}/sign-in/{token}/")
    assert response.status_code == 400 and "过期" in response.content.decode()


def test_a_token_for_another_meeting_or_a_forged_one_is_refused(world):
    m1, m2 = _record(world), _record(world, topic="第二次")
    with pytest.raises(ValidationError, match="不符"):
        services.meeting_sign_in(
            actor=world.user("member"), meeting_id=m2.pk, token=services.meeting_sign_in_token(m1)
        )
    with pytest.raises(ValidationError, match="无效"):
        services.meeting_sign_in(actor=world.user("member"), meeting_id=m1.pk, token="forged:token")


def test_a_member_of_another_branch_cannot_sign_in(world):
    m = _record(world)
    outsider = make_user("c1member", person=world.members["C1-0"].person)
    with pytest.raises(PermissionDenied, match="应到人员"):
        services.meeting_sign_in(actor=outsider, meeting_id=m.pk, token=services.meeting_sign_in_token(m))
    with pytest.raises(PermissionDenied, match="未关联党员"):
        services.meeting_sign_in(
            actor=world.user("resident"), meeting_id=m.pk, token=services.meeting_sign_in_token(m)
        )


def test_sign_in_after_the_meeting_is_closed_is_a_conflict(world, client):
    m = _record(world)
    token = services.meeting_sign_in_token(m)
    services.meeting_close(actor=world.user("branch"), meeting=m)
    client.force_login(world.user("member"))
    response = client.get(f"/party/meetings/{m.pk}/sign-in/{token}/")
    assert response.status_code == 409 and "签到已结束" in response.content.decode()


def test_sign_in_requires_login(world, client):
    m = _record(world)
    response = client.get(f"/party/meetings/{m.pk}/sign-in/{services.meeting_sign_in_token(m)}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_secretary_records_an_absence_reason_while_sign_in_is_open(world):
    m = _record(world)
    row = services.meeting_set_attendance(
        actor=world.user("branch"),
        meeting=m,
        member_id=world.members["A1-2"].pk,
        present=False,
        absence_reason="生病",
    )
    assert row.absence_reason == "生病" and not row.present
    services.meeting_close(actor=world.user("branch"), meeting=m)
    with pytest.raises(Conflict, match="不能再修改"):
        services.meeting_set_attendance(
            actor=world.user("branch"), meeting=m, member_id=world.members["A1-2"].pk, present=True
        )


def test_the_outsider_branch_gets_404_for_branch_a1s_meetings(world, client):
    m = _record(world)
    client.force_login(world.user("outsider_branch"))
    assert client.get(f"/party/meetings/{m.pk}/").status_code == 404
    assert client.post(f"/party/meetings/{m.pk}/close/").status_code == 404
    assert m.topic not in client.get("/party/meetings/").content.decode()
    client.force_login(world.user("branch"))
    assert client.get(f"/party/meetings/{m.pk}/").status_code == 200


def test_the_outsider_branch_cannot_record_a_meeting_for_a1(world, client):
    client.force_login(world.user("outsider_branch"))
    response = client.post(
        "/party/meetings/new/",
        {"org": world.orgs["A1"].pk, "kind": "theme_day", "date": "2026-07-01", "place": "x", "topic": "y"},
    )
    assert response.status_code == 404
    assert not OrgLifeMeeting.objects.exists()


def test_the_secretary_records_a_meeting_through_the_page_and_sees_the_sign_in_link(world, client):
    client.force_login(world.user("branch"))
    response = client.post(
        "/party/meetings/new/",
        {
            "org": world.orgs["A1"].pk,
            "kind": "theme_day",
            "date": "2026-07-01",
            "place": "党群服务中心",
            "topic": "七一",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "扫码签到" in page and "/sign-in/" in page


def test_the_page_shows_the_quorum_error_when_closing_fails(world, client):
    _committee(world, "A1-0", "A1-1")
    m = _record(world, kind="branch_committee")
    client.force_login(world.user("branch"))
    page = client.post(f"/party/meetings/{m.pk}/close/", follow=True).content.decode()
    assert "第十二条" in page


def test_the_meeting_list_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    for i in range(5):
        _record(world, topic=f"会议{i}", date=date(2026, 7, 1) - timedelta(days=i))
    client.force_login(world.user("branch"))
    client.get("/party/meetings/")
    # session, user, staff check (grant exists), grants (scope), count, nav orgs, page rows with their org,
    # and the idle-timeout session save (savepoint, update, release). No query per row.
    with django_assert_num_queries(10):
        response = client.get("/party/meetings/")
    assert response.content.decode().count("/party/meetings/") >= 5
