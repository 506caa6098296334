"""REST API of the assessment (考核评价): rankings, schemes, indicators, node details and the records
behind a number. Every read is scoped: a node outside the account's subtree answers 404."""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from redgrid.assessment import indicators as I
from redgrid.assessment import nodes as N
from redgrid.assessment import periods, records, selectors
from redgrid.assessment.models import Scheme
from redgrid.core.access import scope_of
from redgrid.core.api import Pagination

PREFIX = "/assessment"
router = Router(tags=["考核评价"])


class RankingQuery(Schema):
    node: str = ""
    level: str = ""
    period: str = ""
    sort: str = ""


class PeriodQuery(Schema):
    period: str = ""


class RecordsQuery(Schema):
    period: str = ""
    failed: bool = False


def _period(key: str, default_kind: str = "month") -> periods.Period:
    return periods.parse(key, default_kind=default_kind)


def _node(user, key: str) -> N.Node:
    return N.access_node(user, key) if key else N.start_node(user)


def _node_out(node: N.Node) -> dict:
    return {"key": node.key, "name": node.name, "level": node.level, "level_label": node.level_label}


def _cell_out(cell: selectors.Cell) -> dict:
    return {
        "indicator": cell.indicator.key,
        "name": cell.indicator.name,
        "value": cell.value,
        "display": cell.display,
        "numerator": cell.num,
        "denominator": cell.den,
        "members": cell.members,
        "weight": float(cell.weight) if cell.weight is not None else None,
        "target": cell.target,
        "item_score": None if cell.score is None else round(cell.score, 4),
        "points": cell.points,
    }


def _row_out(row: selectors.Row) -> dict:
    return {
        "node": _node_out(row.node),
        "rank": row.rank,
        "score": row.score,
        "coverage": round(row.coverage, 4),
        "indicators": [_cell_out(c) for c in row.cells],
    }


def _scheme_out(scheme: Scheme | None) -> dict | None:
    if scheme is None:
        return None
    return {
        "id": scheme.pk,
        "name": scheme.name,
        "level": scheme.level,
        "period": scheme.period,
        "active": scheme.is_active,
        "version": scheme.version,
        "items": [
            {
                "indicator": i.indicator,
                "weight": float(i.weight),
                "target": None if i.target is None else float(i.target),
            }
            for i in scheme.items.all()
        ],
    }


def _period_out(p: periods.Period) -> dict:
    return {"key": p.key, "label": p.label, "start": p.start.isoformat(), "end": p.last.isoformat()}


@router.get(
    "/rankings",
    response=dict,
    summary="考核排名（node=节点，如 region:5、org:7、unit:3 或区划编号；level=street/community/grid/org/unit；period=2026-06、2026-Q2、2026）",
)
def rankings(request, q: Query[RankingQuery]):
    node = _node(request.user, q.node)
    level = q.level or (N.levels_under(node) or ("",))[0]
    if level not in N.levels_under(node):
        raise ValidationError(f"“{node.name}”下没有可排名的“{I.LEVEL_LABELS.get(level, level)}”")
    period = _period(q.period)
    result = selectors.ranking(request.user, node, level, period, sort=q.sort)
    return {
        "node": _node_out(node),
        "level": level,
        "levels": list(result.levels),
        "period": _period_out(period),
        "scheme": _scheme_out(result.scheme),
        "rows": [_row_out(r) for r in result.rows],
    }


@router.get("/schemes", response=list[dict], summary="考核方案（各层级、各周期，含指标、权重、目标值）")
def schemes(request, active: bool | None = None):
    if not scope_of(request.user).is_staff:
        raise Http404
    qs = Scheme.objects.prefetch_related("items").order_by("level", "period", "-is_active", "id")
    if active is not None:
        qs = qs.filter(is_active=active)
    return [_scheme_out(s) for s in qs]


@router.get(
    "/indicators", response=list[dict], summary="考核指标定义（名称、单位、方向、适用对象、计算方法）"
)
def indicator_list(request):
    if not scope_of(request.user).is_staff:
        raise Http404
    return [
        {
            "key": i.key,
            "name": i.name,
            "module": i.module,
            "unit": i.unit,
            "direction": i.direction,
            "levels": list(i.levels),
            "kind": i.kind,
            "formula": i.doc,
        }
        for i in I.INDICATORS.values()
    ]


@router.get(
    "/nodes/{key}", response=dict, summary="节点考核详情：各指标的值、分子分母、权重与得分，及近期得分"
)
def node_detail(request, key: str, q: Query[PeriodQuery]):
    node = N.access_node(request.user, key)
    period = _period(q.period)
    detail = selectors.node_detail(node, period)
    return {
        "node": _node_out(node),
        "period": _period_out(period),
        "scheme": _scheme_out(detail["scheme"]),
        "score": detail["row"].score,
        "coverage": round(detail["row"].coverage, 4),
        "indicators": [_cell_out(c) for c in detail["row"].cells],
        "trend": [{"period": p.key, "score": s} for p, s in detail["trend"]],
        "levels": list(N.levels_under(node)),
    }


@router.get(
    "/nodes/{key}/records/{indicator}",
    response=list[dict],
    summary="指标背后的记录（failed=true 只列未达标的，如未按时报到的派单、逾期未开的支委会）",
)
@paginate(Pagination, page_size=50)
def node_records(request, key: str, indicator: str, q: Query[RecordsQuery]):
    node = N.access_node(request.user, key)
    if indicator not in I.INDICATORS:
        raise Http404
    ind = I.get(indicator)
    found = records.records(node, ind, _period(q.period), failed_only=q.failed)
    return _LazyRecords(found)


class _LazyRecords:
    """Pages a FactItem queryset (or a list of appeal records) and turns only the page into dicts."""

    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return (
            self.rows.count()
            if hasattr(self.rows, "count") and not isinstance(self.rows, list)
            else len(self.rows)
        )

    def count(self):
        return len(self)

    def __getitem__(self, window):
        part = self.rows[window]
        recs = records.item_records(part) if not isinstance(self.rows, list) else part
        return [
            {"day": r.day.isoformat(), "label": r.label, "ok": r.ok, "value": r.value, "link": r.link}
            for r in recs
        ]


# The dashboards, hot issues, early warning and allocation (assessment/dashboard_api.py) share the prefix.
from redgrid.assessment.dashboard_api import router as _dashboard_router  # noqa: E402

router.add_router("", _dashboard_router)
