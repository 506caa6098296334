"""Scoped reads behind the staff pages of 接诉即办: the three queues, their filters, the public list.

Every queue starts from `selectors.appeals_visible_to` (so a row outside the viewer's subtree can never
appear) and narrows it to the viewer's role:

- 派单队列 (dispatcher): appeals located in the viewer's region grants (unlocated ones by their street,
  so only the street sees the 未定位 tab's rows); street, community, leader and admin accounts.
- 单位队列 (unit): appeals on which one of the viewer's units holds an active task.
- 核查队列 (verification): replied appeals in the grids of the viewer's grid-worker/community grants.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from redgrid.appeals.models import (
    Appeal,
    AppealRating,
    AppealUnitTask,
    Channel,
    Rating,
    Status,
)
from redgrid.appeals.selectors import (
    appeals_visible_to,
    can_verify,
    verify_queue,
    with_overdue_flag,
)
from redgrid.core.access import scope_of
from redgrid.core.crypto import lookup_hash, normalise
from redgrid.regions.models import Region
from redgrid.units.models import Category

DISPATCH_ROLES = ("street", "community", "leader")
TRIAGE_STATES = (Status.RECEIVED, Status.REGISTERED)

# queue → tab → (label, condition on the annotated queryset)
DISPATCH_TABS = {
    "new": "新受理",
    "unlocated": "未定位",
    "duplicates": "疑似重复",
    "overdue": "超期",
    "all": "全部诉求",
}
UNIT_TABS = {"report": "待报到", "handling": "处置中", "overdue": "超期", "all": "全部"}
VERIFY_TABS = {"verify": "待核查"}
QUEUES = {"dispatch": DISPATCH_TABS, "unit": UNIT_TABS, "verify": VERIFY_TABS}
QUEUE_LABELS = {"dispatch": "派单队列", "unit": "单位队列", "verify": "核查队列"}


def can_dispatch_queue(user) -> bool:
    return scope_of(user).has_role(*DISPATCH_ROLES) and bool(
        scope_of(user).is_admin or scope_of(user).region_paths
    )


def can_unit_queue(user) -> bool:
    scope = scope_of(user)
    return scope.is_admin or bool(scope.unit_ids)


def can_verify_queue(user) -> bool:
    return can_verify(user)


def can_hotline(user) -> bool:
    return scope_of(user).has_role("street", "community")


def _region_part(user) -> Q:
    """The appeals of the viewer's region grants, by street or grid id (not by the joined region path),
    so the (status, street|grid, created_at) queue indexes serve the queues. A grant at street level or
    above covers its streets' appeals, unlocated ones included (the triage queue); a community or grid
    grant covers the appeals located in its grids. Relies on `Appeal.street` being the street of
    `Appeal.grid`, which intake and 立案 maintain; the scoped selector it is combined with stays the guard."""
    scope = scope_of(user)
    if scope.is_admin:
        return ~Q(pk__in=[])
    below_street = (Region.Level.COMMUNITY, Region.Level.GRID)
    streets, grids = Q(pk__in=[]), Q(pk__in=[])
    for path, level in Region.objects.filter(path__in=scope.region_paths).values_list("path", "level"):
        if level in below_street:
            grids |= Q(path__startswith=path, level=Region.Level.GRID)
        else:
            streets |= Q(path__startswith=path, level=Region.Level.STREET)
    street_ids = list(Region.objects.filter(streets).values_list("id", flat=True))
    grid_ids = list(Region.objects.filter(grids).values_list("id", flat=True))
    return Q(street_id__in=street_ids) | Q(grid_id__in=grid_ids)


def _my_tasks(user):
    """Active tasks of the viewer's units (every active task for an administrator)."""
    scope = scope_of(user)
    tasks = AppealUnitTask.objects.filter(appeal=OuterRef("pk"), ended_at__isnull=True)
    return tasks if scope.is_admin else tasks.filter(unit_id__in=list(scope.unit_ids))


