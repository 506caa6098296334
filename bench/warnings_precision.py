"""Precision and recall of the early warning (未诉先办, assessment/hotspots.py) on a labelled sample.

    .venv/bin/python bench/warnings_precision.py
    .venv/bin/python bench/warnings_precision.py --communities 60 --weeks 40 --seed 2

The sample (built here, honestly labelled; nothing is copied into the repository):
1. Texts: the 495 real message-board appeals of ../shared/data/appeals/teddy2020_messages_labeled.csv
   (title + detail), read from there at run time.
2. Background: each community gets a weekly rate drawn from 10–40 appeals, multiplied every week by a
   gamma factor (shape 8: ±35 % week-to-week, more spread than a Poisson stream), the appeals spread over
   the week, each text drawn at random from all 495 — so every topic also occurs at its natural rate.
3. Surges (the positives): in `--surge-share` of the community-weeks after the 9 weeks of warm-up, a
   topic is injected: a keyword chosen among the terms that 5–40 of the texts contain, and 4–10 extra
   appeals drawn from the texts containing it. The label is (community, week, the injected appeals).
4. Detection: `hotspots.detect` (the code of the periodic job, with the rules' default parameters) runs
   at the end of every week on each community's appeals of the last 9 weeks (the job loads those rows
   from the database and calls the same function).
5. Scoring: a warning is correct when at least half of its appeals are injected ones of a surge of that
   community-week; a surge is found when one warning holds at least half of its appeals.
   precision = correct warnings ÷ warnings, recall = surges found ÷ surges.
"""

import argparse
import csv
import math
import os
import random
import sys
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data" / "appeals" / "teddy2020_messages_labeled.csv"


def setup():
    os.environ.setdefault("REDGRID_ENV", "demo")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_warnings.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redgrid.settings")
    import django

    django.setup()


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [f"{r['title']}\n{r['detail']}" for r in csv.DictReader(fh)]


def gamma(rng: random.Random, shape: float) -> float:
    return rng.gammavariate(shape, 1 / shape)


def poisson(rng: random.Random, lam: float) -> int:
    # Knuth for small means, normal approximation above (rates here stay below ~60).
    if lam > 30:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def simulate(texts, terms, args, params, rng):
    from redgrid.assessment.hotspots import detect

    df = Counter(t for ts in terms for t in ts)
    topics = sorted(t for t, n in df.items() if 5 <= n <= 40)
    holders = {t: [i for i, ts in enumerate(terms) if t in ts] for t in topics}
    start = datetime(2026, 1, 5, 0, 0)
    warmup = params.baseline_weeks + 1
    stats = Counter()
    by_size = defaultdict(lambda: [0, 0])
    next_id = 0
    for _community in range(args.communities):
        rate = rng.uniform(10, 40)
        stream = []  # (id, created_at, terms)
        injected: dict[int, set[int]] = {}
        for week in range(args.weeks):
            w0 = start + timedelta(days=7 * week)
            for _ in range(poisson(rng, rate * gamma(rng, 8))):
                i = rng.randrange(len(texts))
                stream.append((next_id, w0 + timedelta(seconds=rng.uniform(0, 7 * 86400 - 1)), terms[i]))
                next_id += 1
            if week >= warmup and rng.random() < args.surge_share:
                topic = rng.choice(topics)
                size = rng.randint(4, 10)
                ids = set()
                for _ in range(size):
                    i = rng.choice(holders[topic])
                    stream.append((next_id, w0 + timedelta(seconds=rng.uniform(0, 7 * 86400 - 1)), terms[i]))
                    ids.add(next_id)
                    next_id += 1
                injected[week] = ids
            if week < warmup:
                continue
            now = w0 + timedelta(days=7)
            window = [a for a in stream if now - timedelta(days=7 * warmup) <= a[1] < now]
            fired = detect(window, now, params)
            surge = injected.get(week)
            stats["community_weeks"] += 1
            stats["warnings"] += len(fired)
            if surge is not None:
                stats["surges"] += 1
                bucket = "4–5" if len(surge) <= 5 else "6–7" if len(surge) <= 7 else "8–10"
                by_size[bucket][1] += 1
            found = False
            for b in fired:
                ids = set(b.appeal_ids)
                if surge is not None and len(ids & surge) >= 0.5 * len(ids):
                    stats["correct"] += 1
                if surge is not None and len(ids & surge) >= 0.5 * len(surge):
                    found = True
            if surge is not None and found:
                stats["found"] += 1
                by_size[bucket][0] += 1
            if surge is None and fired:
                stats["false_weeks"] += 1
    return stats, by_size, len(topics)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--communities", type=int, default=40)
    ap.add_argument("--weeks", type=int, default=30)
    ap.add_argument("--surge-share", type=float, default=0.1, help="share of community-weeks with a surge")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--defaults-only", action="store_true", help="only the rules' default parameters")
    args = ap.parse_args()
    setup()
    from redgrid.assessment.hotspots import Params
    from redgrid.assessment.hotspots import topic_terms_of as terms_of

    texts = read_texts(Path(args.data))
    terms = [terms_of(t) for t in texts]
    settings = [("defaults (rules table)", Params())]  # a test keeps these equal to the rules defaults
    for alpha in (0.01, 0.003, 0.001, 0.0003):
        for min_count in (4, 5):
            settings.append(
                (f"α = {alpha}, min_count = {min_count}", Params(alpha=alpha, min_count=min_count))
            )
    settings.append(("α = 0.001, k = 2", Params(alpha=0.001, k=2.0)))
    if args.defaults_only:
        settings = settings[:1]
    print(f"texts: {len(texts)} real appeals from {args.data}")
    print(
        f"sample: {args.communities} communities × {args.weeks} weeks (9 of warm-up), surges in "
        f"{args.surge_share:.0%} of the community-weeks, seed {args.seed}"
    )
    for label, params in settings:
        stats, by_size, n_topics = simulate(texts, terms, args, params, random.Random(args.seed))
        precision = stats["correct"] / stats["warnings"] if stats["warnings"] else float("nan")
        recall = stats["found"] / stats["surges"] if stats["surges"] else float("nan")
        quiet = stats["community_weeks"] - stats["surges"]
        print(
            f"{label:24s} warnings {stats['warnings']:4d} · precision {precision:.3f} · recall {recall:.3f} "
            f"({stats['found']}/{stats['surges']} surges) · quiet weeks with a false alarm "
            f"{stats['false_weeks']}/{quiet} · recall by surge size "
            + ", ".join(f"{k}: {v[0]}/{v[1]}" for k, v in sorted(by_size.items()))
        )
    print(f"topics that can surge (terms in 5–40 texts): {n_topics}")


if __name__ == "__main__":
    main()
