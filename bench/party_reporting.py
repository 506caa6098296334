"""定期填报 and 换届 roll-ups at district scale: how long the live tables and the reminder sweep take.

    .venv/bin/python bench/party_reporting.py                       # 10 streets × 10 communities × 10 grids
    .venv/bin/python bench/party_reporting.py --grids 30            # 3,000 branches
    DATABASE_URL=postgres://… .venv/bin/python bench/party_reporting.py

Steps:
1. A fresh database (var/bench_party_reporting.sqlite3 by default): S street 党工委 → C 社区党委 per street →
   G 网格党支部 per community, each branch with a term started on a random day of the last six years.
2. Reports bulk-inserted for every month since the start of reporting up to last month, each branch
   filing a random 80 % of them.
3. Timed (p50 / p95 of 5 runs, ms): the activities table for a district admin (every branch) and for one
   street secretary (its branches), the terms table for both, and one reminder sweep (reports + terms).
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def setup():
    os.environ.setdefault("REDGRID_ENV", "demo")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_party_reporting.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redgrid.settings")
    import django

    django.setup()


def fresh_database():
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("sqlite3"):
        sys.exit("use a fresh PostgreSQL database of its own (this script migrates it but does not drop it)")
    for suffix in ("", "-wal", "-shm"):
        Path(str(db["NAME"]) + suffix).unlink(missing_ok=True)
    call_command("migrate", verbosity=0)


def build(streets: int, communities: int, grids: int, rng: random.Random, today: date):
    from redgrid.party.models import PartyOrg

    branches, tops = [], []
    for s in range(streets):
        top = PartyOrg.add_root(name=f"第{s + 1}街道党工委", kind="working_committee")
        tops.append(top)
        for c in range(communities):
            top.refresh_from_db()
            committee = top.add_child(name=f"第{s + 1}街道第{c + 1}社区党委", kind="committee")
            for g in range(grids):
                committee.refresh_from_db()
                started = today - timedelta(days=rng.randrange(0, 6 * 365))
                branches.append(
                    committee.add_child(
                        name=f"{s + 1}-{c + 1}-{g + 1}网格党支部",
                        kind="grid_branch",
                        term_started=started,
                        term_years=5,
                    )
                )
    return tops, branches


def fill_reports(branches, rng: random.Random, today: date) -> int:
    from redgrid.party import periods, reporting
    from redgrid.party.models import PeriodicReport

    start = reporting.first_required_start("activities")
    last = periods.previous_start("month", periods.bounds("month", today)[0])
    rows = []
    for month in periods.starts_between("month", start, last):
        end = periods.bounds("month", month)[1]
        for b in branches:
            if rng.random() < 0.8:
                rows.append(
                    PeriodicReport(
                        org=b,
                        kind="activities",
                        period_start=month,
                        period_end=end,
                        due_on=reporting.due_date(end),
                        data={"meetings_held": 3, "attendance": 40, "activities": "主题党日"},
                    )
                )
    PeriodicReport.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def timed(label: str, fn, runs: int = 5) -> None:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    print(f"{label:<44} p50 {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--streets", type=int, default=10)
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--grids", type=int, default=10)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*add_(root|child).* is deprecated")
    setup()
    fresh_database()

    from django.utils import timezone

    from redgrid.party import reminders, reporting, terms
    from redgrid.testing import make_user

    rng, today = random.Random(20260701), timezone.localdate()
    started = time.perf_counter()
    tops, branches = build(args.streets, args.communities, args.grids, rng, today)
    reports = fill_reports(branches, rng, today)
    admin = make_user("bench_admin")
    admin.is_superuser = True
    admin.save()
    street = make_user("bench_street", role="branch", party_org=tops[0])
    print(f"{len(branches)} branches, {reports} reports built in {time.perf_counter() - started:.1f} s")
    period = reporting.default_period_start("activities", today)

    def table(user):
        return lambda: reporting.report_table(user, kind="activities", period_start=period, today=today)

    timed(f"report table, district admin ({len(branches)} branches)", table(admin))
    timed(f"report table, one street ({len(branches) // len(tops)} branches)", table(street))
    timed("terms table, district admin", lambda: terms.terms_table(admin, today=today))
    timed("terms table, one street", lambda: terms.terms_table(street, today=today))
    timed("reminder sweep (reports + terms), first run", lambda: reminders.run_sweeps(today), runs=1)
    timed("reminder sweep, repeated (all already sent)", lambda: reminders.run_sweeps(today), runs=3)


if __name__ == "__main__":
    main()
