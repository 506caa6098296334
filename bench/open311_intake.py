"""Open311 intake under concurrency: does the per-key hourly limit hold when many clients post at once?

    .venv/bin/python bench/open311_intake.py                   # SQLite (var/bench_open311.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redgrid_bench_open311 .venv/bin/python bench/open311_intake.py
    … --no-lock                                                # the same without the IntakeLock row lock

Steps:
1. A fresh database with the test world (two streets, four grids) and one API key whose hourly limit is
   `--limit`.
2. `--threads` threads each POST `--per-thread` requests to /open311/v2/requests.json at the same time
   (each thread from its own address, so only the key's limit applies), through the whole Django stack.
3. Printed: accepted (must equal the limit), refused with 429, other answers, requests per second and the
   p50/p95 latency of one POST. `--no-lock` turns the row lock off to show what it prevents.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import benchdb  # noqa: E402  (bench/ is on sys.path when a script runs)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup():
    os.environ.setdefault("REDGRID_ENV", "demo")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_open311.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redgrid.settings")
    import django

    django.setup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=10)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--no-lock", action="store_true")
    args = parser.parse_args()
    setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # one warning per 429 otherwise
    benchdb.fresh_database()

    from django.db import connection
    from django.test import Client

    from redgrid.accounts.models import ApiKey
    from redgrid.accounts.services import api_key_issue
    from redgrid.appeals.models import Appeal, IntakeLock
    from redgrid.testing import build_world

    world = build_world()
    key = ApiKey(name="bench", owner="bench", hourly_limit=args.limit)
    api_key_issue(actor=None, key=key, plain="bench-key")
    if args.no_lock:
        IntakeLock.objects.select_for_update = IntakeLock.objects.all  # counts without serialising
    code = str(world.categories["lights"].pk)
    barrier = threading.Barrier(args.threads)
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def worker(n: int):
        client = Client()
        barrier.wait()
        for i in range(args.per_thread):
            started = time.perf_counter()
            response = client.post(
                "/open311/v2/requests.json",
                {
                    "api_key": "bench-key",
                    "service_code": code,
                    "attribute[hazard]": "none",
                    "description": f"路灯不亮 {n}-{i}",
                    "lat": "36.705",
                    "long": "119.105",
                },
                REMOTE_ADDR=f"10.9.{n}.{i}",
            )
            with lock:
                results.append((response.status_code, time.perf_counter() - started))
        connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    codes = [c for c, _ in results]
    latencies = sorted(d * 1000 for _, d in results)
    stored = Appeal.objects.filter(api_key=key).count()
    print(
        f"database: {connection.vendor}; lock: {'off' if args.no_lock else 'on'}; "
        f"{args.threads} threads × {args.per_thread} POSTs; key limit {args.limit}/h"
    )
    print(
        f"accepted {codes.count(200)} (stored {stored}), refused 429: {codes.count(429)}, "
        f"other: {len(codes) - codes.count(200) - codes.count(429)}"
    )
    print(
        f"{len(codes) / elapsed:.1f} POST/s; latency p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms"
    )
    print("limit held" if stored == min(args.limit, len(codes)) else "LIMIT EXCEEDED")


if __name__ == "__main__":
    main()
