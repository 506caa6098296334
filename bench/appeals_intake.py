"""接诉即办 intake end to end over HTTP (issue 3): POST /api/v1/appeals (locate, classify, route, rate limits,
duplicates, event, audit, notification) against real server processes, beside a bare Django view doing
one insert, measured in the same run.

    .venv/bin/python bench/appeals_intake.py                               # SQLite (var/bench_appeals_intake.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/redgrid_bench_appeals_intake .venv/bin/python bench/appeals_intake.py
    … --server gunicorn --workers 3                                       # gunicorn instead of Django's server
    … --cpu 300                                                            # CPU per in-process intake, per step
    … --profile 300                                                        # cProfile of 300 in-process intakes

Steps:
1. A fresh database: the demo street (广文街道, 7 communities × 8 grids with their boundaries, buildings and
   households), the category tree and units, the demo classifier model, `--users` resident accounts with
   API tokens, `--backlog` open appeals of the last week (what each new appeal's duplicate search looks
   through; ~2,000 is a street's week at district scale), and a one-table `bench_bare` for the bare view. The hourly intake limits per account and
   per address are raised in the rules table (the checks and their row locks still run on every request).
2. `--workers` server processes: Django's own threaded WSGI server (`--server django`, the default, one
   process per port; the clients spread over the ports as a reverse proxy would) or gunicorn sync workers
   (`--server gunicorn`, if installed). Both serve the project's WSGI application plus one extra route,
   POST /bench/bare: a plain Django view (whole middleware stack, no auth) that inserts one row.
3. `--clients` client threads in `--client-procs` processes, each with a keep-alive connection from its
   own loopback address (127.0.0.N, so per-address limits and locks are spread as for real residents),
   POST for `--seconds` seconds: first the bare view, then the intake (a resident's token, one of the
   shipped example texts, a point inside the street most of the time). Repeated `--rounds` times.
4. Printed per phase: requests/s, p50/p95/max latency, non-2xx answers; and intake ÷ bare.

The machine is shared (2 cores, other jobs running): figures are noisy, so run it more than once.
"""

import argparse
import csv
import json
import multiprocessing as mp
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import benchdb  # noqa: E402  (bench/ is on sys.path when a script runs)

ROOT = Path(__file__).resolve().parent.parent
# REDGRID_BENCH_SRC=/other/checkout/src measures another version of the code against the same set-up.
SRC = Path(os.environ.get("REDGRID_BENCH_SRC") or ROOT / "src")
sys.path.insert(0, str(SRC))

EXAMPLES = ROOT / "src" / "redgrid" / "appeals" / "data" / "examples.csv"


