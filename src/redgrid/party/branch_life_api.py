"""API of branch life, dues and transfers under /api/v1/party/…: meetings (with attendance, close, cancel),
the compliance calendar and its roll-up, dues records/payments/arrears, and 组织关系转接 letters.
Mounted on the party router (party/api.py); reads are scoped, writes call party.services."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as Reply

from redgrid.core.access import outermost
from redgrid.party import compliance as C
from redgrid.party import limits, services
from redgrid.party.api_common import PageIn, Ref, page_of, ref
from redgrid.party.models import DuesPayment, OrgLifeMeeting, PartyMember, PartyOrg, Transfer
from redgrid.party.selectors import (
    access_meeting,
    access_member,
    access_party_org,
    access_transfer,
    meetings_visible_to,
    members_visible_to,
    party_orgs_visible_to,
    transfers_visible_to,
)

router = Router(tags=["智慧党建·组织生活、党费、转接"])


# --- meetings -----------------------------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    org: Ref
    kind: str
    kind_label: str
    status: str
    status_label: str
    date: date
    place: str
    topic: str
    expected: int
    present: int


class MeetingPage(Schema):
    items: list[MeetingOut]
    count: int


class AttendanceOut(Schema):
    member_id: int
    name: str
    present: bool
    absence_reason: str
    signed_in_at: str | None


class QuorumOut(Schema):
    present: int
    entitled: int
    required: bool
    met: bool
    message: str


class MeetingDetail(MeetingOut):
    minutes: str
    attendance: list[AttendanceOut]
    quorum: QuorumOut


class MeetingIn(Schema):
    org_id: int
    kind: str
    date: date
    place: str
    topic: str
    minutes: str = ""
    present: list[int] = []
    absences: dict[int, str] = {}
    close: bool = False


class AttendanceIn(Schema):
    member_id: int
    present: bool
    absence_reason: str = ""


class ReasonIn(Schema):
    reason: str = ""


def _meeting_row(m: OrgLifeMeeting) -> dict:
    return {
        "id": m.pk,
        "org": ref(m.org),
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "status": m.status,
        "status_label": m.get_status_display(),
        "date": m.date,
        "place": m.place,
        "topic": m.topic,
        **_attendance_counts(m),
    }


def _attendance_counts(m: OrgLifeMeeting) -> dict:
    """From the list's annotations when present (no query per row), else counted for the one meeting."""
    if hasattr(m, "n_expected"):
        return {"expected": m.n_expected, "present": m.n_present}
    return {"expected": m.attendance.count(), "present": m.attendance.filter(present=True).count()}


def _meeting_detail(m: OrgLifeMeeting) -> dict:
    rows = m.attendance.select_related("member__person").order_by("member__person__name", "id")
    return {
        **_meeting_row(m),
        "minutes": m.minutes,
        "attendance": [
            {
                "member_id": a.member_id,
                "name": a.member.person.name,
                "present": a.present,
                "absence_reason": a.absence_reason,
                "signed_in_at": a.signed_in_at.isoformat() if a.signed_in_at else None,
            }
            for a in rows
        ],
        "quorum": services.meeting_quorum(m),
    }


@router.get("/meetings", response=MeetingPage, summary="组织生活列表（筛选：组织及下级、类型、状态、日期）")
def list_meetings(
    request,
    paging: Query[PageIn],
    org: int | None = None,
    kind: str = "",
    status: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
):
    qs = meetings_visible_to(request.user).select_related("org").order_by("-date", "-id")
    if org is not None:
        qs = qs.filter(org__path__startswith=access_party_org(request.user, org).path)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    qs = qs.annotate(
        n_expected=Count("attendance"), n_present=Count("attendance", filter=Q(attendance__present=True))
    )
    rows, count = page_of(qs, paging)
    return {"items": [_meeting_row(m) for m in rows], "count": count}


@router.post(
    "/meetings", response={201: MeetingDetail}, summary="登记组织生活（close=true 为补录已召开的会议）"
)
def create_meeting(request, payload: MeetingIn):
    org = access_party_org(request.user, payload.org_id)
    meeting = services.meeting_record(
        actor=request.user,
        org=org,
        kind=payload.kind,
        date=payload.date,
        place=payload.place,
        topic=payload.topic,
        minutes=payload.minutes,
        present=payload.present,
        absences=payload.absences,
        close=payload.close,
    )
    return Reply(201, _meeting_detail(access_meeting(request.user, meeting.pk)))


