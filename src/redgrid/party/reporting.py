"""定期填报 (dynamic reporting): branches report each period; upper levels see who reported and who is late.

Three kinds — 组织活动情况, 党员变动情况, 换届情况 — each with its period (month / quarter / year) and the
number of days after the period's end by which the report is due, all from the rules table. A report
is prefilled from the platform's own records (meetings held, member events, the current term) and the
branch corrects and submits it; an upper level accepts it or returns it for correction.

Which branches have reported is derived from the report rows, never stored twice: a branch without a
report for a period is ``pending`` until the due date and ``overdue`` after it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.access import get_or_404, outermost, scope_of
from redgrid.core.api import Conflict
from redgrid.core.rules import define, rule_value
from redgrid.party import periods
from redgrid.party.models import (
    MeetingAttendance,
    MemberEvent,
    OrgLifeMeeting,
    PartyMember,
    PartyOrg,
    PeriodicReport,
    ReportEvent,
)
from redgrid.party.reminders import Reminder, org_staff_ids, send_once
from redgrid.party.selectors import party_orgs_visible_to

Kind = PeriodicReport.Kind
RStatus = PeriodicReport.Status

_LOCAL = "本平台设置（各地做法，rules.md §1 台账）"
define("party.report.period.activities", "month", "组织活动情况的填报周期（month/quarter/year）", _LOCAL, "L")
define(
    "party.report.period.member_changes",
    "quarter",
    "党员变动情况的填报周期（month/quarter/year）",
    _LOCAL,
    "L",
)
define("party.report.period.reelection", "year", "换届情况的填报周期（month/quarter/year）", _LOCAL, "L")
define("party.report.due_days", 10, "每期结束后报送的期限（天）", _LOCAL, "L")
define("party.report.reminder_days", 3, "报送截止前几天提醒", _LOCAL, "L")
define(
    "party.report.start",
    "2026-01",
    "开始定期填报的月份（YYYY-MM；此前的期间不要求报送）",
    "本平台设置（部署时确定）",
    "L",
)

#: Which status a report may move to from each status (退回 → 重新报送 → 审核).
REPORT_TRANSITIONS: Mapping[str, frozenset[str]] = {
    RStatus.SUBMITTED: frozenset({RStatus.ACCEPTED, RStatus.RETURNED}),
    RStatus.RETURNED: frozenset({RStatus.SUBMITTED}),
    RStatus.ACCEPTED: frozenset(),
}

TABLE_STATUS_LABELS = {
    "accepted": "已审核",
    "submitted": "已报送",
    "returned": "已退回待重报",
    "pending": "未报（未到截止日）",
    "overdue": "逾期未报",
}

# --- the form of each kind: (field, label, type, required) ----------------------------------------------
FIELDS: Mapping[str, tuple[tuple[str, str, str, bool], ...]] = {
    Kind.ACTIVITIES: (
        ("meetings_held", "召开组织生活（次）", "int", True),
        ("attendance", "参加人次", "int", True),
        ("activities", "主要活动内容", "text", True),
        ("problems", "存在问题及下步打算", "text", False),
    ),
    Kind.MEMBER_CHANGES: (
        ("full", "正式党员（人）", "int", True),
        ("probationary", "预备党员（人）", "int", True),
        ("joined", "新接收预备党员（人）", "int", True),
        ("transferred_in", "转入（人）", "int", True),
        ("transferred_out", "转出（人）", "int", True),
        ("left", "停止党籍、出党、去世（人）", "int", True),
        ("note", "说明", "text", False),
    ),
    Kind.REELECTION: (
        ("term_started", "本届任期开始", "date", False),
        ("term_ends", "任期届满", "date", False),
        ("status", "换届情况", "choice", True),
        ("planned_on", "计划换届日期", "date", False),
        ("note", "说明", "text", False),
    ),
}
REELECTION_CHOICES = ("任期内", "筹备换届", "已换届", "逾期未换届", "未登记任期")


def kind_period(kind: str) -> str:
    period = rule_value(f"party.report.period.{kind}")
    if period not in periods.PERIOD_LABELS:
        raise ValidationError(
            f"规则表中“{Kind(kind).label}”的填报周期“{period}”无效，应为 month/quarter/year"
        )
    return period


def reporting_start() -> date:
    year, month = str(rule_value("party.report.start")).split("-")
    return date(int(year), int(month), 1)


def due_date(period_end: date) -> date:
    return period_end + timedelta(days=int(rule_value("party.report.due_days")))


def first_required_start(kind: str) -> date:
    """The first period that must be reported: the one containing the configured start month."""
    return periods.bounds(kind_period(kind), reporting_start())[0]


def default_period_start(kind: str, today: date) -> date:
    """The period a table shows by default: the last finished one (it is what is being reported now), or
    the current one while no finished period is required yet."""
    period = kind_period(kind)
    current = periods.bounds(period, today)[0]
    last = periods.previous_start(period, current)
    return last if last >= first_required_start(kind) else current


def is_branch(org: PartyOrg) -> bool:
    return org.kind in PartyOrg.BRANCH_KINDS


#: Roles that write party records (报送、换届、民主评议); leaders and inspectors read, grid workers and units
#: see party organisations only as context.
WRITE_ROLES = ("branch", "community", "street")


def require_writer(user, what: str) -> None:
    if not scope_of(user).has_role(*WRITE_ROLES):
        raise PermissionDenied(f"{what}由党组织和社区、街道工作人员办理，您的账号只能查看")


# --- prefill and validation ------------------------------------------------------------------------------


def prefill(org: PartyOrg, kind: str, start: date, end: date) -> dict:
    """Figures the platform already knows for the period (the branch may correct them before submitting)."""
    if kind == Kind.ACTIVITIES:
        meetings = OrgLifeMeeting.objects.filter(
            org__path__startswith=org.path, status=OrgLifeMeeting.Status.CLOSED, date__range=(start, end)
        )
        present = MeetingAttendance.objects.filter(meeting__in=meetings, present=True).count()
        return {"meetings_held": meetings.count(), "attendance": present, "activities": "", "problems": ""}
    if kind == Kind.MEMBER_CHANGES:
        members = PartyMember.objects.filter(org__path__startswith=org.path)
        events = MemberEvent.objects.filter(member__in=members, at__date__range=(start, end))
        counts = dict(events.values_list("action").annotate(n=Count("id")).values_list("action", "n"))
        return {
            "full": members.filter(status=PartyMember.Status.FULL).count(),
            "probationary": members.filter(status=PartyMember.Status.PROBATIONARY).count(),
            "joined": members.filter(joined_on__range=(start, end)).count(),
            "transferred_in": counts.get("transfer_in", 0),
            "transferred_out": counts.get("transfer_out", 0),
            "left": sum(counts.get(a, 0) for a in ("suspend", "remove", "decease")),
            "note": "",
        }
    from redgrid.party import terms

    info = terms.term_info(org, end)
    return {
        "term_started": info.started.isoformat() if info.started else "",
        "term_ends": info.ends.isoformat() if info.ends else "",
        "status": terms.REPORT_STATUS.get(info.status, "任期内"),
        "planned_on": "",
        "note": "",
    }


def clean_data(kind: str, raw: Mapping) -> dict:
    """Validate a submitted form against FIELDS; every problem is reported at once, in Chinese."""
    errors, data = [], {}
    for name, label, kind_of, required in FIELDS[kind]:
        value = raw.get(name, "")
        value = "" if value is None else str(value).strip()
        if not value:
            if required:
                errors.append(f"请填写“{label}”")
            data[name] = None if kind_of == "int" else ""
            continue
        if kind_of == "int":
            if not value.isdigit():
                errors.append(f"“{label}”应为不小于 0 的整数")
                continue
            data[name] = int(value)
        elif kind_of == "date":
            try:
                data[name] = date.fromisoformat(value).isoformat()
            except ValueError:
                errors.append(f"“{label}”应为日期（YYYY-MM-DD）")
        elif kind_of == "choice":
            if value not in REELECTION_CHOICES:
                errors.append(f"“{label}”应为：{'、'.join(REELECTION_CHOICES)}")
            data[name] = value
        else:
            data[name] = value[:2000]
    if errors:
        raise ValidationError(errors)
    return data


# --- services --------------------------------------------------------------------------------------------


def _event(report, *, actor, action, from_state="", note="", data=None) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=report.status,
        note=note,
        data=data or {},
    )


def _transition(report: PeriodicReport, to: str) -> str:
    if to not in REPORT_TRANSITIONS[report.status]:
        raise Conflict(f"报表当前状态为“{report.get_status_display()}”，不能改为“{RStatus(to).label}”")
    old, report.status = report.status, to
    return old


def _notify_upper(org: PartyOrg, *, title: str, link: str) -> None:
    parent = org.get_parent()
    ids = org_staff_ids([parent.pk]).get(parent.pk, set()) if parent else set()
    _on_commit_notify(ids, title=title, link=link)


def _on_commit_notify(ids, *, title: str, link: str, body: str = "") -> None:
    from redgrid.party.services import _notify

    _notify(ids, title=title, body=body, link=link, kind="party.report")


def report_submit(*, actor, org: PartyOrg, kind: str, period_start: date, data: Mapping) -> PeriodicReport:
    """A branch submits (or, after a return, resubmits) its report for a period.

    1. Only a 党支部 reports; the kind must exist; the period must be a period of the kind, not before the
       configured start and already begun.
    2. Validate the form (nothing is saved if any field is wrong).
    3. Lock the organisation; a report already submitted or accepted for the period is a conflict, a
       returned one is resubmitted.
    4. Event, audit, and an inbox note to the upper level after commit.
    """
    require_writer(actor, "定期填报")
    if kind not in Kind.values:
        raise ValidationError(f"未知的填报类型：{kind}")
    if not is_branch(org):
        raise ValidationError("定期填报由党支部报送")
    period = kind_period(kind)
    start, end = periods.bounds(period, period_start)
    if start != period_start:
        raise ValidationError(f"{periods.label(period, start)}的填报期间应从 {start:%Y-%m-%d} 开始")
    today = timezone.localdate()
    if start > today:
        raise ValidationError(f"{periods.label(period, start)}尚未开始，不能报送")
    if start < first_required_start(kind):
        raise ValidationError(
            f"本平台从 {reporting_start():%Y年%m月} 起开展定期填报，{periods.label(period, start)}无需报送"
        )
    cleaned = clean_data(kind, data)
    with transaction.atomic():
        PartyOrg.objects.select_for_update().get(pk=org.pk)
        report = (
            PeriodicReport.objects.select_for_update().filter(org=org, kind=kind, period_start=start).first()
        )
        if report is None:
            report = PeriodicReport.objects.create(
                org=org,
                kind=kind,
                period_start=start,
                period_end=end,
                due_on=due_date(end),
                data=cleaned,
                submitted_by=actor if getattr(actor, "pk", None) else None,
                submitted_at=timezone.now(),
            )
            _event(report, actor=actor, action="submit", data={"late": report.late})
        elif report.status == RStatus.RETURNED:
            old = _transition(report, RStatus.SUBMITTED)
            report.data, report.submitted_at = cleaned, timezone.now()
            report.submitted_by = actor if getattr(actor, "pk", None) else None
            report.save(update_fields=["status", "data", "submitted_at", "submitted_by"])
            _event(report, actor=actor, action="resubmit", from_state=old)
        else:
            raise Conflict(
                f"{org.name}{periods.label(period, start)}的“{Kind(kind).label}”已报送"
                f"（{report.get_status_display()}），如需修改请由上级党组织退回"
            )
        audit.record(
            "party.report.submit", report, actor=actor, summary={"kind": kind, "period": start.isoformat()}
        )
        _notify_upper(
            org,
            title=f"{org.name}报送了{periods.label(period, start)}{Kind(kind).label}",
            link=f"/party/reports/{report.pk}/",
        )
    return report


def can_review(user, org: PartyOrg) -> bool:
    """Upper levels review: a grant above the branch (not on it), or community/street staff over its area."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if any(org.path.startswith(p) and p != org.path for p in scope.org_paths):
        return True
    if scope.region_paths and scope.has_role("community", "street"):
        return party_orgs_visible_to(user).filter(pk=org.pk).exists() and org.path not in scope.org_paths
    return False


