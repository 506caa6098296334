"""资源配置建议: where to place service resources (training seats, volunteer teams, service terminals).

Inputs per community (each shown on the page with its source):

- population from the grid profiles (AreaProfile, refreshed from the resident register): residents, the
  age bands 0–14 / 15–59 / 60–79 / 80+, the education bands 初中及以下 / 高中中专 / 大专及以上;
- area: the sum of its grids' boundary areas (GeoJSON, km² on a local equirectangular projection);
- demand over the last 365 days: appeals received (DashDaily), appeals of 劳动和社会保障 (first-level
  category), wishes posted (微心愿) of the study and the elderly/care categories.

Derived indicators: density = residents ÷ km²; elderly_share = (60–79 + 80+) ÷ residents with a known
age; working_age_share = 15–59 ÷ known age; low_education_share = 初中及以下 ÷ residents with a known
education aged 15+ (the register's education of children is that of schooling in progress);
appeals_per_1k = appeals ÷ residents × 1000; labour_appeals_per_1k, study_wishes_per_1k and
care_wishes_per_1k likewise.

Score of a resource for a community (weights from the rule `assessment.allocation.weights`):

    score = Σ_i w_i × x_i ÷ max_c x_i      (each indicator divided by its largest value among the
                                             communities compared, so indicators of any unit mix)

and the proposal gives the budget (rule `assessment.allocation.budget`, or the page's input) in
proportion to the scores, rounded by the largest-remainder method (the parts add up to the budget).
"""

import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from redgrid.core.rules import rule_value
from redgrid.regions.models import Region

RESOURCES = {
    "training_seats": ("培训名额", "个"),
    "volunteer_teams": ("志愿服务队", "支"),
    "service_terminals": ("自助服务终端", "台"),
}
INDICATORS = {
    "density": ("人口密度", "人/平方公里"),
    "residents": ("常住人口", "人"),
    "elderly_share": ("60 岁及以上占比", ""),
    "working_age_share": ("15–59 岁占比", ""),
    "low_education_share": ("初中及以下学历占比（15 岁以上）", ""),
    "appeals_per_1k": ("每千人诉求数（近一年）", "件"),
    "labour_appeals_per_1k": ("每千人劳动和社会保障诉求（近一年）", "件"),
    "study_wishes_per_1k": ("每千人学习类微心愿（近一年）", "个"),
    "care_wishes_per_1k": ("每千人助老/陪伴/医疗类微心愿（近一年）", "个"),
}
LOW_EDUCATION = ("未上过学", "文盲", "小学", "初中")
MID_EDUCATION = ("高中", "中专", "职高", "技校")
HIGH_EDUCATION = ("大专", "专科", "本科", "大学", "研究生", "硕士", "博士")
LABOUR_CATEGORY = "劳动和社会保障"
KM_PER_DEGREE = 111.32


# --- grid profiles -----------------------------------------------------------------------------------


def area_km2(geometry) -> float | None:
    """Area of a GeoJSON polygon in km² (equirectangular around its centre: exact enough for a grid)."""
    if not geometry:
        return None
    from shapely.geometry import shape

    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    if geom.is_empty:
        return None
    lat = geom.centroid.y
    return geom.area * KM_PER_DEGREE * KM_PER_DEGREE * math.cos(math.radians(lat))


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _education_q(words) -> Q:
    q = Q(pk__in=[])
    for w in words:
        q |= Q(education__contains=w)
    return q


