"""Points ledger and leaderboards at scale (issue 6): N members, a year of activity, leaderboard latency.

    .venv/bin/python bench/points.py                      # 100,000 members on SQLite (var/bench_points.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redgrid_bench_points .venv/bin/python bench/points.py

Steps:
1. A fresh database: 10 streets × 10 communities × 10 grids (1,000 grids), one grid branch per grid,
   N member accounts spread over the branches.
2. A year (2026) of ledger rows bulk-inserted: each member is active on a random share of days, with one
   row per active day and activity (login, articles, daily quiz), each within its daily cap.
3. The yearly roll-up (PointTotal) built from the ledger with one INSERT … SELECT … GROUP BY, as
   points_award keeps it in step row by row in production.
4. Leaderboard reads timed through the selectors the API uses (top 50 + my rank) for branches,
   communities and streets: p50/p95 in ms; and, for comparison, a street leaderboard summed from the
   ledger without the roll-up.
5. points_award timed on the full ledger (caps computed from the ledger's (user, activity, day) index).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import benchdb  # noqa: E402  (bench/ is on sys.path when a script runs)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup(database_url: str | None):
    os.environ.setdefault("REDGRID_ENV", "demo")
    os.environ["DATABASE_URL"] = database_url or os.environ.get(
        "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_points.sqlite3'}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redgrid.settings")
    import django

    django.setup()


def build_tree(streets: int, communities: int, grids: int):
    from redgrid.party.models import PartyOrg
    from redgrid.regions.models import Region

    county = Region.add_root(code="379900000000", name="测试区", level="county")
    street_nodes, community_nodes, grid_nodes, branches = [], [], [], []
    for s in range(streets):
        county.refresh_from_db()
        street = county.add_child(code=f"379900{s + 1:03d}000", name=f"第{s + 1}街道", level="street")
        street_nodes.append(street)
        committee = PartyOrg.add_root(name=f"第{s + 1}街道党工委", kind="working_committee")
        for c in range(communities):
            street.refresh_from_db()
            community = street.add_child(
                code=f"379900{s + 1:03d}{c + 1:03d}", name=f"第{s + 1}街道{c + 1}社区", level="community"
            )
            community_nodes.append(community)
            for g in range(grids):
                community.refresh_from_db()
                grid = community.add_child(
                    code=f"379900{s + 1:03d}{c + 1:03d}{g + 1:03d}",
                    name=f"{community.name}{g + 1}网格",
                    level="grid",
                )
                grid_nodes.append(grid)
                committee.refresh_from_db()
                branches.append(committee.add_child(name=f"{grid.name}党支部", kind="grid_branch"))
    return street_nodes, community_nodes, grid_nodes, branches


def insert_ledger(rows_iter, vendor: str) -> int:
    from django.db import connection

    cols = "(user_id, activity, points, at, day, source_key)"
    n = 0
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            with cursor.cursor.copy(f"COPY learning_pointentry {cols} FROM STDIN") as copy:
                for row in rows_iter:
                    copy.write_row(row)
                    n += 1
        else:
            batch = []
            sql = f"INSERT INTO learning_pointentry {cols} VALUES (%s, %s, %s, %s, %s, %s)"
            for row in rows_iter:
                batch.append(row)
                if len(batch) == 20000:
                    cursor.executemany(sql, batch)
                    n += len(batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
                n += len(batch)
    return n


def ledger_rows(user_ids: list[int], *, active: float, seed: int):
    """One year of activity: each member's active days, a login point, 1–12 article points and 0–5 quiz
    points per active day (rows already within the caps the service would apply)."""
    from django.utils import timezone

    rng = random.Random(seed)
    start = date(2026, 1, 1)
    tz = timezone.get_current_timezone()
    days = [start + timedelta(days=i) for i in range(365)]
    stamps = [datetime(d.year, d.month, d.day, 20, 0, tzinfo=tz) for d in days]
    for uid in user_ids:
        keen = rng.random()  # members differ: some study daily, some rarely
        p = active * 2 * keen
        for i, d in enumerate(days):
            if rng.random() >= p:
                continue
            at = stamps[i]
            yield uid, "login", 1, at, d, f"login:{uid}:{d}"
            yield uid, "article", rng.randint(1, 12), at, d, f"a:{uid}:{d}"
            quiz = rng.randint(0, 5)
            if quiz:
                yield uid, "quiz_daily", quiz, at, d, f"q:{uid}:{d}"


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--active", type=float, default=0.15, help="average share of days a member is active")
    ap.add_argument("--samples", type=int, default=200, help="timed leaderboard requests per scope")
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args()
    setup(args.database_url)

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Sum
    from django.utils import timezone

    from redgrid.learning import selectors
    from redgrid.learning.models import PointEntry, PointTotal
    from redgrid.learning.services import points_award

    vendor = connection.vendor
    print(f"database: {vendor} · members: {args.members:,} · active share: {args.active}")
    t0 = time.perf_counter()
    benchdb.fresh_database()
    streets, communities, grids, branches = build_tree(10, 10, 10)
    print(
        f"1. tree: {len(streets)} streets, {len(communities)} communities, {len(grids)} grids/branches "
        f"({time.perf_counter() - t0:.1f} s)"
    )

    User = get_user_model()
    t = time.perf_counter()
    User.objects.bulk_create(
        (User(username=f"m{i:06d}", password="!", display_name=f"党员{i:06d}") for i in range(args.members)),
        batch_size=5000,
    )
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    home = {uid: i % len(grids) for i, uid in enumerate(user_ids)}
    print(f"   accounts: {len(user_ids):,} ({time.perf_counter() - t:.1f} s)")

    t = time.perf_counter()
    with transaction.atomic():
        n = insert_ledger(ledger_rows(user_ids, active=args.active, seed=args.seed), vendor)
    secs = time.perf_counter() - t
    print(f"2. ledger: {n:,} rows for 2026 in {secs:.1f} s ({n / secs:,.0f} rows/s)")

    t = time.perf_counter()
    totals = dict(PointEntry.objects.values("user_id").annotate(s=Sum("points")).values_list("user_id", "s"))
    PointTotal.objects.bulk_create(
        (
            PointTotal(
                user_id=uid,
                year=2026,
                points=pts,
                branch_id=branches[home[uid]].pk,
                community_id=communities[home[uid] // 10].pk,
                street_id=streets[home[uid] // 100].pk,
            )
            for uid, pts in totals.items()
        ),
        batch_size=5000,
    )
    if vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE learning_pointentry; ANALYZE learning_pointtotal; ANALYZE accounts_user")
    else:
        with connection.cursor() as c:
            c.execute("ANALYZE")
    print(f"3. roll-up: {len(totals):,} yearly totals in {time.perf_counter() - t:.1f} s")

    rng = random.Random(args.seed)
    user_objs = [SimpleNamespace(pk=uid) for uid in rng.sample(user_ids, 50)]

    def scenario(scope, nodes):
        def one():
            node = rng.choice(nodes)
            selectors.leaderboard(node, scope, year=2026)
            selectors.rank_of(rng.choice(user_objs), node, scope, year=2026)

        return one

    print(f"4. leaderboard requests (top 50 + my rank), {args.samples} each:")
    results = {}
    for scope, nodes in (("branch", branches), ("community", communities), ("street", streets)):
        timed(scenario(scope, nodes), 5)  # warm the cache
        ms = timed(scenario(scope, nodes), args.samples)
        results[scope] = ms
        print(
            f"   {scope:9s} ({len(nodes):4d} nodes, ~{args.members // len(nodes):,} members each): "
            f"p50 {statistics.median(ms):6.1f} ms · p95 {percentile(ms, 0.95):6.1f} ms · max {max(ms):6.1f} ms"
        )

    def without_rollup():
        street = rng.choice(streets)
        ids = PointTotal.objects.filter(year=2026, street=street).values("user_id")
        list(
            PointEntry.objects.filter(user_id__in=ids, day__year=2026)
            .values("user_id")
            .annotate(s=Sum("points"))
            .order_by("-s")[:50]
        )

    ms = timed(without_rollup, 5)
    print(
        f"   street leaderboard summed from the ledger (no roll-up), 5 runs: p50 {statistics.median(ms):,.0f} ms"
    )

    award_users = rng.sample(user_ids, 200)
    award_at = datetime(2026, 12, 30, 9, 0, tzinfo=timezone.get_current_timezone())
    ms = []
    for i, uid in enumerate(award_users):
        user = User.objects.get(pk=uid)
        t = time.perf_counter()
        points_award(user=user, activity="article", source_key=f"bench:{i}", at=award_at)
        ms.append((time.perf_counter() - t) * 1000)
    print(
        f"5. points_award on the full ledger, 200 calls: p50 {statistics.median(ms):.1f} ms · "
        f"p95 {percentile(ms, 0.95):.1f} ms"
    )
    worst = max(percentile(v, 0.95) for v in results.values())
    print(
        f"target ≤ 100 ms per leaderboard request: {'met' if worst <= 100 else 'NOT met'} (worst p95 {worst:.1f} ms)"
    )


if __name__ == "__main__":
    main()
