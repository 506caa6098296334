"""Intake helpers: locate, classify, route, deadlines and duplicate candidates (no writes here)."""

import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from redgrid.appeals.models import OPEN_STATES, Appeal, RoutingRule, SlaRule, Urgency
from redgrid.appeals.rules import sla_default
from redgrid.core import calendar
from redgrid.core.rules import rule_value
from redgrid.regions.geo import bbox_around, distance_m
from redgrid.regions.models import Region
from redgrid.regions.selectors import home_grid_of
from redgrid.units.models import Category, Unit

log = logging.getLogger("redgrid.appeals")


# --- locate ------------------------------------------------------------------------------------------


@dataclass
class Location:
    grid: Region | None
    street: Region | None
    how: str  # point / address / household / nearest_street / actor_street / none


def ancestor_at_level(region: Region | None, level: str) -> Region | None:
    if region is None:
        return None
    if region.level == level:
        return region
    return Region.objects.filter(path__in=Region.prefixes(region.path, include_self=False), level=level).first()


def _nearest_street(lng: float, lat: float, radius_m: float = 5000) -> Region | None:
    # A point outside every grid goes to the triage queue of the street whose nearest grid it is near.
    min_lng, min_lat, max_lng, max_lat = bbox_around(lng, lat, radius_m)
    grids = Region.objects.filter(
        level=Region.Level.GRID, center_lng__range=(min_lng, max_lng), center_lat__range=(min_lat, max_lat)
    ).only("path", "center_lng", "center_lat", "depth")
    best = min(grids, key=lambda g: distance_m(lng, lat, g.center_lng, g.center_lat), default=None)
    return ancestor_at_level(best, Region.Level.STREET)


def locate(*, lat=None, lng=None, address="", user=None, fallback_street: Region | None = None) -> Location:
    """Where an appeal belongs.

    1. A point inside a grid → that grid.
    2. Else an address matching a household or building → its grid.
    3. Else the reporter's own household ("my household") → its grid.
    4. Else no grid (the street's triage queue): the street of the nearest grid to the point, else the
       reporter's street, else `fallback_street` (e.g. the hotline operator's street).
    """
    from redgrid.regions.locate import grid_at, grid_for_address

    if lat is not None and lng is not None:
        grid = grid_at(lng, lat)
        if grid is not None:
            return Location(grid, ancestor_at_level(grid, Region.Level.STREET), "point")
    if address:
        match = grid_for_address(address)
        if match.grid is not None:
            return Location(match.grid, ancestor_at_level(match.grid, Region.Level.STREET), "address")
    own = home_grid_of(user)
    if own is not None and lat is None and not address:
        return Location(own, ancestor_at_level(own, Region.Level.STREET), "household")
    street = _nearest_street(lng, lat) if lat is not None and lng is not None else None
    if street is None and own is not None:
        street = ancestor_at_level(own, Region.Level.STREET)
    return Location(None, street or fallback_street, "none")


# --- classify ----------------------------------------------------------------------------------------

_model_lock = threading.Lock()
_model_state: dict = {"key": None, "model": None}


def model_path() -> Path:
    return Path(
        os.environ.get("REDGRID_APPEALS_MODEL") or Path(settings.VAR_DIR) / "models" / "appeals.joblib"
    )


def _load_model():
    path = model_path()
    if not path.exists():
        return None
    key = (str(path), path.stat().st_mtime)
    with _model_lock:
        if _model_state["key"] != key:
            try:
                from redgrid.appeals.classifier import AppealClassifier

                _model_state.update(key=key, model=AppealClassifier.load(path))
            except Exception:  # a broken model file must not stop intake
                log.exception("cannot load the appeals model at %s", path)
                _model_state.update(key=key, model=None)
        return _model_state["model"]


def suggest_category(text: str) -> tuple[Category | None, float | None]:
    """The trained model's category for the text, with its confidence; (None, None) without a model."""
    model = _load_model()
    if model is None:
        return None, None
    try:
        result = model.predict_with_confidence([text])
        label, confidence = result[0]
    except Exception:
        log.exception("appeal classification failed")
        return None, None
    category = Category.objects.filter(name=str(label), is_active=True).order_by("depth").first()
    return category, float(confidence)


