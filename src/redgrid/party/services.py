"""Writes of the party app: branch life (组织生活), dues (党费), member status changes and transfers.

Every service is keyword-only, runs in one transaction, locks the row it changes, validates the
transition against a TRANSITIONS mapping, writes an event row and an audit row, and sends inbox
notifications on commit. Errors a user sees are Chinese and cite the rule they enforce.
"""

import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.api import Conflict
from redgrid.core.models import Notification
from redgrid.core.rules import rule_value
from redgrid.party import limits
from redgrid.party import rules as R
from redgrid.party.models import (
    DuesBase,
    DuesPayment,
    MeetingAttendance,
    MeetingEvent,
    MemberEvent,
    OrgLifeMeeting,
    PartyMember,
    PartyOrg,
    Transfer,
)

# ---------------------------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------------------------


def _notify(user_ids: Iterable[int | None], *, title: str, body: str = "", link: str = "", kind: str) -> None:
    """Inbox rows for the given accounts, created only if the transaction commits."""
    ids = sorted({u for u in user_ids if u})

    def send():
        Notification.objects.bulk_create(
            [Notification(recipient_id=u, title=title, body=body, link=link, kind=kind) for u in ids]
        )

    if ids:
        transaction.on_commit(send)


def _accounts_of(members: Iterable[PartyMember]) -> list[int]:
    from redgrid.accounts.models import User

    person_ids = [m.person_id for m in members]
    return list(User.objects.filter(person_id__in=person_ids, is_active=True).values_list("pk", flat=True))


# ---------------------------------------------------------------------------------------------------------
# Branch life (组织生活)
# ---------------------------------------------------------------------------------------------------------

Kind = OrgLifeMeeting.Kind
MStatus = OrgLifeMeeting.Status

#: Which status a meeting may move to from each status.
MEETING_TRANSITIONS: Mapping[str, frozenset[str]] = {
    MStatus.OPEN: frozenset({MStatus.CLOSED, MStatus.CANCELLED}),
    MStatus.CLOSED: frozenset(),
    MStatus.CANCELLED: frozenset(),
}

#: Meeting kinds a party group (党小组) records; a branch records every kind.
GROUP_MEETING_KINDS = frozenset({Kind.GROUP_MEETING, Kind.TALK, Kind.THEME_DAY})

SIGN_IN_SALT = "redgrid.party.meeting.sign_in"

QUORUM_CITATION = R.cite(R.BRANCH_RULE, "第十二条")


def active_members_under(org: PartyOrg) -> QuerySet[PartyMember]:
    """Members of the organisation and of its groups (党小组 are children of the branch)."""
    return PartyMember.objects.filter(org__path__startswith=org.path, status__in=PartyMember.ACTIVE)


def expected_attendees(org: PartyOrg, kind: str) -> QuerySet[PartyMember]:
    """Who is expected at a meeting: the committee (members with a 党内职务) for a 支委会, else everyone."""
    qs = active_members_under(org)
    if kind == Kind.BRANCH_COMMITTEE:
        qs = qs.exclude(position="")
    return qs


def _transition(meeting: OrgLifeMeeting, to: str) -> str:
    if to not in MEETING_TRANSITIONS[meeting.status]:
        raise Conflict(f"会议当前状态为“{meeting.get_status_display()}”，不能改为“{MStatus(to).label}”")
    old, meeting.status = meeting.status, to
    return old


def _meeting_event(meeting, *, actor, action, from_state="", note="", data=None) -> MeetingEvent:
    return MeetingEvent.objects.create(
        meeting=meeting,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=meeting.status,
        note=note,
        data=data or {},
    )


