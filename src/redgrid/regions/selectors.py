"""Scoped reads of regions, grids, buildings, households and residents."""

from django.db.models import Q, QuerySet

from redgrid.core.access import get_or_404, scope_of
from redgrid.core.crypto import lookup_hash, normalise
from redgrid.regions.models import Household, Region, Resident


def regions_visible_to(user) -> QuerySet[Region]:
    scope = scope_of(user)
    if scope.is_staff:
        return Region.objects.filter(scope.region_q())
    # Residents and members see their own community's grids (to pick a place on the map).
    community_path = resident_community_path(user)
    if community_path:
        return Region.objects.filter(path__startswith=community_path)
    return Region.objects.none()


def home_grid_of(user) -> Region | None:
    """The grid of the account's own household (residents and members), cached on the user object."""
    if user is None or not user.is_authenticated or not user.person_id:
        return None
    if not hasattr(user, "_redgrid_home_grid"):
        user._redgrid_home_grid = Region.objects.filter(buildings__households__members__id=user.person_id).first()
    return user._redgrid_home_grid


def resident_community_path(user) -> str | None:
    grid = home_grid_of(user)
    return grid.parent_path if grid else None


def grids_visible_to(user) -> QuerySet[Region]:
    return regions_visible_to(user).filter(level=Region.Level.GRID)


def access_region(user, pk) -> Region:
    return get_or_404(regions_visible_to(user), pk=pk)


def access_grid(user, pk) -> Region:
    return get_or_404(grids_visible_to(user), pk=pk)


def region_ancestors(region: Region) -> list[Region]:
    return list(region.get_ancestors())


def residents_visible_to(user) -> QuerySet[Resident]:
    scope = scope_of(user)
    if not scope.has_role("gridworker", "community", "street", "admin"):
        return Resident.objects.none()
    return Resident.objects.filter(scope.region_q("household__building__grid__path"))


def search_residents(user, *, q: str = "", grid_id: int | None = None) -> QuerySet[Resident]:
    """The resident register in scope; `q` matches name or address, or a full ID number or phone exactly
    (through the lookup hash, so sensitive values are never compared in plaintext)."""
    qs = residents_visible_to(user).select_related("household__building__grid").order_by("id")
    if q:
        compact = q.replace(" ", "")
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(household__address__icontains=q)
            | Q(id_number_hash=lookup_hash(normalise("id_number", compact)))
            | Q(phone_hash=lookup_hash(normalise("phone", compact)))
        )
    if grid_id is not None:
        qs = qs.filter(household__building__grid_id=grid_id)
    return qs


def access_resident(user, pk) -> Resident:
    return get_or_404(residents_visible_to(user), pk=pk)


def households_visible_to(user) -> QuerySet[Household]:
    scope = scope_of(user)
    if not scope.is_staff:
        return Household.objects.none()
    return Household.objects.filter(scope.region_q("building__grid__path"))


def region_totals(region: Region) -> dict[str, int]:
    """Grids, households and residents under a region node (three indexed prefix counts)."""
    prefix = region.path
    return {
        "grids": Region.objects.filter(level=Region.Level.GRID, path__startswith=prefix).count(),
        "households": Household.objects.filter(building__grid__path__startswith=prefix).count(),
        "residents": Resident.objects.filter(household__building__grid__path__startswith=prefix).count(),
    }


def grid_stats(grid_ids: list[int]) -> dict[int, dict]:
    """Households and residents per grid, in two grouped queries."""
    from django.db.models import Count

    households = dict(
        Household.objects.filter(building__grid_id__in=grid_ids)
        .values_list("building__grid_id")
        .annotate(n=Count("id"))
    )
    residents = dict(
        Resident.objects.filter(household__building__grid_id__in=grid_ids)
        .values_list("household__building__grid_id")
        .annotate(n=Count("id"))
    )
    return {g: {"households": households.get(g, 0), "residents": residents.get(g, 0)} for g in grid_ids}