def _active_task_appeals(user):
    scope = scope_of(user)
    tasks = AppealUnitTask.objects.filter(ended_at__isnull=True)
    if not scope.is_admin:
        tasks = tasks.filter(unit_id__in=list(scope.unit_ids))
    return tasks.values("appeal_id")


def queue_base(user, queue: str, tab: str, now) -> QuerySet[Appeal]:
    """The rows of one tab of one queue, annotated with `is_late`, most urgent first; 404 if the viewer
    has no such queue (a street account asking for the unit queue sees nothing, not an empty page)."""
    if queue == "dispatch" and can_dispatch_queue(user):
        qs = with_overdue_flag(appeals_visible_to(user).filter(_region_part(user)), now)
        qs = _dispatch_tab(qs, tab)
    elif queue == "unit" and can_unit_queue(user):
        # By the task index (unit, ended_at, …): a unit's open tasks are few among all appeals.
        qs = appeals_visible_to(user).filter(pk__in=_active_task_appeals(user))
        qs = _unit_tab(with_overdue_flag(qs, now), tab, user)
    elif queue == "verify" and can_verify_queue(user):
        qs = with_overdue_flag(verify_queue(user), now)
    else:
        raise Http404("未找到，或不在您的管辖范围内")
    return qs.select_related("grid", "street", "category", "owner_unit", "suggested_unit")


def _dispatch_tab(qs, tab: str):
    # A merged appeal is 已撤销, so the state filters below leave it out without a merged_into test.
    if tab == "new":
        return qs.filter(status__in=TRIAGE_STATES).order_by("-is_late", "created_at", "id")
    if tab == "unlocated":
        return qs.filter(status__in=TRIAGE_STATES, grid__isnull=True).order_by("-is_late", "created_at", "id")
    if tab == "duplicates":
        return (
            qs.filter(status__in=TRIAGE_STATES)
            .exclude(possible_duplicates=[])
            .order_by("-is_late", "created_at", "id")
        )
    if tab == "overdue":
        return qs.filter(is_late=True).order_by("resolve_due_at", "id")
    return qs.order_by("-is_late", "-created_at", "-id")


def _unit_tab(qs, tab: str, user):
    mine = _my_tasks(user)
    unreported = mine.filter(reported_at__isnull=True)
    if tab == "report":
        # Countdown to the earliest report-in limit of the viewer's unreported tasks (overdue sort first).
        due = unreported.order_by().values("appeal").annotate(m=Min("due_at")).values("m")
        return (
            qs.filter(Exists(unreported))
            .annotate(report_due_at=Subquery(due[:1]))
            .order_by("report_due_at", "id")
        )
    if tab == "handling":
        reported = mine.filter(reported_at__isnull=False)
        return qs.filter(Exists(reported), status__in=(Status.DISPATCHED, Status.IN_PROGRESS)).order_by(
            "-is_late", "resolve_due_at", "id"
        )
    if tab == "overdue":
        return qs.filter(is_late=True).order_by("resolve_due_at", "id")
    return qs.order_by("-is_late", "resolve_due_at", "id")


# --- filters -----------------------------------------------------------------------------------------


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    category: str = ""
    grid: str = ""
    channel: str = ""
    date_from: str = ""
    date_to: str = ""
    overdue: str = ""
    area: str = ""  # a region of any level (the dashboards' drill-down links)
    errors: tuple = ()

    @property
    def active(self) -> bool:
        return any(
            (
                self.q,
                self.status,
                self.category,
                self.grid,
                self.channel,
                self.date_from,
                self.date_to,
                self.overdue,
                self.area,
            )
        )


