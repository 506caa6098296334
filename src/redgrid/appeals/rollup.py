"""Daily roll-ups of the indicators (AppealDaily, AppealDailyLag): kept in step with every action.

Every count of appeals.metrics is a sum over items (a task, a rating, a registered appeal) of
`[S <= a < E] · [b < E]`, where `a` is the item's own time and `b >= a` the time of a later event the
formula waits for ("closed before the end", "dispatched before the end", the next rating…); `b = a`
when there is none. With whole days S and E:

    count(S, E) = Σ_{day a in [S, E)} AppealDaily(a)  −  Σ_{day a in [S, E), day b >= E} AppealDailyLag(a, b)

so AppealDaily holds every item by its day `a` (as of now) and AppealDailyLag only the items whose `b`
falls on a later day than `a`. A period that ends today needs no lag rows at all; others read the few
items that straddle their end.

The items of one appeal (`contributions`):

1. each dispatch task (派遣/吹哨/改派): `dispatched_tasks`, and `responded_on_time` when reported in by
   its limit, on its dispatch day — for the appeal's regions and the task's unit;
2. each rating: `ratings`, `good_ratings` on its day — for the regions and the rating's unit;
3. 解决率: an appeal counts once, by its last rating in the period, whose verdict is the latest rating
   before the end. For rating j: +1 on (r_j, r_j) and −1 on (r_j, next_j) for `rated_appeals`, the same
   weighted by "j is good" for `resolved_appeals`. A unit counts an appeal it rated in the period by the
   latest rating of any unit, so for unit U the rating l counts on (m, r_l) and −(m, next_l), where m
   is U's last rating at or before l;
4. registered appeals not merged, on the registering day, for the regions and the current owner unit:
   `should_close` (b = a), `dispatched_appeals` (b = first 派遣/吹哨), `extended` (b = first 批准延期),
   `ever_closed` (b = first passed 核查), `reopened` (b = first 重办), and, while the appeal is closed,
   `closed` and `closed_on_time` (b = closed_at).

A region node's rows are keyed by the street, community and grid of the appeal (nodes above a street
sum their streets' rows); a unit's by the unit.

Maintenance: `snapshot` computes an appeal's items when the service has locked it and checked the
action (services._check), `record` computes them again when the event is written (services._event) and
adds the difference to the rows with `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` (atomic on
SQLite and PostgreSQL; rows in key order so concurrent actions lock them in the same order).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import connection, transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from redgrid.appeals.models import (
    ROLLUP_COUNTERS,
    Appeal,
    AppealDaily,
    AppealDailyLag,
    AppealEvent,
    AppealRating,
    AppealUnitTask,
    Rating,
    RollupScope,
    Status,
)
from redgrid.regions.models import Region
from redgrid.units.models import Unit

LEVELS = (Region.Level.STREET, Region.Level.COMMUNITY, Region.Level.GRID)
GOOD = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
N = len(ROLLUP_COUNTERS)
C = {name: i for i, name in enumerate(ROLLUP_COUNTERS)}
REGION, UNIT = RollupScope.REGION.value, RollupScope.UNIT.value

FIRST_ACTIONS = ("register", "dispatch", "whistle", "approve_extension", "verify", "reopen")
FIRSTS = {
    "registered": Min("at", filter=Q(action="register")),
    "first_dispatch": Min("at", filter=Q(action__in=("dispatch", "whistle"))),
    "first_approve": Min("at", filter=Q(action="approve_extension")),
    "first_pass": Min("at", filter=Q(action="verify", data__passed=True)),
    "first_reopen": Min("at", filter=Q(action="reopen")),
}


@dataclass
class Facts:
    """What the indicators need to know about one appeal."""

    regions: tuple[int, ...] = ()  # street, community and grid ids of its place
    owner_unit_id: int | None = None
    merged: bool = False
    status: str = ""
    closed_at: datetime | None = None
    resolve_due_at: datetime | None = None
    registered: datetime | None = None
    first_dispatch: datetime | None = None
    first_approve: datetime | None = None
    first_pass: datetime | None = None
    first_reopen: datetime | None = None
    tasks: list = field(default_factory=list)  # (unit_id, dispatched_at, due_at, reported_at)
    ratings: list = field(default_factory=list)  # (round, unit_id, rating, at), by round


Rows = dict  # key → list of N ints; keys (scope, node_id, day) or (scope, node_id, day, upto)


def day_of(dt: datetime) -> date:
    return timezone.localtime(dt, timezone.get_default_timezone()).date()


class _Items:
    """Accumulates items into AppealDaily / AppealDailyLag rows (`sign` −1 removes them)."""

    def __init__(self, totals: Rows | None = None, lags: Rows | None = None, sign: int = 1):
        self.totals = totals if totals is not None else defaultdict(lambda: [0] * N)
        self.lags = lags if lags is not None else defaultdict(lambda: [0] * N)
        self.sign = sign
        self._tz = timezone.get_default_timezone()
        self._days: dict[datetime, date] = {}

    def _day(self, dt: datetime) -> date:
        day = self._days.get(dt)
        if day is None:
            if len(self._days) > 50_000:
                self._days.clear()
            day = self._days[dt] = dt.astimezone(self._tz).date()
        return day

    def add(self, nodes, a: datetime, b: datetime | None, counter: str, value: int = 1) -> None:
        if not value or not nodes:
            return
        value *= self.sign
        i, da = C[counter], self._day(a)
        db = self._day(b) if b is not None and b > a else da
        totals = self.totals
        for scope, node in nodes:
            totals[(scope, node, da)][i] += value
        if db > da:
            lags = self.lags
            for scope, node in nodes:
                lags[(scope, node, da, db)][i] += value


def contributions(f: Facts, items: _Items | None = None) -> _Items:
    """The items of one appeal (steps 1–4 of the module docstring)."""
    items = items or _Items()
    regions = [(REGION, r) for r in f.regions]
    for unit_id, dispatched_at, due_at, reported_at in f.tasks:
        nodes = [*regions, (UNIT, unit_id)]
        items.add(nodes, dispatched_at, None, "dispatched_tasks")
        if reported_at is not None and reported_at <= due_at:
            items.add(nodes, dispatched_at, None, "responded_on_time")
    ratings = f.ratings
    for j, (_round, unit_id, rating, at) in enumerate(ratings):
        good = int(rating in GOOD)
        nodes = [*regions, (UNIT, unit_id)] if unit_id else regions
        items.add(nodes, at, None, "ratings")
        items.add(nodes, at, None, "good_ratings", good)
        items.add(regions, at, None, "rated_appeals")
        items.add(regions, at, None, "resolved_appeals", good)
        if j + 1 < len(ratings):
            after = ratings[j + 1][3]
            items.add(regions, at, after, "rated_appeals", -1)
            items.add(regions, at, after, "resolved_appeals", -good)
    for unit_id in {r[1] for r in ratings if r[1]}:
        nodes = [(UNIT, unit_id)]
        own = [r[3] for r in ratings if r[1] == unit_id]
        for j, at in enumerate(own):
            items.add(nodes, at, None, "rated_appeals")
            if j + 1 < len(own):
                items.add(nodes, at, own[j + 1], "rated_appeals", -1)
        last_own = None
        for j, (_round, rater, rating, at) in enumerate(ratings):
            last_own = at if rater == unit_id else last_own
            if last_own is None or rating not in GOOD:
                continue
            items.add(nodes, last_own, at, "resolved_appeals")
            if j + 1 < len(ratings):
                items.add(nodes, last_own, ratings[j + 1][3], "resolved_appeals", -1)
    if f.registered is None or f.merged:
        return items
    nodes = [*regions, (UNIT, f.owner_unit_id)] if f.owner_unit_id else regions
    reg = f.registered
    items.add(nodes, reg, None, "should_close")
    if f.first_dispatch is not None:
        items.add(nodes, reg, f.first_dispatch, "dispatched_appeals")
        if f.first_approve is not None:
            items.add(nodes, reg, max(f.first_dispatch, f.first_approve), "extended")
    if f.first_pass is not None:
        items.add(nodes, reg, f.first_pass, "ever_closed")
        if f.first_reopen is not None:
            items.add(nodes, reg, max(f.first_pass, f.first_reopen), "reopened")
    if f.status == Status.CLOSED and f.closed_at is not None:
        items.add(nodes, reg, f.closed_at, "closed")
        if f.resolve_due_at is not None and f.closed_at <= f.resolve_due_at:
            items.add(nodes, reg, f.closed_at, "closed_on_time")
    return items


# --- facts from the database -------------------------------------------------------------------------


def _place_path(appeal: Appeal) -> str | None:
    place = appeal.grid if appeal.grid_id else appeal.street if appeal.street_id else None
    return place.path if place is not None else None


def region_nodes(path: str | None) -> tuple[int, ...]:
    if not path:
        return ()
    return tuple(
        Region.objects.filter(path__in=Region.prefixes(path), level__in=LEVELS)
        .order_by("depth")
        .values_list("pk", flat=True)
    )


def _place_index() -> dict[str | None, tuple[int, ...]]:
    """region_nodes of every street, community and grid path at once (for rebuilding)."""
    ids = dict(Region.objects.filter(level__in=LEVELS).values_list("path", "pk"))
    places = {None: ()}
    for path in ids:
        places[path] = tuple(ids[p] for p in Region.prefixes(path) if p in ids)
    return places


def facts_of(appeal: Appeal) -> Facts:
    """The facts of one (locked) appeal: its fields as they are in memory, its events, tasks, ratings."""
    path = _place_path(appeal)
    cached = getattr(appeal, "_rollup_regions", None)
    if cached is None or cached[0] != path:
        cached = appeal._rollup_regions = (path, region_nodes(path))
    firsts = (
        AppealEvent.objects.filter(appeal_id=appeal.pk, action__in=FIRST_ACTIONS)
        .order_by()
        .aggregate(**FIRSTS)
    )
    return Facts(
        regions=cached[1],
        owner_unit_id=appeal.owner_unit_id,
        merged=appeal.merged_into_id is not None,
        status=appeal.status,
        closed_at=appeal.closed_at,
        resolve_due_at=appeal.resolve_due_at,
        tasks=list(
            AppealUnitTask.objects.filter(appeal_id=appeal.pk)
            .order_by()
            .values_list("unit_id", "dispatched_at", "due_at", "reported_at")
        ),
        ratings=list(
            AppealRating.objects.filter(appeal_id=appeal.pk)
            .order_by("round")
            .values_list("round", "unit_id", "rating", "at")
        ),
        **firsts,
    )


def snapshot(appeal: Appeal) -> _Items:
    """The appeal's items before an action changes it (services._check)."""
    return contributions(facts_of(appeal), _Items(sign=-1))


