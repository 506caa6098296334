"""Helpers shared by the 志愿服务 services: the workflow tables, event rows, notices, input cleaning, row locks."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from redgrid.core.api import Conflict
from redgrid.core.models import Notification
from redgrid.core.rules import rule_value
from redgrid.participation import volunteer_rules  # noqa: F401  (defines the rules read below)
from redgrid.participation.models import (
    ShiftSignup,
    TeamMembership,
    VolunteerEvent,
    VolunteerProject,
)
from redgrid.participation.services import Transition

SS = ShiftSignup.Status
MS = TeamMembership.Status
PS = VolunteerProject.Status

# The three workflows as data (design.md §6); tested directly in test_volunteers_services.
SIGNUP_TRANSITIONS: dict[str, Transition] = {
    "cancel": Transition(frozenset({SS.SIGNED_UP}), SS.CANCELLED, "volunteer", "取消报名"),
    "check_in": Transition(frozenset({SS.SIGNED_UP}), SS.CHECKED_IN, "volunteer", "签到"),
    "check_out": Transition(frozenset({SS.CHECKED_IN}), SS.CHECKED_OUT, "volunteer", "签退"),
    "confirm": Transition(frozenset({SS.CHECKED_IN, SS.CHECKED_OUT}), SS.CONFIRMED, "organiser", "确认时长"),
    "absent": Transition(frozenset({SS.SIGNED_UP, SS.CHECKED_IN}), SS.ABSENT, "organiser", "记为缺席"),
    "void": Transition(frozenset({SS.SIGNED_UP}), SS.CANCELLED, "system", "因活动或班次取消而作废"),
}
MEMBERSHIP_TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(frozenset({MS.PENDING}), MS.APPROVED, "manager", "批准入队"),
    "reject": Transition(frozenset({MS.PENDING}), MS.REJECTED, "manager", "驳回入队申请"),
    "leave": Transition(frozenset({MS.PENDING, MS.APPROVED}), MS.LEFT, "applicant", "退出服务队"),
}
PROJECT_TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(frozenset({PS.PENDING}), PS.APPROVED, "manager", "审核通过"),
    "reject": Transition(frozenset({PS.PENDING}), PS.REJECTED, "manager", "驳回"),
    "withdraw": Transition(frozenset({PS.PENDING}), PS.WITHDRAWN, "proposer", "撤回"),
}


def _check(obj, table: dict[str, Transition], action: str) -> Transition:
    t = table[action]
    if obj.status not in t.sources:
        raise Conflict(f"当前状态为「{obj.get_status_display()}」，不能{t.label}")
    return t


def _event(
    *, actor, action: str, from_state: str = "", to_state: str = "", note: str = "", data=None, **target
):
    return VolunteerEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
        **target,
    )


def _notify(user_ids, title: str, body: str = "", link: str = "") -> None:
    """Inbox rows for the given accounts, created only if the transaction commits."""
    ids = sorted({u for u in user_ids if u})

    def send():
        Notification.objects.bulk_create(
            [Notification(recipient_id=u, title=title, body=body, link=link, kind="volunteer") for u in ids]
        )

    if ids:
        transaction.on_commit(send)


def _text(value, *, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"请填写{label}")
    if len(value) > max_length:
        raise ValidationError(f"{label}不能超过 {max_length} 个字")
    return value


def _skills(values) -> list[str]:
    """Skills as a short list of distinct labels (a comma/顿号 separated string is accepted too)."""
    if isinstance(values, str):
        values = values.replace("，", ",").replace("、", ",").split(",")
    skills = []
    for v in values or ():
        v = str(v).strip()
        if v and v not in skills:
            if len(v) > 20:
                raise ValidationError("每项技能不能超过 20 个字")
            skills.append(v)
    if len(skills) > 10:
        raise ValidationError("技能最多填写 10 项")
    return skills


def _require_person(actor, what: str) -> None:
    if not getattr(actor, "person_id", None):
        raise PermissionDenied(f"请使用已关联居民信息的账号{what}")


def _lock_user(actor) -> None:
    """Serialise one account's sign-ups (limit and overlap checks see each other's rows).

    Every `select_for_update` here locks only its own table's row (`of=("self",)`): joined rows need no
    lock, and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (an activity's team)."""
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()


def _clean_shift(*, starts_at: datetime, ends_at: datetime, place: str, capacity, now=None) -> dict:
    now = now or timezone.now()
    if starts_at is None or ends_at is None:
        raise ValidationError("请填写班次的开始和结束时间")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError("班次时间须带时区")
    if ends_at <= starts_at:
        raise ValidationError("班次的结束时间须晚于开始时间")
    if starts_at <= now:
        raise ValidationError("班次的开始时间须晚于现在")
    limit = rule_value("volunteer.shift_max_hours")
    if ends_at - starts_at > timedelta(hours=limit):
        raise ValidationError(
            f"单个班次不能超过 {limit} 小时（规则 volunteer.shift_max_hours），请拆分为多个班次"
        )
    try:
        capacity = int(capacity)
    except (TypeError, ValueError) as exc:
        raise ValidationError("名额请填写整数") from exc
    cap = rule_value("volunteer.capacity_max")
    if not 1 <= capacity <= cap:
        raise ValidationError(f"每个班次的名额须在 1 到 {cap} 之间（规则 volunteer.capacity_max）")
    place = _text(place, label="班次地点", max_length=100)
    return {"starts_at": starts_at, "ends_at": ends_at, "place": place, "capacity": capacity}


def _locked_signup(signup) -> ShiftSignup:
    return (
        ShiftSignup.objects.select_for_update(of=("self",))
        .select_related("shift__activity__team", "shift__activity__community", "user")
        .get(pk=signup.pk)
    )