def _day(value: str, errors: list, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{what}格式应为 年-月-日")
        return None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def apply_filters(user, qs: QuerySet[Appeal], params) -> tuple[QuerySet[Appeal], Filters]:
    """Search (编号, text, or a full caller phone) and the filters of every queue and of the export.
    A grid outside the viewer's scope is a 404, like any other object outside it."""
    f = Filters(**{k: (params.get(k) or "").strip() for k in Filters.__dataclass_fields__ if k != "errors"})
    errors: list[str] = []
    if f.q:
        text = Q(title__icontains=f.q) | Q(content__icontains=f.q) | Q(address__icontains=f.q)
        compact = f.q.replace(" ", "").lstrip("#")
        if compact.isdigit():
            text |= Q(pk=int(compact)) if len(compact) < 12 else Q(pk__in=[])
            text |= Q(caller_phone_hash=lookup_hash(normalise("phone", compact)))
        qs = qs.filter(text)
    if f.status in Status.values:
        qs = qs.filter(status=f.status)
    if f.channel in Channel.values:
        qs = qs.filter(channel=f.channel)
    if f.category.isdigit():
        category = Category.objects.filter(pk=f.category).only("path").first()
        qs = qs.filter(category__path__startswith=category.path) if category else qs.none()
    if f.grid:
        if not f.grid.isdigit():
            raise Http404("未找到，或不在您的管辖范围内")
        from redgrid.regions.selectors import access_grid

        qs = qs.filter(grid=access_grid(user, f.grid))
    if f.area:
        if not f.area.isdigit():
            raise Http404("未找到，或不在您的管辖范围内")
        from redgrid.regions.selectors import access_region

        region = access_region(user, f.area)
        qs = qs.filter(
            Q(grid__path__startswith=region.path) | Q(grid__isnull=True, street__path__startswith=region.path)
        )
    start, end = _day(f.date_from, errors, "开始日期"), _day(f.date_to, errors, "结束日期")
    if start:
        qs = qs.filter(created_at__gte=_local_midnight(start))
    if end:
        qs = qs.filter(created_at__lt=_local_midnight(end) + timedelta(days=1))
    if f.overdue == "yes":
        qs = qs.filter(is_late=True)
    elif f.overdue == "no":
        qs = qs.filter(is_late=False)
    f.errors = tuple(errors)
    return qs, f


def filter_choices(user) -> dict:
    """Options of the filter bar: statuses, channels, categories, the viewer's grids."""
    from redgrid.regions.selectors import grids_visible_to
    from redgrid.units.selectors import category_tree

    return {
        "statuses": Status.choices,
        "channels": Channel.choices,
        # Two levels are enough to filter by (a level includes its subtree); the full tree has ~650 rows.
        "categories": list(category_tree().filter(depth__lte=2).only("id", "name", "depth")),
        "grids": list(grids_visible_to(user).only("id", "name").order_by("path")[:500]),
    }


def duplicate_candidates(user, appeal: Appeal) -> list[Appeal]:
    """The appeal's duplicate candidates the viewer may see (the others stay hidden)."""
    ids = [i for i in appeal.possible_duplicates or [] if isinstance(i, int)]
    if not ids:
        return []
    return list(
        appeals_visible_to(user).filter(pk__in=ids).select_related("grid", "category").order_by("-created_at")
    )


def queue_counts(user, now=None) -> dict[str, int]:
    """Open work per queue, for the workbench (one count per queue the viewer has)."""
    now = now or timezone.now()
    counts = {}
    if can_dispatch_queue(user):
        counts["dispatch"] = queue_base(user, "dispatch", "new", now).count()
    if can_unit_queue(user):
        counts["unit"] = queue_base(user, "unit", "report", now).count()
    if can_verify_queue(user):
        counts["verify"] = queue_base(user, "verify", "verify", now).count()
    return counts


# --- the public page ---------------------------------------------------------------------------------

# Shown publicly once a dispatcher has registered the appeal; rejected, cancelled and merged ones are not
# (they are not work the public can follow), nor are appeals still in the 受理 triage step.
PUBLIC_STATES = (Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED)
# Approximate point for non-sensitive categories: 3 decimals ≈ 110 m north–south — a block, not a door.
PUBLIC_POINT_DECIMALS = 3


def public_appeals(*, street=None, community=None, grid=None) -> QuerySet[Appeal]:
    """Located, registered appeals for the anonymous public page (no personal fields are selected),
    newest first. The state test is written as an exclusion so that SQLite walks the primary key
    backwards for the first page instead of sorting every public appeal."""
    # Merged appeals are 已撤销, outside PUBLIC_STATES.
    hidden = [s for s in Status.values if s not in PUBLIC_STATES]
    qs = Appeal.objects.exclude(status__in=hidden).exclude(grid=None)
    if grid is not None:
        qs = qs.filter(grid_id=grid.pk)
    elif community is not None:
        grids = Region.objects.filter(path__startswith=community.path, level=Region.Level.GRID)
        qs = qs.filter(grid_id__in=list(grids.values_list("id", flat=True)))
    elif street is not None:
        qs = qs.filter(street_id=street.pk)
    return (
        qs.select_related("grid", "category")
        .only(
            "id",
            "status",
            "created_at",
            "closed_at",
            "lat",
            "lng",
            "resolve_due_at",
            "merged_into",
            "grid__id",
            "grid__name",
            "grid__path",
            "grid__depth",
            "category__id",
            "category__name",
            "category__path",
        )
        .order_by("-id")
    )


def sensitive_category_paths() -> tuple[str, ...]:
    """A category is sensitive when it or an ancestor carries `Category.is_sensitive`."""
    return tuple(Category.objects.filter(is_sensitive=True).values_list("path", flat=True))


def public_row(
    appeal: Appeal, sensitive: tuple[str, ...], communities: dict[str, str], ratings: dict[int, str]
) -> dict:
    category = appeal.category
    is_sensitive = category is not None and category.path.startswith(sensitive) if sensitive else False
    point = None
    if not is_sensitive and appeal.lat is not None:
        point = (f"{appeal.lat:.{PUBLIC_POINT_DECIMALS}f}", f"{appeal.lng:.{PUBLIC_POINT_DECIMALS}f}")
    return {
        "id": appeal.pk,
        "category": category.name if category else "未分类",
        "sensitive": is_sensitive,
        "status": appeal.status_label,
        "created": timezone.localtime(appeal.created_at).date(),
        "closed": timezone.localtime(appeal.closed_at).date() if appeal.closed_at else None,
        "rating": Rating(ratings[appeal.pk]).label if appeal.pk in ratings else "",
        "grid": appeal.grid.name,
        "community": communities.get(appeal.grid.parent_path, ""),
        "point": point,
    }


def public_rows(appeals) -> list[dict]:
    appeals = list(appeals)
    parents = {a.grid.parent_path for a in appeals}
    communities = dict(Region.objects.filter(path__in=parents).values_list("path", "name"))
    sensitive = sensitive_category_paths()
    # The latest rating of each appeal on the page (ordered by round, the last one wins); looked up for
    # the page only, never as a subquery over every public appeal.
    ratings = dict(
        AppealRating.objects.filter(appeal_id__in=[a.pk for a in appeals])
        .order_by("appeal_id", "round")
        .values_list("appeal_id", "rating")
    )
    return [public_row(a, sensitive, communities, ratings) for a in appeals]


def public_places(params) -> dict:
    """The street → community → grid pickers of the public page (each list limited by the choice above)."""

    def pick(level, value, parent):
        if not (value or "").isdigit():
            return None
        qs = Region.objects.filter(level=level, pk=value)
        if parent is not None:
            qs = qs.filter(path__startswith=parent.path)
        found = qs.first()
        if found is None:
            raise Http404("没有这个地区")
        return found

    street = pick(Region.Level.STREET, params.get("street"), None)
    community = pick(Region.Level.COMMUNITY, params.get("community"), street)
    grid = pick(Region.Level.GRID, params.get("grid"), community or street)
    streets = Region.objects.filter(level=Region.Level.STREET).order_by("code").only("id", "name")
    communities = grids = Region.objects.none()
    if street is not None:
        communities = Region.objects.filter(level=Region.Level.COMMUNITY, path__startswith=street.path)
    if community is not None:
        grids = Region.objects.filter(level=Region.Level.GRID, path__startswith=community.path)
    return {
        "street": street,
        "community": community,
        "grid": grid,
        "streets": list(streets[:1000]),
        "communities": list(communities.order_by("code").only("id", "name")[:500]),
        "grids": list(grids.order_by("code").only("id", "name")[:500]),
    }
