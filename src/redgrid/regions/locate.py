"""Point → grid and address → household → grid.

The STRtree index is built once per process and rebuilt when grids change: immediately in the process
that saved the grid (signal), and within `REFRESH_SECONDS` in other processes, which compare a cheap
fingerprint (count and newest `updated_at` of grids) instead of rebuilding on every request.
"""

import threading
import time
from dataclasses import dataclass

from django.db.models import Count, Max

from redgrid.regions.geo import GridIndex
from redgrid.regions.models import Household, Region

REFRESH_SECONDS = 5.0

_lock = threading.Lock()
_state: dict = {"index": None, "fingerprint": None, "checked": 0.0}


def _fingerprint():
    agg = Region.objects.filter(level=Region.Level.GRID).aggregate(n=Count("id"), t=Max("updated_at"))
    return (agg["n"], agg["t"])


def invalidate_grid_index() -> None:
    with _lock:
        _state["index"] = None
        _state["fingerprint"] = None


def grid_index() -> GridIndex:
    now = time.monotonic()
    with _lock:
        index = _state["index"]
        if index is not None and now - _state["checked"] < REFRESH_SECONDS:
            return index
        fingerprint = _fingerprint()
        _state["checked"] = now
        if index is not None and fingerprint == _state["fingerprint"]:
            return index
        rows = Region.objects.filter(level=Region.Level.GRID, geometry__isnull=False).values_list("id", "geometry")
        index = GridIndex(list(rows))
        _state.update(index=index, fingerprint=fingerprint)
        return index


def grid_at(lng: float, lat: float) -> Region | None:
    grid_id = grid_index().locate(lng, lat)
    if grid_id is None:
        return None
    return Region.objects.filter(pk=grid_id).first()


@dataclass
class AddressMatch:
    household: Household | None
    grid: Region | None


def grid_for_address(address: str) -> AddressMatch:
    """Exact household address first, then the longest building address the text starts with."""
    address = (address or "").strip()
    if not address:
        return AddressMatch(None, None)
    household = Household.objects.select_related("building__grid").filter(address=address).first()
    if household:
        return AddressMatch(household, household.building.grid)
    from redgrid.regions.models import Building

    building = (
        Building.objects.select_related("grid")
        .filter(address__in=_prefixes(address))
        .order_by("-address")
        .first()
    )
    return AddressMatch(None, building.grid if building else None)


def _prefixes(text: str) -> list[str]:
    # Candidate building addresses are prefixes of the text ("文化路12号3号楼2单元501室" → "文化路12号3号楼").
    return [text[:i] for i in range(4, len(text) + 1)]
