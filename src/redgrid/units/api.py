from ninja import Router, Schema
from ninja.pagination import paginate

from redgrid.core.api import Pagination
from redgrid.units.selectors import units_visible_to

router = Router(tags=["责任单位"])


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    area_id: int
    phone: str
    categories: list[str]

    @staticmethod
    def resolve_categories(obj):
        return [c.name for c in obj.categories.all()]


@router.get("/units", response=list[UnitOut], summary="责任单位（按权限范围）")
@paginate(Pagination, page_size=50)
def list_units(request, q: str = ""):
    qs = units_visible_to(request.user).prefetch_related("categories").order_by("name")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs
