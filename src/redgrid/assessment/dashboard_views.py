"""Pages of the dashboards (data through the JSON endpoints of dashboard_api), hot issues, proactive tasks
and the resource allocation proposal."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.assessment import allocation as alloc
from redgrid.assessment import dashboards, hotspots, proactive
from redgrid.assessment.dashboard_api import communities_under
from redgrid.assessment.models import ProactiveTask
from redgrid.core.api import Conflict
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.core.rules import rule_value

API = "/api/v1/assessment"


@staff_required
def screen(request):
    """领导大屏: dark full-screen layout; the charts load /dash/screen and /dash/map of the node."""
    root = dashboards.screen_root(request.user, request.GET.get("node", "").strip() or None)
    return render(
        request,
        "assessment/dash/screen.html",
        {
            "root": root,
            "api": f"{API}/dash/screen?node={root.pk}",
            "map_api": f"{API}/dash/map?node={root.pk}",
            "shapes_api": f"{API}/dash/grids?node={root.pk}",
        },
    )


@staff_required
def branch(request):
    org = dashboards.branch_root(request.user, request.GET.get("org", "").strip() or None)
    return render_staff(
        request, "assessment/dash/branch.html", {"org": org, "api": f"{API}/dash/branch?org={org.pk}"}
    )


def public(request):
    """公开统计: no login; the page asks /public/stats for aggregates only."""
    street = dashboards.public_street(request.GET.get("street", "").strip() or None)
    return render(
        request,
        "assessment/dash/public.html",
        {
            "street": street,
            "streets": list(dashboards.public_streets()[:500]),
            "api": f"{API}/public/stats?street={street.pk}" if street else "",
        },
    )


def _month(value: str) -> tuple[date, str]:
    today = timezone.localdate().replace(day=1)
    if not value:
        return today, ""
    try:
        year, month = (int(x) for x in value.split("-"))
        return date(year, month, 1), ""
    except ValueError:
        return today, "月份格式应为 年-月，已显示本月"


@staff_required
def hot(request):
    """每月一题: the top recurring problems of a street or community in a month, with example appeals."""
    root = dashboards.screen_root(request.user, request.GET.get("area", "").strip() or None)
    month, error = _month(request.GET.get("month", "").strip())
    if error:
        messages.error(request, error)
    topics = hotspots.hot_topics(root, month)
    return render_staff(
        request,
        "assessment/dash/hot.html",
        {
            "root": root,
            "month": month,
            "topics": topics,
            "children": dashboards.children_of(request.user, root),
            "breadcrumbs": dashboards.breadcrumbs(request.user, root),
            "queue": dashboards.queue_link(request.user, area=root.pk),
            "min_size": rule_value("assessment.hot.min_size"),
        },
    )


@staff_required
def tasks(request):
    """未诉先办任务: search, status filter, area filter, pagination."""
    qs = proactive.tasks_visible_to(request.user).select_related("community").order_by("-created_at", "-id")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "").strip()
    area = request.GET.get("area", "").strip()
    if q:
        qs = qs.filter(title__icontains=q)
    if status in ProactiveTask.Status.values:
        qs = qs.filter(status=status)
    if area:
        from redgrid.regions.selectors import access_region

        if not area.isdigit():
            raise Http404("未找到")
        qs = qs.filter(community__path__startswith=access_region(request.user, area).path)
    ctx = paginate(request, qs)
    ctx.update(
        q=q,
        status=status,
        area=area,
        statuses=ProactiveTask.Status.choices,
        field=proactive.precision_in_use(proactive.tasks_visible_to(request.user)),
        params=hotspots.Params.from_rules(),
    )
    return render_staff(request, "assessment/dash/tasks.html", ctx)


@staff_required
def task(request, pk):
    t = proactive.access_task(request.user, pk)
    from redgrid.appeals.selectors import appeals_visible_to

    appeals = list(
        appeals_visible_to(request.user)
        .filter(pk__in=t.appeal_ids)
        .select_related("grid", "category")
        .order_by("-created_at")[:50]
    )
    return render_staff(
        request,
        "assessment/dash/task.html",
        {
            "task": t,
            "appeals": appeals,
            "hidden": max(0, len(t.appeal_ids) - len(appeals)),
            "can_complete": proactive.can_complete(request.user, t),
            "outcomes": ProactiveTask.Outcome.choices,
            "events": t.events.select_related("actor").order_by("at", "id"),
        },
    )


@staff_required
@require_POST
def task_complete(request, pk):
    t = proactive.access_task(request.user, pk)
    try:
        proactive.task_complete(
            actor=request.user,
            task=t,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied, Conflict) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return redirect("assessment:task", pk=t.pk)
    messages.success(request, "任务已办结")
    return redirect("assessment:task", pk=t.pk)


def _budget(params) -> tuple[dict, list[str]]:
    budget, errors = {}, []
    for key, (label, _unit) in alloc.RESOURCES.items():
        raw = params.get(key, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) > 100_000:
            errors.append(f"{label}数量应为 0–100000 的整数")
            continue
        budget[key] = int(raw)
    return budget, errors


@staff_required
def allocation(request):
    """资源配置建议: inputs, indicators, the formula with its weights, scores, ranks and the proposal."""
    root = dashboards.screen_root(request.user, request.GET.get("node", "").strip() or None)
    budget, errors = _budget(request.GET)
    for e in errors:
        messages.error(request, e)
    communities = communities_under(root)
    result = alloc.proposal(communities, budget=budget)
    for r in result["rows"]:
        r.appeals_link = dashboards.queue_link(request.user, area=r.region.pk)
    resources = []
    for key, (label, unit) in alloc.RESOURCES.items():
        ordered = sorted(result["rows"], key=lambda r: r.scores[key]["rank"])
        resources.append(
            {
                "key": key,
                "label": label,
                "unit": unit,
                "budget": result["budget"][key],
                "weights": [
                    (alloc.INDICATORS.get(k, (k, ""))[0], w)
                    for k, w in result["weights"].get(key, {}).items()
                ],
                "rows": [(r, r.scores[key]) for r in ordered],
            }
        )
    return render_staff(
        request,
        "assessment/dash/allocation.html",
        {
            "root": root,
            "rows": result["rows"],
            "resources": resources,
            "indicators": alloc.INDICATORS,
            "children": dashboards.children_of(request.user, root),
            "breadcrumbs": dashboards.breadcrumbs(request.user, root),
        },
    )
