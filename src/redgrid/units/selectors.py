"""Scoped reads of units and categories."""

from django.db.models import Q, QuerySet

from redgrid.core.access import get_or_404, scope_of
from redgrid.regions.models import Region
from redgrid.units.models import Category, Unit


def units_visible_to(user) -> QuerySet[Unit]:
    """Admins: all. Unit handlers: their units. Region staff: units serving their area (its ancestors,
    e.g. a district department serving a street) or inside it."""
    scope = scope_of(user)
    if scope.is_admin:
        return Unit.objects.all()
    q = Q(pk__in=list(scope.unit_ids)) if scope.unit_ids else Q(pk__in=[])
    if scope.region_paths:
        q |= scope.region_q("area__path")
        ancestors = {p for path in scope.region_paths for p in Region.prefixes(path, include_self=False)}
        if ancestors:
            q |= Q(area__path__in=ancestors)
    return Unit.objects.filter(q)


def access_unit(user, pk) -> Unit:
    return get_or_404(units_visible_to(user), pk=pk)


def category_tree() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("path")
