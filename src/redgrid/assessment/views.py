"""Pages of the KPI part of 考核评价: the ranking (period picker, level tabs, sortable columns, drill-down),
a node's indicator breakdown, the records behind a number, report downloads and the scheme editor."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from redgrid.assessment import indicators as I
from redgrid.assessment import nodes as N
from redgrid.assessment import periods, records, reports, schemes, selectors
from redgrid.assessment.models import Level, PeriodKind, Scheme
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.pages import paginate, render_staff, staff_required

RECENT = {"month": 12, "quarter": 8, "year": 5}


def _period(request) -> periods.Period:
    kind = request.GET.get("kind") or ""
    try:
        period = periods.parse(
            request.GET.get("period", ""), default_kind=kind if kind in periods.KINDS else "month"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages) + "，已显示本月")
        period = periods.parse("", default_kind="month")
    if kind in periods.KINDS and kind != period.kind:
        period = periods.of(kind, period.start)
    return period


def _ranking_context(request):
    user = request.user
    key = request.GET.get("node", "")
    node = N.access_node(user, key) if key else N.start_node(user)
    levels = N.levels_under(node)
    level = request.GET.get("level") or (levels[0] if levels else "")
    if levels and level not in levels:
        raise Http404("没有这一层级")
    period = _period(request)
    sort = request.GET.get("sort", "")
    descending = request.GET.get("dir", "desc") != "asc"
    result = (
        selectors.ranking(user, node, level, period, sort=sort, descending=descending) if levels else None
    )
    return node, level, period, result, sort, descending


@staff_required
def ranking(request):
    node, level, period, result, sort, descending = _ranking_context(request)
    for row in result.rows if result else []:
        row.next_level = (N.levels_under(row.node) or (None,))[0]  # the drill-down link of the row
    return render_staff(
        request,
        "assessment/ranking.html",
        {
            "node": node,
            "crumbs": N.breadcrumbs(request.user, node),
            "level": level,
            "levels": [(lv, I.LEVEL_LABELS[lv]) for lv in N.levels_under(node)],
            "period": period,
            "kinds": list(periods.KIND_LABELS.items()),
            "recent": periods.recent(period.kind, count=RECENT[period.kind]),
            "result": result,
            "sort": sort,
            "descending": descending,
            "is_admin": scope_of(request.user).is_admin,
        },
    )


def _download(request, kind: str):
    node, level, period, result, _, _ = _ranking_context(request)
    if result is None:
        raise Http404("该节点下没有可排名的对象")
    if kind == "xlsx":
        body, ctype = (
            reports.xlsx(result),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        body, ctype = reports.pdf(result), "application/pdf"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{reports.filename(result, kind)}"'
    return response


@staff_required
def export_xlsx(request):
    return _download(request, "xlsx")


@staff_required
def export_pdf(request):
    return _download(request, "pdf")


@staff_required
def node(request, key: str):
    node = N.access_node(request.user, key)
    period = _period(request)
    detail = selectors.node_detail(node, period)
    return render_staff(
        request,
        "assessment/node.html",
        {
            "node": node,
            "crumbs": N.breadcrumbs(request.user, node),
            "period": period,
            "kinds": list(periods.KIND_LABELS.items()),
            "recent": periods.recent(period.kind, count=RECENT[period.kind]),
            "scheme": detail["scheme"],
            "row": detail["row"],
            "trend": detail["trend"],
            "levels": [(lv, I.LEVEL_LABELS[lv]) for lv in N.levels_under(node)],
        },
    )


@staff_required
def node_records(request, key: str, indicator: str):
    node = N.access_node(request.user, key)
    if indicator not in I.INDICATORS:
        raise Http404("没有这个指标")
    ind = I.get(indicator)
    period = _period(request)
    failed = request.GET.get("failed") == "1"
    q = request.GET.get("q", "").strip()
    found = records.records(node, ind, period, failed_only=failed)
    if isinstance(found, list):
        if q:
            found = [r for r in found if q in r.label]
        page = paginate(request, found)
    else:
        if q:
            found = found.filter(label__icontains=q)
        page = paginate(request, found)
        page["rows"] = records.item_records(page["rows"])
    return render_staff(
        request,
        "assessment/records.html",
        {
            "node": node,
            "indicator": ind,
            "period": period,
            "failed": failed,
            "q": q,
            "crumbs": N.breadcrumbs(request.user, node),
            **page,
        },
    )


# --- schemes ---------------------------------------------------------------------------------------------------


@staff_required
def scheme_list(request):
    level = request.GET.get("level", "")
    qs = Scheme.objects.prefetch_related("items").order_by("level", "period", "-is_active", "-updated_at")
    if level in Level.values:
        qs = qs.filter(level=level)
    return render_staff(
        request,
        "assessment/schemes.html",
        {
            "levels": Level.choices,
            "level": level,
            "is_admin": scope_of(request.user).is_admin,
            "names": {k: i.name for k, i in I.INDICATORS.items()},
            **paginate(request, qs),
        },
    )


def _form_items(post, level: str) -> list[dict]:
    return [
        {"indicator": ind.key, "weight": post.get(f"w_{ind.key}", ""), "target": post.get(f"t_{ind.key}", "")}
        for ind in I.for_level(level)
    ]


def _editor(
    request, scheme: Scheme | None, *, level: str, period: str, values: dict | None = None, status=200
):
    current = {i.indicator: i for i in scheme.items.all()} if scheme else {}
    rows = []
    for ind in I.for_level(level):
        item = current.get(ind.key)
        rows.append(
            {
                "ind": ind,
                "weight": (values or {}).get(f"w_{ind.key}", f"{item.weight:g}" if item else ""),
                "target": (values or {}).get(
                    f"t_{ind.key}", f"{item.target:g}" if item and item.target is not None else ""
                ),
                "default_target": ind.target_for(period),
            }
        )
    return render_staff(
        request,
        "assessment/scheme_edit.html",
        {
            "scheme": scheme,
            "level": level,
            "level_label": Level(level).label,
            "period": period,
            "period_label": PeriodKind(period).label,
            "levels": Level.choices,
            "periods": PeriodKind.choices,
            "rows": rows,
            "name": (values or {}).get("name", scheme.name if scheme else ""),
            "events": scheme.events.select_related("actor").order_by("-at", "-id")[:20] if scheme else [],
            "is_admin": scope_of(request.user).is_admin,
        },
        status=status,
    )


@staff_required
def scheme_detail(request, pk: int):
    scheme = get_or_404(Scheme.objects.prefetch_related("items"), pk=pk)
    if request.method == "POST":
        if not scope_of(request.user).is_admin:
            raise PermissionDenied("只有系统管理员可以修改考核方案")
        try:
            schemes.scheme_update(
                actor=request.user,
                scheme=scheme,
                items=_form_items(request.POST, scheme.level),
                name=request.POST.get("name", ""),
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _editor(
                request, scheme, level=scheme.level, period=scheme.period, values=request.POST, status=400
            )
        messages.success(request, "考核方案已保存，新的权重立即用于排名")
        return redirect("assessment:scheme", pk=scheme.pk)
    return _editor(request, scheme, level=scheme.level, period=scheme.period)


@staff_required
def scheme_new(request):
    if not scope_of(request.user).is_admin:
        raise PermissionDenied("只有系统管理员可以新建考核方案")
    level = request.POST.get("level") or request.GET.get("level") or "community"
    period = request.POST.get("period") or request.GET.get("period") or "month"
    if level not in Level.values or period not in PeriodKind.values:
        raise Http404("考核对象或周期不正确")
    if request.method == "POST":
        try:
            scheme = schemes.scheme_create(
                actor=request.user,
                name=request.POST.get("name", ""),
                level=level,
                period=period,
                items=_form_items(request.POST, level),
                note=request.POST.get("note", ""),
                active=request.POST.get("active") == "1",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _editor(request, None, level=level, period=period, values=request.POST, status=400)
        messages.success(request, f"已新建考核方案“{scheme.name}”")
        return redirect("assessment:scheme", pk=scheme.pk)
    return _editor(request, None, level=level, period=period)


@staff_required
@require_POST
def scheme_activate(request, pk: int):
    scheme = get_or_404(Scheme.objects.all(), pk=pk)
    if not scope_of(request.user).is_admin:
        raise PermissionDenied("只有系统管理员可以启用考核方案")
    schemes.scheme_activate(actor=request.user, scheme=scheme)
    messages.success(request, f"已启用“{scheme.name}”，原方案停用")
    return redirect(reverse("assessment:scheme", args=[scheme.pk]))