def report_review(*, actor, report: PeriodicReport, accept: bool, note: str = "") -> PeriodicReport:
    """An upper level accepts a submitted report, or returns it with a reason for the branch to correct."""
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError("退回报表须填写退回原因")
    with transaction.atomic():
        report = PeriodicReport.objects.select_for_update(of=("self",)).select_related("org").get(pk=report.pk)
        if not can_review(actor, report.org):
            raise PermissionDenied("报表由上级党组织审核，本支部不能审核自己的报表")
        old = _transition(report, RStatus.ACCEPTED if accept else RStatus.RETURNED)
        report.reviewed_by = actor if getattr(actor, "pk", None) else None
        report.reviewed_at, report.review_note = timezone.now(), note[:200]
        report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        _event(report, actor=actor, action="accept" if accept else "return", from_state=old, note=note)
        audit.record("party.report.review", report, actor=actor, summary={"accept": accept, "note": note})
        if not accept:
            ids = org_staff_ids([report.org_id]).get(report.org_id, set())
            _on_commit_notify(
                ids,
                title=f"{report.get_kind_display()}（{report.period_start:%Y-%m-%d}起）被退回：{note}",
                link=f"/party/reports/{report.pk}/",
            )
    return report


# --- scoped reads and the live table ---------------------------------------------------------------------