def meeting_quorum(meeting: OrgLifeMeeting) -> dict:
    """Attendance figures and, for a 支委会, whether more than half of the committee is present.

    《中国共产党支部工作条例（试行）》第十二条: 支部委员会会议须有半数以上委员到会方能召开.
    Other kinds have no quorum rule here (votes at a 支部大会 are checked where the vote is recorded).
    """
    rows = list(meeting.attendance.values_list("present", flat=True))
    present, entitled = sum(rows), len(rows)
    needs = meeting.kind == Kind.BRANCH_COMMITTEE
    met = R.meeting_quorum_met(present, entitled) if needs else True
    message = ""
    if needs and not met:
        message = (
            f"支委会到会委员 {present} 人，未超过委员总数 {entitled} 人的半数，会议不能召开{QUORUM_CITATION}"
        )
    return {"present": present, "entitled": entitled, "required": needs, "met": met, "message": message}


def meeting_record(
    *,
    actor,
    org: PartyOrg,
    kind: str,
    date: date,
    place: str,
    topic: str,
    minutes: str = "",
    photos: Iterable[str] = (),
    present: Iterable[int] = (),
    absences: Mapping[int, str] | None = None,
    close: bool = False,
) -> OrgLifeMeeting:
    """Record a meeting (组织生活记录) with the expected attendees.

    1. Check the organisation may hold this kind of meeting (a 支委会 needs a committee — 第六章).
    2. Create the meeting (status 签到中) and one attendance row per expected member.
    3. Mark `present` member ids and store `absences` {member id: reason}.
    4. With `close=True` (recording after the fact) close it at once, which checks the quorum.
    5. Event, audit, and a 会议通知 to the attendees' accounts.
    """
    absences = dict(absences or {})
    if kind not in Kind.values:
        raise ValidationError(f"未知的组织生活类型：{kind}")
    place, topic = (place or "").strip(), (topic or "").strip()
    if not place or not topic:
        raise ValidationError("请填写会议地点和主题")
    if org.kind in PartyOrg.GROUP_KINDS:
        if kind not in GROUP_MEETING_KINDS:
            raise ValidationError(f"党小组不能召开“{Kind(kind).label}”，请以所在党支部名义记录")
    elif org.kind not in PartyOrg.BRANCH_KINDS:
        raise ValidationError("组织生活由党支部或党小组记录")
    if kind == Kind.BRANCH_COMMITTEE and not org.has_committee:
        raise ValidationError(
            "本支部未设支部委员会，不能召开支委会（正式党员不足7人的党支部设书记，不设委员会）"
            + R.cite(R.BRANCH_RULE, "第六章")
        )
    if close and date > timezone.localdate():
        raise ValidationError("会议日期还没到，不能登记为已召开")

    with transaction.atomic():
        org = PartyOrg.objects.select_for_update().get(pk=org.pk)
        meeting = OrgLifeMeeting.objects.create(
            org=org,
            kind=kind,
            date=date,
            place=place,
            topic=topic,
            minutes=minutes,
            photos=list(photos),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        members = list(expected_attendees(org, kind).select_related("person"))
        if kind == Kind.BRANCH_COMMITTEE and not members:
            raise ValidationError("本支部没有登记党内职务的委员，无法召开支委会" + QUORUM_CITATION)
        expected = {m.pk for m in members}
        present = set(present)
        strangers = (present | set(absences)) - expected
        if strangers:
            raise ValidationError("出席或缺席名单中有不属于本次会议应到人员的党员")
        now = timezone.now()
        MeetingAttendance.objects.bulk_create(
            [
                MeetingAttendance(
                    meeting=meeting,
                    member=m,
                    present=m.pk in present,
                    signed_in_at=now if m.pk in present else None,
                    absence_reason="" if m.pk in present else absences.get(m.pk, "").strip()[:100],
                )
                for m in members
            ]
        )
        _meeting_event(
            meeting, actor=actor, action="record", data={"expected": len(members), "present": len(present)}
        )
        audit.record("party.meeting.record", meeting, actor=actor, summary={"kind": kind, "org": org.pk})
        if close:
            _close(meeting, actor=actor)
        _notify(
            _accounts_of(members),
            title=f"{Kind(kind).label}：{topic}",
            body=f"{org.name}，{date:%Y-%m-%d}，{place}",
            link=f"/party/meetings/{meeting.pk}/",
            kind="party.meeting",
        )
    return meeting


def _close(meeting: OrgLifeMeeting, *, actor) -> None:
    old = _transition(meeting, MStatus.CLOSED)
    quorum = meeting_quorum(meeting)
    if not quorum["met"]:
        raise Conflict(quorum["message"])
    meeting.save(update_fields=["status"])
    _meeting_event(
        meeting,
        actor=actor,
        action="close",
        from_state=old,
        data={"present": quorum["present"], "entitled": quorum["entitled"]},
    )
    audit.record("party.meeting.close", meeting, actor=actor, summary={"present": quorum["present"]})


def _locked_meeting(meeting) -> OrgLifeMeeting:
    pk = meeting.pk if isinstance(meeting, OrgLifeMeeting) else meeting
    return OrgLifeMeeting.objects.select_for_update(of=("self",)).select_related("org").get(pk=pk)


def meeting_close(*, actor, meeting: OrgLifeMeeting) -> OrgLifeMeeting:
    """Finish sign-in and mark the meeting held (已召开); a 支委会 without quorum is refused (第十二条)."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        _close(meeting, actor=actor)
    return meeting


def meeting_cancel(*, actor, meeting: OrgLifeMeeting, reason: str) -> OrgLifeMeeting:
    if not (reason or "").strip():
        raise ValidationError("请填写取消原因")
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        old = _transition(meeting, MStatus.CANCELLED)
        meeting.save(update_fields=["status"])
        _meeting_event(meeting, actor=actor, action="cancel", from_state=old, note=reason.strip())
        audit.record("party.meeting.cancel", meeting, actor=actor, summary={"reason": reason.strip()})
    return meeting


def meeting_set_attendance(
    *, actor, meeting: OrgLifeMeeting, member_id: int, present: bool, absence_reason: str = ""
) -> MeetingAttendance:
    """The secretary marks a member present, or absent with a reason (while sign-in is open)."""
    with transaction.atomic():
        meeting = _locked_meeting(meeting)
        if meeting.status != MStatus.OPEN:
            raise Conflict(f"会议当前状态为“{meeting.get_status_display()}”，不能再修改出席情况")
        row = MeetingAttendance.objects.filter(meeting=meeting, member_id=member_id).first()
        if row is None:
            raise ValidationError("该党员不在本次会议的应到人员中")
        reason = (absence_reason or "").strip()[:100]
        row.present = present
        row.absence_reason = "" if present else reason
        row.signed_in_at = row.signed_in_at or (timezone.now() if present else None)
        if not present:
            row.signed_in_at = None
        row.save(update_fields=["present", "absence_reason", "signed_in_at"])
        _meeting_event(
            meeting,
            actor=actor,
            action="attendance",
            from_state=meeting.status,
            data={"member": member_id, "present": present, "reason": row.absence_reason},
        )
        audit.record(
            "party.meeting.attendance",
            meeting,
            actor=actor,
            summary={"member": member_id, "present": present},
        )
    return row


def meeting_sign_in_token(meeting: OrgLifeMeeting) -> str:
    """A signed token naming the meeting; it expires after `party.meeting.sign_in_minutes` (rules table)."""
    return signing.dumps({"m": meeting.pk}, salt=SIGN_IN_SALT, compress=True)


def meeting_from_sign_in_token(meeting_id: int, token: str) -> OrgLifeMeeting:
    """The meeting a valid, unexpired token names; ValidationError (Chinese) otherwise."""
    max_age = int(rule_value("party.meeting.sign_in_minutes")) * 60
    try:
        data = signing.loads(token, salt=SIGN_IN_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ValidationError("签到二维码已过期，请请会议主持人重新出示") from exc
    except signing.BadSignature as exc:
        raise ValidationError("签到二维码无效") from exc
    if data.get("m") != meeting_id:
        raise ValidationError("签到二维码与会议不符")
    meeting = OrgLifeMeeting.objects.select_related("org").filter(pk=meeting_id).first()
    if meeting is None:
        raise ValidationError("会议不存在")
    return meeting


def meeting_sign_in(*, actor, meeting_id: int, token: str) -> MeetingAttendance:
    """QR sign-in (扫码签到): the logged-in member marks themselves present. Idempotent.

    1. The token must be valid, unexpired and name this meeting.
    2. The meeting must still be open for sign-in.
    3. The account must be a member expected at this meeting (a 支委会 only admits committee members).
    """
    meeting_from_sign_in_token(meeting_id, token)
    member = PartyMember.objects.filter(person_id=getattr(actor, "person_id", None)).first()
    if member is None:
        raise PermissionDenied("您的账号未关联党员信息，不能签到")
    with transaction.atomic():
        meeting = _locked_meeting(meeting_id)
        if meeting.status != MStatus.OPEN:
            raise Conflict(f"会议当前状态为“{meeting.get_status_display()}”，签到已结束")
        row = MeetingAttendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
        if row is None:
            raise PermissionDenied("您不在本次会议的应到人员中")
        if row.present:
            return row
        row.present, row.absence_reason, row.signed_in_at = True, "", timezone.now()
        row.save(update_fields=["present", "absence_reason", "signed_in_at"])
        _meeting_event(
            meeting, actor=actor, action="sign_in", from_state=meeting.status, data={"member": member.pk}
        )
        audit.record("party.meeting.sign_in", meeting, actor=actor, summary={"member": member.pk})
    return row


# ---------------------------------------------------------------------------------------------------------
# Dues (党费) — 中组部《关于中国共产党党费收缴、使用和管理的规定》(2008)
# ---------------------------------------------------------------------------------------------------------

DUES_CITATION = R.cite(R.DUES_RULE)
_PERCENT_CATEGORIES = frozenset({"employed", "annual_salary", "self_employed", "retired"})


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def base_for_month(bases: Iterable[DuesBase], year: int, month: int) -> DuesBase | None:
    """The base in force for a month: the latest (year, from_month) not after it.

    The base is set at the start of each year and, when pay changes, from the month the new pay starts;
    a year with no base of its own keeps the last one (it normally stays fixed).
    """
    target = _month_index(year, month)
    best = None
    for b in bases:
        index = _month_index(b.year, b.from_month)
        if index <= target and (best is None or index > _month_index(best.year, best.from_month)):
            best = b
    return best


def monthly_dues_for(member: PartyMember, bases: Iterable[DuesBase], year: int, month: int) -> Decimal | None:
    """The member's dues for a month from their category and base (rules.monthly_dues); None if no base yet."""
    base = base_for_month(bases, year, month)
    if member.dues_category in _PERCENT_CATEGORIES and (base is None or base.base is None):
        return None
    return R.monthly_dues(
        member.dues_category, base.base if base is not None else None, farmer_amount=limits.farmer_amount()
    )


def dues_start(member: PartyMember) -> tuple[int, int]:
    """First month owed on the platform: acceptance month (预备党员 pay from the day of the 支部大会),
    but not before the month the deployment started recording dues (`party.dues.records_start`)."""
    start = limits.dues_records_start()
    if member.joined_on and (member.joined_on.year, member.joined_on.month) > start:
        return member.joined_on.year, member.joined_on.month
    return start


def dues_set_base(
    *, actor, member: PartyMember, year: int, from_month: int, base: Decimal | None
) -> DuesBase:
    """Set the member's dues base for a year from a month (年初核定；工资变动从变动当月起按新基数)."""
    if not 1 <= from_month <= 12:
        raise ValidationError("起始月份应为 1–12")
    if base is not None and base < 0:
        raise ValidationError("党费计算基数不能为负数" + DUES_CITATION)
    if base is None and member.dues_category in _PERCENT_CATEGORIES:
        raise ValidationError(
            f"{member.get_dues_category_display()}党员按收入比例交纳党费，必须填写计算基数{DUES_CITATION}"
        )
    with transaction.atomic():
        member = PartyMember.objects.select_for_update().get(pk=member.pk)
        row, created = DuesBase.objects.update_or_create(
            member=member, year=year, from_month=from_month, defaults={"base": base}
        )
        audit.record(
            "party.dues.set_base",
            member,
            actor=actor,
            summary={"year": year, "from_month": from_month, "base": str(base), "new": created},
        )
    return row


def dues_record_payment(
    *, actor, member: PartyMember, year: int, month: int, amount: Decimal, paid_on: date
) -> DuesPayment:
    """Record that a member paid a month's dues (收缴记录; the money itself moves outside the platform).

    1. The month must be owed (from acceptance / the records start), not in the future, and the payment
       date not in the future.
    2. The amount must be at least the month's dues from the category and base (减免须经支部研究、报上级
       党委批准, which is recorded outside this form); more is a voluntary extra payment.
    3. Lock the member, refuse a second record for the same month (unique member, year, month).
    """
    today = timezone.localdate()
    if not 1 <= month <= 12:
        raise ValidationError("月份应为 1–12")
    if _month_index(year, month) > _month_index(today.year, today.month):
        raise ValidationError(f"{year}年{month}月尚未到来，不能登记")
    if paid_on > today:
        raise ValidationError("缴纳日期不能晚于今天")
    if _month_index(year, month) < _month_index(*dues_start(member)):
        y, m = dues_start(member)
        raise ValidationError(f"该党员从{y}年{m}月起在本平台登记党费，不能登记{year}年{month}月")
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError("金额必须大于 0")
    with transaction.atomic():
        member = PartyMember.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)
        if member.status not in PartyMember.ACTIVE:
            raise Conflict(f"该党员当前状态为“{member.get_status_display()}”，不能登记党费")
        existing = DuesPayment.objects.filter(member=member, year=year, month=month).first()
        if existing is not None:
            raise Conflict(
                f"{year}年{month}月党费已登记（{existing.amount} 元，{existing.paid_on:%Y-%m-%d}）"
            )
        due = monthly_dues_for(member, list(member.dues_bases.all()), year, month)
        if due is None:
            raise ValidationError(f"尚未核定{year}年的党费计算基数，请先设置{DUES_CITATION}")
        if amount < due:
            raise ValidationError(
                f"{year}年{month}月应交党费 {due} 元，实交 {amount} 元不足；确有困难需减免的，须经党支部研究、"
                f"报上级党委批准{DUES_CITATION}"
            )
        payment = DuesPayment.objects.create(
            member=member,
            org=member.org,
            year=year,
            month=month,
            amount=amount,
            paid_on=paid_on,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            "party.dues.payment",
            member,
            actor=actor,
            summary={"year": year, "month": month, "amount": str(amount), "due": str(due)},
        )
    return payment


