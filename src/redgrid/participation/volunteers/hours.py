"""QR check-in/out with signed, time-limited tokens; hours computed from them and confirmed by the organiser."""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.api import Conflict
from redgrid.core.rules import rule_value
from redgrid.participation import volunteer_selectors as sel
from redgrid.participation.models import (
    ShiftSignup,
    VolunteerActivity,
)
from redgrid.participation.volunteers.common import (
    SIGNUP_TRANSITIONS,
    SS,
    _check,
    _event,
    _locked_signup,
    _notify,
    _text,
)

SCAN_SALT = "redgrid.participation.volunteer.scan"
SCAN_KINDS = {"in": "签到", "out": "签退"}
TENTH = Decimal("0.1")


# --- QR check-in and check-out ------------------------------------------------------------------------------------


def scan_token(shift, kind: str) -> str:
    """A signed token naming the shift and whether it checks in or out; valid `volunteer.qr_minutes`."""
    if kind not in SCAN_KINDS:
        raise ValueError(kind)
    return signing.dumps({"s": shift.pk, "k": kind}, salt=SCAN_SALT, compress=True)


def read_scan_token(token: str) -> tuple[int, str]:
    """(shift id, kind) of a valid, unexpired token; ValidationError (Chinese) otherwise."""
    minutes = rule_value("volunteer.qr_minutes")
    try:
        data = signing.loads(token, salt=SCAN_SALT, max_age=minutes * 60)
    except signing.SignatureExpired as exc:
        raise ValidationError(f"二维码已过期（有效期 {minutes} 分钟），请请组织者刷新后重新扫码") from exc
    except signing.BadSignature as exc:
        raise ValidationError("二维码无效") from exc
    if not isinstance(data, dict) or data.get("k") not in SCAN_KINDS or not isinstance(data.get("s"), int):
        raise ValidationError("二维码无效")
    return data["s"], data["k"]


def compute_hours(shift, checked_in_at: datetime, checked_out_at: datetime) -> Decimal:
    """服务时长 = min(签退 − 签到, 班次时长), in hours rounded half-up to 0.1 h, never negative."""
    served = min(checked_out_at - checked_in_at, shift.ends_at - shift.starts_at)
    seconds = max(served.total_seconds(), 0)
    return (Decimal(seconds) / Decimal(3600)).quantize(TENTH, rounding=ROUND_HALF_UP)


def shift_length_hours(shift) -> Decimal:
    return compute_hours(shift, shift.starts_at, shift.ends_at)


def signup_scan(*, actor, token: str) -> ShiftSignup:
    """扫码签到/签退: the logged-in volunteer opens the QR link shown at the shift. Idempotent.

    1. The token must be valid and unexpired; it names the shift and the direction (in/out).
    2. The account must hold a live sign-up for that shift (locked).
    3. Check-in: from `volunteer.checkin_open_minutes` before the start until the end.
       Check-out: after check-in, until `volunteer.checkout_grace_minutes` after the end; hours are
       computed then (`compute_hours`).
    """
    shift_id, kind = read_scan_token(token)
    with transaction.atomic():
        signup = (
            ShiftSignup.objects.select_for_update(of=("self",))
            .select_related("shift__activity")
            .filter(shift_id=shift_id, user=actor)
            .exclude(status=SS.CANCELLED)
            .first()
        )
        if signup is None:
            raise PermissionDenied("您没有报名这个班次，请先报名")
        shift, now = signup.shift, timezone.now()
        if shift.is_cancelled or shift.activity.status != VolunteerActivity.Status.PUBLISHED:
            raise Conflict("该班次已取消")
        if kind == "in":
            if signup.status in (SS.CHECKED_IN, SS.CHECKED_OUT, SS.CONFIRMED):
                return signup
            _check(signup, SIGNUP_TRANSITIONS, "check_in")
            minutes = rule_value("volunteer.checkin_open_minutes")
            if now < shift.starts_at - timedelta(minutes=minutes):
                raise Conflict(f"班次开始前 {minutes} 分钟起才能签到（规则 volunteer.checkin_open_minutes）")
            if now >= shift.ends_at:
                raise Conflict("班次已结束，不能签到；请联系组织者")
            signup.status, signup.checked_in_at = SS.CHECKED_IN, now
            signup.save(update_fields=["status", "checked_in_at"])
            _event(
                actor=actor,
                action="check_in",
                from_state=SS.SIGNED_UP,
                to_state=SS.CHECKED_IN,
                signup=signup,
                activity_id=shift.activity_id,
            )
        else:
            if signup.status in (SS.CHECKED_OUT, SS.CONFIRMED):
                return signup
            if signup.status == SS.SIGNED_UP:
                raise Conflict("您还没有签到，请先扫签到码")
            _check(signup, SIGNUP_TRANSITIONS, "check_out")
            grace = rule_value("volunteer.checkout_grace_minutes")
            if now > shift.ends_at + timedelta(minutes=grace):
                raise Conflict(
                    f"已超过班次结束后 {grace} 分钟（规则 volunteer.checkout_grace_minutes），请联系组织者确认时长"
                )
            signup.status, signup.checked_out_at = SS.CHECKED_OUT, now
            signup.hours = compute_hours(shift, signup.checked_in_at, now)
            signup.save(update_fields=["status", "checked_out_at", "hours"])
            _event(
                actor=actor,
                action="check_out",
                from_state=SS.CHECKED_IN,
                to_state=SS.CHECKED_OUT,
                signup=signup,
                activity_id=shift.activity_id,
                data={"hours": str(signup.hours)},
            )
        audit.record(f"volunteer.check_{kind}", signup, actor=actor)
    return signup


