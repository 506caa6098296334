"""接诉即办 indicators at district scale (issue 3): a year of appeals, dashboard requests from the daily
roll-ups beside the recomputation from the raw rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redgrid_bench_appeals_metrics \\
        .venv/bin/python bench/appeals_metrics.py                 # 2,000,000 appeals (the target scale)
    .venv/bin/python bench/appeals_metrics.py --scale 0.01        # 20,000 appeals on SQLite (var/…sqlite3)

Steps:
1. A fresh database: one district (区县), 20 streets × 15 communities × 8 grids (2,400 grids), 60 units, a
   small category tree, an administrator with an API token.
2. `--scale` × 2,000,000 appeals over the 365 days before today, each walked through a plausible life
   (立案, 派遣 or 吹哨 with assisting units, 报到 on time or late, 退单 and re-dispatch, 改派, 延期 asked and
   approved or denied, 反馈, 核查 passed or failed, 评价, 重办 with a second round…, cut at today), and
   written with COPY (PostgreSQL) or executemany (SQLite): appeals, events, tasks, ratings. Foreign-key
   triggers are off while loading (the generator keeps the references right); audit rows, followers and
   notifications are not generated (the indicators never read them).
3. The roll-ups rebuilt from those raw rows by the code of `redgrid appeals_rollup --rebuild`.
4. Dashboard requests timed through the real API view (GET /api/v1/appeals/metrics with a Bearer token,
   in-process through the whole Django stack: middleware, auth, scope check, JSON): the district, every
   street, 60 communities, 60 grids and every unit, for the year, a past month and the last 7 days.
5. The same indicators recomputed from the raw rows (`metrics.compute_raw`) for a few requests of each
   kind: time, ratio to the roll-up p50, and a check that both give identical numbers.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import benchdb  # noqa: E402  (bench/ is on sys.path when a script runs)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

STREETS, COMMUNITIES, GRIDS, UNITS = 20, 15, 8, 60
APPEALS = 2_000_000


def setup():
    os.environ.setdefault("REDGRID_ENV", "demo")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_appeals_metrics.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redgrid.settings")
    import django

    django.setup()


# --- 1. the tree -------------------------------------------------------------------------------------


def build_tree():
    """Regions by bulk insert with treebeard paths computed here (add_child one by one is slow)."""
    from redgrid.regions.models import Region
    from redgrid.units.models import Category, Unit

    def path(*steps):
        return "".join(Region._get_path(None, 1, s) for s in steps)

    rows = [
        Region(code="379900000000", name="测试区", level="county", path=path(1), depth=1, numchild=STREETS)
    ]
    for s in range(1, STREETS + 1):
        rows.append(
            Region(
                code=f"379900{s:03d}000",
                name=f"第{s}街道",
                level="street",
                path=path(1, s),
                depth=2,
                numchild=COMMUNITIES,
            )
        )
        for c in range(1, COMMUNITIES + 1):
            rows.append(
                Region(
                    code=f"379900{s:03d}{c:03d}",
                    name=f"第{s}街道{c}社区",
                    level="community",
                    path=path(1, s, c),
                    depth=3,
                    numchild=GRIDS,
                )
            )
            for g in range(1, GRIDS + 1):
                rows.append(
                    Region(
                        code=f"379900{s:03d}{c:03d}{g:03d}",
                        name=f"第{s}街道{c}社区{g}网格",
                        level="grid",
                        path=path(1, s, c, g),
                        depth=4,
                        numchild=0,
                    )
                )
    Region.objects.bulk_create(rows, batch_size=2000)
    county = Region.objects.get(level="county")
    streets = list(Region.objects.filter(level="street").order_by("path"))
    communities = list(Region.objects.filter(level="community").order_by("path"))
    grids = list(Region.objects.filter(level="grid").order_by("path"))
    root = Category.objects.add_root({"name": "城乡建设", "level": 1})
    leaves = []
    for i in range(6):
        root.refresh_from_db()
        mid = Category.objects.add_child(root, {"name": f"市政管理{i + 1}", "level": 2})
        for j in range(4):
            mid.refresh_from_db()
            leaves.append(Category.objects.add_child(mid, {"name": f"事项{i + 1}-{j + 1}", "level": 3}))
    units = [
        Unit.objects.create(name=f"责任单位{i + 1:02d}", short_name=f"单位{i + 1}", area=county)
        for i in range(UNITS)
    ]
    return county, streets, communities, grids, leaves, units


# --- 2. a year of appeals ----------------------------------------------------------------------------

RESPOND = {"urgent": timedelta(minutes=30), "general": timedelta(hours=24), "complex": timedelta(hours=24)}
RESOLVE = {"urgent": timedelta(hours=2), "general": timedelta(days=7), "complex": timedelta(days=15)}
WHISTLE = timedelta(minutes=30)
H, D = timedelta(hours=1), timedelta(days=1)


def _json(data) -> str:
    import json

    return "{}" if not data else json.dumps(data, ensure_ascii=False)


class Life:
    """One appeal's life, event by event, stopping at `end` (today): the rows it leaves behind."""

    def __init__(self, pk, created, end, rng, place, category, units):
        self.pk, self.end, self.rng, self.units = pk, end, rng, units
        self.t = created
        grid, street = place
        self.appeal = {
            "id": pk,
            "channel": "h5",
            "content": f"诉求{pk}",
            "title": "",
            "grid_id": grid,
            "street_id": street,
            "category_id": category,
            "suggested_category_id": category,
            "urgency": "general",
            "status": "received",
            "owner_unit_id": None,
            "round": 1,
            "respond_due_at": None,
            "resolve_due_at": None,
            "reopen_count": 0,
            "merged_into_id": None,
            "registered_at": None,
            "closed_at": None,
            "created_at": created,
            "updated_at": created,
            "possible_duplicates": [],
        }
        self.events, self.tasks, self.ratings = [], [], []
        self.active: list[dict] = []

    def at(self, delay: timedelta) -> bool:
        """Move the clock; False when the step would happen after today (the life stops there)."""
        self.t = self.t + delay
        return self.t < self.end

    def event(self, action, to, *, unit=None, data=None):
        a = self.appeal
        self.events.append((a["id"], action, self.t, a["status"], to, unit, a["round"], _json(data)))
        a["status"], a["updated_at"] = to, self.t

    def task(self, unit, role, whistle, due):
        row = {
            "appeal_id": self.pk,
            "unit_id": unit,
            "role": role,
            "is_whistle": whistle,
            "round": self.appeal["round"],
            "dispatched_at": self.t,
            "due_at": self.t + due,
            "reported_at": None,
            "ended_at": None,
        }
        self.tasks.append(row)
        self.active.append(row)
        return row

    def end_tasks(self, keep=()):
        kept = {id(r) for r in keep}
        for row in self.active:
            if id(row) not in kept:
                row["ended_at"] = self.t
        self.active = list(keep)

    def report_in(self, row) -> bool:
        window = row["due_at"] - row["dispatched_at"]
        on_time = self.rng.random() < 0.88
        delay = window * self.rng.uniform(0.05, 0.95) if on_time else window + H * self.rng.uniform(0.1, 12)
        if not self.at(max(row["dispatched_at"] + delay - self.t, timedelta(minutes=1))):
            return False
        row["reported_at"] = self.t
        to = "in_progress" if row["role"] == "lead" else self.appeal["status"]
        self.event("accept", to, unit=row["unit_id"], data={"role": row["role"]})
        return True

    def dispatch(self) -> bool:
        a, rng = self.appeal, self.rng
        if not self.at(H * rng.uniform(0.1, 4)):
            return False
        lead = rng.choice(self.units)
        if rng.random() < 0.12:
            assists = [u for u in rng.sample(self.units, rng.randint(1, 2)) if u != lead]
            self.task(lead, "lead", True, WHISTLE)
            for u in assists:
                self.task(u, "assist", True, WHISTLE)
            a["owner_unit_id"], a["respond_due_at"] = lead, self.t + WHISTLE
            self.event("whistle", "dispatched", unit=lead, data={"assist": assists})
        else:
            self.task(lead, "lead", False, RESPOND[a["urgency"]])
            a["owner_unit_id"], a["respond_due_at"] = lead, self.t + RESPOND[a["urgency"]]
            self.event("dispatch", "dispatched", unit=lead)
        return True

    def run(self):
        a, rng = self.appeal, self.rng
        self.event("submit", "received", data={"channel": "h5"})
        r = rng.random()
        if r < 0.02:
            if self.at(H * rng.uniform(0.2, 6)):
                self.event("reject", "rejected")
            return self
        if not self.at(H * rng.uniform(0.2, 6)):
            return self
        u = rng.random()
        a["urgency"] = "urgent" if u < 0.08 else "complex" if u < 0.13 else "general"
        a["registered_at"], a["resolve_due_at"] = self.t, a["created_at"] + RESOLVE[a["urgency"]]
        self.event("register", "registered", data={"category": a["category_id"], "urgency": a["urgency"]})
        if r < 0.035 and self.pk > 1:
            if self.at(H * rng.uniform(0.5, 20)):
                a["merged_into_id"] = rng.randint(max(1, self.pk - 500), self.pk - 1)
                self.event("merge", "cancelled", data={"into": a["merged_into_id"]})
            return self
        if r < 0.045:
            if self.at(H * rng.uniform(0.5, 20)):
                self.event("cancel", "cancelled")
            return self
        if not self.dispatch():
            return self
        if rng.random() < 0.04:  # 退单 before reporting in, then dispatched again
            if not self.at(H * rng.uniform(1, 20)):
                return self
            unit = a["owner_unit_id"]
            self.end_tasks()
            a["owner_unit_id"], a["respond_due_at"] = None, None
            self.event("return", "registered", unit=unit)
            if not self.dispatch():
                return self
        for row in list(self.active):
            if not self.report_in(row):
                return self
        if rng.random() < 0.025:  # 改派
            if not self.at(H * rng.uniform(1, 30)):
                return self
            old = a["owner_unit_id"]
            new = rng.choice([u for u in self.units if u != old])
            self.end_tasks(keep=[r for r in self.active if r["role"] == "assist" and r["unit_id"] != new])
            row = self.task(new, "lead", False, RESPOND[a["urgency"]])
            a["owner_unit_id"], a["respond_due_at"] = new, row["due_at"]
            self.event("reassign", "dispatched", unit=new, data={"from_unit": old})
            if not self.report_in(row):
                return self
        return self.handle()

    def handle(self):
        a, rng = self.appeal, self.rng
        while True:
            if rng.random() < 0.05:  # 申请延期
                if not self.at(D * rng.uniform(0.5, 3)):
                    return self
                days = rng.randint(2, 7)
                self.event("extend", a["status"], unit=a["owner_unit_id"], data={"days": days})
                if not self.at(H * rng.uniform(1, 24)):
                    return self
                if rng.random() < 0.8:
                    a["resolve_due_at"] = a["resolve_due_at"] + D * days
                    self.event("approve_extension", a["status"], unit=a["owner_unit_id"], data={"days": days})
                else:
                    self.event("deny_extension", a["status"], unit=a["owner_unit_id"], data={"days": days})
            median = 0.15 if a["urgency"] == "urgent" else 2.5
            if not self.at(D * min(rng.lognormvariate(0, 0.9) * median, 60)):
                return self
            self.event("reply", "replied", unit=a["owner_unit_id"])
            if not self.at(H * rng.uniform(1, 30)):
                return self
            if rng.random() < 0.06:
                self.event("verify", "in_progress", unit=a["owner_unit_id"], data={"passed": False})
                continue
            a["closed_at"] = self.t
            self.end_tasks()
            self.event("verify", "closed", unit=a["owner_unit_id"], data={"passed": True})
            if a["round"] > 1 and rng.random() < 0.3 or rng.random() < 0.25:
                return self
            if not self.at(H * rng.uniform(1, 72)):
                return self
            r = rng.random()
            rating = "satisfied" if r < 0.78 else "basically_satisfied" if r < 0.91 else "unsatisfied"
            self.ratings.append((self.pk, a["round"], rating, a["owner_unit_id"], self.t))
            self.event("rate", "closed", unit=a["owner_unit_id"], data={"rating": rating})
            if rating != "unsatisfied" or a["reopen_count"] >= 1 or rng.random() < 0.4:
                return self
            if not self.at(H * rng.uniform(1, 48)):
                return self
            a["round"] += 1
            a["reopen_count"] += 1
            a["closed_at"] = None
            a["resolve_due_at"] = self.t + RESOLVE[a["urgency"]]
            self.event("reopen", "in_progress", unit=a["owner_unit_id"])


