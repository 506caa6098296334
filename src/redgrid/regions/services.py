"""Writes on the region tree: grid boundaries (rebuilds the point→grid index) and residents."""

from django.db import transaction

from redgrid.core import audit
from redgrid.regions.geo import validate_geometry
from redgrid.regions.models import Region


def grid_set_boundary(*, actor, grid: Region, geometry: dict) -> Region:
    shape = validate_geometry(geometry)
    with transaction.atomic():
        grid = Region.objects.select_for_update().get(pk=grid.pk)
        grid.geometry = geometry
        centroid = shape.centroid
        grid.center_lng, grid.center_lat = round(centroid.x, 7), round(centroid.y, 7)
        grid.save(update_fields=["geometry", "center_lng", "center_lat", "updated_at"])
        audit.record("grid.set_boundary", grid, actor=actor, summary={"area_deg2": round(shape.area, 10)})
    return grid