def record(appeal: Appeal, action: str) -> None:
    """After the action (services._event): add (items now − items before) to the roll-up rows."""
    before = appeal.__dict__.pop("_rollup_before", None)
    if before is None:
        if action == "submit":
            return  # a new appeal counts nowhere until it is registered
        raise RuntimeError(f"appeal action {action!r} wrote an event without services._check")
    before.sign = 1  # the snapshot holds −before; add +after to it
    contributions(facts_of(appeal), before)
    apply(before.totals, before.lags)


# --- writing rows ------------------------------------------------------------------------------------


def _nonzero(rows: Rows) -> list:
    return sorted((key, values) for key, values in rows.items() if any(values))


def _upsert(model, keys: tuple[str, ...], rows: list) -> None:
    """INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n. PostgreSQL gets one statement with one
    array per column (unnest keeps the rows in key order, and a statement with thousands of
    placeholders would spend its time in the driver's query parsing); SQLite one statement per row."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(c) for c in (*keys, *ROLLUP_COUNTERS))
    update = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in ROLLUP_COUNTERS)
    conflict = f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {update}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [KEY_TYPES[k] for k in keys] + ["integer[]"] * N
            arrays = [
                list(column) for column in zip(*(key + tuple(values) for key, values in rows), strict=True)
            ]
            unnest = ", ".join(f"%s::{t}" for t in types)
            cursor.execute(f"INSERT INTO {table} ({cols}) SELECT * FROM unnest({unnest}) {conflict}", arrays)
        else:
            marks = ", ".join(["%s"] * (len(keys) + N))
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks}) {conflict}",
                [(*key, *values) for key, values in rows],
            )


KEY_TYPES = {"scope": "varchar[]", "node_id": "bigint[]", "day": "date[]", "upto": "date[]"}


def apply(totals: Rows, lags: Rows) -> None:
    """Add the rows' counters to the stored rows (creating missing ones)."""
    totals, lags = _nonzero(totals), _nonzero(lags)
    if totals:
        _upsert(AppealDaily, ("scope", "node_id", "day"), totals)
    if lags:
        _upsert(AppealDailyLag, ("scope", "node_id", "day", "upto"), lags)