def lives(n: int, first: date, end: datetime, grids, leaves, units, seed: int):
    """n appeals spread over the days from `first` to `end`, more by day than by night."""
    from django.utils import timezone

    rng = random.Random(seed)
    tz = timezone.get_default_timezone()
    days = (end.date() - first).days
    grid_places = [(g.pk, street) for g, street in grids]
    street_places = sorted({(None, street) for _, street in grids})
    unit_ids = [u.pk for u in units]
    category_ids = [c.pk for c in leaves]
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    for pk in range(1, n + 1):
        day = (pk - 1) * days // n
        minute = int(rng.triangular(6 * 60, 23 * 60, 10 * 60))
        created = start + timedelta(days=day, minutes=minute, seconds=rng.random() * 60)
        place = rng.choice(grid_places) if rng.random() < 0.95 else rng.choice(street_places)
        yield Life(pk, created, end, rng, place, rng.choice(category_ids), unit_ids).run()


class Writer:
    """Appends rows to a table: COPY in text format on PostgreSQL (rows formatted here, which is several
    times faster than adapting them value by value), executemany on SQLite. JSON values come as text;
    columns the generator does not give get the model field's default."""

    def __init__(self, cursor, model, given: tuple[str, ...]):
        import json

        from django.db import connection
        from django.db.models import JSONField

        self.cursor, self.vendor, self.ops = cursor, connection.vendor, connection.ops
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in given]
        missing = [f for f in fields if f.attname not in given]
        self.columns = [*given, *(f.column for f in missing)]
        tail = [f.get_default() for f in missing]
        tail = [json.dumps(v) if isinstance(f, JSONField) else v for f, v in zip(missing, tail, strict=True)]
        self.tail = tail
        self.text_tail = "".join("\t" + self._text(v) for v in tail)
        self.table = model._meta.db_table
        self.rows = 0

    @staticmethod
    def _text(value) -> str:
        if value is None:
            return "\\N"
        if value is True or value is False:
            return "t" if value else "f"
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    def write(self, rows):
        self.rows += len(rows)
        cols = ", ".join(f'"{c}"' for c in self.columns)
        if self.vendor == "postgresql":
            text, tail = self._text, self.text_tail
            lines = ["\t".join([text(v) for v in row]) + tail + "\n" for row in rows]
            with self.cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
                for i in range(0, len(lines), 5000):
                    copy.write("".join(lines[i : i + 5000]))
        else:
            adapt = self.ops.adapt_datetimefield_value
            batch = [[adapt(v) if isinstance(v, datetime) else v for v in row] + self.tail for row in rows]
            marks = ", ".join(["?"] * len(self.columns))
            self.cursor.executemany(f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})', batch)


