from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.units.selectors import units_visible_to


@staff_required
def unit_list(request):
    qs = units_visible_to(request.user).select_related("area").prefetch_related("categories").order_by("name")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    ctx = paginate(request, qs)
    ctx["q"] = q
    return render_staff(request, "units/list.html", ctx)