# --- rebuilding from the raw rows --------------------------------------------------------------------


def _facts_in_bulk(where, places: dict[str, tuple[int, ...]]) -> Iterable[Facts]:
    """Facts of the appeals selected by `where(field)` (a filter on that appeal-id field)."""
    firsts = {
        row.pop("appeal_id"): row
        for row in AppealEvent.objects.filter(**where("appeal_id"), action__in=FIRST_ACTIONS)
        .order_by()
        .values("appeal_id")
        .annotate(**FIRSTS)
    }
    tasks, ratings = defaultdict(list), defaultdict(list)
    for appeal_id, *row in (
        AppealUnitTask.objects.filter(**where("appeal_id"))
        .order_by()
        .values_list("appeal_id", "unit_id", "dispatched_at", "due_at", "reported_at")
    ):
        tasks[appeal_id].append(tuple(row))
    for appeal_id, *row in (
        AppealRating.objects.filter(**where("appeal_id"))
        .order_by("appeal_id", "round")
        .values_list("appeal_id", "round", "unit_id", "rating", "at")
    ):
        ratings[appeal_id].append(tuple(row))
    rows = (
        Appeal.objects.filter(**where("pk"))
        .order_by()
        .values_list(
            "pk",
            "grid__path",
            "street__path",
            "owner_unit_id",
            "merged_into_id",
            "status",
            "closed_at",
            "resolve_due_at",
        )
    )
    if not places:
        places.update(_place_index())
    for pk, grid_path, street_path, owner, merged, status, closed_at, due in rows:
        path = grid_path or street_path
        if path not in places:
            places[path] = region_nodes(path)
        yield Facts(
            regions=places[path],
            owner_unit_id=owner,
            merged=merged is not None,
            status=status,
            closed_at=closed_at,
            resolve_due_at=due,
            tasks=tasks.get(pk, []),
            ratings=ratings.get(pk, []),
            **firsts.get(pk, {}),
        )


