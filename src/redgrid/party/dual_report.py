"""双报到: in-service members (在职党员) report to the community where they live and serve there.

rules.md §5 (all local practice, all in the rules table): a member registers with the community, the
community confirms; a confirmed registration is valid for `party.dual_report.interval_months` (report
again each half year by default). The member records each service activity and the community confirms
it; confirmed hours count per member per year. Every `party.dual_report.feedback_months` the platform
reports back to the member's own organisation (an inbox note to its secretaries, and the page
/party/dual/ listing its members' registrations and hours).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Conflict
from redgrid.core.rules import define, rule_value
from redgrid.party import periods
from redgrid.party import rules as R
from redgrid.party.models import DualRegistration, DualReportEvent, DualServiceRecord, PartyMember
from redgrid.party.reminders import Reminder, org_staff_ids, send_once
from redgrid.party.selectors import party_orgs_visible_to
from redgrid.regions.models import Region

RULE = "rules.md §5（在职党员到社区报到，各地做法）"
CITATION = f"（依据：{RULE}）"
define("party.dual_report.max_hours_per_record", 8, "单次服务记录的最长时长（小时）", RULE, "L")
define("party.dual_report.record_within_days", 30, "服务后多少天内可登记服务记录", RULE, "L")
define("party.dual_report.renew_before_days", 30, "报到有效期届满前多少天起可重新报到", RULE, "L")

RegStatus = DualRegistration.Status
SvcStatus = DualServiceRecord.Status

REGISTRATION_TRANSITIONS: Mapping[str, frozenset[str]] = {
    RegStatus.PENDING: frozenset({RegStatus.CONFIRMED, RegStatus.REJECTED}),
    RegStatus.CONFIRMED: frozenset({RegStatus.ENDED}),
    RegStatus.REJECTED: frozenset(),
    RegStatus.ENDED: frozenset(),
}
SERVICE_TRANSITIONS: Mapping[str, frozenset[str]] = {
    SvcStatus.SUBMITTED: frozenset({SvcStatus.CONFIRMED, SvcStatus.REJECTED}),
    SvcStatus.CONFIRMED: frozenset(),
    SvcStatus.REJECTED: frozenset(),
}
#: Registrations that were (or are) in force: their validity window counts.
EFFECTIVE = (RegStatus.CONFIRMED, RegStatus.ENDED)


def own_member(user) -> PartyMember | None:
    if not getattr(user, "is_authenticated", False) or not user.person_id:
        return None
    return (
        PartyMember.objects.select_related("org", "person", "home_community")
        .filter(person_id=user.person_id)
        .first()
    )


def _require_member(user) -> PartyMember:
    member = own_member(user)
    if member is None:
        raise PermissionDenied("您的账号未关联党员信息")
    return member


def _transition(obj, to: str, table: Mapping[str, frozenset[str]], what: str) -> str:
    if to not in table[obj.status]:
        raise Conflict(
            f"{what}当前状态为“{obj.get_status_display()}”，不能改为“{type(obj).Status(to).label}”"
        )
    old, obj.status = obj.status, to
    return old


def _event(*, actor, action, obj, from_state="", note="", data=None) -> DualReportEvent:
    kwargs = {"registration": obj} if isinstance(obj, DualRegistration) else {"service": obj}
    return DualReportEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=obj.status,
        note=note,
        data=data or {},
        **kwargs,
    )


def community_staff_ids(community: Region) -> set[int]:
    """Community secretaries/workers granted on the community (or above it, in its community level)."""
    from redgrid.accounts.models import RoleGrant

    return set(
        RoleGrant.objects.filter(
            role="community", region__path__in=Region.prefixes(community.path)
        ).values_list("user_id", flat=True)
    )


def _notify(ids, *, title: str, link: str, body: str = "") -> None:
    from redgrid.party.services import _notify as notify

    notify(ids, title=title, body=body, link=link, kind="party.dual")


def _accounts(member: PartyMember) -> list[int]:
    from redgrid.party.services import _accounts_of

    return _accounts_of([member])


def can_confirm(user, community: Region) -> bool:
    """Community (or street) staff over the community confirm registrations and service records there."""
    scope = scope_of(user)
    return scope.is_admin or (
        scope.has_role("community", "street") and scope.covers_region_path(community.path)
    )


# --- registration ---------------------------------------------------------------------------------------


def dual_register(*, actor, community: Region, skills: str = "") -> DualRegistration:
    """An in-service member reports to a community (到社区报到); the community confirms.

    1. The account must be an active, in-service party member; the target must be a community/village.
    2. Lock the member; refuse a second pending registration, or a new one while a confirmed one is valid
       for longer than `party.dual_report.renew_before_days`.
    3. Event, audit, and an inbox note to the community's staff.
    """
    member = _require_member(actor)
    if member.status not in PartyMember.ACTIVE:
        raise Conflict(f"您的党员状态为“{member.get_status_display()}”，不能报到")
    if not member.in_service:
        raise ValidationError(
            "双报到适用于在职党员；您的党员信息未登记为在职党员，请联系所在党支部" + CITATION
        )
    if community.level != Region.Level.COMMUNITY:
        raise ValidationError("请选择要报到的社区（村）")
    today = timezone.localdate()
    renew_days = int(rule_value("party.dual_report.renew_before_days"))
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().get(pk=member.pk)
        if member.dual_registrations.filter(status=RegStatus.PENDING).exists():
            raise Conflict("您已提交报到申请，请等待社区确认")
        current = (
            member.dual_registrations.filter(status=RegStatus.CONFIRMED, valid_until__gte=today)
            .select_related("community")
            .order_by("-valid_until")
            .first()
        )
        if current is not None and current.valid_until - today > timedelta(days=renew_days):
            raise Conflict(
                f"您已在{current.community.name}报到，有效期至 {current.valid_until:%Y年%m月%d日}，"
                f"届满前 {renew_days} 天内可重新报到{CITATION}"
            )
        reg = DualRegistration.objects.create(
            member=member, community=community, skills=(skills or "").strip()[:200]
        )
        _event(actor=actor, action="register", obj=reg, data={"community": community.pk})
        audit.record("party.dual.register", reg, actor=actor, summary={"community": community.pk})
        _notify(
            community_staff_ids(community),
            title=f"在职党员{member.person.name}（{member.org.name}）到{community.name}报到，请确认",
            link="/party/dual/community/",
        )
    return reg


def _locked_registration(reg) -> DualRegistration:
    return (
        DualRegistration.objects.select_for_update()
        .select_related("community", "member__person")
        .get(pk=reg.pk)
    )


def dual_confirm(*, actor, registration: DualRegistration) -> DualRegistration:
    """The community confirms: valid for `party.dual_report.interval_months`; earlier ones end; the member's
    报到社区 is updated."""
    today = timezone.localdate()
    with transaction.atomic():
        reg = _locked_registration(registration)
        if not can_confirm(actor, reg.community):
            raise PermissionDenied("由报到社区的工作人员确认")
        old = _transition(reg, RegStatus.CONFIRMED, REGISTRATION_TRANSITIONS, "报到申请")
        months = int(rule_value("party.dual_report.interval_months"))
        reg.confirmed_on, reg.valid_until = today, R.add_months(today, months)
        reg.decided_by, reg.decided_at = actor, timezone.now()
        reg.save(update_fields=["status", "confirmed_on", "valid_until", "decided_by", "decided_at"])
        for prev in (
            DualRegistration.objects.select_for_update()
            .filter(member_id=reg.member_id, status=RegStatus.CONFIRMED)
            .exclude(pk=reg.pk)
        ):
            prev_old = _transition(prev, RegStatus.ENDED, REGISTRATION_TRANSITIONS, "报到")
            prev.save(update_fields=["status"])
            _event(actor=actor, action="end", obj=prev, from_state=prev_old, data={"replaced_by": reg.pk})
        PartyMember.objects.filter(pk=reg.member_id).update(home_community=reg.community)
        _event(
            actor=actor,
            action="confirm",
            obj=reg,
            from_state=old,
            data={"valid_until": reg.valid_until.isoformat()},
        )
        audit.record(
            "party.dual.confirm", reg, actor=actor, summary={"valid_until": reg.valid_until.isoformat()}
        )
        _notify(
            _accounts(reg.member),
            title=f"{reg.community.name}已确认您的报到，有效期至 {reg.valid_until:%Y-%m-%d}",
            link="/party/h5/dual/",
        )
    return reg


def dual_reject(*, actor, registration: DualRegistration, reason: str) -> DualRegistration:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写不予确认的原因")
    with transaction.atomic():
        reg = _locked_registration(registration)
        if not can_confirm(actor, reg.community):
            raise PermissionDenied("由报到社区的工作人员确认")
        old = _transition(reg, RegStatus.REJECTED, REGISTRATION_TRANSITIONS, "报到申请")
        reg.decided_by, reg.decided_at, reg.reject_reason = actor, timezone.now(), reason[:200]
        reg.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
        _event(actor=actor, action="reject", obj=reg, from_state=old, note=reason)
        audit.record("party.dual.reject", reg, actor=actor, summary={"reason": reason})
        _notify(
            _accounts(reg.member),
            title=f"{reg.community.name}未确认您的报到：{reason}",
            link="/party/h5/dual/",
        )
    return reg


def registration_on(member: PartyMember, on: date) -> DualRegistration | None:
    """The registration in force on a day: the latest confirmed one from the day the member reported (the
    community may confirm a few days later) to the end of its validity."""
    return (
        member.dual_registrations.filter(
            status__in=EFFECTIVE, registered_at__date__lte=on, valid_until__gte=on
        )
        .select_related("community")
        .order_by("-confirmed_on", "-id")
        .first()
    )


# --- service records -----------------------------------------------------------------------------------


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError("服务时长应为数字（小时）") from exc
    cap = Decimal(str(rule_value("party.dual_report.max_hours_per_record")))
    if hours <= 0:
        raise ValidationError("服务时长必须大于 0")
    if hours > cap:
        raise ValidationError(f"单次服务时长不能超过 {cap} 小时{CITATION}")
    return hours


def dual_record_service(*, actor, served_on: date, hours, content: str) -> DualServiceRecord:
    """The member records a service activity in the community they reported to; the community confirms.

    The day must be within the last `party.dual_report.record_within_days` days, not in the future, and
    inside a confirmed registration's validity; the hours at most `party.dual_report.max_hours_per_record`.
    """
    member = _require_member(actor)
    content = (content or "").strip()
    if not content:
        raise ValidationError("请填写服务内容")
    hours = _hours(hours)
    today = timezone.localdate()
    within = int(rule_value("party.dual_report.record_within_days"))
    if served_on > today:
        raise ValidationError("服务日期不能晚于今天")
    if served_on < today - timedelta(days=within):
        raise ValidationError(f"只能登记 {within} 天内的服务{CITATION}")
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().get(pk=member.pk)
        reg = registration_on(member, served_on)
        if reg is None:
            raise Conflict("服务日期不在已确认的社区报到有效期内，请先到社区报到并经社区确认")
        record = DualServiceRecord.objects.create(
            member=member,
            registration=reg,
            community=reg.community,
            served_on=served_on,
            hours=hours,
            content=content[:300],
        )
        _event(
            actor=actor,
            action="record",
            obj=record,
            data={"hours": str(hours), "served_on": served_on.isoformat()},
        )
        audit.record("party.dual.service", record, actor=actor, summary={"hours": str(hours)})
        _notify(
            community_staff_ids(reg.community),
            title=f"在职党员登记了服务记录（{served_on:%m月%d日}，{hours} 小时），请确认",
            link="/party/dual/community/",
        )
    return record


def _decide_service(*, actor, record: DualServiceRecord, to: str, reason: str = "") -> DualServiceRecord:
    with transaction.atomic():
        record = (
            DualServiceRecord.objects.select_for_update()
            .select_related("community", "member__person")
            .get(pk=record.pk)
        )
        if not can_confirm(actor, record.community):
            raise PermissionDenied("由服务社区的工作人员确认")
        old = _transition(record, to, SERVICE_TRANSITIONS, "服务记录")
        record.decided_by, record.decided_at, record.reject_reason = actor, timezone.now(), reason[:200]
        record.save(update_fields=["status", "decided_by", "decided_at", "reject_reason"])
        _event(
            actor=actor,
            action="confirm" if to == SvcStatus.CONFIRMED else "reject",
            obj=record,
            from_state=old,
            note=reason,
        )
        audit.record(
            f"party.dual.service_{'confirm' if to == SvcStatus.CONFIRMED else 'reject'}", record, actor=actor
        )
        verdict = "已确认" if to == SvcStatus.CONFIRMED else f"未确认：{reason}"
        _notify(
            _accounts(record.member),
            title=f"您{record.served_on:%m月%d日}的服务记录{verdict}",
            link="/party/h5/dual/",
        )
    return record


def dual_confirm_service(*, actor, record: DualServiceRecord) -> DualServiceRecord:
    return _decide_service(actor=actor, record=record, to=SvcStatus.CONFIRMED)


def dual_reject_service(*, actor, record: DualServiceRecord, reason: str) -> DualServiceRecord:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写不予确认的原因")
    return _decide_service(actor=actor, record=record, to=SvcStatus.REJECTED, reason=reason)


# --- figures -------------------------------------------------------------------------------------------------


def member_hours(member_ids, year: int) -> dict[int, Decimal]:
    """Confirmed 双报到 service hours per member in a calendar year: the member's own service records plus
    the confirmed volunteer shifts that counted as 双报到 service (participation's volunteer hours), so a
    member who serves through a community volunteer activity does not record it twice. Three queries."""
    from redgrid.accounts.models import User
    from redgrid.participation.volunteer_selectors import dual_report_hours_by_user

    ids = list(member_ids)
    rows = (
        DualServiceRecord.objects.filter(member_id__in=ids, status=SvcStatus.CONFIRMED, served_on__year=year)
        .values("member_id")
        .annotate(total=Sum("hours"))
    )
    totals = {r["member_id"]: Decimal(str(r["total"] or 0)) for r in rows}
    accounts = dict(
        User.objects.filter(person__party_member__in=ids).values_list("pk", "person__party_member")
    )
    volunteer = dual_report_hours_by_user(accounts, year) if 1 <= year < 9999 else {}
    for user_id, hours in volunteer.items():
        member = accounts[user_id]
        totals[member] = totals.get(member, Decimal("0")) + Decimal(str(hours or 0))
    return {m: as_hours(t) for m, t in totals.items() if t}


def as_hours(total) -> Decimal:
    """A summed number of hours as Decimal with one decimal place (SQLite sums decimals to int or float)."""
    return Decimal(str(total or 0)).quantize(Decimal("0.1"))


def reported_members(member_ids, first: date, last: date) -> set[int]:
    """Members with a confirmed registration in force on some day between `first` and `last`."""
    return set(
        DualRegistration.objects.filter(
            member_id__in=list(member_ids),
            status__in=EFFECTIVE,
            confirmed_on__lte=last,
            valid_until__gte=first,
        ).values_list("member_id", flat=True)
    )


# --- scoped reads --------------------------------------------------------------------------------------------


def _staff_q(user, prefix: str = "") -> Q | None:
    """Rows about communities in the account's region subtrees, or about members of organisations in scope."""
    scope = scope_of(user)
    if not scope.is_staff:
        return None
    if scope.is_admin:
        return ~Q(pk__in=[])
    q = Q(**{f"{prefix}member__org__in": party_orgs_visible_to(user).values("pk")})
    if scope.region_paths:
        q |= scope.region_q(f"{prefix}community__path")
    return q


def registrations_visible_to(user) -> QuerySet[DualRegistration]:
    q = _staff_q(user)
    return DualRegistration.objects.filter(q) if q is not None else DualRegistration.objects.none()


def services_visible_to(user) -> QuerySet[DualServiceRecord]:
    q = _staff_q(user)
    return DualServiceRecord.objects.filter(q) if q is not None else DualServiceRecord.objects.none()


def access_registration(user, pk) -> DualRegistration:
    return get_or_404(
        registrations_visible_to(user).select_related("member__person", "member__org", "community"), pk=pk
    )


def access_service(user, pk) -> DualServiceRecord:
    return get_or_404(
        services_visible_to(user).select_related("member__person", "member__org", "community"), pk=pk
    )


def community_queue(user) -> dict:
    """Pending registrations and service records in the communities the account may confirm."""
    scope = scope_of(user)
    if not (scope.is_admin or scope.has_role("community", "street")):
        return {
            "registrations": DualRegistration.objects.none(),
            "services": DualServiceRecord.objects.none(),
        }
    q = scope.region_q("community__path")
    return {
        "registrations": DualRegistration.objects.filter(q, status=RegStatus.PENDING)
        .select_related("member__person", "member__org", "community")
        .order_by("registered_at", "id"),
        "services": DualServiceRecord.objects.filter(q, status=SvcStatus.SUBMITTED)
        .select_related("member__person", "member__org", "community")
        .order_by("served_on", "id"),
    }


def in_service_members_visible_to(user) -> QuerySet[PartyMember]:
    """In-service members of the organisations in scope (whose 双报到 their organisation follows)."""
    if not scope_of(user).is_staff:
        return PartyMember.objects.none()
    return PartyMember.objects.filter(
        org__in=party_orgs_visible_to(user).values("pk"), in_service=True, status__in=PartyMember.ACTIVE
    )


@dataclass
class MemberDualRow:
    member: PartyMember
    registration: DualRegistration | None
    hours: Decimal
    records: int


def decorate_members(members: list[PartyMember], year: int, today: date) -> list[MemberDualRow]:
    """Current registration, confirmed hours and record count of each member of a page (3 queries)."""
    ids = [m.pk for m in members]
    hours = member_hours(ids, year)
    counts = dict(
        DualServiceRecord.objects.filter(member_id__in=ids, served_on__year=year)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    regs: dict[int, DualRegistration] = {}
    for r in (
        DualRegistration.objects.filter(member_id__in=ids)
        .exclude(status=RegStatus.REJECTED)
        .select_related("community")
        .order_by("member_id", "-registered_at", "-id")
    ):
        regs.setdefault(r.member_id, r)
    return [
        MemberDualRow(m, regs.get(m.pk), hours.get(m.pk, Decimal("0")), counts.get(m.pk, 0)) for m in members
    ]


# --- report-back to the member's organisation (run by reminders.party_reminders_task) ------------------------


def dual_feedback(today: date) -> int:
    """Once per feedback period, tell each organisation with in-service members how they did in the period
    that just ended: how many reported to a community, and the confirmed service hours (3 queries)."""
    months = int(rule_value("party.dual_report.feedback_months"))
    current, _ = periods.block_bounds(months, today)
    start, end = periods.block_bounds(months, current - timedelta(days=1))
    members = PartyMember.objects.filter(in_service=True, status__in=PartyMember.ACTIVE)
    totals = dict(members.values("org_id").annotate(n=Count("id")).values_list("org_id", "n"))
    if not totals:
        return 0
    reported = dict(
        DualRegistration.objects.filter(
            member__in=members, status__in=EFFECTIVE, confirmed_on__lte=end, valid_until__gte=start
        )
        .values("member__org_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("member__org_id", "n")
    )
    hours = dict(
        DualServiceRecord.objects.filter(
            member__in=members, status=SvcStatus.CONFIRMED, served_on__range=(start, end)
        )
        .values("member__org_id")
        .annotate(h=Sum("hours"))
        .values_list("member__org_id", "h")
    )
    staff = org_staff_ids(totals)
    label = f"{start:%Y年%m月}至{end:%Y年%m月}"
    return send_once(
        [
            Reminder(
                key=f"dual:{org_id}:{start.isoformat()}",
                recipients=staff.get(org_id, set()),
                title=f"{label}双报到情况：在职党员 {n} 人，已到社区报到 {reported.get(org_id, 0)} 人，"
                f"社区确认服务 {as_hours(hours.get(org_id))} 小时",
                link=f"/party/dual/?year={start.year}",
                kind="party.dual",
            )
            for org_id, n in totals.items()
        ]
    )
