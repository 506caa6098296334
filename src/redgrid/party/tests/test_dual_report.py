"""双报到: registration and confirmation by the community, service records and their limits, hours per
year, the report back to the member's organisation, and scope."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from redgrid.core.api import Conflict
from redgrid.core.models import AuditLog, Notification
from redgrid.party import dual_report as D
from redgrid.party.models import DualRegistration, DualReportEvent, DualServiceRecord, PartyMember

pytestmark = pytest.mark.django_db


def at(day: str):
    return time_machine.travel(f"{day} 10:00 +08:00", tick=False)


def _in_service(world, key="A1-1") -> PartyMember:
    PartyMember.objects.filter(pk=world.members[key].pk).update(in_service=True, work_unit="奎文区财政局")
    return PartyMember.objects.get(pk=world.members[key].pk)


def _registered(world, day="2026-03-01") -> DualRegistration:
    _in_service(world)
    with at(day):
        reg = D.dual_register(actor=world.user("member"), community=world.regions["wenhua"], skills="助老")
        D.dual_confirm(actor=world.user("community"), registration=reg)
    reg.refresh_from_db()
    return reg


def test_an_in_service_member_registers_and_the_community_confirms(world, django_capture_on_commit_callbacks):
    member = _in_service(world)
    with at("2026-03-01"), django_capture_on_commit_callbacks(execute=True):
        reg = D.dual_register(actor=world.user("member"), community=world.regions["wenhua"])
    assert reg.status == DualRegistration.Status.PENDING
    assert Notification.objects.filter(recipient=world.user("community"), kind="party.dual").exists()
    assert not Notification.objects.filter(
        recipient=world.user("outsider_community"), kind="party.dual"
    ).exists()
    with at("2026-03-02"), django_capture_on_commit_callbacks(execute=True):
        D.dual_confirm(actor=world.user("community"), registration=reg)
    reg.refresh_from_db()
    member.refresh_from_db()
    assert reg.status == DualRegistration.Status.CONFIRMED
    assert (reg.confirmed_on, reg.valid_until) == (
        date(2026, 3, 2),
        date(2026, 9, 2),
    )  # 6 months (rules table)
    assert member.home_community == world.regions["wenhua"]
    assert Notification.objects.filter(
        recipient=world.user("member"), title__contains="已确认您的报到"
    ).exists()
    assert list(DualReportEvent.objects.filter(registration=reg).values_list("action", flat=True)) == [
        "register",
        "confirm",
    ]
    assert AuditLog.objects.filter(action="party.dual.confirm").exists()


def test_only_in_service_party_members_register(world):
    with pytest.raises(ValidationError, match="在职党员"):
        D.dual_register(actor=world.user("member"), community=world.regions["wenhua"])
    with pytest.raises(PermissionDenied):
        D.dual_register(actor=world.user("resident"), community=world.regions["wenhua"])
    _in_service(world)
    with pytest.raises(ValidationError, match="社区"):
        D.dual_register(actor=world.user("member"), community=world.regions["A1"])
    assert not DualRegistration.objects.exists()


def test_a_second_registration_waits_for_the_first_and_renewal_opens_near_expiry(world):
    _in_service(world)
    with at("2026-03-01"):
        reg = D.dual_register(actor=world.user("member"), community=world.regions["wenhua"])
        with pytest.raises(Conflict, match="等待社区确认"):
            D.dual_register(actor=world.user("member"), community=world.regions["songhe"])
        D.dual_confirm(actor=world.user("community"), registration=reg)
    with at("2026-07-31"), pytest.raises(Conflict, match="届满前 30 天内可重新报到"):
        D.dual_register(actor=world.user("member"), community=world.regions["songhe"])
    with at("2026-08-05"):
        renewal = D.dual_register(actor=world.user("member"), community=world.regions["songhe"])
        D.dual_confirm(actor=world.user("outsider_community"), registration=renewal)
    reg.refresh_from_db()
    assert reg.status == DualRegistration.Status.ENDED
    assert PartyMember.objects.get(pk=world.members["A1-1"].pk).home_community == world.regions["songhe"]


def test_only_staff_of_that_community_confirm(world):
    _in_service(world)
    reg = D.dual_register(actor=world.user("member"), community=world.regions["wenhua"])
    for name in ("outsider_community", "branch", "gridworker"):
        with pytest.raises(PermissionDenied):
            D.dual_confirm(actor=world.user(name), registration=reg)
    assert not D.registrations_visible_to(world.user("outsider_community")).filter(pk=reg.pk).exists()
    D.dual_confirm(actor=world.user("street"), registration=reg)  # the street covers the community


def test_a_rejection_needs_a_reason_and_is_final(world):
    _in_service(world)
    reg = D.dual_register(actor=world.user("member"), community=world.regions["wenhua"])
    with pytest.raises(ValidationError):
        D.dual_reject(actor=world.user("community"), registration=reg, reason=" ")
    D.dual_reject(actor=world.user("community"), registration=reg, reason="不在本社区居住")
    with pytest.raises(Conflict):
        D.dual_confirm(actor=world.user("community"), registration=reg)


# --- service records ----------------------------------------------------------------------------------------


def test_service_is_recorded_within_the_registration_and_counts_once_confirmed(world):
    _registered(world)
    with at("2026-04-10"):
        first = D.dual_record_service(
            actor=world.user("member"), served_on=date(2026, 4, 9), hours="3", content="助老"
        )
        second = D.dual_record_service(
            actor=world.user("member"), served_on=date(2026, 4, 10), hours=2.5, content="宣传"
        )
        assert D.member_hours([world.members["A1-1"].pk], 2026) == {}
        D.dual_confirm_service(actor=world.user("community"), record=first)
        D.dual_reject_service(actor=world.user("community"), record=second, reason="未见签到")
        with pytest.raises(Conflict):
            D.dual_confirm_service(actor=world.user("community"), record=second)
    assert first.community == world.regions["wenhua"]
    assert D.member_hours([world.members["A1-1"].pk], 2026) == {world.members["A1-1"].pk: Decimal("3.0")}


@pytest.mark.parametrize(
    ("served_on", "hours", "content", "error"),
    [
        (date(2026, 4, 11), "2", "助老", "不能晚于今天"),
        (date(2026, 3, 10), "2", "助老", "30 天内"),
        (date(2026, 4, 9), "8.5", "助老", "不能超过 8"),
        (date(2026, 4, 9), "0", "助老", "大于 0"),
        (date(2026, 4, 9), "两小时", "助老", "应为数字"),
        (date(2026, 4, 9), "2", " ", "服务内容"),
    ],
)
def test_service_records_outside_the_limits_are_refused(world, served_on, hours, content, error):
    _registered(world)
    with at("2026-04-10"), pytest.raises(ValidationError, match=error):
        D.dual_record_service(actor=world.user("member"), served_on=served_on, hours=hours, content=content)
    assert not DualServiceRecord.objects.exists()


def test_service_outside_a_confirmed_registration_is_a_conflict(world):
    _in_service(world)
    with at("2026-03-01"):
        D.dual_register(actor=world.user("member"), community=world.regions["wenhua"])
        with pytest.raises(Conflict, match="报到有效期"):
            D.dual_record_service(
                actor=world.user("member"), served_on=date(2026, 3, 1), hours="1", content="助老"
            )
    pending = DualRegistration.objects.get()
    with at("2026-03-02"):
        D.dual_confirm(actor=world.user("community"), registration=pending)
    with at("2026-09-20"), pytest.raises(Conflict):
        D.dual_record_service(
            actor=world.user("member"), served_on=date(2026, 9, 19), hours="1", content="助老"
        )


def test_the_organisation_page_lists_its_in_service_members_with_hours(world):
    _registered(world)
    _in_service(world, "A1-0")
    with at("2026-04-10"):
        rec = D.dual_record_service(
            actor=world.user("member"), served_on=date(2026, 4, 9), hours="4", content="助老"
        )
        D.dual_confirm_service(actor=world.user("community"), record=rec)
    members = list(D.in_service_members_visible_to(world.user("branch")).order_by("id"))
    assert [m.pk for m in members] == [world.members["A1-0"].pk, world.members["A1-1"].pk]
    rows = D.decorate_members(members, 2026, date(2026, 4, 10))
    assert [(r.registration is not None, r.hours, r.records) for r in rows] == [
        (False, Decimal("0"), 0),
        (True, Decimal("4.0"), 1),
    ]
    assert not D.in_service_members_visible_to(world.user("outsider_branch")).exists()
    assert not D.in_service_members_visible_to(world.user("member")).exists()


def test_the_community_queue_holds_only_its_own_pending_items(world):
    _in_service(world)
    reg = D.dual_register(actor=world.user("member"), community=world.regions["wenhua"])
    assert list(D.community_queue(world.user("community"))["registrations"]) == [reg]
    assert not D.community_queue(world.user("outsider_community"))["registrations"].exists()
    assert not D.community_queue(world.user("branch"))["registrations"].exists()


# --- report back to the member's organisation ----------------------------------------------------------------


def test_each_quarter_the_organisation_gets_one_report_of_its_members_service(world):
    _registered(world, "2026-08-01")
    with at("2026-09-10"):
        rec = D.dual_record_service(
            actor=world.user("member"), served_on=date(2026, 9, 9), hours="5", content="助老"
        )
        D.dual_confirm_service(actor=world.user("community"), record=rec)
    with at("2026-09-30"):
        D.dual_feedback(date(2026, 9, 30))  # reports the second quarter: registered later, nothing served
    with at("2026-10-01"):
        assert D.dual_feedback(date(2026, 10, 1)) == 1
        assert D.dual_feedback(date(2026, 10, 2)) == 0
    titles = list(
        Notification.objects.filter(recipient=world.user("branch"), kind="party.dual").values_list(
            "title", flat=True
        )
    )
    assert (
        titles[0]
        == "2026年07月至2026年09月双报到情况：在职党员 1 人，已到社区报到 1 人，社区确认服务 5.0 小时"
    )
    assert not Notification.objects.filter(
        recipient=world.user("outsider_branch"), kind="party.dual"
    ).exists()
