"""Dashboards at district scale (issue 7): each dashboard request's p50/p95 beside the recomputation of the
same figures from the raw appeals in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redgrid_bench_dashboards \\
        .venv/bin/python bench/dashboards.py --scale 0.25        # 500,000 appeals over a year
    .venv/bin/python bench/dashboards.py --scale 0.01            # 20,000 appeals on SQLite (var/…sqlite3)

Steps:
1. The district and the year of appeals of bench/appeals_metrics.py (20 streets × 15 communities × 8
   grids, 60 units; `--scale` × 2,000,000 appeals with their events, tasks and ratings, loaded with COPY),
   and the appeals roll-ups rebuilt, exactly as that benchmark does.
2. Grid boundaries (squares) for the map, and one population profile per grid (300–500 households,
   2.6 residents each; the resident register itself is not generated — profiles are refreshed by the daily
   job, not by a dashboard request).
3. The dashboards' roll-up (DashDaily) rebuilt from the appeals (`redgrid assessment_dash_rollup --rebuild`).
4. Dashboard requests through the real API views with a Bearer token (whole Django stack): the large
   screen (counters, 90-day trend, top categories, unit ranking), its map figures and its grid shapes
   (GeoJSON, cached while no grid changes; the first request of each node reads them) for the district,
   every street and 30 communities; the public statistics of every street; the allocation proposal of the
   district and of every street; the stored hot issues of a street.
5. The same screen figures recomputed from the raw appeals (dashboards.*_raw, and the unit ranking with
   appeals.metrics.compute_raw), with a check that both give identical numbers.
6. The periodic jobs, timed once: 每月一题 of one street's month and the early warning over the district.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import appeals_metrics as gen  # noqa: E402  (the district-year generator of the appeals benchmark)
import benchdb  # noqa: E402


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def square(lng: float, lat: float, size: float = 0.004) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
        ],
    }


def geography_and_profiles(seed: int) -> int:
    """Step 2: a square per grid, laid out street by street, and a synthetic profile per grid."""
    from redgrid.assessment.allocation import area_km2
    from redgrid.assessment.models import AreaProfile
    from redgrid.regions.models import Region

    rng = random.Random(seed)
    grids = list(Region.objects.filter(level="grid").order_by("path"))
    profiles = []
    for i, g in enumerate(grids):
        g.geometry = square(119.0 + (i % 60) * 0.004, 36.6 + (i // 60) * 0.004)
        g.center_lng, g.center_lat = (
            g.geometry["coordinates"][0][0][0] + 0.002,
            g.geometry["coordinates"][0][0][1] + 0.002,
        )
        households = rng.randint(300, 500)
        residents = int(households * 2.6)
        old = int(residents * rng.uniform(0.12, 0.3))
        kids = int(residents * rng.uniform(0.08, 0.16))
        low = int((residents - kids) * rng.uniform(0.2, 0.5))
        profiles.append(
            AreaProfile(
                grid=g,
                residents=residents,
                households=households,
                age_0_14=kids,
                age_15_59=residents - kids - old,
                age_60_79=int(old * 0.8),
                age_80_plus=old - int(old * 0.8),
                edu_low=low,
                edu_mid=int((residents - kids - low) * 0.4),
                edu_high=residents - kids - low - int((residents - kids - low) * 0.4),
                area_km2=area_km2(g.geometry),
            )
        )
    Region.objects.bulk_update(grids, ["geometry", "center_lng", "center_lat"], batch_size=1000)
    AreaProfile.objects.bulk_create(profiles, batch_size=2000)
    return len(grids)


def timed(fn, samples):
    ms = []
    for arg in samples:
        t = time.perf_counter()
        fn(arg)
        ms.append((time.perf_counter() - t) * 1000)
    return ms


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--scale", type=float, default=0.25, help="share of 2,000,000 appeals a year (0.01 → 20,000)"
    )
    ap.add_argument("--raw-samples", type=int, default=3, help="raw recomputations per request kind")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--reuse", action="store_true", help="keep the database of the previous run (skip 1–3)")
    args = ap.parse_args()
    # Its own SQLite file by default (never the appeals benchmark's, which fresh_database deletes).
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_dashboards.sqlite3'}")
    gen.setup()

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from redgrid.accounts.models import RoleGrant, User
    from redgrid.appeals import metrics, rollup
    from redgrid.appeals.models import Appeal
    from redgrid.assessment import dash_rollup, dashboards, hotspots
    from redgrid.core.api import issue_token
    from redgrid.regions.models import Region

    vendor = connection.vendor
    n = int(gen.APPEALS * args.scale)
    today = timezone.localdate()
    first = today - timedelta(days=365)
    tz = timezone.get_default_timezone()
    end = datetime(today.year, today.month, today.day, tzinfo=tz)
    print(f"database: {vendor} · appeals: {n:,} from {first} to {today - timedelta(days=1)}")
    if not args.reuse:
        t = time.perf_counter()
        benchdb.fresh_database()
        county, streets, communities, grids, leaves, units = gen.build_tree()
        admin = User.objects.create(username="bench_admin", display_name="压测管理员", password="!")
        RoleGrant.objects.create(user=admin, role="admin", region=county)
        street_of = {s.path: s.pk for s in streets}
        placed = [(g, street_of[g.path[: 2 * Region.steplen]]) for g in grids]
        counts = gen.load(n, first, end, placed, leaves, units, args.seed)
        print(
            f"1. {len(grids)} grids, {len(units)} units; {counts['appeals']:,} appeals, {counts['events']:,} events, "
            f"{counts['tasks']:,} tasks, {counts['ratings']:,} ratings ({time.perf_counter() - t:.0f} s)"
        )
        gen.analyze()
        t = time.perf_counter()
        rollup.rebuild()
        print(f"   appeals roll-ups rebuilt ({time.perf_counter() - t:.0f} s)")
        t = time.perf_counter()
        print(
            f"2. grid boundaries and profiles: {geography_and_profiles(args.seed)} grids ({time.perf_counter() - t:.1f} s)"
        )
        t = time.perf_counter()
        stats = dash_rollup.rebuild()
        secs = time.perf_counter() - t
        print(
            f"3. DashDaily rebuilt: {stats['rows']:,} rows from {stats['appeals']:,} appeals in {secs:.0f} s"
        )
        gen.analyze()
    county = Region.objects.get(level="county")
    streets = list(Region.objects.filter(level="street").order_by("path"))
    communities = list(Region.objects.filter(level="community").order_by("path"))
    admin = User.objects.get(username="bench_admin")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(admin)}"}
    client = Client()
    rng = random.Random(args.seed)
    sample_communities = rng.sample(communities, min(30, len(communities)))
    month = today.replace(day=1)
    for street in streets[:1]:
        hotspots.compute_month(street, month)

    def get(url, **params):
        def call(node):
            response = client.get(
                url, {k: (node.pk if v is None else v) for k, v in params.items()}, **headers
            )
            assert response.status_code == 200, response.content[:300]
            return response

        return call

    requests = [
        ("screen", "district", get("/api/v1/assessment/dash/screen", node=None), [county] * 20),
        ("screen", "street", get("/api/v1/assessment/dash/screen", node=None), streets),
        ("screen", "community", get("/api/v1/assessment/dash/screen", node=None), sample_communities),
        ("map", "district", get("/api/v1/assessment/dash/map", node=None), [county] * 20),
        ("map", "street", get("/api/v1/assessment/dash/map", node=None), streets),
        ("grid shapes", "district", get("/api/v1/assessment/dash/grids", node=None), [county] * 20),
        ("grid shapes", "street", get("/api/v1/assessment/dash/grids", node=None), streets),
        ("public stats", "street", get("/api/v1/assessment/public/stats", street=None), streets),
        ("allocation", "district", get("/api/v1/assessment/allocation", node=None), [county] * 10),
        ("allocation", "street", get("/api/v1/assessment/allocation", node=None), streets),
        ("hot issues", "street", get("/api/v1/assessment/hot-topics", area=None), streets[:1] * 20),
    ]
    print(
        f"4. dashboard requests through the API (roll-ups), ms (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):"
    )
    fast = {}
    worst = 0.0
    for name, kind, call, nodes in requests:
        call(nodes[0])  # warm
        ms = timed(call, nodes)
        fast[(name, kind)] = statistics.median(ms)
        worst = max(worst, percentile(ms, 0.95))
        print(
            f"   {name:12s} {kind:9s} ×{len(ms):3d}: p50 {statistics.median(ms):6.1f} · "
            f"p95 {percentile(ms, 0.95):6.1f} · max {max(ms):6.1f}"
        )

    print(f"5. the screen's figures recomputed from the raw appeals, {args.raw_samples} per kind, ms:")
    same = True
    start, stop = (
        datetime.combine(today - timedelta(days=dashboards.UNIT_DAYS - 1), datetime.min.time(), tzinfo=tz),
        datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=tz),
    )
    unit_list = list(
        __import__("redgrid.units.models", fromlist=["Unit"]).Unit.objects.filter(is_active=True)
    )
    for kind, nodes in (("district", [county]), ("street", streets), ("community", sample_communities)):
        parts = {"trend": [], "categories": [], "counters": []}
        for node in rng.sample(nodes, min(args.raw_samples, len(nodes))):
            for part, raw, rolled in (
                ("trend", dashboards.trend_raw, dashboards.trend),
                ("categories", dashboards.top_categories_raw, dashboards.top_categories),
            ):
                t = time.perf_counter()
                value = raw(node)
                parts[part].append((time.perf_counter() - t) * 1000)
                same &= value == rolled(node)
            t = time.perf_counter()
            value = dashboards.counters_raw(node)
            parts["counters"].append((time.perf_counter() - t) * 1000)
            rolled = dashboards.counters(admin, node)
            same &= all(rolled[k] == v for k, v in value.items())
        total = [sum(x) for x in zip(*parts.values(), strict=True)]
        print(
            f"   screen {kind:9s} ×{len(total)}: trend {statistics.median(parts['trend']):7.0f} · categories "
            f"{statistics.median(parts['categories']):7.0f} · counters {statistics.median(parts['counters']):7.0f} · "
            f"sum p50 {statistics.median(total):7.0f} ({statistics.median(total) / fast[('screen', kind)]:,.0f}× the request)"
        )
    t = time.perf_counter()
    for unit in unit_list[: args.raw_samples]:
        same &= metrics.compute_raw(unit, start, stop) == metrics.compute(unit, start, stop)
    per_unit = (time.perf_counter() - t) * 1000 / max(1, min(args.raw_samples, len(unit_list)))
    print(
        f"   unit ranking: {per_unit:,.0f} ms per unit from raw rows × {len(unit_list)} units ≈ "
        f"{per_unit * len(unit_list) / 1000:,.1f} s per screen (the request reads the roll-ups)"
    )
    print(f"   roll-up numbers identical to the raw recomputation: {'yes' if same else 'NO'}")

    print("6. periodic jobs, timed once:")
    t = time.perf_counter()
    topics = hotspots.compute_month(streets[1], month)
    print(
        f"   每月一题 of {streets[1].name} for {month:%Y-%m}: {len(topics)} problems in {time.perf_counter() - t:.1f} s"
    )
    t = time.perf_counter()
    stats = hotspots.run_warnings()
    print(
        f"   未诉先办 over the district: {stats['communities']} communities, {stats['raised']} tasks in "
        f"{time.perf_counter() - t:.1f} s (generated texts are templates: see bench/warnings_precision.py for precision)"
    )
    print(f"appeals in the database: {Appeal.objects.count():,}")
    print(
        f"target ≤ 200 ms per dashboard request: {'met' if worst <= 200 else 'NOT met'} (worst p95 {worst:.1f} ms)"
    )


if __name__ == "__main__":
    main()
