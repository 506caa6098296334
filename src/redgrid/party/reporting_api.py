"""API of 定期填报 and 换届 under /api/v1/party/…: the live table, submit/review, terms and elections."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as Reply

from redgrid.party import periods, reporting, terms
from redgrid.party.api_common import Ref
from redgrid.party.models import PartyOrg, PeriodicReport
from redgrid.party.selectors import access_party_org

router = Router(tags=["智慧党建·定期填报与换届"])


class ReportOut(Schema):
    id: int
    org: Ref
    kind: str
    kind_label: str
    period: str
    period_label: str
    period_start: date
    period_end: date
    due_on: date
    status: str
    status_label: str
    late: bool
    data: dict
    submitted_by: str
    submitted_at: str
    review_note: str


class ReportIn(Schema):
    org_id: int
    kind: str
    period: str
    data: dict


class ReviewIn(Schema):
    note: str = ""


class TableRowOut(Schema):
    org: Ref
    status: str
    status_label: str
    report_id: int | None
    late: bool
    backlog: int


class RollupRowOut(Schema):
    org: Ref
    branches: int
    reported: int
    counts: dict[str, int]
    backlog: int


class TableOut(Schema):
    kind: str
    period: str
    period_label: str
    due_on: date
    totals: dict[str, int]
    rollup: list[RollupRowOut]
    rows: list[TableRowOut]
    count: int


def _ref(o) -> dict:
    return {"id": o.pk, "name": o.name}


def _report(r: PeriodicReport) -> dict:
    period = reporting.kind_period(r.kind)
    return {
        "id": r.pk,
        "org": _ref(r.org),
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "period": periods.key(period, r.period_start),
        "period_label": periods.label(period, r.period_start),
        "period_start": r.period_start,
        "period_end": r.period_end,
        "due_on": r.due_on,
        "status": r.status,
        "status_label": r.get_status_display(),
        "late": r.late,
        "data": r.data,
        "submitted_by": str(r.submitted_by) if r.submitted_by_id else "",
        "submitted_at": r.submitted_at.isoformat(),
        "review_note": r.review_note,
    }


def _kind(kind: str) -> str:
    if kind not in PeriodicReport.Kind.values:
        raise ValidationError(f"填报类型应为：{'、'.join(PeriodicReport.Kind.values)}")
    return kind


def _period_start(kind: str, key: str) -> date:
    if not key:
        return reporting.default_period_start(kind, timezone.localdate())
    try:
        return periods.parse_key(reporting.kind_period(kind), key)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


@router.get(
    "/reports/table",
    response=TableOut,
    summary="定期填报情况表：各支部是否已报、逾期，逐级汇总（period 形如 2026-06 / 2026-Q2 / 2026）",
)
def report_table(
    request,
    kind: str,
    period: str = "",
    org: int | None = None,
    status: str = "",
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=200),
):
    kind = _kind(kind)
    root = access_party_org(request.user, org) if org is not None else None
    table = reporting.report_table(
        request.user,
        kind=kind,
        period_start=_period_start(kind, period),
        today=timezone.localdate(),
        root=root,
    )
    rows = [r for r in table["rows"] if not status or r.status == status]
    offset = (page - 1) * page_size
    return {
        "kind": kind,
        "period": table["key"],
        "period_label": table["label"],
        "due_on": table["due"],
        "totals": table["totals"],
        "rollup": [
            {
                "org": _ref(u.org),
                "branches": u.branches,
                "reported": u.reported,
                "counts": u.counts,
                "backlog": u.backlog,
            }
            for u in table["rollup"]
        ],
        "rows": [
            {
                "org": _ref(r.org),
                "status": r.status,
                "status_label": r.status_label,
                "report_id": r.report.pk if r.report else None,
                "late": bool(r.report and r.report.late),
                "backlog": r.backlog,
            }
            for r in rows[offset : offset + page_size]
        ],
        "count": len(rows),
    }


@router.get("/reports/prefill", response=dict, summary="填报预填数据（平台已有的会议、党员变动、任期记录）")
def report_prefill(request, org: int, kind: str, period: str = ""):
    kind = _kind(kind)
    o = access_party_org(request.user, org)
    start = _period_start(kind, period)
    _, end = periods.bounds(reporting.kind_period(kind), start)
    return reporting.prefill(o, kind, start, end)


@router.post(
    "/reports", response={201: ReportOut}, summary="党支部报送定期填报（被退回后可重新报送；重复报送 409）"
)
def submit_report(request, payload: ReportIn):
    kind = _kind(payload.kind)
    org = access_party_org(request.user, payload.org_id)
    report = reporting.report_submit(
        actor=request.user,
        org=org,
        kind=kind,
        period_start=_period_start(kind, payload.period),
        data=payload.data,
    )
    return Reply(201, _report(reporting.access_report(request.user, report.pk)))


@router.get("/reports/{report_id}", response=ReportOut, summary="定期填报详情")
def get_report(request, report_id: int):
    return _report(reporting.access_report(request.user, report_id))


@router.post(
    "/reports/{report_id}/accept", response=ReportOut, summary="上级审核通过（本支部不能审核自己的报表 403）"
)
def accept_report(request, report_id: int, payload: ReviewIn | None = None):
    report = reporting.access_report(request.user, report_id)
    reporting.report_review(actor=request.user, report=report, accept=True, note=(payload or ReviewIn()).note)
    return _report(reporting.access_report(request.user, report_id))


@router.post("/reports/{report_id}/return", response=ReportOut, summary="上级退回（须填写原因）")
def return_report(request, report_id: int, payload: ReviewIn):
    report = reporting.access_report(request.user, report_id)
    reporting.report_review(actor=request.user, report=report, accept=False, note=payload.note)
    return _report(reporting.access_report(request.user, report_id))


# --- terms ---------------------------------------------------------------------------------------------------


class TermOut(Schema):
    org: Ref
    kind: str
    started: date | None
    years: int | None
    ends: date | None
    status: str
    status_label: str


class TermRollupOut(Schema):
    org: Ref
    counts: dict[str, int]


class TermsOut(Schema):
    totals: dict[str, int]
    rollup: list[TermRollupOut]
    items: list[TermOut]
    count: int


class ElectionIn(Schema):
    elected_on: date
    approval_no: str = ""
    note: str = ""


class ElectionOut(Schema):
    id: int
    started_on: date
    years: int
    ends_on: date
    approval_no: str
    note: str


def _term(t: terms.TermInfo) -> dict:
    return {
        "org": _ref(t.org),
        "kind": t.org.kind,
        "started": t.started,
        "years": t.years,
        "ends": t.ends,
        "status": t.status,
        "status_label": t.status_label,
    }


@router.get(
    "/terms", response=TermsOut, summary="任期与换届情况（status=overdue 为逾期未换届名单，逐级汇总）"
)
def list_terms(
    request,
    org: int | None = None,
    status: str = "",
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=200),
):
    root = access_party_org(request.user, org) if org is not None else None
    table = terms.terms_table(request.user, today=timezone.localdate(), root=root)
    rows = [t for t in table["rows"] if not status or t.status == status]
    offset = (page - 1) * page_size
    return {
        "totals": table["totals"],
        "rollup": [{"org": _ref(u.org), "counts": u.counts} for u in table["rollup"]],
        "items": [_term(t) for t in rows[offset : offset + page_size]],
        "count": len(rows),
    }


@router.get("/orgs/{org_id}/terms", response=list[ElectionOut], summary="一个党组织的历届任期")
def org_terms(request, org_id: int):
    return list(access_party_org(request.user, org_id).terms.all())


@router.post(
    "/orgs/{org_id}/elections",
    response={201: ElectionOut},
    summary="登记换届选举（开始新一届任期；提前或延期超出规定须上级批复文号）",
)
def record_election(request, org_id: int, payload: ElectionIn):
    org = access_party_org(request.user, org_id)
    if org.kind not in PartyOrg.BRANCH_KINDS and org.kind not in terms.TERM_KINDS:
        raise ValidationError(f"{org.get_kind_display()}不实行任期制换届选举")
    term = terms.org_record_election(
        actor=request.user,
        org=org,
        elected_on=payload.elected_on,
        approval_no=payload.approval_no,
        note=payload.note,
    )
    return Reply(201, term)