def setup(database_url: str | None = None):
    os.environ.setdefault("REDGRID_ENV", "demo")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_appeals_intake.sqlite3'}")
    os.environ.setdefault("REDGRID_APPEALS_MODEL", str(ROOT / "var" / "bench_appeals_intake.joblib"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redgrid.settings")
    import django

    django.setup()


# --- the server side: the project's WSGI application plus the bare view -------------------------------


def bare(request):
    """One insert, nothing else: the floor any intake request stands on."""
    from django.db import connection
    from django.http import JsonResponse

    body = json.loads(request.body or b"{}")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_bare (body) VALUES (%s)", [body.get("content", "")[:2000]])
    return JsonResponse({"ok": True}, status=201)


def application_with_bare():
    from django.core.wsgi import get_wsgi_application
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    app = get_wsgi_application()
    import redgrid.urls

    redgrid.urls.urlpatterns.insert(0, path("bench/bare", csrf_exempt(bare)))
    return app


def __getattr__(name):  # gunicorn imports `appeals_intake:application`
    if name == "application":
        setup()
        globals()["application"] = app = application_with_bare()
        return app
    raise AttributeError(name)


def serve(port: int):
    """Django's threaded WSGI server (what `runserver` runs, without the autoreloader and request log)."""
    setup()
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class Server(ThreadedWSGIServer):
        request_queue_size = 256

        def get_request(self):
            # wsgiref writes the headers and the body in two sends: without TCP_NODELAY, Nagle's algorithm
            # and the client's delayed ACK hold every keep-alive response back ~40 ms (gunicorn sets it).
            conn, address = super().get_request()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return conn, address

    httpd = Server(("127.0.0.1", port), Quiet, ipv6=False)
    httpd.set_app(application_with_bare())
    httpd.serve_forever()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_servers(kind: str, workers: int, threads: int) -> tuple[list, list[int]]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'bench'}:{SRC}"}
    if kind == "gunicorn":
        if not (Path(sys.executable).parent / "gunicorn").exists():
            raise SystemExit(
                "gunicorn 未安装（它不是项目依赖）：.venv/bin/pip install gunicorn 后再用 --server gunicorn"
            )
        port = free_port()
        cmd = [
            str(Path(sys.executable).parent / "gunicorn"),
            "appeals_intake:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread" if threads > 1 else "sync",
            "--threads",
            str(threads),
            "--backlog",
            "512",
            "--log-level",
            "warning",
        ]
        procs, ports = [subprocess.Popen(cmd, env=env, cwd=ROOT / "bench")], [port]
    else:
        ports = [free_port() for _ in range(workers)]
        procs = [
            subprocess.Popen([sys.executable, __file__, "--serve", str(p)], env=env, cwd=ROOT) for p in ports
        ]
    deadline = time.time() + 60
    for port in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("the servers did not start") from None
                time.sleep(0.3)
    return procs, ports


def stop_servers(procs):
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- the database ------------------------------------------------------------------------------------


def build_site(users: int, backlog: int) -> dict:
    """The demo street, units, classifier, resident accounts with tokens; returns what clients need."""
    import secrets
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from redgrid.accounts.models import ApiToken, User
    from redgrid.appeals.demo import train_demo_model
    from redgrid.core.models import Rule
    from redgrid.demo import DemoContext, geography
    from redgrid.demo import units as demo_units
    from redgrid.regions.models import Region

    ctx = DemoContext(scale="street", log=lambda message: None)
    geography.build(ctx, grids_per_community=8, households=(20, 40))
    demo_units.build(ctx)
    Path(os.environ["REDGRID_APPEALS_MODEL"]).unlink(missing_ok=True)
    train_demo_model(ctx)
    User.objects.bulk_create(
        [User(username=f"bench{i:05d}", display_name=f"居民{i:05d}", password="!") for i in range(users)],
        batch_size=2000,
    )
    tokens, rows = [], []
    expires = timezone.now() + timedelta(days=1)
    for user in User.objects.filter(username__startswith="bench").order_by("pk"):
        key = secrets.token_urlsafe(32)
        tokens.append(key)
        rows.append(ApiToken(user=user, key_hash=ApiToken.hash_key(key), expires_at=expires))
    ApiToken.objects.bulk_create(rows, batch_size=2000)
    for key in ("appeals.intake.per_account_per_hour", "appeals.intake.per_ip_per_hour"):
        Rule.objects.update_or_create(key=key, defaults={"value": 10**7})
    street = Region.objects.get(level="street")
    grids = list(Region.objects.filter(level="grid", path__startswith=street.path))
    lngs = [g.center_lng for g in grids]
    lats = [g.center_lat for g in grids]
    box = (min(lngs) - 0.002, min(lats) - 0.002, max(lngs) + 0.002, max(lats) + 0.002)
    with connection.cursor() as cursor:
        serial = "bigserial" if connection.vendor == "postgresql" else "integer"
        cursor.execute(f"CREATE TABLE bench_bare (id {serial} PRIMARY KEY, body text NOT NULL)")
    assert settings.DATABASES["default"]["NAME"]
    add_backlog(backlog, street, box)
    return {"tokens": tokens, "box": box, "grids": len(grids), "backlog": backlog}


def add_backlog(n: int, street, box):
    """n open appeals of the last 7 days (a street's week at district scale is ~2,000): what the duplicate
    search of every new appeal looks through. Written directly (status 受理/立案), located with the same
    grid index as intake, suggested categories from the same model."""
    from datetime import timedelta

    from django.utils import timezone

    from redgrid.appeals import intake
    from redgrid.appeals.models import Appeal
    from redgrid.regions.locate import grid_index
    from redgrid.regions.models import Region

    rng = random.Random(7)
    corpus = texts()
    suggested = {text: intake.suggest_category(text)[0] for text in corpus}
    index, now = grid_index(), timezone.now()
    grids = {g.pk: g for g in Region.objects.filter(level="grid", path__startswith=street.path)}
    rows = []
    for _ in range(n):
        lng, lat = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
        text = rng.choice(corpus)
        created = now - timedelta(seconds=rng.uniform(0, 7 * 86400))
        rows.append(
            Appeal(
                channel="h5",
                content=text,
                lat=lat,
                lng=lng,
                grid=grids.get(index.locate(lng, lat)),
                street=street,
                suggested_category=suggested[text],
                status=rng.choice(["received", "registered"]),
                created_at=created,
                resolve_due_at=created + timedelta(days=7),
            )
        )
    Appeal.objects.bulk_create(rows, batch_size=1000)


def texts() -> list[str]:
    with EXAMPLES.open(encoding="utf-8") as f:
        return [f"{row['title']}。{row['detail']}" for row in csv.DictReader(f)]


# --- the client side ---------------------------------------------------------------------------------


def client_proc(args):
    """One client process: threads posting on keep-alive connections until the deadline."""
    import http.client
    import threading

    phase, ports, first_ip, threads, seconds, tokens, box, corpus, seed = args
    rng = random.Random(seed)
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def body():
        if phase == "bare":
            return json.dumps({"content": rng.choice(corpus)}), {}
        lng = rng.uniform(box[0], box[2])
        lat = rng.uniform(box[1], box[3])
        payload = {"content": rng.choice(corpus), "lat": round(lat, 6), "lng": round(lng, 6)}
        return json.dumps(payload, ensure_ascii=False), {"Authorization": f"Bearer {rng.choice(tokens)}"}

    def worker(i):
        ip = f"127.0.{(first_ip + i) // 250 + 1}.{(first_ip + i) % 250 + 2}"
        port = ports[(first_ip + i) % len(ports)]
        path = "/bench/bare" if phase == "bare" else "/api/v1/appeals"
        conn, mine = None, []
        while time.perf_counter() < deadline:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(ip, 0))
            data, headers = body()
            headers["Content-Type"] = "application/json"
            start = time.perf_counter()
            try:
                conn.request("POST", path, body=data.encode(), headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = None
            mine.append((time.perf_counter() - start, status))
        with lock:
            results.extend(mine)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return results


def server_cpu(pids) -> float:
    """CPU seconds used so far by the server processes and their children (gunicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime+stime
    return sum(ticks for pid, (ppid, ticks) in stats.items() if pid in pids or ppid in pids) / tick


def run_phase(phase, ports, clients, procs, seconds, site, corpus, seed, servers=()) -> dict:
    per = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    jobs, first = [], 0
    for i, n in enumerate(per):
        jobs.append((phase, ports, first, n, seconds, site["tokens"], site["box"], corpus, seed * 100 + i))
        first += n
    pids = {p.pid for p in servers}
    cpu = server_cpu(pids)
    started = time.perf_counter()
    with mp.get_context("fork").Pool(procs) as pool:
        results = [r for part in pool.map(client_proc, jobs) for r in part]
    elapsed = time.perf_counter() - started
    cpu = server_cpu(pids) - cpu
    ok = [t for t, status in results if 200 <= status < 300]
    ms = sorted(t * 1000 for t in ok) or [0.0]
    return {
        "rps": len(ok) / seconds,
        "p50": statistics.median(ms),
        "p95": ms[min(len(ms) - 1, int(0.95 * (len(ms) - 1)))],
        "max": ms[-1],
        "errors": len(results) - len(ok),
        "statuses": sorted({status for _, status in results if not 200 <= status < 300}),
        "elapsed": elapsed,
        "cpu_ms": cpu * 1000 / max(len(results), 1),
    }


def profile(n: int, site: dict, corpus: list[str]):
    """cProfile of n intakes through the API in-process (Django test client: the same stack minus HTTP)."""
    import cProfile
    import pstats

    from django.test import Client

    client, rng = Client(), random.Random(1)

    def post():
        box = site["box"]
        payload = {
            "content": rng.choice(corpus),
            "lat": rng.uniform(box[1], box[3]),
            "lng": rng.uniform(box[0], box[2]),
        }
        headers = {"HTTP_AUTHORIZATION": f"Bearer {rng.choice(site['tokens'])}"}
        r = client.post("/api/v1/appeals", payload, content_type="application/json", **headers)
        assert r.status_code == 201, r.content[:200]

    for _ in range(20):
        post()  # warm: model loaded, caches filled
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(n):
        post()
    profiler.disable()
    print(f"{n} in-process intakes: {n / (time.perf_counter() - started):.0f}/s under the profiler")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(25)
    stats.print_callees("appeal_submit|suggest_category|find_duplicates|_event|submit")


def cpu_split(n: int, site: dict, corpus: list[str]):
    """n in-process intakes through the API (Django test client): CPU time of this process per intake,
    and of each step of the intake. CPU time, unlike wall time, hardly depends on what else the shared
    machine runs, so this is the figure to compare before and after a change."""
    from collections import Counter

    from django.test import Client

    from redgrid.appeals import intake, services
    from redgrid.core import audit

    spent: Counter = Counter()

    def timed(module, name, label=None):
        fn = getattr(module, name)

        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label or name] += time.process_time() - started

        setattr(module, name, wrapper)

    for name in ("locate", "suggest_category", "sla_for", "route", "find_duplicates"):
        timed(intake, name)
    for name in ("appeal_submit", "_check_rate", "_event", "_tell_reporters"):
        timed(services, name)
    timed(audit, "record", "audit.record")
    client, rng, box = Client(), random.Random(2), site["box"]

    def post():
        payload = {
            "content": rng.choice(corpus),
            "lat": rng.uniform(box[1], box[3]),
            "lng": rng.uniform(box[0], box[2]),
        }
        headers = {"HTTP_AUTHORIZATION": f"Bearer {rng.choice(site['tokens'])}"}
        r = client.post("/api/v1/appeals", payload, content_type="application/json", **headers)
        assert r.status_code == 201, r.content[:200]

    for _ in range(20):
        post()  # warm: model loaded, caches filled
    spent.clear()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        post()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    print(
        f"{n} in-process intakes: CPU {cpu / n * 1000:.1f} ms each (wall {wall / n * 1000:.1f} ms); of which:"
    )
    for name, secs in spent.most_common():
        print(f"   {name:18s} {secs / n * 1000:6.2f} ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--server", choices=["django", "gunicorn"], default="django")
    ap.add_argument("--workers", type=int, default=3, help="server processes")
    ap.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread when > 1)")
    ap.add_argument("--clients", type=int, default=16, help="concurrent client connections")
    ap.add_argument("--client-procs", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--users", type=int, default=3000)
    ap.add_argument("--backlog", type=int, default=2000, help="open appeals of the last week at the start")
    ap.add_argument("--reuse", action="store_true", help="keep the database of the previous run")
    ap.add_argument("--profile", type=int, default=0, help="profile this many in-process intakes and stop")
    ap.add_argument("--cpu", type=int, default=0, help="CPU per in-process intake and per step, and stop")
    args = ap.parse_args()
    if args.serve:
        serve(args.serve)
        return
    setup()
    from django.db import connection

    site_file = ROOT / "var" / f"bench_appeals_intake_{connection.vendor}.json"
    t = time.perf_counter()
    if not args.reuse or not site_file.exists():
        benchdb.fresh_database()
        site = build_site(args.users, args.backlog)
        site_file.write_text(json.dumps(site))
    site = json.loads(site_file.read_text())
    corpus = texts()
    print(
        f"database: {connection.vendor} · {site['grids']} grids · {len(site['tokens'])} resident tokens · "
        f"{site.get('backlog', 0):,} open appeals at the start "
        f"({time.perf_counter() - t:.0f} s to set up)"
    )
    if args.profile:
        profile(args.profile, site, corpus)
        return
    if args.cpu:
        cpu_split(args.cpu, site, corpus)
        return
    connection.close()  # the clients fork; the servers have their own connections
    procs, ports = start_servers(args.server, args.workers, args.threads)
    try:
        label = f"{args.server} × {args.workers}" + (f" × {args.threads} threads" if args.threads > 1 else "")
        print(f"servers: {label} · clients: {args.clients} connections in {args.client_procs} processes")
        run_phase("intake", ports, args.clients, args.client_procs, 3, site, corpus, 0)  # warm the workers
        ratios = []
        for r in range(1, args.rounds + 1):
            out = {}
            for phase in ("bare", "intake"):
                out[phase] = res = run_phase(
                    phase, ports, args.clients, args.client_procs, args.seconds, site, corpus, r, procs
                )
                errors = f" · {res['errors']} failed {res['statuses']}" if res["errors"] else ""
                print(
                    f"   round {r} {phase:6s}: {res['rps']:7.0f}/s · p50 {res['p50']:6.1f} ms · "
                    f"p95 {res['p95']:6.1f} ms · max {res['max']:7.1f} ms · "
                    f"server CPU {res['cpu_ms']:5.1f} ms/request{errors}"
                )
            ratios.append(out["intake"]["rps"] / out["bare"]["rps"])
            print(f"   round {r} intake ÷ bare: {ratios[-1]:.0%}")
    finally:
        stop_servers(procs)
    from redgrid.appeals.models import Appeal

    print(f"appeals in the database: {Appeal.objects.count():,}")


if __name__ == "__main__":
    main()
