"""Scoped reads of the assessment: indicator values, scores and rankings of nodes for a period.

Score of a node (0–100) under its level's active scheme: Σ weight × item score ÷ Σ weight over the
items that have a value this period, × 100 (an indicator without any sample — no appeals rated, no
members — does not drag the node to zero: its weight is shared by the others, as in
appeals.metrics.Metrics.score). `coverage` is the share of the weight that had values. Item scores:
indicators.Indicator.item_score.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from redgrid.assessment import indicators as I
from redgrid.assessment import nodes as N
from redgrid.assessment import rollup
from redgrid.assessment.periods import Period
from redgrid.assessment.schemes import active_scheme


@dataclass
class Cell:
    indicator: I.Indicator
    num: int | None = None
    den: int | None = None
    members: int | None = None
    value: float | None = None
    weight: Decimal | None = None
    target: float | None = None
    score: float | None = None  # 0–1, share of the weight earned

    @property
    def display(self) -> str:
        return self.indicator.display(self.value)

    @property
    def points(self) -> float | None:
        if self.score is None or self.weight is None:
            return None
        return round(float(self.weight) * self.score, 2)

    @property
    def counts(self) -> str:
        """The numbers behind the value, as a reader checks them."""
        ind = self.indicator
        if self.num is None:
            return ""
        if ind.kind != "per_member" and not self.den:
            return "本期无样本"
        if ind.kind == "per_member":
            return f"{self.num / ind.scale:g} 小时 ÷ {self.members or 0} 名党员"
        if ind.kind == "average":
            return f"{self.num / ind.scale:g} ÷ {self.den}"
        return f"{self.num} / {self.den}"

    @property
    def target_display(self) -> str:
        if self.target is None:
            return ""
        if self.indicator.kind == "rate":
            return f"{self.target * 100:g}%"
        return f"{self.target:g}{self.indicator.unit}"


@dataclass
class Row:
    node: N.Node
    cells: list[Cell] = field(default_factory=list)
    score: float | None = None
    coverage: float = 0.0
    rank: int | None = None

    def cell(self, key: str) -> Cell | None:
        return next((c for c in self.cells if c.indicator.key == key), None)


def sums(nodes: list[N.Node], keys: list[str], period: Period) -> dict[str, dict[str, tuple]]:
    """{node key: {indicator: (numerator, denominator, members)}} for the period.

    Appeals indicators come from appeals.metrics.compute (its daily roll-ups; regions and units only);
    the others from DailyFact (one grouped query per tree and path length, plus one for the yearly
    snapshots)."""

    out: dict[str, dict[str, tuple]] = {n.key: {} for n in nodes}
    inds = [I.get(k) for k in keys]
    appeal_inds = [i for i in inds if not i.folded]
    if appeal_inds:
        for node, counts in _appeal_counts([n for n in nodes if n.tree != "org"], period):
            for ind in appeal_inds:
                num_field, den_field = ind.appeal_counts
                out[node.key][ind.key] = (counts[num_field], counts[den_field], None)
    daily = [i.key for i in inds if i.folded and not i.yearly]
    yearly = [i.key for i in inds if i.folded and i.yearly]
    if any(i.kind == "per_member" for i in inds):
        yearly.append(I.MEMBERS)
    jan1 = date(period.start.year, 1, 1)
    by_tree = defaultdict(list)
    for node in nodes:
        by_tree[node.tree].append((node.key, node.id, node.path))
    for tree, refs in by_tree.items():
        found = rollup.read(tree, refs, daily, period.start, period.end)
        found_yearly = rollup.read(tree, refs, yearly, jan1, date(jan1.year, 1, 2)) if yearly else {}
        for key, _, _ in refs:
            members = found_yearly.get(key, {}).get(I.MEMBERS, (0, 0))[0]
            for ind in inds:
                if not ind.folded:
                    continue
                source = found_yearly if ind.yearly else found
                num, den = source.get(key, {}).get(ind.key, (0, 0))
                out[key][ind.key] = (num, den, members)
    return out


def _appeal_counts(nodes: list[N.Node], period: Period):
    """(node, appeals.metrics counters) per node: units and street/community/grid regions in two grouped
    reads of the appeals roll-ups (appeals.rollup.read_many), counties and above one by one
    (appeals.metrics.compute)."""
    from dataclasses import asdict

    from redgrid.appeals import metrics
    from redgrid.appeals import rollup as appeal_rollup

    units = [n for n in nodes if n.tree == "unit"]
    regions = [n for n in nodes if n.tree == "region" and n.level in N.REGION_LEVELS]
    for group in (units, regions):
        if group:
            found = appeal_rollup.read_many([n.obj for n in group], period.start, period.end)
            for node in group:
                yield node, found[node.id]
    for node in nodes:
        if node.tree == "region" and node.level not in N.REGION_LEVELS:
            yield node, asdict(metrics.compute(node.obj, *period.bounds))


def scheme_items(scheme, level: str | None) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """(indicator, weight, target) of a scheme, or every indicator of the level without weights."""
    if scheme is not None:
        return [(i.indicator, i.weight, i.target) for i in scheme.items.all() if i.indicator in I.INDICATORS]
    keys = [i.key for i in I.INDICATORS.values() if level is None or level in i.levels]
    return [(k, None, None) for k in keys]


def evaluate(nodes: list[N.Node], period: Period, items) -> list[Row]:
    """One row per node with a cell per (indicator, weight, target) item and the weighted score."""
    found = sums(nodes, [k for k, _, _ in items], period)
    rows = []
    for node in nodes:
        row = Row(node)
        earned = weighed = total = Decimal(0)
        for key, weight, target in items:
            ind = I.get(key)
            cell = Cell(ind, weight=weight)
            if key in found[node.key] and node.level in ind.levels + ("county", "province", "city"):
                num, den, members = found[node.key][key]
                cell.num, cell.den, cell.members = num, den, members
                cell.value = ind.value(num, den, members)
            cell.target = ind.target_for(period.kind, target)
            cell.score = ind.item_score(cell.value, period.kind, target)
            row.cells.append(cell)
            if weight is not None:
                total += weight
                if cell.score is not None:
                    earned += weight * Decimal(str(cell.score))
                    weighed += weight
        if weighed:
            row.score = round(float(earned / weighed * 100), 2)
        row.coverage = float(weighed / total) if total else 0.0
        rows.append(row)
    return rows


def rank(rows: list[Row], *, sort: str = "", descending: bool = True) -> list[Row]:
    """Competition ranking by score (equal scores share a rank; nodes without a score last, unranked);
    `sort` = an indicator key re-orders the rows by that value without changing the ranks."""
    by_score = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.node.name))
    previous, position = None, 0
    for i, row in enumerate(by_score, start=1):
        if row.score is None:
            row.rank = None
            continue
        if row.score != previous:
            position, previous = i, row.score
        row.rank = position
    if sort and sort in I.INDICATORS:

        def key(r):
            c = r.cell(sort)
            v = c.value if c is not None else None
            return (v is None, -(v or 0) if descending else (v or 0), r.node.name)

        return sorted(by_score, key=key)
    if sort == "name":
        return sorted(by_score, key=lambda r: r.node.name, reverse=not descending)
    if not descending:
        return list(reversed([r for r in by_score if r.score is not None])) + [
            r for r in by_score if r.score is None
        ]
    return by_score


@dataclass
class Ranking:
    node: N.Node
    level: str
    period: Period
    scheme: object
    rows: list[Row]
    levels: tuple[str, ...]

    @property
    def indicators(self) -> list[I.Indicator]:
        return [c.indicator for c in self.rows[0].cells] if self.rows else []


def ranking(
    user, node: N.Node, level: str, period: Period, *, sort: str = "", descending: bool = True
) -> Ranking:
    """The nodes of `level` under `node` visible to the account, scored by the level's active scheme."""
    scheme = active_scheme(level, period.kind)
    items = scheme_items(scheme, level)
    rows = evaluate(N.nodes_at(user, node, level), period, items)
    return Ranking(
        node, level, period, scheme, rank(rows, sort=sort, descending=descending), N.levels_under(node)
    )


def node_detail(node: N.Node, period: Period, *, history: int = 6) -> dict:
    """A node's indicator breakdown under its scheme, and its score over the previous periods."""
    scheme = active_scheme(node.scheme_level, period.kind)
    items = scheme_items(scheme, node.scheme_level)
    row = evaluate([node], period, items)[0]
    trend = []
    p = period
    for _ in range(history):
        p = p.previous()
        trend.append((p, evaluate([node], p, items)[0].score) if scheme is not None else (p, None))
    return {"scheme": scheme, "row": row, "trend": list(reversed(trend))}
