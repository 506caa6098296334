"""Demo appeals: about a hundred appeals of the demo street walked through the real services, so every
queue, the timeline, the public page and the ranking have something to show after `make demo`.

They are created through the same services a user triggers (events, tasks, ratings, audit rows and
notifications are real); only a few deadlines are moved into the past afterwards so the queues also show
overdue work in red. The step adds nothing when the street already has appeals (idempotent)."""

import csv
import random
from datetime import timedelta
from pathlib import Path

from django.db.models import F
from django.utils import timezone

from redgrid.accounts.models import User
from redgrid.appeals import services
from redgrid.appeals.models import Appeal, AppealUnitTask, Channel, Rating, Status
from redgrid.core.rules import rule_value
from redgrid.regions.divisions import full_code
from redgrid.regions.models import Region, Resident
from redgrid.regions.selectors import home_grid_of
from redgrid.units.models import Unit

EXAMPLES = Path(__file__).parent / "data" / "examples.csv"
# How far each demo appeal gets: (final stage, share).
STAGES = [
    ("received", 0.12),
    ("registered", 0.08),
    ("rejected", 0.03),
    ("dispatched", 0.10),
    ("in_progress", 0.15),
    ("replied", 0.10),
    ("closed", 0.07),
    ("rated", 0.35),
]
RATINGS = [Rating.SATISFIED] * 7 + [Rating.BASICALLY_SATISFIED] * 2 + [Rating.UNSATISFIED]


def _examples() -> list[tuple[str, str]]:
    with EXAMPLES.open(encoding="utf-8") as fh:
        return [(row["title"], row["detail"]) for row in csv.DictReader(fh)]


def build(ctx) -> None:
    street = Region.objects.get(code=full_code("370705007"))
    if Appeal.objects.filter(street=street).exists():
        ctx.log("· 演示诉求已存在")
        return
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["resident", "gridworker", "street", "unit", "admin"])
    }
    grids = list(
        Region.objects.filter(path__startswith=street.path, level=Region.Level.GRID).order_by("code")
    )
    demo_unit = Unit.objects.get(short_name="城管执法")
    units = list(Unit.objects.filter(is_active=True).order_by("id"))
    rng = random.Random(20261121)
    examples = _examples()
    count = 40 if ctx.tiny else 110
    stages = rng.choices([s for s, _ in STAGES], weights=[w for _, w in STAGES], k=count)
    reporters = [users["resident"], *_quiet_reporters(grids)]
    load = dict.fromkeys(reporters, 0)
    per_hour = int(rule_value("appeals.intake.per_account_per_hour"))
    # The demo resident keeps half the hourly limit free, so whoever tries the demo can still report.
    cap = {r: per_hour - 1 for r in reporters} | {users["resident"]: per_hour // 2}
    for i, stage in enumerate(stages):
        title, detail = examples[i % len(examples)]
        channel = rng.choice([Channel.H5, Channel.H5, Channel.PATROL, Channel.HOTLINE])
        actor = users["gridworker"] if channel == Channel.PATROL else users["street"]
        if channel == Channel.H5:
            # The demo resident reports first (so 我的诉求 shows every state), then the neighbours; nobody
            # goes over the hourly intake limit.
            actor = next((r for r in reporters if load[r] < cap[r]), users["street"])
            channel = Channel.H5 if actor in load else Channel.HOTLINE
            load[actor] = load.get(actor, 0) + 1
        grid = (home_grid_of(actor) if channel == Channel.H5 else None) or rng.choice(grids)
        jitter = lambda: rng.uniform(-0.0008, 0.0008)  # noqa: E731  (a point near the grid centre)
        result = services.appeal_submit(
            actor=actor,
            content=detail,
            title=title,
            lat=(grid.center_lat or 0) + jitter() if grid.center_lat else None,
            lng=(grid.center_lng or 0) + jitter() if grid.center_lng else None,
            channel=channel,
            caller_phone=f"1350536{i:04d}" if channel == Channel.HOTLINE else "",
        )
        _advance(result.appeal, stage, users, demo_unit if i % 2 == 0 else rng.choice(units), rng)
    _make_some_overdue(street, rng)
    from redgrid.appeals.sweep import sweep

    sweep()
    ctx.log(f"· 演示诉求：{count} 件（各状态都有，含超期）")


def _quiet_reporters(grids) -> list[User]:
    """Neighbours who report through the app too (no password: they exist only as reporters)."""
    out = []
    for n, grid in enumerate(grids[:: max(1, len(grids) // 10)][:10], start=1):
        person = (
            Resident.objects.filter(household__building__grid=grid, account__isnull=True)
            .order_by("id")
            .first()
        )
        if person is None:
            continue
        user, created = User.objects.get_or_create(
            username=f"demo_reporter{n}", defaults={"display_name": person.name, "person": person}
        )
        if created:
            user.set_unusable_password()
            user.save()
        out.append(user)
    return out


def _advance(appeal: Appeal, stage: str, users: dict, unit: Unit, rng: random.Random) -> None:
    street, admin = users["street"], users["admin"]
    if stage == "received":
        return
    if stage == "rejected":
        services.appeal_reject(
            actor=street, appeal=appeal, reason="不属于政务服务范围，已告知通过司法途径解决"
        )
        return
    services.appeal_register(actor=street, appeal=appeal)
    if stage == "registered":
        return
    services.appeal_dispatch(actor=street, appeal=appeal, unit=unit)
    if stage == "dispatched":
        return
    handler = users["unit"] if unit.short_name == "城管执法" else admin
    services.appeal_accept(actor=handler, appeal=appeal, unit=unit)
    if stage == "in_progress":
        return
    services.appeal_reply(actor=handler, appeal=appeal, content="已到现场处置完毕，问题已解决，请核查。")
    if stage == "replied":
        return
    services.appeal_verify(actor=admin, appeal=appeal, passed=True, note="现场核查，已整改到位")
    appeal.refresh_from_db()
    if stage == "rated" and appeal.reporter_id:
        services.appeal_rate(actor=appeal.reporter, appeal=appeal, rating=rng.choice(RATINGS), comment="")


def _make_some_overdue(street: Region, rng: random.Random) -> None:
    """Move a few deadlines into the past: the queues should also show what overdue work looks like."""
    now = timezone.now()
    open_ids = list(
        Appeal.objects.filter(street=street, status__in=[Status.DISPATCHED, Status.IN_PROGRESS])
        .order_by("id")
        .values_list("id", flat=True)
    )
    late = rng.sample(open_ids, k=min(6, len(open_ids)))
    Appeal.objects.filter(pk__in=late).update(
        resolve_due_at=now - timedelta(hours=5), created_at=F("created_at") - timedelta(days=8)
    )
    AppealUnitTask.objects.filter(appeal_id__in=late, reported_at__isnull=True).update(
        due_at=now - timedelta(hours=20)
    )
