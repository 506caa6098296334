"""信息发布 at street scale (issue 5): freezing and pushing an article to N accounts, read receipts, and the
coverage table per node.

    .venv/bin/python bench/articles_push.py                    # 50,000 resident accounts, SQLite (var/)
    .venv/bin/python bench/articles_push.py --accounts 5000    # quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redgrid_bench_articles .venv/bin/python bench/articles_push.py

Steps:
1. A fresh database: one street of C communities × G grids, one building per grid, N households with one
   resident and one account each (bulk-inserted), and a street account publishing.
2. An article for the street's residents is published; `articles.article_push` (the background task) is
   timed: receipts streamed in chunks, one inbox message per account, `notified_at` stamped.
3. A second push of the same article is timed (the idempotent retry: it must add nothing).
4. 40 % of the audience reads it: `article_mark_read` is timed per call on a sample of readers, the rest is
   stamped in bulk.
5. The coverage table is timed for the street (one row), its communities and one community's grids:
   p50/p95 in ms over `--samples` runs, with the figures it shows.
"""

import argparse
import os
import random
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def setup(database_url: str | None):
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    os.environ.setdefault("REDGRID_ENV", "demo")
    os.environ["DATABASE_URL"] = database_url or os.environ.get(
        "DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_articles.sqlite3'}"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redgrid.settings")
    import django

    django.setup()


def build(accounts: int, communities: int, grids: int):
    """The street, its grids, and `accounts` households each with one resident holding an account."""
    from redgrid.accounts.models import User
    from redgrid.regions.models import Building, Household, Region, Resident
    from redgrid.testing import make_user

    county = Region.add_root(code="379900000000", name="测试区", level="county")
    street = county.add_child(code="379900001000", name="第1街道", level="street")
    grid_nodes = []
    for c in range(communities):
        street.refresh_from_db()
        community = street.add_child(code=f"379900001{c + 1:03d}", name=f"第{c + 1}社区", level="community")
        for g in range(grids):
            community.refresh_from_db()
            grid_nodes.append(
                community.add_child(code=f"{community.code}{g + 1:03d}", name=f"{community.name}{g + 1}网格", level="grid")
            )
    buildings = Building.objects.bulk_create(
        [Building(grid=g, name="1号楼", address=f"{g.code}号楼", lng=119.1, lat=36.7) for g in grid_nodes]
    )
    households = Household.objects.bulk_create(
        [
            Household(building=buildings[i % len(buildings)], room=str(i), address=f"地址{i}")
            for i in range(accounts)
        ],
        batch_size=2000,
    )
    people = Resident.objects.bulk_create(
        [Resident(name=f"居民{i}", gender="M", household=h) for i, h in enumerate(households)], batch_size=2000
    )
    User.objects.bulk_create(
        [User(username=f"u{p.pk}", display_name=p.name, person=p, password="!") for p in people], batch_size=2000
    )
    publisher = make_user("street_admin", role="street", region=street)
    return street, publisher


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=50_000)
    ap.add_argument("--communities", type=int, default=7)
    ap.add_argument("--grids", type=int, default=8)
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    setup(args.database_url)
    from benchdb import fresh_database
    from points import percentile, timed

    fresh_database()
    from django.db import transaction
    from django.utils import timezone

    from redgrid.core.models import Notification
    from redgrid.participation import articles as ar
    from redgrid.participation.models import ArticleReceipt

    t = time.perf_counter()
    street, publisher = build(args.accounts, args.communities, args.grids)
    print(f"data: {args.accounts:,} resident accounts in {args.communities * args.grids} grids "
          f"({time.perf_counter() - t:.1f} s to build)")

    article = ar.article_create(actor=publisher, title="防汛提示", body="雨季注意安全", region_ids=[street.pk],
                                roles=["resident"])
    with transaction.atomic():
        ar.article_publish(actor=publisher, article=article)  # the queued task is replaced by the timed call
    t = time.perf_counter()
    sent = ar.article_push(article.pk)
    push_s = time.perf_counter() - t
    t = time.perf_counter()
    again = ar.article_push(article.pk)
    retry_s = time.perf_counter() - t
    receipts = ArticleReceipt.objects.filter(article=article)
    print(f"push: {sent:,} messages, {receipts.count():,} receipts in {push_s:.2f} s "
          f"({sent / push_s:,.0f} accounts/s); retry added {again} in {retry_s:.2f} s")
    assert Notification.objects.filter(kind="article").count() == sent == args.accounts

    rng = random.Random(7)
    user_ids = list(receipts.values_list("user_id", flat=True))
    readers = rng.sample(user_ids, int(len(user_ids) * 0.4))
    from redgrid.accounts.models import User

    sample = list(User.objects.filter(pk__in=readers[:200]))
    marks = timed(lambda: ar.article_mark_read(user=sample.pop(), article=article), len(sample))
    receipts.filter(user_id__in=readers[200:], read_at__isnull=True).update(read_at=timezone.now())
    print(f"read receipt: p50 {percentile(marks, 0.5):.2f} ms, p95 {percentile(marks, 0.95):.2f} ms per first read")

    community = street.get_children().order_by("code").first()
    print(f"{'coverage table':<24}{'rows':>6}{'audience':>10}{'read %':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for label, kw in (
        ("street (top)", {}),
        ("communities of street", {"kind": "region", "node_id": street.pk}),
        ("grids of 1 community", {"kind": "region", "node_id": community.pk}),
    ):
        result = ar.coverage(publisher, article, **kw)
        samples = timed(lambda k=kw: ar.coverage(publisher, article, **k), args.samples)
        total = result["total"]
        print(f"{label:<24}{len(result['rows']):>6}{total['total']:>10,}{total['percent']:>8}"
              f"{percentile(samples, 0.5):>9.1f}{percentile(samples, 0.95):>9.1f}")


if __name__ == "__main__":
    main()
