"""The dashboards' daily roll-up (DashDaily): appeals received and closed per region node, category and day.

Items of one appeal (its "fact", stored in DashFact so a later change subtracts exactly what was added):

- `intake` +1 on the local day of `created_at`;
- `closed` +1 on the local day of `closed_at` while the appeal's status is closed (a reopened appeal stops
  counting until it is closed again, on its new day);

each for the street, the community and the grid of its place (an unlocated appeal: its street only) and
for its first-level category (the root of `category`, else of the model's `suggested_category`; 0 when
neither is set).

Maintenance: a `post_save`/`post_delete` receiver on Appeal (`connect`) recomputes the appeal's fact in
the saving transaction and adds the difference to the rows with `INSERT … ON CONFLICT DO UPDATE SET
n = n + excluded.n` (atomic on SQLite and PostgreSQL). Services lock the appeal row before saving, so two
changes of one appeal never interleave. Writes that bypass `save()` (QuerySet.update, bulk_create,
generators) are repaired by `rebuild()` (`redgrid assessment_dash_rollup --rebuild`).
"""

from collections import defaultdict
from datetime import date

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from redgrid.regions.models import Region

LEVELS = (Region.Level.STREET, Region.Level.COMMUNITY, Region.Level.GRID)
CLOSED = "closed"

_region_nodes: dict[int, tuple[int, ...]] = {}
_category_roots: dict[int, int] = {}


def day_of(dt) -> date:
    return timezone.localtime(dt, timezone.get_default_timezone()).date()


def region_nodes(region_id: int | None) -> tuple[int, ...]:
    """Street, community and grid ids on the way to a region (cached: the tree above grids is stable)."""
    if region_id is None:
        return ()
    if region_id not in _region_nodes:
        path = Region.objects.filter(pk=region_id).values_list("path", flat=True).first()
        _region_nodes[region_id] = (
            tuple(
                Region.objects.filter(path__in=Region.prefixes(path), level__in=LEVELS)
                .order_by("depth")
                .values_list("pk", flat=True)
            )
            if path
            else ()
        )
    return _region_nodes[region_id]


def category_root(category_id: int | None) -> int:
    if not category_id:
        return 0
    if category_id not in _category_roots:
        from redgrid.units.models import Category

        steplen = Category.steplen
        rows = list(Category.objects.values_list("pk", "path"))
        roots = {path: pk for pk, path in rows if len(path) == steplen}
        _category_roots.clear()
        _category_roots.update({pk: roots.get(path[:steplen], pk) for pk, path in rows})
    return _category_roots.get(category_id, 0)


def clear_caches() -> None:
    _region_nodes.clear()
    _category_roots.clear()


def fact_of(appeal) -> dict:
    closed = appeal.status == CLOSED and appeal.closed_at is not None
    return {
        "nodes": list(region_nodes(appeal.grid_id or appeal.street_id)),
        "category_id": category_root(appeal.category_id or appeal.suggested_category_id),
        "created_day": day_of(appeal.created_at),
        "closed_day": day_of(appeal.closed_at) if closed else None,
    }


def _add(rows, fact: dict, sign: int) -> None:
    for node in fact["nodes"]:
        rows[(node, fact["created_day"], fact["category_id"])][0] += sign
        if fact["closed_day"] is not None:
            rows[(node, fact["closed_day"], fact["category_id"])][1] += sign


def _upsert(rows: dict, *, batch: int = 500) -> None:
    from redgrid.assessment.models import DashDaily

    items = sorted((k, v) for k, v in rows.items() if any(v))
    if not items:
        return
    qn = connection.ops.quote_name
    table = qn(DashDaily._meta.db_table)
    one = "(%s, %s, %s, %s, %s)"
    with connection.cursor() as cursor:
        for i in range(0, len(items), batch):
            chunk = items[i : i + batch]
            cursor.execute(
                f"INSERT INTO {table} ({qn('node_id')}, {qn('day')}, {qn('category_id')}, {qn('intake')}, "
                f"{qn('closed')}) VALUES {', '.join([one] * len(chunk))} "
                f"ON CONFLICT ({qn('node_id')}, {qn('day')}, {qn('category_id')}) DO UPDATE SET "
                f"{qn('intake')} = {table}.{qn('intake')} + excluded.{qn('intake')}, "
                f"{qn('closed')} = {table}.{qn('closed')} + excluded.{qn('closed')}",
                [x for (node, day, cat), (a, b) in chunk for x in (node, day, cat, a, b)],
            )