APPEAL_COLUMNS = (
    "id",
    "channel",
    "content",
    "title",
    "grid_id",
    "street_id",
    "category_id",
    "suggested_category_id",
    "urgency",
    "status",
    "owner_unit_id",
    "round",
    "respond_due_at",
    "resolve_due_at",
    "reopen_count",
    "merged_into_id",
    "registered_at",
    "closed_at",
    "created_at",
    "updated_at",
    "possible_duplicates",
)


def load(n, first, end, grids, leaves, units, seed, chunk=20_000):
    from django.db import connection, transaction

    from redgrid.appeals.models import Appeal, AppealEvent, AppealRating, AppealUnitTask

    counts = {"appeals": 0, "events": 0, "tasks": 0, "ratings": 0}
    with transaction.atomic(), connection.cursor() as c:
        raw = c.cursor
        indexes = []
        if connection.vendor == "postgresql":
            raw.execute("SET session_replication_role = replica")  # no FK triggers while loading
            raw.execute("SET synchronous_commit = off")
            # Indexes are built once after loading (a sort) rather than row by row during COPY.
            tables = [m._meta.db_table for m in (Appeal, AppealEvent, AppealUnitTask, AppealRating)]
            raw.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint)",
                [tables],
            )
            indexes = raw.fetchall()
            for name, _ in indexes:
                raw.execute(f'DROP INDEX "{name}"')
        appeals = Writer(raw, Appeal, APPEAL_COLUMNS)
        events = Writer(
            raw,
            AppealEvent,
            ("appeal_id", "action", "at", "from_state", "to_state", "unit_id", "round", "data"),
        )
        tasks = Writer(
            raw,
            AppealUnitTask,
            (
                "appeal_id",
                "unit_id",
                "role",
                "is_whistle",
                "round",
                "dispatched_at",
                "due_at",
                "reported_at",
                "ended_at",
            ),
        )
        ratings = Writer(raw, AppealRating, ("appeal_id", "round", "rating", "unit_id", "at"))
        buf = {"a": [], "e": [], "t": [], "r": []}

        def flush():
            appeals.write(buf["a"])
            events.write(buf["e"])
            tasks.write(buf["t"])
            ratings.write(buf["r"])
            for v in buf.values():
                v.clear()

        for life in lives(n, first, end, grids, leaves, units, seed):
            buf["a"].append([life.appeal[k] for k in APPEAL_COLUMNS])
            buf["e"].extend(life.events)
            buf["t"].extend(
                (
                    r["appeal_id"],
                    r["unit_id"],
                    r["role"],
                    r["is_whistle"],
                    r["round"],
                    r["dispatched_at"],
                    r["due_at"],
                    r["reported_at"],
                    r["ended_at"],
                )
                for r in life.tasks
            )
            buf["r"].extend(life.ratings)
            if len(buf["a"]) >= chunk:
                flush()
                print(f"\r   {appeals.rows:,} appeals", end="", flush=True)
        flush()
        print("\r", end="")
        if connection.vendor == "postgresql":
            raw.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                raw.execute(definition)
            raw.execute("SET session_replication_role = DEFAULT")
            raw.execute(
                "SELECT setval(pg_get_serial_sequence('appeals_appeal', 'id'), (SELECT max(id) FROM appeals_appeal))"
            )
    counts.update(appeals=appeals.rows, events=events.rows, tasks=tasks.rows, ratings=ratings.rows)
    return counts