def refresh_profiles(grid_ids=None, *, today: date | None = None) -> int:
    """Recount the profiles of the given grids (all grids when None) in two grouped queries."""
    from redgrid.assessment.models import AreaProfile
    from redgrid.regions.models import Household, Resident

    today = today or timezone.localdate()
    grids = Region.objects.filter(level=Region.Level.GRID)
    if grid_ids is not None:
        grids = grids.filter(pk__in=list(grid_ids))
    grids = list(grids.only("id", "geometry"))
    ids = [g.pk for g in grids]
    c15, c60, c80 = (_years_ago(today, y) for y in (15, 60, 80))
    born = "birth_date"
    high = _education_q(HIGH_EDUCATION)
    mid = _education_q(MID_EDUCATION) & ~high
    low = _education_q(LOW_EDUCATION) & ~high & ~mid
    adult = Q(birth_date__lte=c15)
    rows = {
        r.pop("household__building__grid_id"): r
        for r in Resident.objects.filter(household__building__grid_id__in=ids)
        .values("household__building__grid_id")
        .annotate(
            residents=Count("id"),
            age_0_14=Count("id", filter=Q(**{f"{born}__gt": c15})),
            age_15_59=Count("id", filter=Q(**{f"{born}__lte": c15, f"{born}__gt": c60})),
            age_60_79=Count("id", filter=Q(**{f"{born}__lte": c60, f"{born}__gt": c80})),
            age_80_plus=Count("id", filter=Q(**{f"{born}__lte": c80})),
            age_unknown=Count("id", filter=Q(birth_date__isnull=True)),
            edu_low=Count("id", filter=low & adult),
            edu_mid=Count("id", filter=mid & adult),
            edu_high=Count("id", filter=high & adult),
            edu_known=Count("id", filter=(low | mid | high) & adult),
            adults=Count("id", filter=adult),
        )
        .order_by()
    }
    households = dict(
        Household.objects.filter(building__grid_id__in=ids)
        .values_list("building__grid_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    now = timezone.now()
    for grid in grids:
        r = rows.get(grid.pk, {})
        known, adults = r.pop("edu_known", 0), r.pop("adults", 0)
        AreaProfile.objects.update_or_create(
            grid_id=grid.pk,
            defaults={
                "residents": r.get("residents", 0),
                "households": households.get(grid.pk, 0),
                **{
                    k: r.get(k, 0)
                    for k in ("age_0_14", "age_15_59", "age_60_79", "age_80_plus", "age_unknown")
                },
                "edu_low": r.get("edu_low", 0),
                "edu_mid": r.get("edu_mid", 0),
                "edu_high": r.get("edu_high", 0),
                "edu_unknown": adults - known,
                "area_km2": area_km2(grid.geometry),
                "computed_at": now,
            },
        )
    return len(grids)


def profiles_for(grid_ids) -> dict[int, dict]:
    """The profiles of these grids as dicts (no model instances: a district has thousands of grids);
    grids never profiled are counted now (later refreshes are periodic)."""
    from redgrid.assessment.models import AreaProfile

    grid_ids = list(grid_ids)
    columns = ("grid_id", *PROFILE_FIELDS, "area_km2", "computed_at")

    def read(ids):
        return {row["grid_id"]: row for row in AreaProfile.objects.filter(grid_id__in=ids).values(*columns)}

    found = read(grid_ids)
    missing = [g for g in grid_ids if g not in found]
    if missing:
        refresh_profiles(missing)
        found.update(read(missing))
    return found


def profiles_under(path: str, grid_ids) -> dict[int, dict]:
    """`profiles_for` the grids under a path, read with one join on the path (no long id list)."""
    from redgrid.assessment.models import AreaProfile

    columns = ("grid_id", *PROFILE_FIELDS, "area_km2", "computed_at")
    found = {
        r["grid_id"]: r for r in AreaProfile.objects.filter(grid__path__startswith=path).values(*columns)
    }
    missing = [g for g in grid_ids if g not in found]
    if missing:
        found.update(profiles_for(missing))
    return found


def residents_under(node: Region, grid_ids) -> dict[int, int]:
    """Residents per grid under a node (one join on the node's path, no long id list); grids never
    profiled are counted now."""
    from redgrid.assessment.models import AreaProfile

    found = dict(
        AreaProfile.objects.filter(grid__path__startswith=node.path).values_list("grid_id", "residents")
    )
    missing = [g for g in grid_ids if g not in found]
    if missing:
        found.update({pk: p["residents"] for pk, p in profiles_for(missing).items()})
    return found


# --- the proposal ------------------------------------------------------------------------------------


@dataclass
class Community:
    region: Region
    inputs: dict = field(default_factory=dict)
    indicators: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)  # resource → {"score", "terms", "rank", "allocation"}


def _share(num, den) -> float:
    return round(num / den, 4) if den else 0.0


def _per_1k(num, residents) -> float:
    return round(1000 * num / residents, 2) if residents else 0.0


def community_inputs(communities: list[Region], *, today: date | None = None) -> dict[int, dict]:
    """The raw inputs of each community (module docstring)."""
    from redgrid.assessment.models import DashDaily
    from redgrid.participation.models import Wish
    from redgrid.units.models import Category

    today = today or timezone.localdate()
    since = today - timedelta(days=365)
    # One prefix range for all of them (their common ancestor); grids of other communities are dropped below.
    common = os.path.commonprefix([c.path for c in communities]) if communities else ""
    common = common[: len(common) - len(common) % Region.steplen]
    grids = list(
        Region.objects.filter(level=Region.Level.GRID, path__startswith=common).values_list("pk", "path")
        if communities
        else []
    )
    by_community = defaultdict(list)
    paths = {c.path: c.pk for c in communities}
    for pk, path in grids:
        owner = paths.get(path[: -Region.steplen])
        if owner is not None:
            by_community[owner].append(pk)
    profiles = profiles_under(common, [pk for pk, _ in grids]) if communities else {}
    ids = [c.pk for c in communities]
    appeals = defaultdict(int)
    labour = defaultdict(int)
    labour_root = Category.objects.filter(depth=1, name=LABOUR_CATEGORY).values_list("pk", flat=True).first()
    for node, cat, n in (
        DashDaily.objects.filter(node_id__in=ids, day__gte=since, day__lte=today)
        .values_list("node_id", "category_id")
        .annotate(n=Sum("intake"))
        .order_by()
    ):
        appeals[node] += n or 0
        if labour_root and cat == labour_root:
            labour[node] += n or 0
    wishes = defaultdict(lambda: defaultdict(int))
    grid_owner = {g: c for c, gs in by_community.items() for g in gs}
    for grid_id, category, n in (
        Wish.objects.filter(grid__path__startswith=common, created_at__date__gte=since)
        .values_list("grid_id", "category")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if grid_id in grid_owner:
            wishes[grid_owner[grid_id]][category] += n
    out = {}
    for c in communities:
        ps = [profiles[g] for g in by_community.get(c.pk, []) if g in profiles]
        total = {k: sum(p[k] for p in ps) for k in PROFILE_FIELDS}
        area = sum(p["area_km2"] or 0 for p in ps)
        out[c.pk] = {
            **total,
            "grids": len(ps),
            "area_km2": round(area, 4),
            "appeals": appeals[c.pk],
            "labour_appeals": labour[c.pk],
            "study_wishes": wishes[c.pk]["study"],
            "care_wishes": sum(wishes[c.pk][k] for k in ("elderly", "care", "health")),
            "profile_time": max((p["computed_at"] for p in ps), default=None),
        }
    return out


PROFILE_FIELDS = (
    "residents",
    "households",
    "age_0_14",
    "age_15_59",
    "age_60_79",
    "age_80_plus",
    "age_unknown",
    "edu_low",
    "edu_mid",
    "edu_high",
    "edu_unknown",
)


def indicators_of(i: dict) -> dict:
    residents = i["residents"]
    known_age = residents - i["age_unknown"]
    known_edu = i["edu_low"] + i["edu_mid"] + i["edu_high"]
    return {
        "density": round(residents / i["area_km2"], 1) if i["area_km2"] else 0.0,
        "residents": residents,
        "elderly_share": _share(i["age_60_79"] + i["age_80_plus"], known_age),
        "working_age_share": _share(i["age_15_59"], known_age),
        "low_education_share": _share(i["edu_low"], known_edu),
        "appeals_per_1k": _per_1k(i["appeals"], residents),
        "labour_appeals_per_1k": _per_1k(i["labour_appeals"], residents),
        "study_wishes_per_1k": _per_1k(i["study_wishes"], residents),
        "care_wishes_per_1k": _per_1k(i["care_wishes"], residents),
    }


def largest_remainder(scores: dict, budget: int) -> dict:
    """Split `budget` whole units in proportion to `scores` (the parts add up to the budget)."""
    total = sum(scores.values())
    if budget <= 0 or total <= 0:
        return dict.fromkeys(scores, 0)
    exact = {k: budget * s / total for k, s in scores.items()}
    parts = {k: math.floor(v) for k, v in exact.items()}
    left = budget - sum(parts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - parts[k]), str(k)))[:left]:
        parts[k] += 1
    return parts


