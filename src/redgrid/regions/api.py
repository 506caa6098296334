from ninja import Router, Schema
from ninja.pagination import paginate

from redgrid.core.api import Pagination
from redgrid.regions.selectors import access_grid, grids_visible_to

router = Router(tags=["网格"])


class CommunityOut(Schema):
    id: int
    code: str
    name: str


class GridListOut(Schema):
    id: int
    code: str
    name: str
    community: CommunityOut | None
    center_lng: float | None
    center_lat: float | None


class GridOut(GridListOut):
    geometry: dict | None


def _with_community(grids):
    """Attach each grid's community (its parent) with one query for the whole page."""
    from redgrid.regions.models import Region

    grids = list(grids)
    parents = {r.path: r for r in Region.objects.filter(path__in={g.parent_path for g in grids})}
    for g in grids:
        g.community = parents.get(g.parent_path)
    return grids


@router.get("/grids", response=list[GridListOut], summary="网格列表（按权限范围，分页）")
@paginate(Pagination, page_size=50)
def list_grids(request, q: str = ""):
    qs = grids_visible_to(request.user).order_by("code")
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__startswith=q)
    return _LazyCommunity(qs)


class _LazyCommunity:
    """Lets the paginator slice the queryset, then fetches the page's communities in one query."""

    def __init__(self, qs):
        self.qs = qs

    def __len__(self):
        return self.qs.count()

    def count(self):
        return self.qs.count()

    def __getitem__(self, item):
        return _with_community(self.qs[item])


@router.get("/grids/{grid_id}", response=GridOut, summary="网格详情（含边界 GeoJSON）")
def get_grid(request, grid_id: int):
    return _with_community([access_grid(request.user, grid_id)])[0]
