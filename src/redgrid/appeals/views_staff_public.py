"""公开页: the anonymous, per-grid list of appeals and their outcomes (no login).

What is shown is chosen field by field (PIPL 最小必要): the number, the category, the status, the dates,
the rating, the grid and its community — never the reporter, the phone, the address, the title or the
text, which may name people or doors. Location: appeals of a sensitive category (`Category.is_sensitive`
on the category or an ancestor) are shown at grid precision only; others also show their point rounded
to 3 decimals (≈ 100 m).
"""

from django.shortcuts import render

from redgrid.appeals.queues import (
    PUBLIC_POINT_DECIMALS,
    public_appeals,
    public_places,
    public_rows,
)
from redgrid.core.pages import paginate


def public(request):
    places = public_places(request.GET)
    qs = public_appeals(street=places["street"], community=places["community"], grid=places["grid"])
    ctx = paginate(request, qs, per_page=30)
    ctx["rows"] = public_rows(ctx["rows"])
    ctx.update(places, decimals=PUBLIC_POINT_DECIMALS)
    return render(request, "appeals/staff/public.html", ctx)