# --- hours confirmation ------------------------------------------------------------------------------------------


def _check_organiser(actor, signup) -> None:
    if not sel.can_manage_activity(actor, signup.shift.activity):
        raise PermissionDenied("只有活动组织者、队长或本社区工作人员可以确认时长")


def _parse_hours(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:
        raise ValidationError("时长请填写数字（小时）") from exc
    if not hours.is_finite():
        raise ValidationError("时长请填写数字（小时）")
    return hours


def signup_confirm(*, actor, signup, hours=None, note: str = "") -> ShiftSignup:
    """The organiser confirms the hours: the computed figure by default, or an adjusted one with a reason.

    Without a check-out the organiser must enter the hours, and only once the shift has ended. Hours lie in
    [0, shift length]. The record counts as 双报到 service if the activity is flagged so and the volunteer is an
    in-service party member now.
    """
    hours = _parse_hours(hours)
    note = _text(note, label="说明", max_length=200, required=False)
    with transaction.atomic():
        signup = _locked_signup(signup)
        _check_organiser(actor, signup)
        before = signup.status
        _check(signup, SIGNUP_TRANSITIONS, "confirm")
        shift, now = signup.shift, timezone.now()
        if before == SS.CHECKED_IN:
            if now < shift.ends_at:
                raise Conflict("该志愿者尚未签退，班次结束后才能由组织者确认时长")
            if hours is None:
                raise ValidationError("该志愿者未签退，请填写确认的时长")
        if hours is None:
            hours = signup.hours
        limit = shift_length_hours(shift)
        if hours < 0 or hours > limit:
            raise ValidationError(f"确认时长须在 0 到 {limit} 小时（班次时长）之间")
        if signup.hours is not None and hours != signup.hours and not note:
            raise ValidationError("调整签到时长时请填写说明")
        activity = shift.activity
        signup.status, signup.confirmed_hours = SS.CONFIRMED, hours
        signup.confirmed_by, signup.confirmed_at, signup.note = actor, now, note or signup.note
        signup.dual_report = activity.dual_report and sel.member_in_service(signup.user)
        signup.save(
            update_fields=["status", "confirmed_hours", "confirmed_by", "confirmed_at", "note", "dual_report"]
        )
        _event(
            actor=actor,
            action="confirm",
            from_state=before,
            to_state=SS.CONFIRMED,
            signup=signup,
            activity=activity,
            note=note,
            data={"hours": str(hours), "dual_report": signup.dual_report},
        )
        audit.record(
            "volunteer.hours.confirm",
            signup,
            actor=actor,
            summary={"hours": str(hours), "computed": str(signup.hours)},
        )
        _notify(
            [signup.user_id],
            f"您在「{activity.title}」的志愿时长已确认：{hours} 小时",
            "计入双报到服务时长。" if signup.dual_report else "",
            "/participation/volunteers/hours/",
        )
    return signup


def signup_mark_absent(*, actor, signup, note: str = "") -> ShiftSignup:
    """The organiser records a no-show (or a check-in without service) once the shift has started."""
    note = _text(note, label="说明", max_length=200, required=False)
    with transaction.atomic():
        signup = _locked_signup(signup)
        _check_organiser(actor, signup)
        before = signup.status
        _check(signup, SIGNUP_TRANSITIONS, "absent")
        if timezone.now() < signup.shift.starts_at:
            raise Conflict("班次尚未开始，不能记为缺席")
        signup.status, signup.note = SS.ABSENT, note or signup.note
        signup.save(update_fields=["status", "note"])
        _event(
            actor=actor,
            action="absent",
            from_state=before,
            to_state=SS.ABSENT,
            signup=signup,
            activity_id=signup.shift.activity_id,
            note=note,
        )
        audit.record("volunteer.signup.absent", signup, actor=actor)
    return signup


def shift_confirm_all(*, actor, shift) -> int:
    """Confirm the computed hours of every checked-out volunteer of the shift; returns how many."""
    if not sel.can_manage_activity(actor, shift.activity):
        raise PermissionDenied("只有活动组织者、队长或本社区工作人员可以确认时长")
    ids = list(shift.signups.filter(status=SS.CHECKED_OUT).values_list("pk", flat=True))
    done = 0
    for pk in ids:
        try:
            signup_confirm(actor=actor, signup=ShiftSignup(pk=pk))
        except Conflict:  # confirmed meanwhile by someone else
            continue
        done += 1
    return done
