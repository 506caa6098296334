"""Assessment rankings read from the roll-ups, beside recomputation from the raw rows (issue 7).

    REDGRID_ENV=demo .venv/bin/redgrid demo_data                  # once: the demo street
    .venv/bin/python bench/assessment_kpi.py                      # var/redgrid.sqlite3, or DATABASE_URL=…

Steps:
1. `rollup.rebuild()` — every folded indicator recomputed from the raw rows into DailyFact/FactItem.
2. `rollup.fold()` twice — the periodic task's cost when little has changed (the second run only looks
   at the overlap window).
3. For each level under the street (community, grid, branch, unit) and each period kind: the ranking as
   the page and API build it (roll-ups; p50 of 5 runs, with its query count), and the same numbers
   recomputed from the raw rows (every source's items computed afresh, appeals.metrics.compute_raw per
   node). The two must agree; the script says so.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup():
    os.environ.setdefault("REDGRID_ENV", "demo")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'redgrid.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redgrid.settings")
    import django

    django.setup()


def timed(fn, runs=1):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def raw_values(rows, period, anchors_cache={}):  # noqa: B006 (a cache on purpose)
    """The rows' (numerator, denominator) recomputed from the raw rows."""
    from dataclasses import asdict

    from redgrid.appeals import metrics
    from redgrid.assessment.rollup import fact_rows
    from redgrid.assessment.sources import SOURCES, Anchors

    if "facts" not in anchors_cache:
        anchors, items = Anchors(), []
        from django.utils import timezone

        today = timezone.localdate()
        for source in SOURCES.values():
            keys = sorted(source.all_keys(today))
            for i in range(0, len(keys), 2000):
                for found in source.items(keys[i : i + 2000], today, anchors).values():
                    items += found
        anchors_cache["facts"] = fact_rows(items)
    facts = anchors_cache["facts"]
    out = []
    for row in rows:
        node, values = row.node, {}
        if node.tree != "org":
            m = asdict(metrics.compute_raw(node.obj, *period.bounds))
        for cell in row.cells:
            ind = cell.indicator
            if not ind.folded:
                values[ind.key] = (
                    None if node.tree == "org" else (m[ind.appeal_counts[0]], m[ind.appeal_counts[1]])
                )
                continue
            first, end = period.start, period.end
            if ind.yearly:
                from datetime import date

                first, end = date(period.start.year, 1, 1), date(period.start.year, 1, 2)
            n = d = 0
            for (tree, node_id, path, day, key), (num, den) in facts.items():
                if key != ind.key or tree != node.tree or not first <= day < end:
                    continue
                if (tree == "unit" and node_id == node.id) or (tree != "unit" and path.startswith(node.path)):
                    n, d = n + num, d + den
            values[ind.key] = (n, d)
        out.append(values)
    return out


def main():
    setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from redgrid.accounts.models import User
    from redgrid.assessment import nodes as N
    from redgrid.assessment import periods, rollup, selectors

    ms, stats = timed(rollup.rebuild)
    objects = sum(s["objects"] for s in stats.values())
    parts = ", ".join(f"{k} {v['objects']}" for k, v in stats.items())
    print(f"rebuild: {ms:.0f} ms for {objects} objects ({parts})")
    ms, _ = timed(rollup.fold)
    print(f"fold right after: {ms:.0f} ms (refolds what changed in the overlap window)")
    ms, _ = timed(rollup.fold)
    print(f"fold again: {ms:.0f} ms")
    leader = User.objects.get(username="leader")
    node = N.start_node(leader)
    print(f"\nnode {node.name}; ranking p50 of 5 runs (roll-ups) vs recomputation from raw rows")
    print(f"{'period':<9}{'level':<11}{'nodes':>6}{'roll-ups ms':>13}{'queries':>9}{'raw ms':>10}  agree")
    for key in ("2026-11", "2026-Q3", "2026"):
        period = periods.parse(key)
        for level in N.levels_under(node):
            with CaptureQueriesContext(connection) as q:
                selectors.ranking(leader, node, level, period)
            ms, ranking = timed(
                lambda level=level, period=period: selectors.ranking(leader, node, level, period), 5
            )
            raw_ms, raw = timed(lambda ranking=ranking, period=period: raw_values(ranking.rows, period))
            agree = all(
                (c.num, c.den) == raw[i][c.indicator.key]
                or (c.num is None and raw[i][c.indicator.key] is None)
                for i, row in enumerate(ranking.rows)
                for c in row.cells
            )
            print(
                f"{key:<9}{level:<11}{len(ranking.rows):>6}{ms:>13.1f}{len(q.captured_queries):>9}{raw_ms:>10.0f}  {agree}"
            )


if __name__ == "__main__":
    main()