# --- route and deadlines -----------------------------------------------------------------------------


def _category_chain(category: Category | None) -> list[str]:
    """Paths of the category and its ancestors, deepest first."""
    if category is None:
        return []
    return [category.path[:i] for i in range(len(category.path), 0, -Category.steplen)]


def _region_chain(region: Region | None) -> list[str]:
    if region is None:
        return []
    return [region.path[:i] for i in range(len(region.path), 0, -Region.steplen)]


def route(category: Category | None, place: Region | None) -> Unit | None:
    """The unit a category of matter in a place goes to.

    1. A routing rule for the deepest matching category (the category or an ancestor) and, among
       those, the deepest area containing the place.
    2. Else an active unit responsible for the category (or an ancestor) whose service area contains
       the place, the most local area and the most specific category first.
    """
    cats, areas = _category_chain(category), _region_chain(place)
    if not cats or not areas:
        return None
    rules = RoutingRule.objects.filter(
        category__path__in=cats, area__path__in=areas, unit__is_active=True
    ).select_related("unit", "category", "area")
    best = max(rules, key=lambda r: (len(r.category.path), len(r.area.path)), default=None)
    if best is not None:
        return best.unit
    units = (
        Unit.objects.filter(is_active=True, categories__path__in=cats, area__path__in=areas)
        .select_related("area")
        .prefetch_related("categories")
        .distinct()
    )

    def specificity(unit):
        depth = max((len(c.path) for c in unit.categories.all() if c.path in cats), default=0)
        return (len(unit.area.path), depth, -unit.pk)

    return max(units, key=specificity, default=None)


@dataclass
class Sla:
    urgency: str
    respond: timedelta
    resolve: timedelta

    def resolve_due(self, start: datetime) -> datetime:
        """办结时限. Limits of whole days for general and complex matters count working days when the
        deployment enables `appeals.sla.working_days`; hour limits (urgent, utilities) never do."""
        if (
            self.urgency in DAY_COUNTED
            and self.resolve % timedelta(days=1) == timedelta(0)
            and rule_value("appeals.sla.working_days")
        ):
            return calendar.add_working_days(start, self.resolve.days)
        return start + self.resolve


DAY_COUNTED = (Urgency.GENERAL, Urgency.COMPLEX)


def extended_due(due: datetime, days: int) -> datetime:
    """A deadline moved by an approved extension of `days` (working days when the calendar is enabled)."""
    if rule_value("appeals.sla.working_days"):
        return calendar.add_working_days(due, days)
    return due + timedelta(days=days)


def sla_for(category: Category | None, urgency: str | None = None) -> Sla:
    """Limits for a category and urgency (see SlaRule): category rule, else urgency rule, else defaults."""
    cats = _category_chain(category)
    if cats:
        rules = SlaRule.objects.filter(category__path__in=cats).select_related("category")
        rule = max(rules, key=lambda r: len(r.category.path), default=None)
        if rule is not None and (urgency is None or urgency == rule.urgency):
            return Sla(
                rule.urgency, timedelta(minutes=rule.respond_minutes), timedelta(minutes=rule.resolve_minutes)
            )
    urgency = urgency or Urgency.GENERAL
    rule = SlaRule.objects.filter(category__isnull=True, urgency=urgency).first()
    if rule is not None:
        return Sla(urgency, timedelta(minutes=rule.respond_minutes), timedelta(minutes=rule.resolve_minutes))
    respond, resolve = sla_default(urgency)
    return Sla(urgency, timedelta(minutes=respond), timedelta(minutes=resolve))


def whistle_respond() -> timedelta:
    return timedelta(minutes=int(rule_value("appeals.whistle.respond_minutes")))


# --- duplicates --------------------------------------------------------------------------------------