def analyze():
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE")


# --- 4./5. timing ------------------------------------------------------------------------------------


def add_months(day: date, k: int) -> date:
    """The first day of the month k months after `day`'s month."""
    months = day.year * 12 + day.month - 1 + k
    return date(months // 12, months % 12 + 1, 1)


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="share of 2,000,000 appeals (0.01 → 20,000)")
    ap.add_argument("--raw-samples", type=int, default=3, help="raw recomputations per request kind")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--reuse", action="store_true", help="keep the database of the previous run (skip 1–3)")
    args = ap.parse_args()
    setup()

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from redgrid.accounts.models import RoleGrant, User
    from redgrid.appeals import metrics, rollup
    from redgrid.appeals.models import Appeal
    from redgrid.core.api import issue_token
    from redgrid.regions.models import Region
    from redgrid.units.models import Unit

    vendor = connection.vendor
    n = int(APPEALS * args.scale)
    today = timezone.localdate()
    first = today - timedelta(days=365)
    tz = timezone.get_default_timezone()
    end = datetime(today.year, today.month, today.day, tzinfo=tz)
    print(f"database: {vendor} · appeals: {n:,} from {first} to {today - timedelta(days=1)}")
    if not args.reuse:
        t = time.perf_counter()
        benchdb.fresh_database()
        county, streets, communities, grids, leaves, units = build_tree()
        admin = User.objects.create(username="bench_admin", display_name="压测管理员", password="!")
        RoleGrant.objects.create(user=admin, role="admin", region=county)
        print(
            f"1. tree: {len(streets)} streets, {len(communities)} communities, {len(grids)} grids, "
            f"{len(units)} units ({time.perf_counter() - t:.1f} s)"
        )
        street_of = {s.path: s.pk for s in streets}
        placed = [(g, street_of[g.path[: 2 * Region.steplen]]) for g in grids]
        t = time.perf_counter()
        counts = load(n, first, end, placed, leaves, units, args.seed)
        secs = time.perf_counter() - t
        total = sum(counts.values())
        print(
            f"2. raw rows: {counts['appeals']:,} appeals, {counts['events']:,} events, {counts['tasks']:,} "
            f"tasks, {counts['ratings']:,} ratings in {secs:.0f} s ({total / secs:,.0f} rows/s)"
        )
        t = time.perf_counter()
        analyze()
        print(f"   ANALYZE {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        stats = rollup.rebuild(progress=lambda k: print(f"\r   {k:,} appeals", end="", flush=True))
        secs = time.perf_counter() - t
        print(
            f"\r3. roll-ups rebuilt from the raw rows: {stats['rows']:,} daily rows + {stats['lag_rows']:,} "
            f"lag rows from {stats['appeals']:,} appeals in {secs:.0f} s ({stats['appeals'] / secs:,.0f} appeals/s)"
        )
        analyze()
    county = Region.objects.get(level="county")
    streets = list(Region.objects.filter(level="street").order_by("path"))
    communities = list(Region.objects.filter(level="community").order_by("path"))
    grids = list(Region.objects.filter(level="grid").order_by("path"))
    units = list(Unit.objects.order_by("pk"))
    admin = User.objects.get(username="bench_admin")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(admin)}"}
    client = Client()
    rng = random.Random(args.seed)
    month_start = add_months(first, 5)  # a past month in the middle of the year: many items straddle its end
    month_end = add_months(month_start, 1) - timedelta(days=1)
    periods = {
        "year": (first, today - timedelta(days=1)),
        "month": (month_start, month_end),
        "7 days": (today - timedelta(days=7), today - timedelta(days=1)),
    }

    def api(node, period):
        key = f"unit:{node.pk}" if isinstance(node, Unit) else str(node.pk)
        a, b = periods[period]
        response = client.get(
            "/api/v1/appeals/metrics", {"node": key, "start": a.isoformat(), "end": b.isoformat()}, **headers
        )
        assert response.status_code == 200, response.content[:300]
        return response.json()

    kinds = [
        ("district", [county]),
        ("street", streets),
        ("community", rng.sample(communities, min(60, len(communities)))),
        ("grid", rng.sample(grids, min(60, len(grids)))),
        ("unit", units),
    ]
    print("4. dashboard requests through GET /api/v1/appeals/metrics (roll-ups), ms:")
    fast_p50 = {}
    worst = 0.0
    for period in periods:
        for kind, nodes in kinds:
            api(nodes[0], period)  # warm
            ms = []
            for node in nodes if len(nodes) > 1 else nodes * 30:
                t = time.perf_counter()
                api(node, period)
                ms.append((time.perf_counter() - t) * 1000)
            fast_p50[(kind, period)] = statistics.median(ms)
            worst = max(worst, percentile(ms, 0.95))
            print(
                f"   {period:6s} {kind:9s} ×{len(ms):3d}: p50 {statistics.median(ms):6.1f} · "
                f"p95 {percentile(ms, 0.95):6.1f} · max {max(ms):6.1f}"
            )
    print(f"5. recomputed from the raw rows (metrics.compute_raw), {args.raw_samples} per kind, s:")
    same = True
    for period in ("year", "month"):
        a, b = periods[period]
        start = datetime(a.year, a.month, a.day, tzinfo=tz)
        stop = datetime(b.year, b.month, b.day, tzinfo=tz) + timedelta(days=1)
        for kind, nodes in kinds:
            secs = []
            for node in rng.sample(nodes, min(args.raw_samples, len(nodes))):
                t = time.perf_counter()
                raw = metrics.compute_raw(node, start, stop)
                secs.append(time.perf_counter() - t)
                same &= raw == metrics.compute(node, start, stop)
            p50 = statistics.median(secs)
            print(
                f"   {period:6s} {kind:9s} ×{len(secs)}: p50 {p50:7.2f} s · max {max(secs):7.2f} s · "
                f"{p50 * 1000 / fast_p50[(kind, period)]:,.0f}× the roll-up request"
            )
    print(f"   roll-up numbers identical to the raw recomputation: {'yes' if same else 'NO'}")
    print(f"appeals in the database: {Appeal.objects.count():,}")
    print(
        f"target ≤ 200 ms per dashboard request: {'met' if worst <= 200 else 'NOT met'} (worst p95 {worst:.1f} ms)"
    )


if __name__ == "__main__":
    main()
