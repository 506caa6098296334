"""Deterministic demo data: 山东省潍坊市奎文区广文街道 (370705007) with its 7 real communities.

Everything derives from fixed seeds and a fixed reference date, so two runs produce the same street;
every step is idempotent (keyed by codes, names and usernames), so running it twice adds nothing.
Other apps add their own demo content through `EXTRA_STEPS` (called after the base street exists).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

STREET_CODE = "370705007"
DISTRICT_CODE = "370705"
DEMO_TODAY = date(2026, 7, 1)
SEED = 20260701

# name → callable(ctx) run after the base street; apps append in their AppConfig.ready.
EXTRA_STEPS: list[tuple[str, Callable]] = []


@dataclass
class DemoContext:
    scale: str
    log: Callable[[str], None]
    today: date = DEMO_TODAY
    # The small street of the browser tests (`demo_data --scale tiny`): steps may make less history.
    tiny: bool = False
    street_codes: list[str] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))


def add_step(name: str, fn: Callable) -> None:
    if not any(n == name for n, _ in EXTRA_STEPS):
        EXTRA_STEPS.append((name, fn))


def run(*, scale: str = "street", grids_per_community: int = 8, households: tuple[int, int] = (300, 500),
        members_per_grid: int = 27, log: Callable[[str], None] = print, tiny: bool = False) -> DemoContext:
    """Build the demo.

    1. Load the region subtree from the bundled division codes.
    2. Generate grid boundaries that tile each community, then buildings, households and residents.
    3. Load the category tree and the ~15 responsible units.
    4. Build the party organisation tree (党工委 → 社区党委 → 网格党支部 → 楼栋党小组) and ~1,500 members.
    5. Create the demo accounts and their grants.
    6. Run the extra steps other apps registered.
    """
    from redgrid.demo import accounts, geography, party, units

    ctx = DemoContext(scale=scale, log=log, tiny=tiny)
    geography.build(ctx, grids_per_community=grids_per_community, households=households)
    units.build(ctx)
    party.build(ctx, members_per_grid=members_per_grid)
    with transaction.atomic():
        accounts.build(ctx)
    for name, step in EXTRA_STEPS:
        log(f"· {name}")
        step(ctx)
    return ctx
