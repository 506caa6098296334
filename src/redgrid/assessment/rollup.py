"""Daily roll-ups of the folded indicators (DailyFact), maintained incrementally from the sources' items.

Every folded indicator is a sum over items (sources.py); DailyFact holds those sums per node, day and
indicator, at the node each item belongs to (a grid, an organisation, a unit), and FactItem keeps each
object's items so that refolding an object applies exactly the difference.

`fold()` (the periodic task every 5 minutes, and `redgrid assessment_rollup`):

1. Per source, lock its FoldState row: folds of one source are serialised, readers never wait.
2. Collect the keys to refold: the objects whose rows changed since the watermark minus an overlap
   (rule assessment.fold_overlap_seconds, so a transaction that committed late is still seen), the
   objects whose deadline passed on a day not yet counted (calendar), the source's `periodic` keys when
   their interval has passed, or every key on the source's first fold.
3. Refold them: compute their items now; for each object whose items differ from the stored ones,
   subtract the old and add the new sums into DailyFact with `INSERT … ON CONFLICT DO UPDATE SET
   n = n + excluded.n` (atomic on SQLite and PostgreSQL; rows in key order), and replace its FactItems.
4. Advance the watermarks.

Refolding an unchanged object writes nothing, and refolding it twice adds nothing: the fold is
idempotent, so overlapping windows, repeated runs and `--rebuild` are all safe. `rebuild()` recomputes
everything from the raw rows; `expected()` computes in memory what a rebuild would store (tests, --check).
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import Substr
from django.utils import timezone

from redgrid.assessment.models import DailyFact, FactItem, FoldState, Tree
from redgrid.assessment.sources import SOURCES, Anchors, Item
from redgrid.core.rules import rule_value

CHUNK = 1000
REGION, ORG, UNIT = Tree.REGION.value, Tree.ORG.value, Tree.UNIT.value

FactKey = tuple  # (tree, node_id, path, day, indicator)


def fact_rows(items) -> dict[FactKey, list[int]]:
    """The DailyFact contributions of items: one row per tree the item counts in."""
    rows: dict[FactKey, list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        for tree, node, path in (
            (REGION, *(item.region or (None, ""))),
            (ORG, *(item.org or (None, ""))),
            (UNIT, item.unit, ""),
        ):
            if node is None:
                continue
            row = rows[(tree, node, path, item.day, item.indicator)]
            row[0] += item.num
            row[1] += item.den
    return rows


def _add(into: dict, rows: dict, sign: int) -> None:
    for key, (n, d) in rows.items():
        row = into.setdefault(key, [0, 0])
        row[0] += sign * n
        row[1] += sign * d


def _upsert(rows: list, *, batch: int = 400) -> None:
    qn = connection.ops.quote_name
    table = qn(DailyFact._meta.db_table)
    cols = ("tree", "node_id", "path", "day", "indicator", "numerator", "denominator")
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    update = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in ("numerator", "denominator"))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(qn(c) for c in cols)}) VALUES {', '.join([one] * len(chunk))} "
                f"ON CONFLICT ({qn('tree')}, {qn('node_id')}, {qn('indicator')}, {qn('day')}) "
                f"DO UPDATE SET {update}, {qn('path')} = excluded.{qn('path')}",
                [
                    v
                    for (tree, node, path, day, ind), (n, d) in chunk
                    for v in (tree, node, path, day, ind, n, d)
                ],
            )


def apply(delta: dict) -> int:
    """Add the rows' sums to DailyFact (creating missing rows); returns the number of rows touched."""
    rows = sorted(
        ((key, v) for key, v in delta.items() if v[0] or v[1]),
        key=lambda kv: (kv[0][0], kv[0][1], kv[0][4], kv[0][3]),
    )
    if rows:
        _upsert(rows)
    return len(rows)


# The FactItem columns that make an Item, in the order `_item` reads them.
ITEM_COLUMNS = (
    "indicator",
    "day",
    "numerator",
    "denominator",
    "region_id",
    "region_path",
    "org_id",
    "org_path",
    "unit_id",
    "label",
)