def dues_arrears(members: list[PartyMember], today: date, payments: Iterable[tuple[int, int, int]]) -> dict:
    """{member id: (consecutive unpaid months, level)} from (member id, year, month) payment triples.

    党章第九条: 6 consecutive months unpaid without good reason → treated as 自行脱党; the platform warns
    at `party.dues.arrears_warning_months` and escalates at `party.dues.arrears_lapse_months`.
    """
    paid: dict[int, set[tuple[int, int]]] = {}
    for member_id, year, month in payments:
        paid.setdefault(member_id, set()).add((year, month))
    thresholds = limits.arrears_thresholds()
    result = {}
    for m in members:
        months = R.dues_months_in_arrears(paid.get(m.pk, set()), dues_start(m), today)
        result[m.pk] = (months, R.arrears_level(months, **thresholds))
    return result


# ---------------------------------------------------------------------------------------------------------
# Member status changes (党员状态变化) and transfers (组织关系转接)
# ---------------------------------------------------------------------------------------------------------

S = PartyMember.Status

#: action → (statuses it may start from, status it leads to).
MEMBER_TRANSITIONS: Mapping[str, tuple[frozenset[str], str]] = {
    "make_full": (frozenset({S.PROBATIONARY}), S.FULL),
    "extend_probation": (frozenset({S.PROBATIONARY}), S.PROBATIONARY),
    "suspend": (frozenset({S.FULL}), S.SUSPENDED),
    "remove": (frozenset({S.FULL, S.PROBATIONARY, S.SUSPENDED}), S.REMOVED),
    "decease": (frozenset({S.FULL, S.PROBATIONARY, S.SUSPENDED}), S.DECEASED),
    "transfer_out": (frozenset({S.FULL, S.PROBATIONARY}), S.TRANSFERRED_OUT),
}
ACTION_LABELS = {
    "make_full": "预备党员转正",
    "extend_probation": "延长预备期",
    "suspend": "停止党籍",
    "remove": "出党",
    "decease": "去世",
    "transfer_out": "组织关系转出",
    "transfer_in": "组织关系转入",
    "transfer_issue": "开具组织关系介绍信",
    "transfer_move": "组织关系转至本平台其他党组织",
}


