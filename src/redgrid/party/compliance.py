"""The compliance calendar of branch life (组织生活合规日历): computed from meetings, never stored.

For a branch and a day, each meeting kind has a current period (month / quarter / year from the rules
table, `party.meeting_period.<kind>`; 《中国共产党支部工作条例（试行）》第十一条至第十七条). Its status is

- ``done``    — a held (已召开) meeting of that kind falls in the current period up to the day;
- ``due``     — not yet this period, but the previous period had one;
- ``overdue`` — the previous period was missed as well.

Because held meetings only accumulate, the latest held meeting date per (branch, kind) decides all three,
so a whole subtree needs one aggregate query (plus one for the branches and one for their groups).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Max, QuerySet

from redgrid.core.access import Scope, outermost
from redgrid.party import limits
from redgrid.party import rules as R
from redgrid.party.models import OrgLifeMeeting, PartyOrg

KINDS = tuple(limits.MEETING_PERIOD_DEFAULTS)
STATUS_LABELS = {"done": "已完成", "due": "本期待开", "overdue": "逾期"}
KIND_LABELS = dict(OrgLifeMeeting.Kind.choices)


def kind_rule(kind: str) -> str:
    return R.MEETING_RULES.get(kind, "rules.md §1（谈心谈话每年至少1次）")


@dataclass
class KindStatus:
    kind: str
    label: str
    period: str
    start: date
    end: date
    latest: date | None
    status: str
    rule: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class BranchCompliance:
    org: PartyOrg
    items: list[KindStatus] = field(default_factory=list)

    @property
    def overdue(self) -> list[KindStatus]:
        return [i for i in self.items if i.status == "overdue"]

    @property
    def due(self) -> list[KindStatus]:
        return [i for i in self.items if i.status == "due"]


def applicable_kinds(org: PartyOrg, *, has_groups: bool) -> list[str]:
    """A 支委会 is due only where a committee exists (第六章); a 党小组会 only where the branch has groups."""
    kinds = []
    for kind in KINDS:
        if kind == "branch_committee" and not org.has_committee:
            continue
        if kind == "group_meeting" and not has_groups:
            continue
        kinds.append(kind)
    return kinds


def kind_status(kind: str, on: date, latest: date | None, periods: dict[str, str]) -> KindStatus:
    period = periods[kind]
    start, end = R.period_bounds(period, on)
    previous_start, _ = R.period_bounds(period, start - timedelta(days=1))
    if latest is not None and latest >= start:
        status = "done"
    elif latest is not None and latest >= previous_start:
        status = "due"
    else:
        status = "overdue"
    return KindStatus(kind, KIND_LABELS[kind], period, start, end, latest, status, kind_rule(kind))


def _periods() -> dict[str, str]:
    return {kind: limits.meeting_period(kind) for kind in KINDS}


def _branch_of(path: str, branch_paths: set[str]) -> str | None:
    """The branch path that is `path` or its nearest ancestor (groups report to their branch)."""
    step = PartyOrg.steplen
    for length in range(len(path), 0, -step):
        if path[:length] in branch_paths:
            return path[:length]
    return None


def compliance_for_branches(branches: list[PartyOrg], on: date) -> list[BranchCompliance]:
    """Compliance of each given branch on `on`.

    1. Earliest day that matters: the start of the previous period of the longest period in use.
    2. One query: the paths of party groups under the branches (党小组会 applies only there).
    3. One query: the latest held meeting per (organisation, kind) since that day, up to `on`, for the
       branches and their groups; group meetings count for the group's branch.
    4. Status per kind from the latest date (see module docstring).
    """
    if not branches:
        return []
    periods = _periods()
    earliest = min(
        R.period_bounds(p, R.period_bounds(p, on)[0] - timedelta(days=1))[0] for p in periods.values()
    )
    subtrees = Scope(org_paths=outermost([b.path for b in branches]))
    branch_paths = {b.path for b in branches}
    group_paths = PartyOrg.objects.filter(subtrees.org_q("path"), kind__in=PartyOrg.GROUP_KINDS).values_list(
        "path", flat=True
    )
    with_groups = {_branch_of(p[: -PartyOrg.steplen], branch_paths) for p in group_paths}
    latest: dict[tuple[str, str], date] = {}
    rows = (
        OrgLifeMeeting.objects.filter(subtrees.org_q("org__path"))
        .filter(status=OrgLifeMeeting.Status.CLOSED, date__gte=earliest, date__lte=on)
        .values("org__path", "kind")
        .annotate(latest=Max("date"))
    )
    for row in rows:
        branch = _branch_of(row["org__path"], branch_paths)
        if branch is None:
            continue
        key = (branch, row["kind"])
        if key not in latest or row["latest"] > latest[key]:
            latest[key] = row["latest"]
    result = []
    for b in branches:
        items = [
            kind_status(kind, on, latest.get((b.path, kind)), periods)
            for kind in applicable_kinds(b, has_groups=b.path in with_groups)
        ]
        result.append(BranchCompliance(b, items))
    return result


def branch_compliance(org: PartyOrg, on: date) -> BranchCompliance:
    return compliance_for_branches([org], on)[0]


def branches_under(orgs: QuerySet[PartyOrg], root: PartyOrg) -> QuerySet[PartyOrg]:
    """Branches in `root`'s subtree among the given (already scoped) organisations."""
    return orgs.filter(path__startswith=root.path, kind__in=PartyOrg.BRANCH_KINDS).order_by("path")


@dataclass
class Rollup:
    org: PartyOrg
    branches: int = 0
    with_overdue: int = 0
    with_due: int = 0
    overdue_items: dict[str, int] = field(default_factory=dict)


def compliance_rollup(children: list[PartyOrg], branch_results: list[BranchCompliance]) -> list[Rollup]:
    """Per child organisation: how many branches below it have overdue or due items, and which kinds."""
    rollups = [Rollup(c) for c in children]
    for r in branch_results:
        for up in rollups:
            if r.org.path.startswith(up.org.path):
                up.branches += 1
                up.with_overdue += bool(r.overdue)
                up.with_due += bool(r.due)
                for item in r.overdue:
                    up.overdue_items[item.kind] = up.overdue_items.get(item.kind, 0) + 1
                break
    return rollups
