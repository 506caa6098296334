"""考核排名: the indicators (appeals.metrics) of the streets, communities and units in the viewer's scope
for a period, sorted by the weighted score; administrators change the weights here.

Which nodes are ranked:
- streets: the street-level regions the viewer covers (none for a community account);
- communities: those of the street drilled into (`?street=`), or, when the viewer covers a single
  street or less, every community it covers; a viewer over several streets drills first;
- units: the active units the viewer may see (units.selectors.units_visible_to).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.appeals import metrics, services
from redgrid.core.access import scope_of
from redgrid.core.pages import render_staff, staff_required
from redgrid.core.rules import rule_value

PERIODS = {"month": "月度", "quarter": "季度", "year": "年度", "custom": "自定义"}
MAX_CUSTOM_DAYS = 3 * 366
INDICATORS = (
    ("response_rate", "响应率"),
    ("resolution_rate", "解决率"),
    ("satisfaction_rate", "满意率"),
    ("close_rate", "结案率"),
    ("on_time_close_rate", "按期结案率"),
    ("rework_rate", "返工率"),
    ("extension_rate", "延期率"),
)


@dataclass
class Period:
    kind: str
    start: date
    end: date  # inclusive
    label: str

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.start, time.min, tzinfo=tz)
        return start, datetime.combine(self.end, time.min, tzinfo=tz) + timedelta(days=1)


def _month(value: str, today: date) -> Period:
    year, month = (int(x) for x in value.split("-")) if value else (today.year, today.month)
    start = date(year, month, 1)
    end = (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)
    return Period("month", start, end, f"{year}年{month}月")


def _quarter(value: str, today: date) -> Period:
    if value:
        year_s, q_s = value.upper().split("-Q")
        year, q = int(year_s), int(q_s)
    else:
        year, q = today.year, (today.month - 1) // 3 + 1
    if not 1 <= q <= 4:
        raise ValueError
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
    return Period("quarter", start, end, f"{year}年第{q}季度")


def _year(value: str, today: date) -> Period:
    year = int(value) if value else today.year
    return Period("year", date(year, 1, 1), date(year, 12, 31), f"{year}年")


def _custom(start: str, end: str) -> Period:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if last < first:
        raise ValidationError("结束日期不能早于开始日期")
    if (last - first).days > MAX_CUSTOM_DAYS:
        raise ValidationError("自定义期间最长 3 年")
    return Period("custom", first, last, f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}")


def period_from(params, today: date) -> tuple[Period, str]:
    """The period asked for, or this month with an error message when the input is malformed."""
    kind = params.get("period") or "month"
    try:
        if kind == "quarter":
            return _quarter(params.get("quarter", ""), today), ""
        if kind == "year":
            return _year(params.get("year", ""), today), ""
        if kind == "custom":
            return _custom(params.get("start", ""), params.get("end", "")), ""
        return _month(params.get("month", ""), today), ""
    except ValidationError as exc:
        return _month("", today), " ".join(exc.messages)
    except ValueError:
        return _month("", today), "期间格式不正确，已显示本月"


def ranking_nodes(user, street_id: str) -> dict:
    from redgrid.regions.models import Region
    from redgrid.regions.selectors import access_region, regions_visible_to
    from redgrid.units.selectors import units_visible_to

    visible = regions_visible_to(user)
    streets = list(visible.filter(level=Region.Level.STREET).order_by("code"))
    drilled = None
    if street_id:
        drilled = access_region(user, street_id) if street_id.isdigit() else None
        if drilled is None or drilled.level != Region.Level.STREET:
            raise Http404("没有这个街道")
    communities = visible.filter(level=Region.Level.COMMUNITY).order_by("code")
    if drilled is not None:
        communities = communities.filter(path__startswith=drilled.path)
    elif len(streets) > 1:
        communities = communities.none()
    return {
        "streets": streets,
        "communities": list(communities),
        "units": list(units_visible_to(user).filter(is_active=True).order_by("name")),
        "drilled": drilled,
        "needs_drill": drilled is None and len(streets) > 1,
    }


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def ranked(nodes, start, end) -> list[dict]:
    """One row per node, best score first (nodes without any rated or dispatched work last)."""
    rows = []
    for node in nodes:
        m = metrics.compute(node, start, end)
        rows.append(
            {
                "node": node,
                "score": m.score,
                "cells": [_pct(getattr(m, key)) for key, _ in INDICATORS],
                "counts": m,
            }
        )
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), str(r["node"])))
    for i, row in enumerate(rows, start=1):
        row["rank"] = i if row["score"] is not None else "—"
    return rows


def _render(request, params, *, weight_form=None, status=200):
    period, error = period_from(params, timezone.localdate())
    if error:
        messages.error(request, error)
    nodes = ranking_nodes(request.user, params.get("street", "").strip())
    start, end = period.bounds
    keep = params.copy()
    keep.pop("street", None)
    weights = rule_value("appeals.rank.weights")
    return render_staff(
        request,
        "appeals/staff/ranking.html",
        {
            "period": period,
            "periods": PERIODS,
            "q": params,
            "period_query": keep.urlencode(),
            "this_query": params.urlencode(),
            "indicators": [label for _, label in INDICATORS],
            "streets": ranked(nodes["streets"], start, end),
            "communities": ranked(nodes["communities"], start, end),
            "units": ranked(nodes["units"], start, end),
            "drilled": nodes["drilled"],
            "needs_drill": nodes["needs_drill"],
            "weights": list(zip(services.RANK_WEIGHT_LABELS, weights, strict=True)),
            "weight_fields": list(
                enumerate(
                    zip(services.RANK_WEIGHT_LABELS, weight_form or [f"{w:g}" for w in weights], strict=True)
                )
            ),
            "is_admin": scope_of(request.user).is_admin,
        },
        status=status,
    )


@staff_required
def ranking(request):
    return _render(request, request.GET)


@staff_required
@require_POST
def weights(request):
    """An administrator's change of the three weights (validated, audited); a rejected change shows the
    page again with the message and the typed values."""
    if not scope_of(request.user).is_admin:
        raise Http404("未找到")
    values = [request.POST.get(f"w{i}", "").strip() for i in range(3)]
    back = QueryDict(request.POST.get("back", ""))
    try:
        saved = services.rank_weights_set(
            actor=request.user, weights=values, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _render(request, back, weight_form=values, status=400)
    messages.success(request, "考核权重已更新为 " + " / ".join(f"{v:g}" for v in saved))
    return redirect(reverse("appeals:staff_ranking") + (f"?{back.urlencode()}" if back else ""))