def reports_visible_to(user) -> QuerySet[PeriodicReport]:
    if not scope_of(user).is_staff:
        return PeriodicReport.objects.none()
    return PeriodicReport.objects.filter(org__in=party_orgs_visible_to(user).values("pk"))


def access_report(user, pk) -> PeriodicReport:
    return get_or_404(reports_visible_to(user).select_related("org", "submitted_by", "reviewed_by"), pk=pk)


@dataclass
class TableRow:
    org: PartyOrg
    report: PeriodicReport | None
    status: str
    backlog: int = 0

    @property
    def status_label(self) -> str:
        return TABLE_STATUS_LABELS[self.status]


@dataclass
class RollupRow:
    org: PartyOrg
    counts: dict = field(default_factory=lambda: dict.fromkeys(TABLE_STATUS_LABELS, 0))
    branches: int = 0
    backlog: int = 0

    @property
    def reported(self) -> int:
        return self.counts["submitted"] + self.counts["accepted"]


def row_status(report: PeriodicReport | None, due: date, today: date) -> str:
    if report is None:
        return "pending" if today <= due else "overdue"
    return report.status


def table_roots(user, root: PartyOrg | None) -> list[PartyOrg]:
    """The organisations to roll up to: the children of `root`, or the outermost organisations in scope."""
    visible = party_orgs_visible_to(user)
    if root is not None:
        if is_branch(root):
            return [root]
        return list(visible.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path"))
    paths = list(visible.values_list("path", flat=True))
    return list(visible.filter(path__in=outermost(paths)).order_by("path"))


def report_table(user, *, kind: str, period_start: date, today: date, root: PartyOrg | None = None) -> dict:
    """Which branches in scope (under `root`) reported `kind` for the period, rolled up the tree.

    1. One query: the branches in scope under the root.
    2. One query: their reports for the period.
    3. One query: how many reports each branch filed for the earlier periods already past their due date
       since the configured start (backlog = required − filed).
    4. Status per branch (see `row_status`) and the roll-up per child organisation.
    """
    period = kind_period(kind)
    start, end = periods.bounds(period, period_start)
    due = due_date(end)
    scoped = party_orgs_visible_to(user).filter(kind__in=PartyOrg.BRANCH_KINDS)
    if root is not None:
        scoped = scoped.filter(path__startswith=root.path)
    # The branch set goes into the report queries as a subquery: an id list would be one bound parameter
    # per branch (thousands at district scale).
    in_scope = scoped.values("pk")
    branches = list(scoped.only("id", "name", "kind", "path", "depth").order_by("path"))
    reports = {
        r.org_id: r
        for r in PeriodicReport.objects.filter(org__in=in_scope, kind=kind, period_start=start)
        .select_related("submitted_by")
        .defer("data")
    }
    required = [
        s
        for s in periods.starts_between(period, first_required_start(kind), today)
        if s != start and due_date(periods.bounds(period, s)[1]) < today
    ]
    filed = dict(
        PeriodicReport.objects.filter(org__in=in_scope, kind=kind, period_start__in=required)
        .exclude(status=RStatus.RETURNED)
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    rows = [
        TableRow(
            b,
            reports.get(b.pk),
            row_status(reports.get(b.pk), due, today),
            len(required) - filed.get(b.pk, 0),
        )
        for b in branches
    ]
    rollup = [RollupRow(o) for o in table_roots(user, root)]
    for row in rows:
        for up in rollup:
            if row.org.path.startswith(up.org.path):
                up.branches += 1
                up.counts[row.status] += 1
                up.backlog += row.backlog
                break
    totals = dict.fromkeys(TABLE_STATUS_LABELS, 0)
    for row in rows:
        totals[row.status] += 1
    return {
        "period": period,
        "start": start,
        "end": end,
        "due": due,
        "label": periods.label(period, start),
        "key": periods.key(period, start),
        "rows": rows,
        "rollup": rollup,
        "totals": totals,
    }


# --- reminders (run by reminders.party_reminders_task) -------------------------------------------------


def report_reminders(today: date) -> int:
    """Remind branches that have not reported: once `reminder_days` before the due date, once when overdue.

    For each kind, the last finished period is the one being reported; branches without a report for it
    get one reminder in the days before the due date and one on the first day after it.
    """
    sent = 0
    remind_days = int(rule_value("party.report.reminder_days"))
    for kind in Kind.values:
        period = kind_period(kind)
        start = periods.previous_start(period, periods.bounds(period, today)[0])
        if start < first_required_start(kind):
            continue
        end = periods.bounds(period, start)[1]
        due = due_date(end)
        if today < due - timedelta(days=remind_days):
            continue
        stage = "before" if today <= due else "overdue"
        done = PeriodicReport.objects.filter(kind=kind, period_start=start).values("org_id")
        missing = list(
            PartyOrg.objects.filter(kind__in=PartyOrg.BRANCH_KINDS)
            .exclude(pk__in=done)
            .values_list("pk", "name")
        )
        staff = org_staff_ids([pk for pk, _ in missing])
        label = periods.label(period, start)
        title = (
            f"请于 {due:%m月%d日} 前报送{label}{Kind(kind).label}"
            if stage == "before"
            else f"{label}{Kind(kind).label}已逾期未报，请尽快报送"
        )
        sent += send_once(
            [
                Reminder(
                    key=f"report:{kind}:{start.isoformat()}:{pk}:{stage}",
                    recipients=staff.get(pk, set()),
                    title=f"{name}：{title}",
                    link=f"/party/reports/submit/?org={pk}&kind={kind}&period={periods.key(period, start)}",
                    kind="party.report",
                )
                for pk, name in missing
            ]
        )
    return sent