@router.get("/meetings/{meeting_id}", response=MeetingDetail, summary="组织生活详情（出席情况、法定人数）")
def get_meeting(request, meeting_id: int):
    return _meeting_detail(access_meeting(request.user, meeting_id))


@router.post(
    "/meetings/{meeting_id}/attendance", response=MeetingDetail, summary="登记出席或缺席（含缺席原因）"
)
def set_attendance(request, meeting_id: int, payload: AttendanceIn):
    m = access_meeting(request.user, meeting_id)
    services.meeting_set_attendance(
        actor=request.user,
        meeting=m,
        member_id=payload.member_id,
        present=payload.present,
        absence_reason=payload.absence_reason,
    )
    return _meeting_detail(access_meeting(request.user, meeting_id))


@router.post(
    "/meetings/{meeting_id}/close",
    response=MeetingDetail,
    summary="结束签到、登记为已召开（支委会检查法定人数）",
)
def close_meeting(request, meeting_id: int):
    services.meeting_close(actor=request.user, meeting=access_meeting(request.user, meeting_id))
    return _meeting_detail(access_meeting(request.user, meeting_id))


@router.post("/meetings/{meeting_id}/cancel", response=MeetingDetail, summary="取消会议（须填写原因）")
def cancel_meeting(request, meeting_id: int, payload: ReasonIn):
    services.meeting_cancel(
        actor=request.user, meeting=access_meeting(request.user, meeting_id), reason=payload.reason
    )
    return _meeting_detail(access_meeting(request.user, meeting_id))


# --- compliance -----------------------------------------------------------------------------------------------


class ComplianceItem(Schema):
    kind: str
    label: str
    period: str
    start: date
    end: date
    latest: date | None
    status: str
    rule: str


class BranchComplianceOut(Schema):
    org: Ref
    on: date
    items: list[ComplianceItem]


class RollupOut(Schema):
    org: Ref
    branches: int
    with_overdue: int
    with_due: int
    overdue_items: dict[str, int]


class BranchSummary(Schema):
    org: Ref
    overdue: list[str]
    due: list[str]


class ComplianceRollupOut(Schema):
    on: date
    branches: int
    with_overdue: int
    rollup: list[RollupOut]
    results: list[BranchSummary]


def _items(b) -> list[dict]:
    return [
        {
            "kind": i.kind,
            "label": i.label,
            "period": i.period,
            "start": i.start,
            "end": i.end,
            "latest": i.latest,
            "status": i.status,
            "rule": i.rule,
        }
        for i in b.items
    ]


@router.get(
    "/compliance/branches/{org_id}", response=BranchComplianceOut, summary="一个党支部的组织生活合规日历"
)
def branch_compliance(request, org_id: int, on: date | None = None):
    from django.core.exceptions import ValidationError

    org = access_party_org(request.user, org_id)
    if org.kind not in PartyOrg.BRANCH_KINDS:
        raise ValidationError("合规日历按党支部计算，请查询汇总接口 /party/compliance")
    on = on or timezone.localdate()
    return {"org": ref(org), "on": on, "items": _items(C.branch_compliance(org, on))}