def bigrams(text: str) -> set[str]:
    chars = [c for c in (text or "") if not c.isspace() and c not in "，。、；：！？,.;:!?（）()“”\"'"]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)  # |a ∪ b| without building the union


def find_duplicates(appeal: Appeal, *, limit: int = 10) -> list[dict]:
    """Open appeals of the last days that may report the same problem (for the dispatcher to merge).

    1. Same category (or suggested category) within the radius of the point — or, with no point, in
       the same grid — using an indexed bounding box, then the exact distance.
    2. Text-similar appeals (character-bigram Jaccard ≥ threshold) among the open appeals of the same
       street (or grid) in the window.
    """
    since = timezone.now() - timedelta(days=int(rule_value("appeals.duplicates.days")))
    radius = float(rule_value("appeals.duplicates.radius_m"))
    threshold = float(rule_value("appeals.duplicates.text_similarity"))
    # A merged appeal is 已撤销, so OPEN_STATES already leaves it out; a `merged_into IS NULL` test would
    # only lead SQLite's planner to scan the (mostly NULL) merged_into index instead of the queue indexes.
    base = Appeal.objects.filter(status__in=OPEN_STATES, created_at__gte=since)
    if appeal.pk is not None:  # intake asks before inserting the new appeal
        base = base.exclude(pk=appeal.pk)
    found: dict[int, dict] = {}
    category_id = appeal.category_id or appeal.suggested_category_id
    if category_id:
        same = base.filter(models_q_category(category_id))
        if appeal.lat is not None:
            min_lng, min_lat, max_lng, max_lat = bbox_around(appeal.lng, appeal.lat, radius)
            near = same.filter(lat__range=(min_lat, max_lat), lng__range=(min_lng, max_lng))
            for other in near.values_list(*_DUP_FIELDS, "lat", "lng")[:200]:
                d = distance_m(appeal.lng, appeal.lat, other[-1], other[-2])
                if d <= radius:
                    found[other[0]] = _dup(other, reason="nearby", distance=round(d, 1))
        elif appeal.grid_id:
            for other in same.filter(grid_id=appeal.grid_id).values_list(*_DUP_FIELDS)[:200]:
                found[other[0]] = _dup(other, reason="same_grid")
    place = {"grid_id": appeal.grid_id} if appeal.grid_id else {"street_id": appeal.street_id}
    if any(place.values()):
        mine = bigrams(appeal.title + appeal.content)
        for other in base.filter(**place).values_list(*_DUP_FIELDS)[:300]:
            sim = jaccard(mine, _bigrams_of(other[0], other[1] + other[2]))
            if sim >= threshold:
                row = found.setdefault(other[0], _dup(other, reason="text"))
                row["similarity"] = round(sim, 3)
    rows = sorted(found.values(), key=lambda r: (r.get("distance", 1e9), -r.get("similarity", 0)))
    return rows[:limit]


def models_q_category(category_id: int):
    from django.db.models import Q

    return Q(category_id=category_id) | Q(category__isnull=True, suggested_category_id=category_id)


# Rows instead of model instances (300 deferred-field instances per intake cost more than the search).
_DUP_FIELDS = ("id", "title", "content", "status")
_BIGRAMS: dict[int, tuple[str, set]] = {}  # appeal id → (its text, its bigrams): texts rarely change


def _bigrams_of(pk: int, text: str) -> set:
    """bigrams(text), remembered per appeal (each intake compares with up to 300 recent appeals)."""
    hit = _BIGRAMS.get(pk)
    if hit is not None and hit[0] == text:
        return hit[1]
    if len(_BIGRAMS) >= 20_000:
        _BIGRAMS.clear()
    grams = bigrams(text)
    _BIGRAMS[pk] = (text, grams)
    return grams


def _dup(other: tuple, *, reason: str, distance: float | None = None) -> dict:
    """A candidate row from (id, title, content, status, …), as Appeal.display_title shows it."""
    pk, title, content, status = other[:4]
    row = {"id": pk, "title": title or content[:30], "status": status, "reason": reason}
    if distance is not None:
        row["distance"] = distance
    return row
