"""志愿服务 workflows through the services: teams and join requests, activities and shifts, sign-up and
cancellation (capacity at the boundary, deadline, team-only, overlap, limit), projects — legal and illegal."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from redgrid.core.api import Conflict
from redgrid.core.models import AuditLog, Notification, Rule
from redgrid.participation import volunteers as v
from redgrid.participation.models import ShiftSignup, TeamMembership, VolunteerActivity, VolunteerProject
from redgrid.participation.tests.volunteer_helpers import (
    T0,
    first_shift,
    make_activity,
    make_team,
    shift,
    volunteer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(T0, tick=False):
        yield


# --- transitions as data ------------------------------------------------------------------------------------------


def test_the_signup_workflow_table_allows_exactly_the_documented_moves():
    moves = {name: (sorted(t.sources), t.target) for name, t in v.SIGNUP_TRANSITIONS.items()}
    assert moves == {
        "cancel": (["signed_up"], "cancelled"),
        "check_in": (["signed_up"], "checked_in"),
        "check_out": (["checked_in"], "checked_out"),
        "confirm": (["checked_in", "checked_out"], "confirmed"),
        "absent": (["checked_in", "signed_up"], "absent"),
        "void": (["signed_up"], "cancelled"),
    }
    assert {n: t.target for n, t in v.MEMBERSHIP_TRANSITIONS.items()} == {
        "approve": "approved",
        "reject": "rejected",
        "leave": "left",
    }
    assert {n: (sorted(t.sources), t.target) for n, t in v.PROJECT_TRANSITIONS.items()} == {
        "approve": (["pending"], "approved"),
        "reject": (["pending"], "rejected"),
        "withdraw": (["pending"], "withdrawn"),
    }


# --- teams ----------------------------------------------------------------------------------------------------------


def test_the_community_founds_a_professional_team_with_a_party_member_as_instructor(world):
    team = make_team(world, name="微光法律服务队", kind="professional", skills="法律咨询，合同审查、法律咨询")
    assert team.skills == ["法律咨询", "合同审查"]
    assert team.instructor == world.members["A1-0"] and team.community == world.regions["wenhua"]
    assert team.events.get().action == "team_create"
    assert AuditLog.objects.filter(action="volunteer.team.create", object_id=str(team.pk)).exists()


def test_a_professional_team_needs_its_skills(world):
    with pytest.raises(ValidationError, match="专业服务技能"):
        make_team(world, name="微光健康服务队", kind="professional")


def test_the_instructor_must_be_an_active_party_member_of_the_community(world):
    with pytest.raises(ValidationError, match="必须是党员"):
        make_team(world, instructor=None)
    with pytest.raises(ValidationError, match="居住在本社区或到本社区报到"):
        make_team(world, instructor=world.members["C1-0"])
    far = world.members["C1-1"]
    far.home_community = world.regions["wenhua"]  # an in-service member reporting to 文化路 (双报到)
    far.in_service = True
    far.save()
    assert make_team(world, instructor=far).instructor == far
    gone = world.members["A1-2"]
    gone.status = "transferred_out"
    gone.save()
    with pytest.raises(ValidationError, match="正式或预备党员"):
        make_team(world, name="另一队", instructor=gone)


def test_only_staff_of_the_community_or_street_found_teams(world):
    for name in ("gridworker", "branch", "outsider_community", "outsider_street", "member"):
        with pytest.raises(PermissionDenied):
            make_team(world, actor=world.user(name))
    assert make_team(world, actor=world.user("street"), name="街道队").pk
    with pytest.raises(ValidationError, match="社区一级"):
        make_team(world, community=world.regions["A1"])


def test_a_team_name_is_unique_in_its_community(world):
    make_team(world)
    with pytest.raises(ValidationError, match="已有名为"):
        make_team(world)
    assert make_team(
        world, community=world.regions["songhe"], instructor=world.members["B1-0"], actor=world.user("street")
    ).pk


def test_a_join_request_is_approved_by_the_leader_and_the_applicant_is_told(
    world, django_capture_on_commit_callbacks
):
    leader = world.user("member")
    team = make_team(world, leader=leader)
    applicant = volunteer(world, "A1-01")
    with django_capture_on_commit_callbacks(execute=True):
        row = v.team_join(actor=applicant, team=team, skills=["驾驶"], note="周末有空")
    assert row.status == "pending"
    assert set(
        Notification.objects.filter(title__contains="入队申请").values_list("recipient__username", flat=True)
    ) >= {
        "member",
        "community",
        "street",
    }
    with pytest.raises(PermissionDenied):
        v.membership_approve(actor=volunteer(world, "A1-20"), membership=row)
    with django_capture_on_commit_callbacks(execute=True):
        v.membership_approve(actor=leader, membership=row)
    row.refresh_from_db()
    assert row.status == "approved" and row.decided_by == leader
    assert Notification.objects.filter(recipient=applicant, title__contains="已批准").exists()
    with pytest.raises(Conflict, match="已批准|已入队"):
        v.membership_reject(actor=leader, membership=row, reason="不合适")


def test_a_second_request_while_one_is_open_is_refused_and_a_rejection_needs_a_reason(world):
    team = make_team(world)
    applicant = volunteer(world, "A1-01")
    row = v.team_join(actor=applicant, team=team)
    with pytest.raises(Conflict, match="已申请或已是该队队员"):
        v.team_join(actor=applicant, team=team)
    with pytest.raises(ValidationError, match="驳回原因"):
        v.membership_reject(actor=world.user("community"), membership=row, reason=" ")
    v.membership_reject(actor=world.user("community"), membership=row, reason="本队已满员")
    assert TeamMembership.objects.get(pk=row.pk).reject_reason == "本队已满员"
    assert v.team_join(actor=applicant, team=team).status == "pending"  # may ask again later


def test_members_leave_but_the_leader_cannot_and_staff_accounts_cannot_join(world):
    leader = world.user("member")
    team = make_team(world, leader=leader)
    with pytest.raises(Conflict, match="队长不能退出"):
        v.membership_leave(actor=leader, membership=team.memberships.get(user=leader))
    row = v.team_join(actor=volunteer(world, "A1-01"), team=team)
    with pytest.raises(PermissionDenied):
        v.membership_leave(actor=leader, membership=row)
    assert v.membership_leave(actor=row.user, membership=row).status == "left"
    with pytest.raises(PermissionDenied, match="关联居民信息"):
        v.team_join(actor=world.user("community"), team=team)


# --- activities and shifts ---------------------------------------------------------------------------------------------


def test_an_activity_is_published_with_its_shifts_by_community_staff_or_the_team_leader(world):
    a = make_activity(world, shifts=[shift(48), shift(72, capacity=5)])
    assert a.status == "published" and a.shifts.count() == 2
    team = make_team(world, leader=world.user("member"))
    b = make_activity(world, actor=world.user("member"), team=team, title="义诊", team_only=True)
    assert b.community == team.community and b.team_only
    for name in ("gridworker", "resident", "outsider_community", "outsider_street"):
        with pytest.raises(PermissionDenied):
            make_activity(world, actor=world.user(name))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"starts_at": T0 - timedelta(hours=1)}, "晚于现在"),
        ({"ends_at": T0 + timedelta(hours=47)}, "结束时间须晚于开始时间"),
        ({"ends_at": T0 + timedelta(hours=48 + 13)}, "12 小时"),
        ({"capacity": 0}, "名额须在 1 到 500"),
        ({"capacity": "很多"}, "整数"),
        ({"place": ""}, "班次地点"),
    ],
)
def test_a_bad_shift_is_refused_and_nothing_is_saved(world, bad, message):
    with pytest.raises(ValidationError, match=message):
        make_activity(world, shifts=[shift(), {**shift(), **bad}])
    assert not VolunteerActivity.objects.exists()


def test_an_activity_needs_a_shift_and_team_only_needs_a_team(world):
    with pytest.raises(ValidationError, match="至少设置一个班次"):
        make_activity(world, shifts=[])
    with pytest.raises(ValidationError, match="服务队"):
        make_activity(world, team_only=True)


def test_cancelling_an_activity_voids_the_signups_and_tells_the_volunteers(
    world, django_capture_on_commit_callbacks
):
    a = make_activity(world)
    s = v.shift_signup(actor=world.user("member"), shift=first_shift(a))
    with pytest.raises(PermissionDenied):
        v.activity_cancel(actor=world.user("gridworker"), activity=a, reason="下雨")
    with django_capture_on_commit_callbacks(execute=True):
        v.activity_cancel(actor=world.user("community"), activity=a, reason="暴雨预警")
    s.refresh_from_db()
    assert s.status == "cancelled" and "暴雨预警" in s.note
    assert Notification.objects.filter(recipient=world.user("member"), title__contains="已取消").exists()
    with pytest.raises(Conflict, match="活动已取消"):
        v.activity_cancel(actor=world.user("community"), activity=a, reason="再取消")
    with pytest.raises(Conflict, match="已取消"):
        v.shift_signup(actor=volunteer(world, "A1-01"), shift=first_shift(a))


def test_an_activity_someone_served_in_cannot_be_cancelled(world):
    a = make_activity(world, shifts=[shift(1)])
    s = v.shift_signup(actor=world.user("member"), shift=first_shift(a))
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        v.signup_scan(actor=world.user("member"), token=v.scan_token(s.shift, "in"))
        with pytest.raises(Conflict, match="已有志愿者签到"):
            v.activity_cancel(actor=world.user("community"), activity=a, reason="提前结束")


def test_a_shift_is_added_and_cancelled_by_the_organiser(world):
    a = make_activity(world)
    extra = v.shift_add(actor=world.user("community"), activity=a, **shift(96, capacity=2))
    s = v.shift_signup(actor=world.user("member"), shift=extra)
    with pytest.raises(PermissionDenied):
        v.shift_add(actor=world.user("resident"), activity=a, **shift(120))
    v.shift_cancel(actor=world.user("community"), shift=extra, reason="场地冲突")
    s.refresh_from_db()
    assert s.status == "cancelled"
    with pytest.raises(Conflict, match="已取消"):
        v.shift_cancel(actor=world.user("community"), shift=extra, reason="再取消")


# --- sign-up ------------------------------------------------------------------------------------------------------------


def test_the_last_seat_is_taken_and_the_next_volunteer_is_told_it_is_full(world):
    a = make_activity(world, shifts=[shift(capacity=2)])
    sh = first_shift(a)
    v.shift_signup(actor=volunteer(world, "A1-01"), shift=sh)
    v.shift_signup(actor=volunteer(world, "A1-11"), shift=sh)  # the last seat
    with pytest.raises(Conflict, match="名额已满"):
        v.shift_signup(actor=volunteer(world, "A1-20"), shift=sh)
    assert ShiftSignup.objects.filter(shift=sh).count() == 2
    # A cancellation frees the seat again.
    v.signup_cancel(
        actor=volunteer(world, "A1-01"),
        signup=ShiftSignup.objects.get(shift=sh, user=volunteer(world, "A1-01")),
    )
    assert v.shift_signup(actor=volunteer(world, "A1-20"), shift=sh).status == "signed_up"


def test_signing_up_twice_is_refused_but_signing_up_again_after_cancelling_works(world):
    a = make_activity(world)
    sh = first_shift(a)
    first = v.shift_signup(actor=world.user("member"), shift=sh)
    with pytest.raises(Conflict, match="您已报名"):
        v.shift_signup(actor=world.user("member"), shift=sh)
    v.signup_cancel(actor=world.user("member"), signup=first)
    again = v.shift_signup(actor=world.user("member"), shift=sh)
    assert again.pk != first.pk and again.status == "signed_up"
    assert [e.action for e in again.events.all()] == ["signup"]


def test_signup_closes_when_the_shift_starts(world):
    a = make_activity(world, shifts=[shift(2)])
    with (
        time_machine.travel(T0 + timedelta(hours=2), tick=False),
        pytest.raises(Conflict, match="报名已截止"),
    ):
        v.shift_signup(actor=world.user("member"), shift=first_shift(a))


def test_a_team_only_activity_admits_only_approved_members(world):
    team = make_team(world)
    a = make_activity(world, team=team, team_only=True)
    applicant = volunteer(world, "A1-01")
    row = v.team_join(actor=applicant, team=team)
    with pytest.raises(PermissionDenied, match="仅限"):
        v.shift_signup(actor=applicant, shift=first_shift(a))
    v.membership_approve(actor=world.user("community"), membership=row)
    assert v.shift_signup(actor=applicant, shift=first_shift(a)).status == "signed_up"


def test_overlapping_shifts_and_the_open_signup_limit_are_refused(world):
    a = make_activity(
        world, shifts=[shift(48), shift(49), shift(52), shift(56), shift(60), shift(64), shift(68)]
    )
    shifts = list(a.shifts.order_by("starts_at"))
    user = world.user("member")
    v.shift_signup(actor=user, shift=shifts[0])
    with pytest.raises(Conflict, match="时间冲突"):
        v.shift_signup(actor=user, shift=shifts[1])  # 49:00 starts inside 48:00–50:00
    for sh in shifts[2:6]:
        v.shift_signup(actor=user, shift=sh)
    with pytest.raises(Conflict, match="volunteer.open_signup_limit"):
        v.shift_signup(actor=user, shift=shifts[6])
    Rule.objects.create(key="volunteer.open_signup_limit", value=6)
    assert v.shift_signup(actor=user, shift=shifts[6]).status == "signed_up"


def test_staff_accounts_without_a_resident_record_cannot_sign_up(world):
    a = make_activity(world)
    with pytest.raises(PermissionDenied, match="关联居民信息"):
        v.shift_signup(actor=world.user("community"), shift=first_shift(a))


def test_cancelling_is_allowed_until_two_hours_before_the_start(world):
    a = make_activity(world, shifts=[shift(48)])
    s = v.shift_signup(actor=world.user("member"), shift=first_shift(a))
    with pytest.raises(PermissionDenied):
        v.signup_cancel(actor=world.user("resident"), signup=s)
    with time_machine.travel(T0 + timedelta(hours=46, minutes=1), tick=False):
        with pytest.raises(Conflict, match="2 小时内不能取消.*volunteer.cancel_hours"):
            v.signup_cancel(actor=world.user("member"), signup=s)
    with time_machine.travel(T0 + timedelta(hours=46), tick=False):
        assert v.signup_cancel(actor=world.user("member"), signup=s).status == "cancelled"
    with pytest.raises(Conflict, match="已取消"):
        v.signup_cancel(actor=world.user("member"), signup=s)


# --- projects -----------------------------------------------------------------------------------------------------------


def _propose(world, who="resident"):
    return v.project_propose(
        actor=world.user(who),
        title="旧物改造手工课",
        description="教居民把旧衣物改成环保袋",
        place="社区活动室",
        starts_at=T0 + timedelta(days=5),
        ends_at=T0 + timedelta(days=5, hours=2),
        capacity=10,
    )


def test_an_approved_project_becomes_an_activity_organised_by_the_proposer(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        p = _propose(world)
    assert p.community == world.regions["wenhua"] and p.status == "pending"
    assert Notification.objects.filter(recipient=world.user("community"), title__contains="待审核").exists()
    with pytest.raises(PermissionDenied):
        v.project_approve(actor=world.user("gridworker"), project=p)
    with django_capture_on_commit_callbacks(execute=True):
        v.project_approve(actor=world.user("community"), project=p)
    p.refresh_from_db()
    a = p.activity
    assert p.status == "approved" and a.organiser == world.user("resident") and a.community == p.community
    sh = first_shift(a)
    assert (sh.starts_at, sh.ends_at, sh.capacity, sh.place) == (p.starts_at, p.ends_at, 10, "社区活动室")
    assert Notification.objects.filter(recipient=world.user("resident"), title__contains="已通过").exists()
    with pytest.raises(Conflict):
        v.project_reject(actor=world.user("community"), project=p, reason="晚了")


def test_a_project_is_rejected_with_a_reason_or_withdrawn_by_its_proposer(world):
    p = _propose(world)
    with pytest.raises(ValidationError, match="驳回原因"):
        v.project_reject(actor=world.user("community"), project=p, reason="")
    v.project_reject(actor=world.user("community"), project=p, reason="场地不具备条件")
    assert VolunteerProject.objects.get(pk=p.pk).reject_reason == "场地不具备条件"
    q = _propose(world)
    with pytest.raises(PermissionDenied):
        v.project_withdraw(actor=world.user("member"), project=q)
    assert v.project_withdraw(actor=world.user("resident"), project=q).status == "withdrawn"
    with pytest.raises(Conflict):
        v.project_approve(actor=world.user("community"), project=q)


def test_a_project_whose_start_has_passed_cannot_be_approved(world):
    p = _propose(world)
    with (
        time_machine.travel(T0 + timedelta(days=6), tick=False),
        pytest.raises(Conflict, match="开始时间已过"),
    ):
        v.project_approve(actor=world.user("community"), project=p)


def test_only_residents_with_a_household_propose_and_the_times_are_checked(world):
    with pytest.raises(ValidationError, match="尚未关联住户"):
        _propose(world, "community")
    with pytest.raises(ValidationError, match="晚于现在"):
        v.project_propose(
            actor=world.user("resident"),
            title="x",
            description="y",
            place="z",
            starts_at=T0 - timedelta(days=1),
            ends_at=T0,
            capacity=3,
        )
