"""Shared helpers for server-rendered pages: the staff frame (tree navigator) and paging."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from redgrid.core.access import scope_of

PAGE_SIZE = 30


def staff_context(request) -> dict:
    from redgrid.party.models import PartyOrg
    from redgrid.regions.models import Region
    from redgrid.units.models import Unit

    scope = scope_of(request.user)
    if scope.is_admin:
        roots = list(Region.objects.filter(depth=1).order_by("code"))
    else:
        roots = list(Region.objects.filter(path__in=scope.region_paths).order_by("code"))
    return {
        "scope": scope,
        "nav_roots": roots,
        "nav_orgs": list(PartyOrg.objects.filter(path__in=scope.org_paths).order_by("path")),
        "nav_units": list(Unit.objects.filter(pk__in=scope.unit_ids).order_by("name")),
    }


def render_staff(request, template: str, context: dict | None = None, status: int = 200):
    ctx = staff_context(request)
    ctx.update(context or {})
    return render(request, template, ctx, status=status)


def staff_required(view):
    """Login required, and a staff grant; residents and members are sent to their H5 home."""

    @login_required
    def wrapper(request, *args, **kwargs):
        if not scope_of(request.user).is_staff:
            return redirect("h5_home")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> dict:
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"page_obj": page, "rows": page.object_list, "querystring": params.urlencode()}


def reveal_fragment(request, obj, field: str):
    """The htmx answer of a "查看" button next to a masked field: the audited plaintext, or the refusal in
    Chinese (403). The caller has already scope-checked `obj` (404 outside the user's subtree)."""
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse
    from django.utils.html import escape

    from redgrid.core.sensitive import sensitive_reveal

    try:
        value = sensitive_reveal(actor=request.user, obj=obj, field=field)
    except PermissionDenied as exc:
        return HttpResponse(f'<span class="errorlist">{escape(str(exc))}</span>', status=403)
    if isinstance(value, list):
        value = "、".join(value) or "无"
    return HttpResponse(
        f"<strong>{escape(value) or '（空）'}</strong> <span class='muted'>（已记录查看）</span>"
    )
