"""QR check-in/out with signed, time-limited tokens; hours computed from them (capped at the shift length);
confirmation by the organiser; yearly and 双报到 hours."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

from redgrid.core.api import Conflict
from redgrid.core.models import Notification, Rule
from redgrid.participation import volunteers as v
from redgrid.participation.tests.volunteer_helpers import (
    T0,
    first_shift,
    make_activity,
    served,
    shift,
    volunteer,
)
from redgrid.participation.volunteer_selectors import dual_report_hours, hours_of

pytestmark = pytest.mark.django_db


def _signed_up(world, *, who="member", start_hours=1, length_hours=2, **kw):
    with time_machine.travel(T0, tick=False):
        a = make_activity(world, shifts=[shift(start_hours, length_hours)], **kw)
        return v.shift_signup(actor=world.user(who) if isinstance(who, str) else who, shift=first_shift(a))


def _at(signup, minutes):
    return time_machine.travel(signup.shift.starts_at + timedelta(minutes=minutes), tick=False)


# --- tokens ------------------------------------------------------------------------------------------------------------


def test_a_check_in_token_expires_after_the_configured_minutes(world):
    s = _signed_up(world)
    with _at(s, -5):
        token = v.scan_token(s.shift, "in")
    with _at(s, 6), pytest.raises(ValidationError, match="已过期"):  # 11 minutes later: expired
        v.signup_scan(actor=s.user, token=token)
    with _at(s, 4):  # 9 minutes later: still valid
        assert v.signup_scan(actor=s.user, token=token).status == "checked_in"


def test_the_expiry_follows_the_rules_table(world):
    s = _signed_up(world)
    Rule.objects.create(key="volunteer.qr_minutes", value=30)
    with _at(s, -25):
        token = v.scan_token(s.shift, "in")
    with _at(s, 4):
        assert v.signup_scan(actor=s.user, token=token).status == "checked_in"


def test_a_forged_or_altered_token_is_refused(world):
    s = _signed_up(world)
    with _at(s, 0):
        good = v.scan_token(s.shift, "in")
        forged = signing.dumps({"s": s.shift_id, "k": "in"}, salt="another-salt", compress=True)
        wrong_key = signing.dumps(
            {"s": s.shift_id, "k": "in"}, key="not-our-secret-key-0123456789", salt=v.SCAN_SALT
        )
        for token in (forged, wrong_key, good[:-2] + ("AA" if not good.endswith("AA") else "BB"), "nonsense"):
            with pytest.raises(ValidationError, match="二维码无效"):
                v.signup_scan(actor=s.user, token=token)
        # The meeting sign-in secret cannot be replayed here either (different salt).
        from redgrid.party.services import SIGN_IN_SALT

        meeting_token = signing.dumps({"m": s.shift_id}, salt=SIGN_IN_SALT, compress=True)
        with pytest.raises(ValidationError, match="二维码无效"):
            v.signup_scan(actor=s.user, token=meeting_token)
    s.refresh_from_db()
    assert s.status == "signed_up"


def test_a_token_of_another_shift_does_not_check_in_to_this_one(world):
    s = _signed_up(world)
    with time_machine.travel(T0, tick=False):
        other = make_activity(world, shifts=[shift(1)], title="另一个活动")
    with _at(s, 0), pytest.raises(PermissionDenied, match="没有报名"):
        v.signup_scan(actor=s.user, token=v.scan_token(first_shift(other), "in"))


def test_a_volunteer_who_did_not_sign_up_cannot_check_in(world):
    s = _signed_up(world)
    with _at(s, 0), pytest.raises(PermissionDenied, match="没有报名"):
        v.signup_scan(actor=world.user("resident"), token=v.scan_token(s.shift, "in"))


# --- the check-in window -------------------------------------------------------------------------------------------------


def test_check_in_opens_thirty_minutes_before_the_start_and_closes_at_the_end(world):
    s = _signed_up(world)
    with _at(s, -31), pytest.raises(Conflict, match="30 分钟起才能签到"):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    with _at(s, 120), pytest.raises(Conflict, match="班次已结束"):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    with _at(s, -30):
        row = v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    assert row.status == "checked_in" and row.checked_in_at == s.shift.starts_at - timedelta(minutes=30)
    assert [e.action for e in row.events.all()] == ["signup", "check_in"]


def test_scanning_twice_changes_nothing(world):
    s = _signed_up(world)
    with _at(s, 0):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    with _at(s, 3):
        row = v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    assert row.checked_in_at == s.shift.starts_at
    assert row.events.filter(action="check_in").count() == 1


def test_checking_out_needs_a_check_in_and_ends_two_hours_after_the_shift(world):
    s = _signed_up(world)
    with _at(s, 10), pytest.raises(Conflict, match="还没有签到"):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "out"))
    with _at(s, 10):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    with _at(s, 120 + 121), pytest.raises(Conflict, match="volunteer.checkout_grace_minutes"):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "out"))
    with _at(s, 120 + 120):
        row = v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "out"))
    assert row.status == "checked_out"


def test_a_cancelled_signup_cannot_check_in(world):
    s = _signed_up(world, start_hours=5)
    with time_machine.travel(T0, tick=False):
        v.signup_cancel(actor=s.user, signup=s)
    with _at(s, 0), pytest.raises(PermissionDenied, match="没有报名"):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))


# --- hours ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes_in", "minutes_out", "hours"),
    [
        (0, 120, "2.0"),  # exactly the shift
        (-30, 150, "2.0"),  # early and late: capped at the shift length
        (15, 120, "1.8"),  # 105 minutes = 1.75 h → 1.8 (half up)
        (10, 13, "0.1"),  # 3 minutes = 0.05 h → 0.1
        (10, 11, "0.0"),  # 1 minute rounds to nothing
        (0, 99, "1.7"),  # 1.65 h → 1.7
    ],
)
def test_hours_are_the_time_between_check_in_and_out_capped_at_the_shift(
    world, minutes_in, minutes_out, hours
):
    s = _signed_up(world)
    row = served(world, s, minutes_in=minutes_in, minutes_out=minutes_out)
    assert row.hours == Decimal(hours)


def test_the_organiser_confirms_the_computed_hours_and_the_volunteer_is_told(
    world, django_capture_on_commit_callbacks
):
    s = served(world, _signed_up(world), minutes_in=15, minutes_out=120)
    with pytest.raises(PermissionDenied):
        v.signup_confirm(actor=world.user("gridworker"), signup=s)
    with pytest.raises(PermissionDenied):
        v.signup_confirm(actor=s.user, signup=s)  # not one's own hours
    with django_capture_on_commit_callbacks(execute=True):
        row = v.signup_confirm(actor=world.user("community"), signup=s)
    assert (row.status, row.confirmed_hours, row.confirmed_by) == (
        "confirmed",
        Decimal("1.8"),
        world.user("community"),
    )
    assert Notification.objects.filter(recipient=s.user, title__contains="1.8 小时").exists()
    with pytest.raises(Conflict, match="时长已确认"):
        v.signup_confirm(actor=world.user("community"), signup=s)


def test_adjusting_hours_needs_a_reason_and_stays_within_the_shift(world):
    s = served(world, _signed_up(world))
    organiser = world.user("community")
    with pytest.raises(ValidationError, match="说明"):
        v.signup_confirm(actor=organiser, signup=s, hours="1.5")
    with pytest.raises(ValidationError, match="0 到 2.0 小时"):
        v.signup_confirm(actor=organiser, signup=s, hours="2.5", note="多干了半小时")
    with pytest.raises(ValidationError, match="数字"):
        v.signup_confirm(actor=organiser, signup=s, hours="两小时", note="x")
    row = v.signup_confirm(actor=organiser, signup=s, hours="1.5", note="中途离开半小时")
    assert (
        row.confirmed_hours == Decimal("1.5") and row.hours == Decimal("2.0") and row.note == "中途离开半小时"
    )


def test_without_a_check_out_the_organiser_enters_the_hours_after_the_shift(world):
    s = _signed_up(world)
    with _at(s, 0):
        v.signup_scan(actor=s.user, token=v.scan_token(s.shift, "in"))
    organiser = world.user("community")
    with _at(s, 60), pytest.raises(Conflict, match="尚未签退"):
        v.signup_confirm(actor=organiser, signup=s, hours="1")
    with _at(s, 200):
        with pytest.raises(ValidationError, match="请填写确认的时长"):
            v.signup_confirm(actor=organiser, signup=s)
        row = v.signup_confirm(actor=organiser, signup=s, hours="1.5", note="忘记签退")
    assert row.confirmed_hours == Decimal("1.5")


def test_a_no_show_is_recorded_only_after_the_start_and_earns_no_hours(world):
    s = _signed_up(world)
    organiser = world.user("community")
    with _at(s, -1), pytest.raises(Conflict, match="尚未开始"):
        v.signup_mark_absent(actor=organiser, signup=s)
    with _at(s, 30):
        assert v.signup_mark_absent(actor=organiser, signup=s, note="未到").status == "absent"
        with pytest.raises(Conflict):
            v.signup_confirm(actor=organiser, signup=s, hours="1", note="x")
    assert hours_of(s.user, 2026)["total"] == 0


def test_confirm_all_confirms_every_checked_out_volunteer_of_the_shift(world):
    with time_machine.travel(T0, tick=False):
        a = make_activity(world, shifts=[shift(1, capacity=5)])
    sh = first_shift(a)
    rows = []
    for key in ("A1-01", "A1-11", "A1-20"):
        with time_machine.travel(T0, tick=False):
            rows.append(v.shift_signup(actor=volunteer(world, key), shift=sh))
    served(world, rows[0])
    served(world, rows[1], minutes_in=30)
    with _at(rows[2], 0):
        v.signup_scan(actor=rows[2].user, token=v.scan_token(sh, "in"))  # never checks out
    assert v.shift_confirm_all(actor=world.user("community"), shift=sh) == 2
    assert sorted(sh.signups.values_list("status", flat=True)) == ["checked_in", "confirmed", "confirmed"]


def test_the_proposer_of_an_approved_project_confirms_the_hours_of_their_activity(world):
    with time_machine.travel(T0, tick=False):
        p = v.project_propose(
            actor=world.user("resident"),
            title="小花园认养",
            description="浇水除草",
            place="3号楼北侧",
            starts_at=T0 + timedelta(hours=1),
            ends_at=T0 + timedelta(hours=3),
            capacity=4,
        )
        v.project_approve(actor=world.user("community"), project=p)
        p.refresh_from_db()
        s = v.shift_signup(actor=world.user("member"), shift=first_shift(p.activity))
    served(world, s)
    assert v.signup_confirm(actor=world.user("resident"), signup=s).confirmed_hours == Decimal("2.0")


# --- yearly and 双报到 hours -----------------------------------------------------------------------------------------------


def test_yearly_hours_count_only_confirmed_records_of_that_year(world):
    organiser = world.user("community")
    member = world.user("member")
    s1 = served(world, _signed_up(world))
    v.signup_confirm(actor=organiser, signup=s1)
    s2 = served(world, _signed_up(world, start_hours=24 * 10), minutes_out=60)  # checked out, not confirmed
    assert s2.status == "checked_out"
    with time_machine.travel("2026-12-31 20:00 +0800", tick=False):
        a = make_activity(
            world,
            shifts=[
                {
                    **shift(),
                    "starts_at": T0.replace(year=2027, month=1, day=1, hour=9),
                    "ends_at": T0.replace(year=2027, month=1, day=1, hour=12),
                }
            ],
            title="元旦",
        )
        s3 = v.shift_signup(actor=member, shift=first_shift(a))
    s3 = served(world, s3, minutes_out=180)
    v.signup_confirm(actor=organiser, signup=s3)
    h26, h27 = hours_of(member, 2026), hours_of(member, 2027)
    assert (h26["total"], h26["count"]) == (Decimal("2.0"), 1)
    assert (h27["total"], h27["count"]) == (Decimal("3.0"), 1)
    assert hours_of(world.user("resident"), 2026)["total"] == 0


def test_hours_of_a_dual_report_activity_count_as_dual_report_for_in_service_members_only(world):
    organiser = world.user("community")
    member = world.user("member")
    m = world.members["A1-1"]
    m.in_service, m.home_community = True, world.regions["wenhua"]
    m.save()
    resident = world.user("resident")
    with time_machine.travel(T0, tick=False):
        a = make_activity(world, shifts=[shift(1, capacity=5)], dual_report=True)
        plain = make_activity(world, shifts=[shift(5)], title="普通活动")
        signups = [v.shift_signup(actor=u, shift=first_shift(a)) for u in (member, resident)]
        other = v.shift_signup(actor=member, shift=first_shift(plain))
    for s in [*signups, other]:
        v.signup_confirm(actor=organiser, signup=served(world, s))
    assert dual_report_hours(member, 2026) == Decimal("2.0")  # the plain activity's 2 h do not count
    assert hours_of(member, 2026)["total"] == Decimal("4.0")
    assert dual_report_hours(resident, 2026) == 0  # not a party member
    assert dual_report_hours(member, 2025) == 0
    assert v.dual_report_hours is dual_report_hours  # the name other apps import
    assert v.dual_report_hours_by_user([member.pk, resident.pk], 2026) == {member.pk: Decimal("2.0")}
    # The party's 双报到 figures (member profile, report back to the member's own branch) include them.
    from redgrid.party.dual_report import member_hours

    assert member_hours([m.pk], 2026) == {m.pk: Decimal("2.0")}