def _item(row) -> Item:
    ind, day, n, d, rid, rpath, oid, opath, uid, label = row
    return Item(ind, day, n, d, (rid, rpath) if rid else None, (oid, opath) if oid else None, uid, label)


def _stored_items(source: str, keys: list[str]) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = defaultdict(list)
    for key, *item in FactItem.objects.filter(source=source, key__in=keys).values_list("key", *ITEM_COLUMNS):
        out[key].append(_item(item))
    return out


def _row(source: str, key: str, item: Item) -> FactItem:
    rid, rpath = item.region or (None, "")
    oid, opath = item.org or (None, "")
    return FactItem(
        source=source,
        key=key,
        indicator=item.indicator,
        day=item.day,
        numerator=item.num,
        denominator=item.den,
        region_id=rid,
        region_path=rpath,
        org_id=oid,
        org_path=opath,
        unit_id=item.unit,
        label=item.label[:200],
    )


def refold(source_name: str, keys, *, today: date | None = None, anchors: Anchors | None = None) -> dict:
    """Bring the stored items of `keys` (and so DailyFact) in line with the rows as they are now.
    Call inside the source's locked transaction (fold, rebuild)."""
    source = SOURCES[source_name]
    today = today or timezone.localdate()
    anchors = anchors or Anchors()
    keys = sorted(set(keys))
    stats = {"objects": len(keys), "changed": 0, "rows": 0}
    for i in range(0, len(keys), CHUNK):
        chunk = keys[i : i + CHUNK]
        new = source.items(chunk, today, anchors)
        old = _stored_items(source_name, chunk)
        delta: dict = {}
        changed = []
        for key in chunk:
            before, after = old.get(key, []), new.get(key, [])
            if sorted(x.signature() for x in before) == sorted(x.signature() for x in after):
                continue
            changed.append(key)
            _add(delta, fact_rows(before), -1)
            _add(delta, fact_rows(after), +1)
        if not changed:
            continue
        FactItem.objects.filter(source=source_name, key__in=changed).delete()
        FactItem.objects.bulk_create([_row(source_name, k, item) for k in changed for item in new.get(k, [])])
        stats["changed"] += len(changed)
        stats["rows"] += apply(delta)
    return stats


def _locked_state(name: str) -> FoldState:
    FoldState.objects.get_or_create(source=name)
    return FoldState.objects.select_for_update().get(source=name)


