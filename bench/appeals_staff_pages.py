"""接诉即办 staff pages at district scale (issue 3): queue, export and public page latency over N appeals.

    .venv/bin/python bench/appeals_staff_pages.py                    # 200,000 appeals, SQLite (var/)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redgrid_bench_appeals .venv/bin/python bench/appeals_staff_pages.py

Steps:
1. A fresh database: one district of S streets × C communities × G grids, U units, one street admin
   (street 1), one community account (community 1) and one unit handler (unit 1).
2. N appeals bulk-inserted over the last 90 days, spread over the grids, in every state (dispatched ones
   with a lead task of a random unit, a share overdue, a share with duplicate candidates).
3. Each page requested through Django's test client as the account that uses it, `--samples` times:
   p50/p95 in ms, and the rows each page shows (the queues page 30 rows; the export is capped).
"""

import argparse
import os
import random
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def setup(database_url: str | None):
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    os.environ.setdefault("REDGRID_ENV", "demo")
    os.environ["DATABASE_URL"] = database_url or os.environ.get(
        "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_appeals_staff.sqlite3'}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redgrid.settings")
    import django

    django.setup()


def build(streets: int, communities: int, grids: int, units: int):
    from redgrid.regions.models import Region
    from redgrid.testing import make_user
    from redgrid.units.models import Category, Unit

    county = Region.add_root(code="379900000000", name="测试区", level="county")
    tree = []
    for s in range(streets):
        county.refresh_from_db()
        street = county.add_child(code=f"379900{s + 1:03d}000", name=f"第{s + 1}街道", level="street")
        for c in range(communities):
            street.refresh_from_db()
            community = street.add_child(
                code=f"379900{s + 1:03d}{c + 1:03d}", name=f"第{s + 1}街道{c + 1}社区", level="community"
            )
            for g in range(grids):
                community.refresh_from_db()
                grid = community.add_child(
                    code=f"{community.code}{g + 1:03d}", name=f"{community.name}{g + 1}网格", level="grid"
                )
                tree.append((street, community, grid))
    category = Category.add_root(name="城乡建设", level=1).add_child(name="市政", level=2)
    unit_rows = [Unit.objects.create(name=f"单位{u + 1}", area=county) for u in range(units)]
    street1, community1 = tree[0][0], tree[0][1]
    users = {
        "street": make_user("bench_street", role="street", region=street1),
        "community": make_user("bench_community", role="community", region=community1),
        "unit": make_user("bench_unit", role="unit", unit=unit_rows[0]),
    }
    return tree, category, unit_rows, users


def fill(n: int, tree, category, units, rng: random.Random) -> None:
    """N appeals in every state, inserted in batches (the services are timed elsewhere)."""
    from django.utils import timezone

    from redgrid.appeals.models import Appeal, AppealUnitTask

    states = ["received"] * 10 + ["registered"] * 5 + ["dispatched"] * 5 + ["in_progress"] * 10
    states += ["replied"] * 5 + ["closed"] * 60 + ["rejected"] * 3 + ["cancelled"] * 2
    now = timezone.now()
    batch = 5000
    for start in range(0, n, batch):
        rows = []
        for i in range(start, min(n, start + batch)):
            street, _community, grid = rng.choice(tree)
            status = rng.choice(states)
            created = now - timedelta(minutes=rng.randint(0, 90 * 24 * 60))
            due = created + timedelta(days=7)
            unit = rng.choice(units) if status in ("dispatched", "in_progress", "replied", "closed") else None
            rows.append(
                Appeal(
                    channel=rng.choice(["h5", "h5", "patrol", "hotline"]),
                    content=f"第{i}号诉求：路灯不亮，晚上很黑",
                    grid=None if rng.random() < 0.02 else grid,
                    street=street,
                    category=category,
                    status=status,
                    owner_unit=unit,
                    created_at=created,
                    resolve_due_at=due,
                    closed_at=created + timedelta(days=rng.randint(1, 9)) if status == "closed" else None,
                    possible_duplicates=[i - 1] if i and rng.random() < 0.03 else [],
                    caller_phone_last4=f"{i % 10000:04d}",
                )
            )
        Appeal.objects.bulk_create(rows, batch_size=1000)
        tasks = [
            AppealUnitTask(
                appeal=a,
                unit=a.owner_unit,
                dispatched_at=a.created_at,
                due_at=a.created_at + timedelta(hours=24),
                reported_at=None if a.status == "dispatched" else a.created_at + timedelta(hours=2),
                ended_at=a.closed_at,
            )
            for a in rows
            if a.owner_unit is not None
        ]
        AppealUnitTask.objects.bulk_create(tasks, batch_size=1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--appeals", type=int, default=200_000)
    ap.add_argument("--streets", type=int, default=10)
    ap.add_argument("--communities", type=int, default=10)
    ap.add_argument("--grids", type=int, default=8)
    ap.add_argument("--units", type=int, default=40)
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    setup(args.database_url)
    from benchdb import fresh_database
    from points import percentile, timed

    fresh_database()
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client then keeps each response's template context (row counts)
    rng = random.Random(args.seed)
    t = time.perf_counter()
    tree, category, units, users = build(args.streets, args.communities, args.grids, args.units)
    fill(args.appeals, tree, category, units, rng)
    print(
        f"data: {args.appeals:,} appeals, {len(tree)} grids, {args.units} units "
        f"({time.perf_counter() - t:.1f} s to build)"
    )
    pages = [
        ("street", "派单队列 新受理", "/appeals/staff/dispatch/", {}),
        ("street", "派单队列 超期", "/appeals/staff/dispatch/", {"tab": "overdue"}),
        ("street", "派单队列 全部+搜索", "/appeals/staff/dispatch/", {"tab": "all", "q": "路灯"}),
        (
            "street",
            "派单队列 全部+日期+超期",
            "/appeals/staff/dispatch/",
            {"tab": "all", "overdue": "yes", "date_from": "2020-01-01"},
        ),
        ("community", "派单队列（社区）", "/appeals/staff/dispatch/", {"tab": "all"}),
        ("unit", "单位队列 待报到", "/appeals/staff/unit/", {}),
        ("unit", "单位队列 处置中", "/appeals/staff/unit/", {"tab": "handling"}),
        ("community", "导出 社区全部", "/appeals/staff/export/", {"queue": "dispatch", "tab": "all"}),
        (None, "公开页 第1页", "/appeals/public/", {}),
        (None, "公开页 按街道", "/appeals/public/", {"street": tree[0][0].pk}),
    ]
    print(f"{'page':<28}{'rows':>8}{'p50 ms':>10}{'p95 ms':>10}")
    for who, label, url, params in pages:
        client = Client()
        if who:
            client.force_login(users[who])
        response = client.get(url, params)
        assert response.status_code == 200, (label, response.status_code)
        if response.get("Content-Type", "").startswith("application/vnd"):
            from io import BytesIO

            from openpyxl import load_workbook

            rows = (
                sum(1 for _ in load_workbook(BytesIO(response.content), read_only=True).active.iter_rows())
                - 1
            )
        else:
            rows = response.context["page_obj"].paginator.count
        samples = timed(lambda c=client, u=url, p=params: c.get(u, p), args.samples)
        print(f"{label:<28}{rows:>8,}{percentile(samples, 0.5):>10.1f}{percentile(samples, 0.95):>10.1f}")


if __name__ == "__main__":
    main()