def proposal(communities: list[Region], *, budget: dict | None = None, today: date | None = None) -> dict:
    """The ranked, explained proposal for the given communities (module docstring)."""
    weights = rule_value("assessment.allocation.weights")
    budget = {**rule_value("assessment.allocation.budget"), **(budget or {})}
    inputs = community_inputs(communities, today=today)
    rows = [Community(c, inputs[c.pk], indicators_of(inputs[c.pk])) for c in communities]
    maxima = {k: max((r.indicators[k] for r in rows), default=0) for k in INDICATORS}
    ranking = {}
    for resource in RESOURCES:
        w = weights.get(resource, {})
        for r in rows:
            terms = []
            for key, weight in w.items():
                value = r.indicators.get(key, 0)
                top = maxima.get(key, 0)
                normalised = value / top if top else 0.0
                terms.append(
                    {
                        "indicator": key,
                        "label": INDICATORS.get(key, (key, ""))[0],
                        "value": value,
                        "max": top,
                        "normalised": round(normalised, 4),
                        "weight": weight,
                        "contribution": round(weight * normalised, 4),
                    }
                )
            r.scores[resource] = {"score": round(sum(t["contribution"] for t in terms), 4), "terms": terms}
        parts = largest_remainder(
            {r.region.pk: r.scores[resource]["score"] for r in rows}, int(budget[resource])
        )
        ordered = sorted(rows, key=lambda r: (-r.scores[resource]["score"], r.region.code))
        for rank, r in enumerate(ordered, start=1):
            r.scores[resource].update(rank=rank, allocation=parts[r.region.pk])
        ranking[resource] = [r.region.pk for r in ordered]
    return {"rows": rows, "ranking": ranking, "weights": weights, "budget": budget, "maxima": maxima}