def fold(*, sources=None, now: datetime | None = None) -> dict:
    """Fold every source's changes since its watermark (module docstring, steps 1–4)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overlap = timedelta(seconds=int(rule_value("assessment.fold_overlap_seconds")))
    periodic_every = timedelta(seconds=int(rule_value("assessment.members_fold_seconds")))
    anchors = Anchors()
    result = {}
    for name in sources or SOURCES:
        source = SOURCES[name]
        with transaction.atomic():
            state = _locked_state(name)
            if state.folded_until is None:
                keys = source.all_keys(today) | set(
                    FactItem.objects.filter(source=name).values_list("key", flat=True).distinct()
                )
            else:
                keys = source.changed(state.folded_until - overlap)
                first = (state.calendar_until or today) + timedelta(days=1)
                keys |= source.due(first, today - timedelta(days=1))
                if now - state.compared_at >= periodic_every or state.calendar_until != today - timedelta(
                    days=1
                ):
                    keys |= source.periodic(today)
                    state.compared_at = now
            stats = refold(name, keys, today=today, anchors=anchors)
            if state.folded_until is None:
                state.compared_at = now
            state.folded_until = now
            state.calendar_until = today - timedelta(days=1)
            state.save()
        result[name] = stats
    return result


def rebuild() -> dict:
    """Recompute everything from the raw rows: lock every source, drop the roll-ups, fold from scratch."""
    with transaction.atomic():
        for name in SOURCES:
            _locked_state(name)
        FactItem.objects.all().delete()
        DailyFact.objects.all().delete()
        FoldState.objects.all().update(folded_until=None, calendar_until=None)
        return fold()


# --- recomputation (tests, --check) ------------------------------------------------------------------------


def expected(today: date | None = None) -> tuple[dict, dict]:
    """(DailyFact, FactItem) as a rebuild would store them now, computed in memory from the raw rows."""
    today = today or timezone.localdate()
    anchors, facts, items = Anchors(), {}, {}
    for name, source in SOURCES.items():
        keys = sorted(source.all_keys(today))
        for i in range(0, len(keys), CHUNK):
            for key, rows in source.items(keys[i : i + CHUNK], today, anchors).items():
                if rows:
                    items[(name, key)] = sorted(x.signature() for x in rows)
                    _add(facts, fact_rows(rows), +1)
    return {k: v for k, v in facts.items() if v[0] or v[1]}, items


def stored() -> tuple[dict, dict]:
    facts = {
        (tree, node, path, day, ind): [n, d]
        for tree, node, path, day, ind, n, d in DailyFact.objects.values_list(
            "tree", "node_id", "path", "day", "indicator", "numerator", "denominator"
        )
        if n or d
    }
    items = defaultdict(list)
    rows = FactItem.objects.values_list("source", "key", *ITEM_COLUMNS)
    for source, key, *item in rows.iterator(chunk_size=5000):
        items[(source, key)].append(_item(item).signature())
    for key in items:
        items[key].sort()
    return facts, dict(items)


# --- reading -------------------------------------------------------------------------------------------------


def read(tree: str, nodes: list[tuple[object, int, str]], indicators, first: date, end: date) -> dict:
    """Sums per node: {node key: {indicator: (numerator, denominator)}} for the days [first, end).

    `nodes` are (key, id, path) of one tree; region and organisation nodes sum their subtree (one grouped
    query per path length over the indexed prefix range), units their own rows."""
    out: dict = {key: {} for key, _, _ in nodes}
    indicators = list(indicators)
    if not nodes or not indicators:
        return out
    base = DailyFact.objects.filter(tree=tree, indicator__in=indicators, day__gte=first, day__lt=end)
    if tree == UNIT:
        by_id = {node_id: key for key, node_id, _ in nodes}
        rows = (
            base.filter(node_id__in=list(by_id))
            .values("node_id", "indicator")
            .annotate(n=Sum("numerator"), d=Sum("denominator"))
        )
        for r in rows:
            out[by_id[r["node_id"]]][r["indicator"]] = (r["n"] or 0, r["d"] or 0)
        return out
    by_length = defaultdict(dict)
    for key, _, path in nodes:
        by_length[len(path)][path] = key
    for length, paths in by_length.items():
        prefix = _common(list(paths))
        rows = (
            base.filter(path__startswith=prefix)
            .annotate(p=Substr("path", 1, length))
            .filter(p__in=list(paths))
            .values("p", "indicator")
            .annotate(n=Sum("numerator"), d=Sum("denominator"))
        )
        for r in rows:
            out[paths[r["p"]]][r["indicator"]] = (r["n"] or 0, r["d"] or 0)
    return out


def _common(paths: list[str]) -> str:
    first, last = min(paths), max(paths)
    n = 0
    while n < len(first) and n < len(last) and first[n] == last[n]:
        n += 1
    return first[:n]


def items_under(tree: str, node_id: int, path: str, indicator: str, first: date, end: date):
    """The FactItems behind one node's number (the records behind a number), newest first."""
    qs = FactItem.objects.filter(indicator=indicator, day__gte=first, day__lt=end)
    if tree == UNIT:
        qs = qs.filter(unit_id=node_id)
    elif tree == ORG:
        qs = qs.filter(org_path__startswith=path)
    else:
        qs = qs.filter(region_path__startswith=path)
    return qs.order_by("-day", "id")