def _stored(fact_row) -> dict | None:
    if fact_row is None:
        return None
    return {
        "nodes": list(fact_row.nodes),
        "category_id": fact_row.category_id,
        "created_day": fact_row.created_day,
        "closed_day": fact_row.closed_day,
    }


def on_appeal_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """Steps: 1. read the stored fact (none for a new appeal); 2. compute the new one; 3. when they
    differ, add (new − old) to DashDaily and store the new fact."""
    from redgrid.assessment.models import DashFact

    if raw:
        return
    old = None if created else _stored(DashFact.objects.filter(pk=instance.pk).first())
    new = fact_of(instance)
    if old == new:
        return
    rows = defaultdict(lambda: [0, 0])
    if old is not None:
        _add(rows, old, -1)
    _add(rows, new, 1)
    with transaction.atomic():
        _upsert(rows)
        if created:  # every intake passes here: a plain insert, not update_or_create's locked read first
            DashFact.objects.create(pk=instance.pk, **new)
        else:
            DashFact.objects.update_or_create(pk=instance.pk, defaults=new)


def on_appeal_deleted(sender, instance, **kwargs) -> None:
    from redgrid.assessment.models import DashFact

    old = _stored(DashFact.objects.filter(pk=instance.pk).first())
    if old is None:
        return
    rows = defaultdict(lambda: [0, 0])
    _add(rows, old, -1)
    with transaction.atomic():
        _upsert(rows)
        DashFact.objects.filter(pk=instance.pk).delete()


def connect() -> None:
    from redgrid.appeals.models import Appeal

    post_save.connect(on_appeal_saved, sender=Appeal, dispatch_uid="assessment_dash_rollup_save")
    post_delete.connect(on_appeal_deleted, sender=Appeal, dispatch_uid="assessment_dash_rollup_delete")


# --- rebuilding and checking -------------------------------------------------------------------------


def expected(chunk: int = 5000):
    """(facts by appeal id, DashDaily rows) recomputed from the appeals table."""
    from redgrid.appeals.models import Appeal

    clear_caches()
    facts, rows = {}, defaultdict(lambda: [0, 0])
    qs = Appeal.objects.order_by("pk").values_list(
        "pk",
        "grid_id",
        "street_id",
        "category_id",
        "suggested_category_id",
        "status",
        "created_at",
        "closed_at",
    )
    for pk, grid, street, cat, suggested, status, created_at, closed_at in qs.iterator(chunk_size=chunk):
        fact = {
            "nodes": list(region_nodes(grid or street)),
            "category_id": category_root(cat or suggested),
            "created_day": day_of(created_at),
            "closed_day": day_of(closed_at) if status == CLOSED and closed_at is not None else None,
        }
        facts[pk] = fact
        _add(rows, fact, 1)
    return facts, {k: v for k, v in rows.items() if any(v)}


def rebuild() -> dict:
    """Recompute both tables from the appeals (inside one transaction; readers see the old rows until
    it commits)."""
    from redgrid.assessment.models import DashDaily, DashFact

    facts, rows = expected()
    with transaction.atomic():
        DashDaily.objects.all().delete()
        DashFact.objects.all().delete()
        DashFact.objects.bulk_create(
            [DashFact(appeal_id=pk, **fact) for pk, fact in facts.items()], batch_size=2000
        )
        _upsert(rows)
    return {"appeals": len(facts), "rows": len(rows)}


def stored_rows() -> dict:
    from redgrid.assessment.models import DashDaily

    return {
        (n, d, c): [a, b]
        for n, d, c, a, b in DashDaily.objects.values_list(
            "node_id", "day", "category_id", "intake", "closed"
        )
        if a or b
    }
