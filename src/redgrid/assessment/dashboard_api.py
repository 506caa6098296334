"""JSON behind the dashboards, hot issues, early warning and allocation (mounted under /api/v1/assessment/).

Every endpoint reads through the scoped selectors of dashboards.py, hotspots.py, proactive.py and
allocation.py: a node outside the caller's subtree answers 404. `public/stats` needs no login and
returns aggregates only.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema

from redgrid.assessment import allocation as alloc
from redgrid.assessment import dashboards, hotspots, proactive
from redgrid.core.api import Pagination

router = Router(tags=["考核评价·大屏与预警"])


class Detail(Schema):
    detail: str


def _month(value: str) -> date:
    if not value:
        return timezone.localdate().replace(day=1)
    try:
        year, month = (int(x) for x in value.split("-"))
        return date(year, month, 1)
    except ValueError as exc:
        raise ValidationError("月份格式应为 YYYY-MM") from exc


def _json(data: dict) -> JsonResponse:
    """Large plain payloads (thousands of grids) go straight to JSON: the schema layer adds nothing to
    dicts it does not validate, and costs more than the queries behind them."""
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@router.get("/dash/screen", summary="领导大屏：计数、趋势、分类、单位排名（node 为区划编号，默认本人辖区）")
def screen(request, node: int | None = None):
    root = dashboards.screen_root(request.user, node)
    return _json(
        {
            "node": {"id": root.pk, "name": root.name, "level": root.get_level_display()},
            "breadcrumbs": dashboards.breadcrumbs(request.user, root),
            "children": dashboards.children_of(request.user, root),
            "counters": dashboards.counters(request.user, root),
            "trend": dashboards.trend(root),
            "categories": [
                {
                    **c,
                    "link": dashboards.queue_link(
                        request.user,
                        area=root.pk,
                        category=c["id"] or None,
                        date_from=c["first"],
                        date_to=c["last"],
                    ),
                }
                for c in dashboards.top_categories(root)
            ],
            "units": dashboards.unit_ranking(request.user),
            "links": {
                "day": dashboards.queue_link(request.user, area=root.pk),
                "ranking": reverse("appeals:staff_ranking"),
            },
        }
    )


@router.get(
    "/dash/grids", summary="领导大屏：辖区网格边界（GeoJSON，供 ECharts registerMap；边界不变时取缓存）"
)
def screen_grids(request, node: int | None = None):
    root = dashboards.screen_root(request.user, node)
    return HttpResponse(dashboards.grid_shapes(root), content_type="application/json")


@router.get("/dash/map", summary="领导大屏：各网格在办、超期、居民数与每千人在办数（地图着色）")
def screen_map(request, node: int | None = None):
    root = dashboards.screen_root(request.user, node)
    return _json(dashboards.screen_map(request.user, root))


@router.get("/dash/branch", summary="支部视图：党员、组织生活合规、党费、学习、微心愿、志愿时长")
def branch(request, org: int | None = None):
    return dashboards.branch_view(request.user, dashboards.branch_root(request.user, org))


@router.get("/public/stats", auth=None, summary="公开统计（免登录，仅汇总数字，小于阈值的分项不显示）")
def public_stats(request, street: int | None = None):
    found = dashboards.public_street(street)
    if found is None:
        return {"street": None, "streets": []}
    data = dashboards.public_stats(found)
    data["streets"] = [{"id": s.pk, "name": s.name} for s in dashboards.public_streets()]
    return data


class HotTopicOut(Schema):
    rank: int
    label: str
    keywords: list[str]
    size: int
    category: str
    example_ids: list[int]
    appeal_ids: list[int]


@router.get("/hot-topics", response=list[HotTopicOut], summary="每月一题：某街道/社区某月的高频问题")
def hot_topics(request, area: int | None = None, month: str = ""):
    root = dashboards.screen_root(request.user, area)
    return hotspots.hot_topics(root, _month(month))


class TaskOut(Schema):
    id: int
    community: str
    community_id: int
    week: date
    key: str
    title: str
    terms: list[str]
    appeal_ids: list[int]
    evidence: dict
    status: str
    outcome: str
    note: str


def _task(t) -> dict:
    return {
        "id": t.pk,
        "community": t.community.name,
        "community_id": t.community_id,
        "week": t.week,
        "key": t.key,
        "title": t.title,
        "terms": t.terms,
        "appeal_ids": t.appeal_ids,
        "evidence": t.evidence,
        "status": t.status,
        "outcome": t.outcome,
        "note": t.note,
    }


class TaskPage(Schema):
    items: list[TaskOut]
    count: int


@router.get("/proactive-tasks", response=TaskPage, summary="未诉先办任务（本人辖区内的社区）")
def list_tasks(request, paging: Query[Pagination.Input], status: str = ""):
    qs = proactive.tasks_visible_to(request.user).select_related("community").order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status=status)
    size = paging.page_size or 30
    start = (paging.page - 1) * size
    return {"items": [_task(t) for t in qs[start : start + size]], "count": qs.count()}


@router.get("/proactive-tasks/{task_id}", response=TaskOut, summary="未诉先办任务详情（含预警依据）")
def get_task(request, task_id: int):
    return _task(proactive.access_task(request.user, task_id))


class CompleteIn(Schema):
    outcome: str
    note: str


@router.post(
    "/proactive-tasks/{task_id}/complete",
    response={200: TaskOut, 400: Detail, 403: Detail, 404: Detail, 409: Detail},
    summary="办结未诉先办任务（outcome: handled 已主动处置 / no_issue 核实无异常）",
)
def complete_task(request, task_id: int, payload: CompleteIn):
    task = proactive.access_task(request.user, task_id)
    task = proactive.task_complete(actor=request.user, task=task, outcome=payload.outcome, note=payload.note)
    return _task(task)


@router.get("/allocation", summary="资源配置建议：辖区内各社区的输入、指标、得分、排名与分配方案")
def allocation(request, node: int | None = None):
    root = dashboards.screen_root(request.user, node)
    result = alloc.proposal(communities_under(root))
    return _json(
        {
            "node": {"id": root.pk, "name": root.name},
            "weights": result["weights"],
            "budget": result["budget"],
            "maxima": result["maxima"],
            "communities": [
                {
                    "id": r.region.pk,
                    "name": r.region.name,
                    "inputs": {k: v for k, v in r.inputs.items() if k != "profile_time"},
                    "indicators": r.indicators,
                    "scores": r.scores,
                }
                for r in result["rows"]
            ],
        }
    )


def communities_under(root):
    from redgrid.regions.models import Region

    if root.level == Region.Level.COMMUNITY:
        return [root]
    return list(
        Region.objects.filter(level=Region.Level.COMMUNITY, path__startswith=root.path).order_by("code")
    )