def _locked_member(member) -> PartyMember:
    pk = member.pk if isinstance(member, PartyMember) else member
    return PartyMember.objects.select_for_update(of=("self",)).select_related("org", "person").get(pk=pk)


def _member_transition(member: PartyMember, action: str) -> str:
    allowed, to = MEMBER_TRANSITIONS[action]
    if member.status not in allowed:
        raise Conflict(f"该党员当前状态为“{member.get_status_display()}”，不能{ACTION_LABELS[action]}")
    old, member.status = member.status, to
    return old


def _member_event(member, *, actor, action, from_state, note="", data=None) -> MemberEvent:
    event = MemberEvent.objects.create(
        member=member,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=member.status,
        note=note,
        data=data or {},
    )
    audit.record(
        f"party.member.{action}",
        member,
        actor=actor,
        summary={"from": from_state, "to": member.status, **(data or {})},
    )
    return event


def _require(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(f"请填写{what}")
    return text


def member_probation_end(member: PartyMember):
    if member.joined_on is None:
        return None
    return limits.probation_end_of(member.joined_on, member.probation_extension_months)


def member_make_full(*, actor, member: PartyMember, on: date, note: str = "") -> PartyMember:
    """预备党员转正, only once the 预备期 has ended (党章第七条: 预备期为一年，从支部大会通过之日算起)."""
    with transaction.atomic():
        member = _locked_member(member)
        old = _member_transition(member, "make_full")
        end = member_probation_end(member)
        if end is None:
            raise ValidationError("未登记入党（支部大会通过）日期，无法计算预备期")
        if on < end:
            raise Conflict(
                f"预备期至 {end:%Y年%m月%d日} 届满，届满前不能转正" + R.cite(R.PARTY_CONSTITUTION, "第七条")
            )
        if on > timezone.localdate():
            raise ValidationError("转正日期不能晚于今天")
        member.full_member_on = on
        member.save(update_fields=["status", "full_member_on"])
        _member_event(
            member,
            actor=actor,
            action="make_full",
            from_state=old,
            note=note,
            data={"on": on.isoformat(), "probation_end": end.isoformat()},
        )
    return member


def member_extend_probation(*, actor, member: PartyMember, months: int, reason: str) -> PartyMember:
    """延长预备期: once only, by 6–12 months (党章第七条; limits in the rules table)."""
    reason = _require(reason, "延长预备期的原因")
    with transaction.atomic():
        member = _locked_member(member)
        old = _member_transition(member, "extend_probation")
        if member.probation_extension_months:
            raise Conflict(
                f"该预备党员的预备期已延长过 {member.probation_extension_months} 个月，只能延长一次"
                + R.cite(R.PARTY_CONSTITUTION, "第七条")
            )
        if member.joined_on is None:
            raise ValidationError("未登记入党（支部大会通过）日期，无法计算预备期")
        try:
            end = limits.probation_end_of(member.joined_on, months)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        member.probation_extension_months = months
        member.save(update_fields=["probation_extension_months"])
        _member_event(
            member,
            actor=actor,
            action="extend_probation",
            from_state=old,
            note=reason,
            data={"months": months, "probation_end": end.isoformat()},
        )
    return member


def _notify_branch(member: PartyMember, title: str) -> None:
    from redgrid.accounts.models import RoleGrant

    ids = RoleGrant.objects.filter(party_org_id=member.org_id).values_list("user_id", flat=True)
    _notify(list(ids), title=title, link=f"/party/members/{member.pk}/", kind="party.member")


def _leave(action: str, *, actor, member: PartyMember, on: date, reason: str) -> PartyMember:
    with transaction.atomic():
        member = _locked_member(member)
        old = _member_transition(member, action)
        if on > timezone.localdate():
            raise ValidationError("日期不能晚于今天")
        member.left_on = on
        member.save(update_fields=["status", "left_on"])
        _member_event(
            member, actor=actor, action=action, from_state=old, note=reason, data={"on": on.isoformat()}
        )
        _notify_branch(member, f"{member.person.name}：{ACTION_LABELS[action]}")
    return member


def member_suspend(*, actor, member: PartyMember, on: date, reason: str) -> PartyMember:
    """停止党籍 (e.g. lost contact for a long time): full members only; a reason is required."""
    return _leave("suspend", actor=actor, member=member, on=on, reason=_require(reason, "停止党籍的原因"))


def member_remove(*, actor, member: PartyMember, on: date, reason: str) -> PartyMember:
    """出党 (开除党籍、除名、劝退、取消预备党员资格、自行脱党): the decision and its basis go in `reason`."""
    return _leave("remove", actor=actor, member=member, on=on, reason=_require(reason, "出党方式和依据"))


def member_decease(*, actor, member: PartyMember, on: date, note: str = "") -> PartyMember:
    return _leave("decease", actor=actor, member=member, on=on, reason=note)


def _dues_paid_until(member: PartyMember) -> str:
    last = member.dues_payments.order_by("-year", "-month").values_list("year", "month").first()
    return f"{last[0]}-{last[1]:02d}" if last else ""


def transfer_issue(
    *,
    actor,
    member: PartyMember,
    to_org: PartyOrg | None = None,
    to_name: str = "",
    issued_on: date | None = None,
) -> Transfer:
    """开具组织关系介绍信 to a platform organisation (`to_org`) or an outside one (`to_name`).

    The letter is valid for `party.transfer.letter_valid_months` (rules.md §4: normally ≤ 3 months);
    the member stays on the roster until the receiving organisation returns the 回执.
    """
    issued_on = issued_on or timezone.localdate()
    if to_org is None and not (to_name or "").strip():
        raise ValidationError("请填写接收组织")
    with transaction.atomic():
        member = _locked_member(member)
        if member.status not in PartyMember.ACTIVE:
            raise Conflict(f"该党员当前状态为“{member.get_status_display()}”，不能开具介绍信")
        if to_org is not None and to_org.pk == member.org_id:
            raise ValidationError("接收组织与所在组织相同")
        if member.transfers.filter(
            direction=Transfer.Direction.OUT, status=Transfer.Status.ISSUED, valid_until__gte=issued_on
        ).exists():
            raise Conflict("该党员已有未回执的有效介绍信，请先撤销或等待回执")
        months = int(rule_value("party.transfer.letter_valid_months"))
        transfer = Transfer.objects.create(
            member=member,
            direction=Transfer.Direction.OUT,
            from_org=member.org,
            from_name=member.org.name,
            to_org=to_org,
            to_name=to_org.name if to_org else to_name.strip(),
            letter_no=f"{issued_on:%Y%m%d}-{secrets.token_hex(3).upper()}",
            issued_on=issued_on,
            valid_until=R.add_months(issued_on, months),
            dues_paid_until=_dues_paid_until(member),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        _member_event(
            member,
            actor=actor,
            action="transfer_issue",
            from_state=member.status,
            data={"transfer": transfer.pk, "to": transfer.to_name, "letter_no": transfer.letter_no},
        )
    return transfer


def transfer_receipt(*, actor, transfer: Transfer, received_on: date, note: str = "") -> Transfer:
    """回执: the receiving organisation confirms. Inside the platform the member moves to `to_org`;
    to an outside organisation the member leaves this roster (已转出). An expired letter is refused."""
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != Transfer.Status.ISSUED:
            raise Conflict(f"介绍信当前状态为“{transfer.get_status_display()}”，不能登记回执")
        if received_on > transfer.valid_until:
            months = rule_value("party.transfer.letter_valid_months")
            raise Conflict(
                f"介绍信有效期至 {transfer.valid_until:%Y年%m月%d日}，已过期，请重新开具"
                f"（依据：组织关系介绍信有效期一般不超过{months}个月，rules.md §4）"
            )
        if received_on < transfer.issued_on:
            raise ValidationError("回执日期不能早于开具日期")
        member = _locked_member(transfer.member_id)
        transfer.status, transfer.receipt_on, transfer.receipt_note = (
            Transfer.Status.RECEIVED,
            received_on,
            note,
        )
        transfer.save(update_fields=["status", "receipt_on", "receipt_note"])
        if transfer.to_org_id:
            old_org = member.org
            member.org = transfer.to_org
            member.save(update_fields=["org"])
            _member_event(
                member,
                actor=actor,
                action="transfer_move",
                from_state=member.status,
                note=note,
                data={"transfer": transfer.pk, "from_org": old_org.pk, "to_org": transfer.to_org_id},
            )
        else:
            old = _member_transition(member, "transfer_out")
            member.left_on = received_on
            member.save(update_fields=["status", "left_on"])
            _member_event(
                member,
                actor=actor,
                action="transfer_out",
                from_state=old,
                note=note,
                data={"transfer": transfer.pk, "to": transfer.to_name},
            )
    return transfer


def transfer_cancel(*, actor, transfer: Transfer, reason: str) -> Transfer:
    reason = _require(reason, "撤销原因")
    with transaction.atomic():
        transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != Transfer.Status.ISSUED:
            raise Conflict(f"介绍信当前状态为“{transfer.get_status_display()}”，不能撤销")
        transfer.status = Transfer.Status.CANCELLED
        transfer.receipt_note = reason
        transfer.save(update_fields=["status", "receipt_note"])
        audit.record("party.transfer.cancel", transfer, actor=actor, summary={"reason": reason})
    return transfer


def member_transfer_in(
    *,
    actor,
    org: PartyOrg,
    person,
    status: str,
    joined_on: date | None,
    from_name: str,
    letter_no: str,
    received_on: date | None = None,
    full_member_on: date | None = None,
) -> PartyMember:
    """组织关系转入 from an outside organisation: the member joins `org` and the letter is filed as received."""
    from_name, letter_no = _require(from_name, "转出组织"), _require(letter_no, "介绍信编号")
    if status not in PartyMember.ACTIVE:
        raise ValidationError("转入党员应为正式党员或预备党员")
    if org.kind not in PartyOrg.BRANCH_KINDS and org.kind not in PartyOrg.GROUP_KINDS:
        raise ValidationError("党员应编入党支部或党小组")
    received_on = received_on or timezone.localdate()
    with transaction.atomic():
        if PartyMember.objects.filter(person=person).exists():
            raise Conflict(f"{person.name}已在本平台党员名册中，请使用平台内转接")
        member = PartyMember.objects.create(
            person=person, org=org, status=status, joined_on=joined_on, full_member_on=full_member_on
        )
        transfer = Transfer.objects.create(
            member=member,
            direction=Transfer.Direction.IN,
            status=Transfer.Status.RECEIVED,
            from_name=from_name,
            to_org=org,
            to_name=org.name,
            letter_no=letter_no,
            issued_on=received_on,
            valid_until=received_on,
            receipt_on=received_on,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        _member_event(
            member,
            actor=actor,
            action="transfer_in",
            from_state="",
            data={"transfer": transfer.pk, "from": from_name, "letter_no": letter_no},
        )
    return member