def _selections(since: date | None, chunk: int):
    """Filters selecting the appeals to read, chunk by chunk: id ranges over all appeals, or the
    appeals with an event since `since` (every item's day is at or before one of its appeal's events)."""
    if since is None:
        bounds = Appeal.objects.order_by().aggregate(lo=Min("pk"), hi=Max("pk"))
        if bounds["lo"] is None:
            return
        for lo in range(bounds["lo"], bounds["hi"] + 1, chunk):
            yield lambda f, lo=lo: {f"{f}__gte": lo, f"{f}__lt": lo + chunk}
        return
    start = datetime.combine(since, time.min, tzinfo=timezone.get_default_timezone())
    ids = list(
        AppealEvent.objects.filter(at__gte=start).order_by().values_list("appeal_id", flat=True).distinct()
    )
    ids.sort()
    for i in range(0, len(ids), chunk):
        yield lambda f, part=ids[i : i + chunk]: {f"{f}__in": part}


def rebuild(
    *, since: date | None = None, chunk: int = 2000, flush_rows: int = 200_000, progress=None
) -> dict:
    """Recompute the roll-ups from the raw rows: every day, or the days from `since` on.

    1. Lock both tables against the actions' updates (they wait until the rebuild commits; dashboards
       still read) and delete the rows of the days being rebuilt.
    2. Read the appeals that may have items on those days chunk by chunk (`_selections`), compute their
       items, keep those of the days being rebuilt, and add them to the tables every `flush_rows` keys.
    Returns the number of appeals read and of rows written."""
    stats = {"appeals": 0, "rows": 0, "lag_rows": 0}
    items = _Items()

    def flush():
        for rows in (items.totals, items.lags):
            for key in [k for k, v in rows.items() if (since is not None and k[2] < since) or not any(v)]:
                del rows[key]
        stats["rows"] += len(items.totals)
        stats["lag_rows"] += len(items.lags)
        apply(items.totals, items.lags)
        items.totals.clear()
        items.lags.clear()

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (AppealDaily, AppealDailyLag):
                    table = connection.ops.quote_name(model._meta.db_table)
                    cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        for model in (AppealDaily, AppealDailyLag):
            (model.objects.filter(day__gte=since) if since else model.objects.all()).delete()
        places: dict = {}
        for where in _selections(since, chunk):
            for facts in _facts_in_bulk(where, places):
                contributions(facts, items)
                stats["appeals"] += 1
            if len(items.totals) + len(items.lags) >= flush_rows:
                flush()
            if progress:
                progress(stats["appeals"])
        flush()
    return stats


