from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from redgrid.core.access import scope_of
from redgrid.core.pages import paginate, render_staff, reveal_fragment, staff_required
from redgrid.regions.selectors import (
    access_grid,
    access_region,
    access_resident,
    grid_stats,
    grids_visible_to,
    regions_visible_to,
    search_residents,
)


@staff_required
def node(request, pk):
    region = access_region(request.user, pk)
    children = list(region.get_children().order_by("code"))
    grid_ids = [c.pk for c in children if c.is_grid] or ([region.pk] if region.is_grid else [])
    stats = grid_stats(grid_ids) if grid_ids else {}
    for c in children:
        c.stat = stats.get(c.pk)
    ancestors = [a for a in region.get_ancestors() if scope_of(request.user).covers_region_path(a.path)]
    return render_staff(request, "regions/node.html", {
        "region": region, "children": children, "stats": stats, "ancestors": ancestors,
    })


@staff_required
def children(request, pk):
    """The tree navigator's lazy branch (htmx)."""
    region = access_region(request.user, pk)
    rows = region.get_children().order_by("code")
    return render(request, "regions/_children.html", {"rows": rows})


@staff_required
def grids(request):
    qs = grids_visible_to(request.user).order_by("code")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__startswith=q)
    ctx = paginate(request, qs)
    ctx["stats"] = grid_stats([g.pk for g in ctx["rows"]])
    for g in ctx["rows"]:
        g.stat = ctx["stats"].get(g.pk, {})
    ctx["q"] = q
    return render_staff(request, "regions/grids.html", ctx)


@login_required
def grid(request, pk):
    grid = access_grid(request.user, pk)
    ctx = {"grid": grid, "stats": grid_stats([grid.pk])[grid.pk], "community": grid.get_parent()}
    if scope_of(request.user).is_staff:
        from redgrid.party.selectors import orgs_responsible_for

        ctx["orgs"] = orgs_responsible_for(grid)
        return render_staff(request, "regions/grid.html", ctx)
    return render(request, "regions/grid_h5.html", ctx)


@login_required
def grid_map(request):
    ctx = {"source": reverse("regions:geojson"), "link": reverse("regions:grid", args=[0])}
    if scope_of(request.user).is_staff:
        return render_staff(request, "regions/map.html", ctx)
    return render(request, "regions/map_h5.html", ctx)


@login_required
def geojson(request):
    """FeatureCollection of the grids in scope, for ECharts registerMap; value = households."""
    grids = list(grids_visible_to(request.user).exclude(geometry=None).order_by("code")[:5000])
    stats = grid_stats([g.pk for g in grids])
    features = [
        {
            "type": "Feature",
            "properties": {"id": g.pk, "name": g.name, "code": g.code, "value": stats[g.pk]["households"]},
            "geometry": g.geometry,
        }
        for g in grids
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@staff_required
def residents(request):
    q = request.GET.get("q", "").strip()
    grid_id = request.GET.get("grid", "").strip()
    qs = search_residents(request.user, q=q, grid_id=int(grid_id) if grid_id.isdigit() else None)
    ctx = paginate(request, qs)
    ctx.update(q=q, grid_id=grid_id, grids=grids_visible_to(request.user).order_by("code").only("id", "name"))
    return render_staff(request, "regions/residents.html", ctx)


@staff_required
def resident(request, pk):
    person = access_resident(request.user, pk)
    return render_staff(request, "regions/resident.html", {"person": person, "fields": person.SENSITIVE_FIELDS})


@staff_required
@require_POST
def resident_reveal(request, pk, field):
    return reveal_fragment(request, access_resident(request.user, pk), field)


@staff_required
def region_search(request):
    q = request.GET.get("q", "").strip()
    rows = regions_visible_to(request.user).filter(name__icontains=q).order_by("path")[:20] if q else []
    return render(request, "regions/_children.html", {"rows": rows})