@router.get(
    "/compliance",
    response=ComplianceRollupOut,
    summary="组织生活合规汇总（按下级组织逐级汇总；results 分页）",
)
def compliance_rollup(request, paging: Query[PageIn], org: int | None = None, on: date | None = None):
    on = on or timezone.localdate()
    visible = party_orgs_visible_to(request.user)
    if org is not None:
        roots = [access_party_org(request.user, org)]
    else:
        roots = list(
            visible.filter(path__in=outermost(list(visible.values_list("path", flat=True)))).order_by("path")
        )
    branches = [b for r in roots for b in C.branches_under(visible, r)]
    results = C.compliance_for_branches(branches, on)
    root = roots[0] if len(roots) == 1 else None
    # One root: roll up per child (like the compliance page); several outermost roots: per root.
    children = (
        list(visible.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path"))
        if root
        else []
    )
    children = children or roots
    rollup = C.compliance_rollup(children, results)
    return {
        "on": on,
        "branches": len(results),
        "with_overdue": sum(1 for r in results if r.overdue),
        "rollup": [
            {
                "org": ref(r.org),
                "branches": r.branches,
                "with_overdue": r.with_overdue,
                "with_due": r.with_due,
                "overdue_items": r.overdue_items,
            }
            for r in rollup
        ],
        "results": [
            {"org": ref(r.org), "overdue": [i.kind for i in r.overdue], "due": [i.kind for i in r.due]}
            for r in page_of(results, paging)[0]
        ],
    }


# --- dues ---------------------------------------------------------------------------------------------------------


class PaymentOut(Schema):
    id: int
    member: Ref
    org: Ref
    year: int
    month: int
    amount: Decimal
    paid_on: date
    recorded_by: str


class PaymentPage(Schema):
    items: list[PaymentOut]
    count: int


class PaymentIn(Schema):
    member_id: int
    year: int
    month: int
    amount: Decimal
    paid_on: date | None = None


class ArrearsOut(Schema):
    member: Ref
    org: Ref
    months: int
    level: str
    level_label: str


class ArrearsPage(Schema):
    items: list[ArrearsOut]
    count: int
    warning_at: int
    lapsed_at: int


def _payment_row(p: DuesPayment) -> dict:
    return {
        "id": p.pk,
        "member": {"id": p.member_id, "name": p.member.person.name},
        "org": ref(p.org),
        "year": p.year,
        "month": p.month,
        "amount": p.amount,
        "paid_on": p.paid_on,
        "recorded_by": str(p.recorded_by) if p.recorded_by_id else "",
    }


@router.get("/dues/payments", response=PaymentPage, summary="党费收缴记录（筛选：组织及下级、党员、年、月）")
def list_payments(
    request,
    paging: Query[PageIn],
    org: int | None = None,
    member: int | None = None,
    year: int | None = None,
    month: int | None = None,
):
    qs = DuesPayment.objects.filter(member__in=members_visible_to(request.user).values("pk"))
    if org is not None:
        qs = qs.filter(org__path__startswith=access_party_org(request.user, org).path)
    if member is not None:
        qs = qs.filter(member_id=member)
    if year is not None:
        qs = qs.filter(year=year)
    if month is not None:
        qs = qs.filter(month=month)
    qs = qs.select_related("member__person", "org", "recorded_by").order_by("-year", "-month", "id")
    rows, count = page_of(qs, paging)
    return {"items": [_payment_row(p) for p in rows], "count": count}


@router.post(
    "/dues/payments", response={201: PaymentOut}, summary="登记党费收缴（金额不低于应交数；同月重复 409）"
)
def record_payment(request, payload: PaymentIn):
    m = access_member(request.user, payload.member_id)
    p = services.dues_record_payment(
        actor=request.user,
        member=m,
        year=payload.year,
        month=payload.month,
        amount=payload.amount,
        paid_on=payload.paid_on or timezone.localdate(),
    )
    p = DuesPayment.objects.select_related("member__person", "org", "recorded_by").get(pk=p.pk)
    return Reply(201, _payment_row(p))


ARREARS_LABELS = {"ok": "正常", "warning": "欠交提醒", "lapsed": "连续欠交（自行脱党风险）"}


@router.get(
    "/dues/arrears",
    response=ArrearsPage,
    summary="党费欠交情况（默认只列欠交提醒及以上；level=all 列全部）",
)
def dues_arrears(request, paging: Query[PageIn], org: int | None = None, level: str = ""):
    members = members_visible_to(request.user).filter(status__in=PartyMember.ACTIVE)
    if org is not None:
        members = members.filter(org__path__startswith=access_party_org(request.user, org).path)
    members = list(members.select_related("person", "org").order_by("org__path", "id"))
    today = timezone.localdate()
    start_year = limits.dues_records_start()[0]
    payments = DuesPayment.objects.filter(member_id__in=[m.pk for m in members], year__gte=start_year)
    arrears = services.dues_arrears(members, today, payments.values_list("member_id", "year", "month"))
    rows = [
        {
            "member": {"id": m.pk, "name": m.person.name},
            "org": ref(m.org),
            "months": arrears[m.pk][0],
            "level": arrears[m.pk][1],
            "level_label": ARREARS_LABELS[arrears[m.pk][1]],
        }
        for m in members
        if level == "all" or (arrears[m.pk][1] == level if level else arrears[m.pk][1] != "ok")
    ]
    rows.sort(key=lambda r: -r["months"])
    items, count = page_of(rows, paging)
    thresholds = limits.arrears_thresholds()
    return {
        "items": items,
        "count": count,
        "warning_at": thresholds["warning_at"],
        "lapsed_at": thresholds["lapsed_at"],
    }


# --- transfers --------------------------------------------------------------------------------------------------------


class TransferOut(Schema):
    id: int
    member: Ref
    direction: str
    status: str
    status_label: str
    from_name: str
    to_name: str
    to_org_id: int | None
    letter_no: str
    issued_on: date
    valid_until: date
    expired: bool
    dues_paid_until: str
    receipt_on: date | None
    receipt_note: str


class TransferPage(Schema):
    items: list[TransferOut]
    count: int


class TransferIn(Schema):
    member_id: int
    to_org_id: int | None = None
    to_name: str = ""


class ReceiptIn(Schema):
    received_on: date | None = None
    note: str = ""


def _transfer_row(t: Transfer) -> dict:
    return {
        "id": t.pk,
        "member": {"id": t.member_id, "name": t.member.person.name},
        "direction": t.direction,
        "status": t.status,
        "status_label": t.get_status_display(),
        "from_name": t.from_name,
        "to_name": t.to_name,
        "to_org_id": t.to_org_id,
        "letter_no": t.letter_no,
        "issued_on": t.issued_on,
        "valid_until": t.valid_until,
        "expired": t.is_expired(timezone.localdate()),
        "dues_paid_until": t.dues_paid_until,
        "receipt_on": t.receipt_on,
        "receipt_note": t.receipt_note,
    }


@router.get("/transfers", response=TransferPage, summary="组织关系转接（转出方或接收方在管辖范围内）")
def list_transfers(request, paging: Query[PageIn], status: str = "", direction: str = "", q: str = ""):
    qs = (
        transfers_visible_to(request.user)
        .select_related("member__person")
        .distinct()
        .order_by("-issued_on", "-id")
    )
    if status:
        qs = qs.filter(status=status)
    if direction:
        qs = qs.filter(direction=direction)
    if q:
        qs = qs.filter(
            Q(member__person__name__icontains=q) | Q(letter_no__icontains=q) | Q(to_name__icontains=q)
        )
    rows, count = page_of(qs, paging)
    return {"items": [_transfer_row(t) for t in rows], "count": count}


@router.post(
    "/transfers", response={201: TransferOut}, summary="开具组织关系介绍信（平台内 to_org_id 或外部 to_name）"
)
def issue_transfer(request, payload: TransferIn):
    m = access_member(request.user, payload.member_id)
    to_org = access_party_org(request.user, payload.to_org_id) if payload.to_org_id else None
    t = services.transfer_issue(actor=request.user, member=m, to_org=to_org, to_name=payload.to_name)
    return Reply(201, _transfer_row(access_transfer(request.user, t.pk)))


@router.post("/transfers/{transfer_id}/receipt", response=TransferOut, summary="登记回执（过期的介绍信 409）")
def transfer_receipt(request, transfer_id: int, payload: ReceiptIn):
    t = access_transfer(request.user, transfer_id)
    services.transfer_receipt(
        actor=request.user,
        transfer=t,
        received_on=payload.received_on or timezone.localdate(),
        note=payload.note,
    )
    return _transfer_row(access_transfer(request.user, transfer_id))


@router.post("/transfers/{transfer_id}/cancel", response=TransferOut, summary="撤销介绍信（须填写原因）")
def transfer_cancel(request, transfer_id: int, payload: ReasonIn):
    t = access_transfer(request.user, transfer_id)
    services.transfer_cancel(actor=request.user, transfer=t, reason=payload.reason)
    return _transfer_row(access_transfer(request.user, transfer_id))