def expected_rows() -> tuple[dict, dict]:
    """Both tables as a rebuild would write them, computed in memory (for `--check` and tests)."""
    items, places = _Items(), {}
    for where in _selections(None, 2000):
        for facts in _facts_in_bulk(where, places):
            contributions(facts, items)
    return (
        {k: v for k, v in items.totals.items() if any(v)},
        {k: v for k, v in items.lags.items() if any(v)},
    )


# --- reading -----------------------------------------------------------------------------------------


def nodes_of(node) -> tuple[str, object]:
    """(scope, node ids) whose rows make up a node: itself, or for a county or above its streets."""
    if isinstance(node, Unit):
        return UNIT, [node.pk]
    if isinstance(node, Region):
        if node.level in LEVELS:
            return REGION, [node.pk]
        return REGION, Region.objects.filter(level=Region.Level.STREET, path__startswith=node.path).values(
            "pk"
        )
    raise TypeError("node must be a Region or a Unit")


def read(node, first: date, end: date) -> dict[str, int]:
    """The counters of a node for the days [first, end) (the module docstring's formula)."""
    scope, ids = nodes_of(node)
    sums = {c: Sum(c) for c in ROLLUP_COUNTERS}
    where = {"scope": scope, "node_id__in": ids, "day__gte": first, "day__lt": end}
    totals = AppealDaily.objects.filter(**where).aggregate(**sums)
    late = AppealDailyLag.objects.filter(upto__gte=end, **where).aggregate(**sums)
    return {c: (totals[c] or 0) - (late[c] or 0) for c in ROLLUP_COUNTERS}


def read_many(nodes, first: date, end: date) -> dict[int, dict[str, int]]:
    """`read` for many units (or many street/community/grid regions) at once: two grouped queries."""
    if not nodes:
        return {}
    scope = UNIT if isinstance(nodes[0], Unit) else REGION
    if scope == REGION and any(n.level not in LEVELS for n in nodes):
        raise ValueError("read_many takes units, or regions at street level or below")
    ids = [n.pk for n in nodes]
    sums = {c: Sum(c) for c in ROLLUP_COUNTERS}
    where = {"scope": scope, "node_id__in": ids, "day__gte": first, "day__lt": end}
    out = {pk: dict.fromkeys(ROLLUP_COUNTERS, 0) for pk in ids}
    for sign, qs in (
        (1, AppealDaily.objects.filter(**where)),
        (-1, AppealDailyLag.objects.filter(upto__gte=end, **where)),
    ):
        for row in qs.values("node_id").annotate(**sums).order_by():
            for c in ROLLUP_COUNTERS:
                out[row["node_id"]][c] += sign * (row[c] or 0)
    return out


def stored_rows() -> tuple[dict, dict]:
    """Both tables as {key: counters} without all-zero rows (for checks and tests)."""
    out = []
    for model, keys in (
        (AppealDaily, ("scope", "node_id", "day")),
        (AppealDailyLag, ("scope", "node_id", "day", "upto")),
    ):
        rows = {}
        for row in model.objects.values_list(*keys, *ROLLUP_COUNTERS).iterator(chunk_size=10000):
            values = list(row[len(keys) :])
            if any(values):
                rows[tuple(row[: len(keys)])] = values
        out.append(rows)
    return out[0], out[1]


def demo_step(ctx) -> None:
    """`make demo`: the demo's actions keep the roll-ups in step; a database made before they existed
    (or edited by hand) gets them rebuilt, so the rankings and the metrics API show its appeals."""
    if stored_rows() == expected_rows():
        return
    stats = rebuild()
    ctx.log(f"· 诉求指标日汇总：由 {stats['appeals']} 件诉求重算 {stats['rows']} 行")
