"""Activities, shifts, sign-up and cancellation (capacity under a row lock)."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.api import Conflict
from redgrid.core.rules import rule_value
from redgrid.participation import volunteer_selectors as sel
from redgrid.participation.models import (
    ShiftSignup,
    VolunteerActivity,
    VolunteerShift,
    VolunteerTeam,
)
from redgrid.participation.volunteers.common import (
    SIGNUP_TRANSITIONS,
    SS,
    _check,
    _clean_shift,
    _event,
    _lock_user,
    _locked_signup,
    _notify,
    _require_person,
    _text,
)
from redgrid.regions.models import Region

# --- activities and shifts --------------------------------------------------------------------------------------


def activity_create(
    *,
    actor,
    title: str,
    description: str,
    address: str,
    shifts: list[dict],
    community: Region | None = None,
    team: VolunteerTeam | None = None,
    dual_report: bool = False,
    team_only: bool = False,
    lng: float | None = None,
    lat: float | None = None,
) -> VolunteerActivity:
    """Publish an activity with its shifts. Community staff publish in their communities; a team leader
    publishes for the team (in the team's community)."""
    if team is not None:
        community = team.community
        if not sel.can_manage_team(actor, team):
            raise PermissionDenied("只有队长或本社区工作人员可以为该服务队发布活动")
    elif community is None:
        raise ValidationError("请选择活动所属社区")
    elif not sel.can_manage_community(actor, community):
        raise PermissionDenied("只有本社区或街道的工作人员可以发布志愿活动")
    if community.level != Region.Level.COMMUNITY:
        raise ValidationError("志愿活动须归属到社区")
    if team_only and team is None:
        raise ValidationError("“仅限本队队员报名”需要先选择服务队")
    if (lng is None) != (lat is None):
        raise ValidationError("经纬度须同时填写")
    if not shifts:
        raise ValidationError("请至少设置一个班次")
    if len(shifts) > 50:
        raise ValidationError("一个活动最多 50 个班次")
    cleaned = [_clean_shift(**s) for s in shifts]
    with transaction.atomic():
        activity = VolunteerActivity.objects.create(
            title=_text(title, label="活动名称", max_length=80),
            description=_text(description, label="活动内容", max_length=2000),
            address=_text(address, label="活动地点", max_length=200),
            community=community,
            team=team,
            organiser=actor,
            dual_report=bool(dual_report),
            team_only=bool(team_only),
            lng=lng,
            lat=lat,
        )
        VolunteerShift.objects.bulk_create([VolunteerShift(activity=activity, **s) for s in cleaned])
        _event(
            actor=actor,
            action="activity_create",
            to_state=activity.status,
            activity=activity,
            data={"shifts": len(cleaned)},
        )
        audit.record(
            "volunteer.activity.create", activity, actor=actor, summary={"community": community.code}
        )
    return activity


def _locked_activity(activity) -> VolunteerActivity:
    return (
        VolunteerActivity.objects.select_for_update(of=("self",))
        .select_related("community", "team")
        .get(pk=activity.pk)
    )


def _void_signups(*, actor, signups, reason: str) -> list[int]:
    """Cancel the not-yet-served sign-ups of a cancelled activity or shift; return the volunteers' ids."""
    users = []
    for s in signups:
        s.status, s.cancelled_at, s.note = SS.CANCELLED, timezone.now(), reason[:200]
        s.save(update_fields=["status", "cancelled_at", "note"])
        _event(
            actor=actor,
            action="void",
            from_state=SS.SIGNED_UP,
            to_state=SS.CANCELLED,
            signup=s,
            activity_id=s.shift.activity_id,
            note=reason,
        )
        users.append(s.user_id)
    return users


def activity_cancel(*, actor, activity, reason: str) -> VolunteerActivity:
    """Cancel an activity before anyone served: every sign-up is voided and its volunteer told."""
    reason = _text(reason, label="取消原因", max_length=200)
    with transaction.atomic():
        activity = _locked_activity(activity)
        if not sel.can_manage_activity(actor, activity):
            raise PermissionDenied("只有活动组织者、队长或本社区工作人员可以取消活动")
        if activity.status == VolunteerActivity.Status.CANCELLED:
            raise Conflict("活动已取消")
        signups = list(
            ShiftSignup.objects.select_for_update(of=("self",))
            .select_related("shift")
            .filter(shift__activity=activity)
            .exclude(status=SS.CANCELLED)
        )
        if any(s.status != SS.SIGNED_UP for s in signups):
            raise Conflict("已有志愿者签到，活动不能取消；如需提前结束请确认各人时长")
        activity.status, activity.cancel_reason = VolunteerActivity.Status.CANCELLED, reason
        activity.save(update_fields=["status", "cancel_reason"])
        users = _void_signups(actor=actor, signups=signups, reason=f"活动已取消：{reason}")
        _event(
            actor=actor,
            action="activity_cancel",
            from_state=VolunteerActivity.Status.PUBLISHED,
            to_state=activity.status,
            activity=activity,
            note=reason,
        )
        audit.record("volunteer.activity.cancel", activity, actor=actor, summary={"reason": reason})
        _notify(
            users,
            f"志愿活动「{activity.title}」已取消",
            f"原因：{reason}",
            f"/participation/volunteers/activities/{activity.pk}/",
        )
    return activity


EDITABLE = {"title": ("活动名称", 80), "description": ("活动内容", 2000), "address": ("活动地点", 200)}


def activity_update(*, actor, activity, title: str, description: str, address: str) -> VolunteerActivity:
    """Correct a published activity's name, content or place. Shifts change through their own actions
    (add, cancel). Volunteers already signed up are told what changed; nothing changed is refused."""
    values = {
        k: _text(v, label=EDITABLE[k][0], max_length=EDITABLE[k][1])
        for k, v in (("title", title), ("description", description), ("address", address))
    }
    with transaction.atomic():
        activity = _locked_activity(activity)
        if not sel.can_manage_activity(actor, activity):
            raise PermissionDenied("只有活动组织者、队长或本社区工作人员可以修改活动")
        if activity.status != VolunteerActivity.Status.PUBLISHED:
            raise Conflict(f"活动当前状态为“{activity.get_status_display()}”，不能修改")
        changed = {
            k: {"from": getattr(activity, k), "to": v} for k, v in values.items() if getattr(activity, k) != v
        }
        if not changed:
            raise ValidationError("内容没有变化")
        for k in changed:
            setattr(activity, k, values[k])
        activity.save(update_fields=list(changed))
        labels = "、".join(EDITABLE[k][0] for k in changed)
        _event(
            actor=actor,
            action="activity_update",
            from_state=activity.status,
            to_state=activity.status,
            activity=activity,
            note=f"修改了{labels}",
            data={"fields": sorted(changed)},
        )
        audit.record("volunteer.activity.update", activity, actor=actor, summary={"changed": changed})
        users = ShiftSignup.objects.filter(shift__activity=activity, status=SS.SIGNED_UP).values_list(
            "user_id", flat=True
        )
        body = (
            f"新的活动地点：{activity.address}" if "address" in changed else f"修改了{labels}，请查看最新内容"
        )
        _notify(
            list(users),
            f"志愿活动「{activity.title}」有变更",
            body,
            f"/participation/volunteers/activities/{activity.pk}/",
        )
    return activity


def shift_add(*, actor, activity, starts_at, ends_at, place: str, capacity) -> VolunteerShift:
    data = _clean_shift(starts_at=starts_at, ends_at=ends_at, place=place, capacity=capacity)
    with transaction.atomic():
        activity = _locked_activity(activity)
        if not sel.can_manage_activity(actor, activity):
            raise PermissionDenied("只有活动组织者、队长或本社区工作人员可以增加班次")
        if activity.status != VolunteerActivity.Status.PUBLISHED:
            raise Conflict("活动已取消，不能增加班次")
        if activity.shifts.count() >= 50:
            raise ValidationError("一个活动最多 50 个班次")
        shift = VolunteerShift.objects.create(activity=activity, **data)
        _event(actor=actor, action="shift_add", activity=activity, data={"shift": shift.pk})
        audit.record("volunteer.shift.add", shift, actor=actor)
    return shift


def shift_cancel(*, actor, shift, reason: str) -> VolunteerShift:
    reason = _text(reason, label="取消原因", max_length=200)
    with transaction.atomic():
        shift = (
            VolunteerShift.objects.select_for_update(of=("self",))
            .select_related("activity__team")
            .get(pk=shift.pk)
        )
        if not sel.can_manage_activity(actor, shift.activity):
            raise PermissionDenied("只有活动组织者、队长或本社区工作人员可以取消班次")
        if shift.is_cancelled:
            raise Conflict("该班次已取消")
        signups = list(
            shift.signups.select_for_update(of=("self",)).select_related("shift").exclude(status=SS.CANCELLED)
        )
        if any(s.status != SS.SIGNED_UP for s in signups):
            raise Conflict("已有志愿者签到，班次不能取消")
        shift.is_cancelled = True
        shift.save(update_fields=["is_cancelled"])
        users = _void_signups(actor=actor, signups=signups, reason=f"班次已取消：{reason}")
        _event(
            actor=actor, action="shift_cancel", activity=shift.activity, note=reason, data={"shift": shift.pk}
        )
        audit.record("volunteer.shift.cancel", shift, actor=actor, summary={"reason": reason})
        _notify(
            users,
            f"您报名的班次已取消：{shift}",
            f"原因：{reason}",
            f"/participation/volunteers/activities/{shift.activity_id}/",
        )
    return shift


# --- sign-up and cancellation -----------------------------------------------------------------------------------


def shift_signup(*, actor, shift) -> ShiftSignup:
    """Sign up for a shift.

    1. Lock the volunteer's account row, so the open-sign-up limit and the overlap check of two
       concurrent sign-ups by the same person see each other.
    2. Lock the shift row: sign-ups of one shift are written one after the other, so the seat count read
       next is exact and the capacity cannot be exceeded under concurrent requests.
    3. Check the activity and shift are open, team-only eligibility, overlap, the limit and the capacity.
    4. Insert; the partial unique constraint (one live sign-up per person and shift) is the final guard.
    """
    _require_person(actor, "报名志愿活动")
    with transaction.atomic():
        _lock_user(actor)
        shift = (
            VolunteerShift.objects.select_for_update(of=("self",))
            .select_related("activity__team", "activity__community")
            .get(pk=shift.pk)
        )
        activity, now = shift.activity, timezone.now()
        if activity.status != VolunteerActivity.Status.PUBLISHED or shift.is_cancelled:
            raise Conflict("该活动或班次已取消，不能报名")
        if shift.starts_at <= now:
            raise Conflict("该班次已开始，报名已截止")
        if activity.team_only and not sel.is_team_member(actor, activity.team):
            raise PermissionDenied(f"该活动仅限「{activity.team.name}」队员报名")
        if ShiftSignup.objects.filter(shift=shift, user=actor).exclude(status=SS.CANCELLED).exists():
            raise Conflict("您已报名该班次")
        other = sel.overlapping_signup(actor, shift)
        if other is not None:
            raise Conflict(f"与您已报名的「{other.shift.activity.title}」班次时间冲突")
        limit = rule_value("volunteer.open_signup_limit")
        if sel.open_signup_count(actor) >= limit:
            raise Conflict(
                f"您已有 {limit} 个尚未开始的班次报名（规则 volunteer.open_signup_limit），请参加后再报名"
            )
        if sel.taken_seats(shift) >= shift.capacity:
            raise Conflict("该班次名额已满")
        try:
            with transaction.atomic():
                signup = ShiftSignup.objects.create(shift=shift, user=actor)
        except IntegrityError as exc:
            raise Conflict("您已报名该班次") from exc
        _event(
            actor=actor,
            action="signup",
            to_state=SS.SIGNED_UP,
            signup=signup,
            activity=activity,
            data={"shift": shift.pk},
        )
        audit.record("volunteer.signup", signup, actor=actor)
    return signup


def signup_cancel(*, actor, signup) -> ShiftSignup:
    """The volunteer cancels, up to `volunteer.cancel_hours` before the shift starts."""
    with transaction.atomic():
        signup = _locked_signup(signup)
        if signup.user_id != actor.pk:
            raise PermissionDenied("只能取消自己的报名")
        _check(signup, SIGNUP_TRANSITIONS, "cancel")
        hours = rule_value("volunteer.cancel_hours")
        deadline = signup.shift.starts_at - timedelta(hours=hours)
        if timezone.now() > deadline:
            raise Conflict(
                f"班次开始前 {hours} 小时内不能取消报名（规则 volunteer.cancel_hours），如有特殊情况请联系组织者"
            )
        signup.status, signup.cancelled_at = SS.CANCELLED, timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        _event(
            actor=actor,
            action="cancel",
            from_state=SS.SIGNED_UP,
            to_state=SS.CANCELLED,
            signup=signup,
            activity_id=signup.shift.activity_id,
        )
        audit.record("volunteer.signup.cancel", signup, actor=actor)
    return signup
