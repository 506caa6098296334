"""Scoped reads behind the dashboards: the leader's large screen, the branch view, the public statistics.

Numbers come from the daily roll-ups (DashDaily for received/closed per day and category; appeals.metrics
for the three rates) and from small live counts over open appeals (indexed by status); the `*_raw`
functions recompute the same figures from the appeals table (bench/dashboards.py compares both).

Load of a grid (map colour) = open appeals ÷ residents × 1000 (open: received to replied, not merged);
overdue = open appeals past their resolve deadline.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from redgrid.assessment.dash_rollup import LEVELS
from redgrid.core.access import scope_of
from redgrid.core.rules import rule_value
from redgrid.regions.models import Region

TREND_DAYS = 90
CATEGORY_DAYS = 30
UNIT_DAYS = 30
LEADER_ROLES = ("leader", "street", "community", "gridworker", "admin")


# --- scope -------------------------------------------------------------------------------------------


def can_view_screen(user) -> bool:
    scope = scope_of(user)
    return scope.is_admin or (scope.has_role(*LEADER_ROLES) and bool(scope.region_paths))


def screen_root(user, node_id=None) -> Region:
    """The region the screen shows: the asked node (404 outside the viewer's subtree), else the viewer's
    first (outermost) region grant, else for an administrator the first county (or the first root)."""
    from redgrid.regions.selectors import access_region

    if not can_view_screen(user):
        raise Http404("未找到，或不在您的管辖范围内")
    if node_id not in (None, ""):
        return access_region(user, node_id)
    scope = scope_of(user)
    if scope.region_paths:
        return Region.objects.filter(path__in=scope.region_paths).order_by("depth", "code").first()
    return (
        Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
        or Region.objects.filter(depth=1).order_by("code").first()
    )


def rollup_nodes(node: Region) -> list[int]:
    """The DashDaily node ids whose rows make up a region (itself, or the streets below a county)."""
    if node.level in LEVELS:
        return [node.pk]
    return list(
        Region.objects.filter(level=Region.Level.STREET, path__startswith=node.path).values_list(
            "pk", flat=True
        )
    )


def _area_q(node: Region, prefix: str = "") -> Q:
    return Q(**{f"{prefix}grid__path__startswith": node.path}) | Q(
        **{f"{prefix}grid__isnull": True, f"{prefix}street__path__startswith": node.path}
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def queue_link(user, **filters) -> str | None:
    """The staff queue of appeals narrowed to the records behind a number, for viewers who have it."""
    from redgrid.appeals.queues import can_dispatch_queue

    if not can_dispatch_queue(user):
        return None
    params = {"tab": "all", **{k: v for k, v in filters.items() if v not in (None, "")}}
    return reverse("appeals:staff_dispatch") + "?" + urlencode(params)


# --- the leader's large screen -----------------------------------------------------------------------


def grid_loads(node: Region, now: datetime | None = None) -> dict[int, dict]:
    """Open and overdue appeals per grid under a node (one grouped query over open appeals)."""
    from redgrid.appeals.models import OPEN_STATES, Appeal

    now = now or timezone.now()
    rows = (
        Appeal.objects.filter(
            status__in=OPEN_STATES, merged_into__isnull=True, grid__path__startswith=node.path
        )
        .values("grid_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(resolve_due_at__lt=now)))
        .order_by()
    )
    return {r["grid_id"]: {"open": r["open"], "overdue": r["overdue"]} for r in rows}


def grid_shapes(node: Region) -> bytes:
    """GeoJSON of the grids under the node (id, name, code; no figures) for ECharts `registerMap`, as
    JSON bytes. Boundaries change rarely: the serialised collection is cached under a key made of the
    grids' count and latest change, so an edited grid shows at once and an unchanged district is neither
    re-read nor re-encoded on every request."""
    import json

    from django.core.cache import cache
    from django.db.models import Max

    grids = Region.objects.filter(level=Region.Level.GRID, path__startswith=node.path).exclude(geometry=None)
    stamp = grids.aggregate(n=Count("id"), at=Max("updated_at"))
    key = f"assessment:shapes:{node.pk}:{stamp['n']}:{stamp['at'].timestamp() if stamp['at'] else 0}"
    data = cache.get(key)
    if data is None:
        rows = grids.order_by("code").values_list("pk", "name", "code", "geometry")[:5000]
        data = json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": pk, "name": name, "code": code},
                        "geometry": geometry,
                    }
                    for pk, name, code, geometry in rows
                ],
            },
            ensure_ascii=False,
        ).encode()
        cache.set(key, data, 3600)
    return data


def screen_map(user, node: Region, now: datetime | None = None) -> dict:
    """The figures of each grid under the node: residents, open, overdue, load per 1,000 residents, and the
    links to their appeals (the shapes come from `grid_shapes`)."""
    from redgrid.assessment.allocation import residents_under

    grids = list(
        Region.objects.filter(level=Region.Level.GRID, path__startswith=node.path)
        .exclude(geometry=None)
        .order_by("code")
        .values_list("pk", "name", "code")[:5000]
    )
    people = residents_under(node, [g[0] for g in grids])
    loads = grid_loads(node, now)
    link = queue_link(user, grid=0)  # one reverse; each grid's link differs only by its id
    rows = []
    for pk, name, code in grids:
        residents = people.get(pk, 0)
        load = loads.get(pk, {"open": 0, "overdue": 0})
        rows.append(
            {
                "id": pk,
                "name": name,
                "code": code,
                "residents": residents,
                "open": load["open"],
                "overdue": load["overdue"],
                "load": round(1000 * load["open"] / residents, 2) if residents else None,
                "link": link and link.replace("grid=0", f"grid={pk}"),
            }
        )
    # The overdue appeals of a grid: its link plus `&overdue=yes` (the page adds it).
    return {"grids": rows}


def trend(node: Region, *, days: int = TREND_DAYS, today: date | None = None) -> dict:
    """Appeals received and closed per day over the last `days` days (DashDaily)."""
    from redgrid.assessment.models import DashDaily

    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        DashDaily.objects.filter(node_id__in=rollup_nodes(node), day__gte=first, day__lte=today)
        .values("day")
        .annotate(intake=Sum("intake"), closed=Sum("closed"))
        .order_by()
    )
    by_day = {r["day"]: (r["intake"] or 0, r["closed"] or 0) for r in rows}
    return _series(first, today, by_day)


def _series(first: date, last: date, by_day: dict) -> dict:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return {
        "days": [d.isoformat() for d in days],
        "intake": [by_day.get(d, (0, 0))[0] for d in days],
        "closed": [by_day.get(d, (0, 0))[1] for d in days],
    }


def trend_raw(node: Region, *, days: int = TREND_DAYS, today: date | None = None) -> dict:
    """The same series recomputed from the appeals table (two grouped scans)."""
    from redgrid.appeals.models import Appeal, Status

    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    start, end = _midnight(first), _midnight(today + timedelta(days=1))
    tz = timezone.get_default_timezone()
    base = Appeal.objects.filter(_area_q(node))
    intake = dict(
        base.filter(created_at__gte=start, created_at__lt=end)
        .annotate(d=TruncDate("created_at", tzinfo=tz))
        .values_list("d")
        .annotate(n=Count("id"))
        .order_by()
    )
    closed = dict(
        base.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(d=TruncDate("closed_at", tzinfo=tz))
        .values_list("d")
        .annotate(n=Count("id"))
        .order_by()
    )
    keys = set(intake) | set(closed)
    return _series(first, today, {d: (intake.get(d, 0), closed.get(d, 0)) for d in keys})


def _category_names(ids) -> dict[int, str]:
    from redgrid.units.models import Category

    return dict(Category.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def top_categories(
    node: Region, *, days: int = CATEGORY_DAYS, today: date | None = None, limit: int = 10
) -> list:
    """First-level categories by appeals received in the last `days` days."""
    from redgrid.assessment.models import DashDaily

    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = list(
        DashDaily.objects.filter(node_id__in=rollup_nodes(node), day__gte=first, day__lte=today)
        .values_list("category_id")
        .annotate(n=Sum("intake"))
        .order_by()
    )
    return _categories(rows, first, today, limit)


def _categories(rows, first: date, last: date, limit: int) -> list:
    rows = sorted(((c, n or 0) for c, n in rows if n), key=lambda r: (-r[1], r[0]))[:limit]
    names = _category_names([c for c, _ in rows])
    return [
        {
            "id": c,
            "name": names.get(c, "未分类"),
            "count": n,
            "first": first.isoformat(),
            "last": last.isoformat(),
        }
        for c, n in rows
    ]


def top_categories_raw(
    node: Region, *, days: int = CATEGORY_DAYS, today: date | None = None, limit: int = 10
):
    from redgrid.appeals.models import Appeal
    from redgrid.assessment.dash_rollup import category_root

    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    counts = defaultdict(int)
    for cat, suggested, n in (
        Appeal.objects.filter(
            _area_q(node),
            created_at__gte=_midnight(first),
            created_at__lt=_midnight(today + timedelta(days=1)),
        )
        .values_list("category_id", "suggested_category_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[category_root(cat or suggested)] += n
    return _categories(list(counts.items()), first, today, limit)


def unit_ranking(user, *, days: int = UNIT_DAYS, today: date | None = None, limit: int = 15) -> list:
    """Units the viewer may see, by the weighted score of the three rates over the last `days` days
    (appeals.metrics over its daily roll-ups, read for all units in two grouped queries)."""
    from redgrid.appeals import rollup
    from redgrid.appeals.metrics import Metrics
    from redgrid.units.selectors import units_visible_to

    today = today or timezone.localdate()
    units = list(units_visible_to(user).filter(is_active=True).order_by("name"))
    counts = rollup.read_many(units, today - timedelta(days=days - 1), today + timedelta(days=1))
    rows = []
    for unit in units:
        m = Metrics(**counts[unit.pk])
        rows.append(
            {
                "id": unit.pk,
                "name": unit.short_name or unit.name,
                "response_rate": m.response_rate,
                "resolution_rate": m.resolution_rate,
                "satisfaction_rate": m.satisfaction_rate,
                "score": m.score,
                "tasks": m.dispatched_tasks,
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["name"]))
    return rows[:limit]


def counters(user, node: Region, *, now: datetime | None = None) -> dict:
    """Live counters: received today and in 30 days, closed in 30 days, open and overdue now, open
    proactive tasks."""
    from redgrid.appeals.models import OPEN_STATES, Appeal
    from redgrid.assessment.models import DashDaily, ProactiveTask

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    month_ago = today - timedelta(days=29)
    sums = DashDaily.objects.filter(
        node_id__in=rollup_nodes(node), day__gte=month_ago, day__lte=today
    ).aggregate(today=Sum("intake", filter=Q(day=today)), intake=Sum("intake"), closed=Sum("closed"))
    live = Appeal.objects.filter(_area_q(node), status__in=OPEN_STATES, merged_into__isnull=True).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(resolve_due_at__lt=now))
    )
    tasks = ProactiveTask.objects.filter(
        community__path__startswith=node.path, status=ProactiveTask.Status.OPEN
    ).count()
    first = month_ago.isoformat()
    return {
        "today": sums["today"] or 0,
        "intake_30d": sums["intake"] or 0,
        "closed_30d": sums["closed"] or 0,
        "open": live["open"],
        "overdue": live["overdue"],
        "proactive_open": tasks,
        "links": {
            "today": queue_link(user, area=node.pk, date_from=today.isoformat(), date_to=today.isoformat()),
            "intake_30d": queue_link(user, area=node.pk, date_from=first, date_to=today.isoformat()),
            "closed_30d": queue_link(user, area=node.pk, status="closed", date_from=first),
            "open": queue_link(user, area=node.pk),
            "overdue": queue_link(user, area=node.pk, overdue="yes"),
            "proactive_open": reverse("assessment:tasks") + f"?status=open&area={node.pk}",
        },
    }


def counters_raw(node: Region, *, now: datetime | None = None) -> dict:
    from redgrid.appeals.models import OPEN_STATES, Appeal, Status

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    start = _midnight(today - timedelta(days=29))
    base = Appeal.objects.filter(_area_q(node))
    return {
        "today": base.filter(
            created_at__gte=_midnight(today), created_at__lt=_midnight(today + timedelta(days=1))
        ).count(),
        "intake_30d": base.filter(
            created_at__gte=start, created_at__lt=_midnight(today + timedelta(days=1))
        ).count(),
        "closed_30d": base.filter(status=Status.CLOSED, closed_at__gte=start).count(),
        "open": base.filter(status__in=OPEN_STATES, merged_into__isnull=True).count(),
        "overdue": base.filter(
            status__in=OPEN_STATES, merged_into__isnull=True, resolve_due_at__lt=now
        ).count(),
    }


def children_of(user, node: Region) -> list[dict]:
    """The node's children the viewer covers, for drilling down on the screen."""
    scope = scope_of(user)
    return [
        {"id": c.pk, "name": c.name, "level": c.get_level_display()}
        for c in node.get_children().order_by("code")
        if scope.covers_region_path(c.path)
    ]


def breadcrumbs(user, node: Region) -> list[dict]:
    scope = scope_of(user)
    chain = [a for a in node.get_ancestors() if scope.covers_region_path(a.path)] + [node]
    return [{"id": r.pk, "name": r.name} for r in chain]


# --- the branch view ---------------------------------------------------------------------------------


def branch_root(user, org_id=None):
    from redgrid.party.models import PartyOrg
    from redgrid.party.selectors import access_party_org, party_orgs_visible_to

    if not scope_of(user).is_staff:
        raise Http404("未找到，或不在您的管辖范围内")
    if org_id not in (None, ""):
        return access_party_org(user, org_id)
    scope = scope_of(user)
    org = PartyOrg.objects.filter(path__in=scope.org_paths).order_by("path").first()
    org = org or party_orgs_visible_to(user).filter(kind__in=PartyOrg.BRANCH_KINDS).order_by("path").first()
    if org is None:
        raise Http404("您没有可查看的党组织")
    return org


def branch_view(user, org, *, today: date | None = None) -> dict:
    """Members, branch-life compliance, dues, study, wishes and volunteer hours of an organisation's subtree
    (each read through its app's selectors)."""
    from redgrid.learning.selectors import branch_study_report
    from redgrid.participation.models import Wish
    from redgrid.participation.volunteer_selectors import confirmed_in_year
    from redgrid.party import compliance, limits
    from redgrid.party import services as party_services
    from redgrid.party.models import DuesPayment, PartyMember, PartyOrg
    from redgrid.party.selectors import members_visible_to, org_tree_member_counts, party_orgs_visible_to

    today = today or timezone.localdate()
    members = org_tree_member_counts(org)
    branches = list(compliance.branches_under(party_orgs_visible_to(user), org))
    if not branches and org.kind in PartyOrg.BRANCH_KINDS:
        branches = [org]
    states = defaultdict(lambda: {"done": 0, "due": 0, "overdue": 0})
    for result in compliance.compliance_for_branches(branches, today):
        for item in result.items:
            states[item.label][item.status] += 1
    active = list(
        members_visible_to(user)
        .filter(org__path__startswith=org.path, status__in=PartyMember.ACTIVE)
        .order_by("id")
    )
    payments = DuesPayment.objects.filter(
        member_id__in=[m.pk for m in active], year__gte=limits.dues_records_start()[0]
    ).values_list("member_id", "year", "month")
    arrears = party_services.dues_arrears(active, today, payments)
    dues = {"ok": 0, "warning": 0, "lapsed": 0}
    for _months, level in arrears.values():
        dues[level] += 1
    study = branch_study_report(org, year=today.year)
    met = sum(1 for r in study if r["met"])
    hours = [float(r["hours"]) for r in study]
    grid_ids = list(
        Region.objects.filter(party_orgs__path__startswith=org.path, level=Region.Level.GRID).values_list(
            "pk", flat=True
        )
    )
    wishes = dict(
        Wish.objects.filter(grid_id__in=grid_ids, created_at__year=today.year)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    person_ids = [m.person_id for m in active]
    volunteer = (
        confirmed_in_year(today.year)
        .filter(user__person_id__in=person_ids)
        .aggregate(
            hours=Sum("confirmed_hours"),
            dual=Sum("confirmed_hours", filter=Q(dual_report=True)),
            n=Count("id"),
        )
    )
    wish_labels = dict(Wish.Status.choices)
    return {
        "org": {"id": org.pk, "name": org.name, "kind": org.get_kind_display()},
        "year": today.year,
        "members": members,
        "compliance": [{"kind": k, **v} for k, v in states.items()],
        "branches": len(branches),
        "dues": dues,
        "study": {
            "members": len(study),
            "met": met,
            "average_hours": round(sum(hours) / len(hours), 1) if hours else 0,
        },
        "wishes": [{"status": wish_labels.get(s, s), "count": n} for s, n in sorted(wishes.items())],
        "volunteer": {
            "hours": float(volunteer["hours"] or 0),
            "dual_report_hours": float(volunteer["dual"] or 0),
            "services": volunteer["n"],
        },
        "links": {
            "members": reverse("party:members") + f"?org={org.pk}",
            "compliance": reverse("party:compliance"),
            "wishes": reverse("participation:review"),
        },
    }


# --- public statistics -------------------------------------------------------------------------------


def public_streets():
    return Region.objects.filter(level=Region.Level.STREET).order_by("code").only("id", "name")


def public_street(street_id) -> Region | None:
    qs = public_streets()
    if street_id not in (None, ""):
        if not str(street_id).isdigit():
            raise Http404("没有这个街道")
        found = qs.filter(pk=street_id).first()
        if found is None:
            raise Http404("没有这个街道")
        return found
    return qs.first()


def _suppress(n: int, floor: int):
    """A public count: the number itself, or None when it is below the floor (shown as “少于 N”)."""
    return n if n >= floor else None


def public_stats(street: Region, *, today: date | None = None) -> dict:
    """Aggregates only (no text, person, address or point): this year's received and closed appeals, the
    rates, the monthly series, the categories and each community's totals; small counts suppressed."""
    from redgrid.appeals import metrics
    from redgrid.assessment.models import DashDaily

    today = today or timezone.localdate()
    floor = int(rule_value("assessment.public.min_count"))
    first = date(today.year, 1, 1)
    base = DashDaily.objects.filter(day__gte=first, day__lte=today)
    totals = base.filter(node_id=street.pk).aggregate(intake=Sum("intake"), closed=Sum("closed"))
    monthly = defaultdict(lambda: [0, 0])
    for day, a, b in base.filter(node_id=street.pk).values_list("day", "intake", "closed"):
        monthly[day.month][0] += a
        monthly[day.month][1] += b
    months = list(range(1, today.month + 1))
    cats = list(
        base.filter(node_id=street.pk).values_list("category_id").annotate(n=Sum("intake")).order_by()
    )
    categories = [
        {"name": c["name"], "count": _suppress(c["count"], floor)}
        for c in _categories(cats, first, today, 10)
    ]
    communities = list(street.get_children().filter(level=Region.Level.COMMUNITY).order_by("code"))
    per = {
        n: (a or 0, b or 0)
        for n, a, b in base.filter(node_id__in=[c.pk for c in communities])
        .values_list("node_id")
        .annotate(a=Sum("intake"), b=Sum("closed"))
        .order_by()
    }
    m = metrics.compute(street, _midnight(first), _midnight(today + timedelta(days=1)))
    return {
        "street": {"id": street.pk, "name": street.name},
        "year": today.year,
        "as_of": today.isoformat(),
        "min_count": floor,
        "intake": totals["intake"] or 0,
        "closed": totals["closed"] or 0,
        "rates": {
            "response_rate": m.response_rate,
            "resolution_rate": m.resolution_rate,
            "satisfaction_rate": m.satisfaction_rate,
            "close_rate": m.close_rate,
        },
        "months": [f"{month}月" for month in months],
        "monthly_intake": [monthly[month][0] for month in months],
        "monthly_closed": [monthly[month][1] for month in months],
        "categories": categories,
        "communities": [
            {
                "name": c.name,
                "intake": _suppress(per.get(c.pk, (0, 0))[0], floor),
                "closed": _suppress(per.get(c.pk, (0, 0))[1], floor),
            }
            for c in communities
        ],
    }
