"""Terms of office (任期) and 换届: the current term of each organisation, reminders, elections.

The term length depends on the kind of organisation (rules.md §1, all in the rules table):
党支部 3 years, 村/社区 (网格) 党支部 5 years, 党总支 3 years, 基层党委 5 years. 党小组 are not elected
bodies with a term, and a 街道党工委 is appointed by the higher committee, so neither has one here.

The current term lives on the organisation (`PartyOrg.term_started`, `term_years`); each election adds an
`OrgTerm` row (the history) and restarts the term. The status of a term is derived from the day:

- ``unregistered`` — no term recorded yet;
- ``ok``          — in office;
- ``preparing``   — within `party.term.early_reminder_months` of the end: prepare the election;
- ``request_due`` — within `party.term.reminder_months`: file the 换届 request with the higher organisation;
- ``overdue``     — the term has ended without a new election.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.api import Conflict
from redgrid.core.rules import define, rule_value
from redgrid.party import rules as R
from redgrid.party.models import OrgTerm, PartyOrg, PartyOrgEvent
from redgrid.party.reminders import Reminder, org_staff_ids, send_once
from redgrid.party.selectors import party_orgs_visible_to

ELECTION_RULE = "《中国共产党基层组织选举工作条例》"
SHIFT_CITATION = R.cite(ELECTION_RULE, "第三条")

define(
    "party.term.general_branch_years",
    3,
    "党总支委员会每届任期（年）",
    "rules.md §1（机关党总支，其他领域参照）",
    "M",
)
define(
    "party.term.committee_years",
    5,
    "基层党委每届任期（年）",
    "rules.md §1（机关基层党委，其他领域参照）",
    "M",
)
define("party.term.early_reminder_months", 6, "换届筹备提前提醒（月）", "rules.md §1（各地做法）", "L")
define(
    "party.term.tolerance_months",
    3,
    "任期届满前后此月数内换届无需上级批复（超出视为提前或延期换届）",
    "本平台设置（各地做法）",
    "L",
)
define(
    "party.term.max_shift_months",
    12,
    "经上级批准提前或延期换届的最长期限（月）",
    ELECTION_RULE + "第三条（延长或者提前期限一般不超过1年）",
    "H",
)

#: Organisation kind → the rules-table key of its term length (kinds not listed have no term).
TERM_YEAR_RULES: Mapping[str, str] = {
    PartyOrg.Kind.BRANCH: "party.term.branch_years",
    PartyOrg.Kind.GRID_BRANCH: "party.term.community_years",
    PartyOrg.Kind.GENERAL_BRANCH: "party.term.general_branch_years",
    PartyOrg.Kind.COMMITTEE: "party.term.committee_years",
}
TERM_KINDS = tuple(TERM_YEAR_RULES)

STATUS_LABELS = {
    "unregistered": "未登记任期",
    "ok": "任期内",
    "preparing": "筹备换届",
    "request_due": "应报换届请示",
    "overdue": "逾期未换届",
}
#: The wording a 换届情况 report uses for each status.
REPORT_STATUS = {
    "unregistered": "未登记任期",
    "ok": "任期内",
    "preparing": "筹备换届",
    "request_due": "筹备换届",
    "overdue": "逾期未换届",
}


def term_years_for(kind: str) -> int | None:
    key = TERM_YEAR_RULES.get(kind)
    return int(rule_value(key)) if key else None


def _months(key: str) -> int:
    return int(rule_value(f"party.term.{key}"))


@dataclass
class TermInfo:
    org: PartyOrg
    started: date | None
    years: int | None
    ends: date | None
    status: str
    preparing_from: date | None = None
    request_from: date | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def reminder_months() -> tuple[int, int]:
    """(筹备 months, 换届请示 months) before the end of a term, from the rules table."""
    return _months("early_reminder_months"), _months("reminder_months")


def term_info(org: PartyOrg, today: date, months: tuple[int, int] | None = None) -> TermInfo:
    """The organisation's current term and its status on `today` (no query; pass `months` from
    `reminder_months()` when computing many, so the rules table is read once)."""
    if org.term_started is None or org.kind not in TERM_KINDS:
        return TermInfo(org, None, None, None, "unregistered")
    early, late = months or reminder_months()
    years = org.term_years or term_years_for(org.kind)
    ends = R.term_end(org.term_started, years=years)
    preparing = R.reelection_reminder_date(ends, early)
    request = R.reelection_reminder_date(ends, late)
    if today > ends:
        status = "overdue"
    elif today >= request:
        status = "request_due"
    elif today >= preparing:
        status = "preparing"
    else:
        status = "ok"
    return TermInfo(org, org.term_started, years, ends, status, preparing, request)


# --- the election service ----------------------------------------------------------------------------------


def _month_shift(a: date, b: date) -> int:
    """Whole months from a to b (negative when b is earlier), counted as add_months does."""
    months = (b.year - a.year) * 12 + (b.month - a.month)
    if months > 0 and R.add_months(a, months) > b:
        months -= 1
    elif months < 0 and R.add_months(a, months) < b:
        months += 1
    return months


def org_record_election(
    *, actor, org: PartyOrg, elected_on: date, approval_no: str = "", note: str = ""
) -> OrgTerm:
    """Record a 换届选举 (or register the current term for the first time): a new term starts that day.

    1. Only organisations with a term (党支部, 党总支, 基层党委) hold elections; the date is not in the future
       and after the current term's start.
    2. Against the current term's end: within `party.term.tolerance_months` nothing more is needed; beyond
       it the election is early or postponed and needs the higher organisation's approval (文号); beyond
       `party.term.max_shift_months` it is refused (基层组织选举工作条例第三条: 一般不超过1年).
    3. Lock the organisation, store the term (length from the rules table for its kind), event, audit,
       and an inbox note to the organisation and its parent.
    """
    from redgrid.party.reporting import require_writer

    require_writer(actor, "换届选举登记")
    years = term_years_for(org.kind)
    if years is None:
        raise ValidationError(f"{org.get_kind_display()}不实行任期制换届选举")
    today = timezone.localdate()
    if elected_on > today:
        raise ValidationError("选举日期不能晚于今天")
    approval_no, note = (approval_no or "").strip(), (note or "").strip()
    with transaction.atomic():
        org = PartyOrg.objects.select_for_update().get(pk=org.pk)
        current = term_info(org, today)
        if current.started is not None:
            if elected_on <= current.started:
                raise ValidationError(f"选举日期应晚于本届任期开始日期 {current.started:%Y-%m-%d}")
            shift = _month_shift(current.ends, elected_on)
            word = "提前" if shift < 0 else "延期"
            if abs(shift) > _months("max_shift_months"):
                raise Conflict(
                    f"本届任期至 {current.ends:%Y年%m月%d日} 届满，{word}换届 {abs(shift)} 个月，"
                    f"超过 {_months('max_shift_months')} 个月的上限{SHIFT_CITATION}"
                )
            if abs(shift) > _months("tolerance_months") and not approval_no:
                raise ValidationError(
                    f"本届任期至 {current.ends:%Y年%m月%d日} 届满，{word}换届须经上级党组织批准，"
                    f"请填写批复文号{SHIFT_CITATION}"
                )
        term = OrgTerm.objects.create(
            org=org,
            started_on=elected_on,
            years=years,
            ends_on=R.term_end(elected_on, years=years),
            approval_no=approval_no,
            note=note,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        old_end = current.ends.isoformat() if current.ends else ""
        org.term_started, org.term_years = elected_on, years
        org.save(update_fields=["term_started", "term_years"])
        PartyOrgEvent.objects.create(
            org=org,
            actor=actor if getattr(actor, "pk", None) else None,
            action="election",
            from_state=old_end,
            to_state=term.ends_on.isoformat(),
            note=note,
            data={"term": term.pk, "elected_on": elected_on.isoformat(), "approval_no": approval_no},
        )
        audit.record(
            "party.term.election",
            org,
            actor=actor,
            summary={"elected_on": elected_on.isoformat(), "years": years, "previous_end": old_end},
        )
        from redgrid.party.services import _notify

        parent = org.get_parent()
        staff = org_staff_ids([org.pk] + ([parent.pk] if parent else []))
        _notify(
            set().union(*staff.values()) if staff else set(),
            title=f"{org.name}完成换届选举，新一届任期至 {term.ends_on:%Y-%m-%d}",
            link=f"/party/terms/{org.pk}/",
            kind="party.term",
        )
    return term


# --- scoped reads ------------------------------------------------------------------------------------------


def term_orgs_visible_to(user):
    return party_orgs_visible_to(user).filter(kind__in=TERM_KINDS)


@dataclass
class TermRollup:
    org: PartyOrg
    counts: dict = field(default_factory=lambda: dict.fromkeys(STATUS_LABELS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def terms_table(user, *, today: date, root: PartyOrg | None = None) -> dict:
    """Every organisation with a term in scope (under `root`), its status, and counts per child.

    Two queries: the organisations, and the roll-up roots (see reporting.table_roots); statuses are
    computed from the rows.
    """
    from redgrid.party.reporting import table_roots

    qs = term_orgs_visible_to(user)
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    months = reminder_months()
    infos = [term_info(o, today, months) for o in qs.order_by("path")]
    rollup = [TermRollup(o) for o in table_roots(user, root)]
    for info in infos:
        for up in rollup:
            if info.org.path.startswith(up.org.path):
                up.counts[info.status] += 1
                break
    totals = dict.fromkeys(STATUS_LABELS, 0)
    for info in infos:
        totals[info.status] += 1
    return {"rows": infos, "rollup": rollup, "totals": totals}


# --- reminders (run by reminders.party_reminders_task) -------------------------------------------------


def term_reminders(today: date) -> int:
    """Remind each organisation (and its parent) once per stage of a term: 筹备 (6 months before the end by
    default), 换届请示 (3 months before), and 逾期 (the day after the end).

    Only terms ending within the early-reminder window are read: for each term length in use, the term
    must have started on or before `today − (years·12 − early months)` (an indexed range per length).
    """
    early = _months("early_reminder_months")
    q = Q()
    for years in set(PartyOrg.objects.filter(kind__in=TERM_KINDS).values_list("term_years", flat=True)):
        if years:
            q |= Q(term_years=years, term_started__lte=R.add_months(today, -(years * 12 - early)))
    if not q:
        return 0
    orgs = list(PartyOrg.objects.filter(q, kind__in=TERM_KINDS, term_started__isnull=False))
    months = reminder_months()
    infos = [term_info(o, today, months) for o in orgs]
    infos = [i for i in infos if i.status in ("preparing", "request_due", "overdue")]
    parents = {i.org.pk: i.org.path[: -PartyOrg.steplen] for i in infos}
    parent_ids = dict(PartyOrg.objects.filter(path__in=set(parents.values())).values_list("path", "pk"))
    staff = org_staff_ids([i.org.pk for i in infos] + list(parent_ids.values()))
    texts = {
        "preparing": "任期将于 {end} 届满，请做好换届准备",
        "request_due": "任期将于 {end} 届满，请向上级党组织报送换届请示",
        "overdue": "任期已于 {end} 届满，逾期未换届，请尽快组织换届选举",
    }
    reminders = []
    for i in infos:
        recipients = set(staff.get(i.org.pk, set())) | staff.get(parent_ids.get(parents[i.org.pk]), set())
        reminders.append(
            Reminder(
                key=f"term:{i.org.pk}:{i.started.isoformat()}:{i.status}",
                recipients=recipients,
                title=f"{i.org.name}：" + texts[i.status].format(end=f"{i.ends:%Y年%m月%d日}"),
                link=f"/party/terms/{i.org.pk}/",
                kind="party.term",
            )
        )
    return send_once(reminders)
