"""REST API of 接诉即办: intake, scoped lists and details with the timeline, one POST per action, metrics."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import File, Query, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile
from ninja.pagination import paginate

from redgrid.appeals import metrics, services
from redgrid.appeals.models import OPEN_STATES, Appeal, Channel, PhotoKind
from redgrid.appeals.selectors import access_appeal, appeal_timeline, appeals_visible_to, available_actions
from redgrid.core.access import scope_of
from redgrid.core.api import Pagination
from redgrid.core.context import client_ip

router = Router(tags=["接诉即办"])


class Detail(Schema):
    detail: str


class AppealIn(Schema):
    content: str
    title: str = ""
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    category: int | None = None


class ActionIn(Schema):
    """Body of `POST /appeals/{id}/{action}`; each action reads the fields it needs."""

    unit_id: int | None = None
    lead_unit_id: int | None = None
    unit_ids: list[int] = []
    content: str = ""
    passed: bool | None = None
    note: str = ""
    rating: str = ""
    comment: str = ""
    reason: str = ""
    days: int | None = None
    into_id: int | None = None
    category_id: int | None = None
    urgency: str | None = None
    grid_id: int | None = None
    title: str | None = None


def _ref(obj):
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def _iso(value):
    return value.isoformat() if value else None


def appeal_out(appeal: Appeal, now=None) -> dict:
    now = now or timezone.now()
    return {
        "id": appeal.pk,
        "status": appeal.status,
        "status_label": appeal.status_label,
        "channel": appeal.channel,
        "title": appeal.display_title,
        "content": appeal.content,
        "lat": appeal.lat,
        "lng": appeal.lng,
        "address": appeal.address,
        "grid": _ref(appeal.grid),
        "street": _ref(appeal.street),
        "category": _ref(appeal.category),
        "suggested_category": _ref(appeal.suggested_category),
        "confidence": appeal.confidence,
        "suggested_unit": _ref(appeal.suggested_unit),
        "urgency": appeal.urgency,
        "owner": {"kind": "unit" if appeal.owner_unit_id else "street", **(_ref(appeal.owner) or {})},
        "due_at": _iso(appeal.resolve_due_at),
        "respond_due_at": _iso(appeal.respond_due_at),
        "overdue": appeal.is_overdue(now),
        "round": appeal.round,
        "reopen_count": appeal.reopen_count,
        "merged_into": appeal.merged_into_id,
        "caller_phone": appeal.caller_phone,
        "possible_duplicates": appeal.possible_duplicates,
        "created_at": _iso(appeal.created_at),
        "closed_at": _iso(appeal.closed_at),
    }


def _with_related(qs):
    return qs.select_related(
        "grid", "street", "category", "suggested_category", "suggested_unit", "owner_unit"
    )


@router.post("/appeals", response={201: dict, 400: Detail, 429: Detail}, summary="提交诉求")
def submit(request, payload: AppealIn):
    try:
        result = services.appeal_submit(
            actor=request.user,
            content=payload.content,
            title=payload.title,
            lat=payload.lat,
            lng=payload.lng,
            address=payload.address,
            category=payload.category,
            channel=Channel.API,
            client_ip=client_ip(request),
        )
    except services.RateLimited as exc:
        return Reply(429, {"detail": str(exc)})
    body = appeal_out(result.appeal)
    body["duplicates"] = result.duplicates
    body["located_by"] = result.located_by
    return Reply(201, body)


@router.get("/appeals", response=list[dict], summary="诉求列表（按权限范围，分页）")
@paginate(Pagination, page_size=30)
def list_appeals(
    request,
    status: str = "",
    category: int | None = None,
    grid: int | None = None,
    overdue: bool | None = None,
    mine: bool = False,
):
    qs = _with_related(appeals_visible_to(request.user))
    if status:
        qs = qs.filter(status__in=status.split(","))
    if category:
        qs = qs.filter(category_id=category)
    if grid:
        qs = qs.filter(grid_id=grid)
    if mine:
        qs = qs.filter(reporter=request.user)
    now = timezone.now()
    if overdue is True:
        qs = qs.filter(status__in=OPEN_STATES, resolve_due_at__lt=now)
    elif overdue is False:
        qs = qs.exclude(status__in=OPEN_STATES, resolve_due_at__lt=now)
    return _Page(qs.order_by("-created_at", "-id"), now)


class _Page:
    """Lets the paginator slice the queryset and serialises only the page."""

    def __init__(self, qs, now):
        self.qs, self.now = qs, now

    def __len__(self):
        return self.qs.count()

    def count(self):
        return self.qs.count()

    def __getitem__(self, item):
        return [appeal_out(a, self.now) for a in self.qs[item]]


class MetricsQuery(Schema):
    node: str
    start: date
    end: date


@router.get("/appeals/metrics", response=dict, summary="三率及结案率等指标（node=区划编号 或 unit:单位编号）")
def appeal_metrics(request, q: Query[MetricsQuery]):
    from redgrid.regions.selectors import access_region
    from redgrid.units.selectors import access_unit

    if not scope_of(request.user).is_staff:
        raise Http404
    if q.end <= q.start:
        raise ValidationError("结束日期应晚于开始日期")
    if q.node.startswith("unit:"):
        node = access_unit(request.user, q.node.removeprefix("unit:"))
    else:
        node = access_region(request.user, q.node)
    tz = timezone.get_current_timezone()
    start = datetime.combine(q.start, time.min, tzinfo=tz)
    end = datetime.combine(q.end, time.min, tzinfo=tz) + timedelta(days=1)  # the end date is included
    result = metrics.compute(node, start, end).as_dict()
    result["node"] = {
        "kind": "unit" if q.node.startswith("unit:") else "region",
        "id": node.pk,
        "name": str(node),
    }
    result["start"], result["end"] = q.start.isoformat(), q.end.isoformat()
    return result


@router.get("/appeals/{appeal_id}", response=dict, summary="诉求详情（含办理时间线）")
def get_appeal(request, appeal_id: int):
    appeal = access_appeal(request.user, appeal_id)
    body = appeal_out(appeal)
    body["timeline"] = [
        {
            "at": _iso(e.at),
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "note": e.note,
            "actor": str(e.actor) if e.actor else "系统",
            "unit": _ref(e.unit),
            "round": e.round,
        }
        for e in appeal_timeline(appeal)
    ]
    body["tasks"] = [
        {
            "unit": _ref(t.unit),
            "role": t.role,
            "whistle": t.is_whistle,
            "dispatched_at": _iso(t.dispatched_at),
            "due_at": _iso(t.due_at),
            "reported_at": _iso(t.reported_at),
            "active": t.is_active,
        }
        for t in appeal.tasks.select_related("unit")
    ]
    body["ratings"] = [
        {"round": r.round, "rating": r.rating, "comment": r.comment, "at": _iso(r.at)}
        for r in appeal.ratings.order_by("round")
    ]
    body["photos"] = [
        {"id": p.pk, "kind": p.kind, "url": p.file.url, "content_type": p.content_type}
        for p in appeal.photos.all()
    ]
    body["actions"] = available_actions(request.user, appeal)
    return body


@router.post(
    "/appeals/{appeal_id}/photos", response={201: dict}, summary="上传诉求照片（反映照片或处置照片）"
)
def upload_photos(request, appeal_id: int, files: File[list[UploadedFile]], kind: str = PhotoKind.INTAKE):
    if kind not in PhotoKind.values:
        raise ValidationError("照片类型应为 intake 或 evidence")
    appeal = access_appeal(request.user, appeal_id)
    count = services.add_photos(actor=request.user, appeal=appeal, photos=files, kind=kind)
    return Reply(201, {"added": count})


def _unit(pk, user):
    from redgrid.units.selectors import access_unit

    if pk is None:
        raise ValidationError("请选择责任单位")
    return access_unit(user, pk)  # a unit outside the dispatcher's reach is 404


ACTIONS = {
    "register": lambda a, b, u: services.appeal_register(
        actor=u,
        appeal=a,
        category=b.category_id,
        urgency=b.urgency,
        grid=b.grid_id,
        title=b.title,
        note=b.note,
    ),
    "reject": lambda a, b, u: services.appeal_reject(actor=u, appeal=a, reason=b.reason),
    "dispatch": lambda a, b, u: services.appeal_dispatch(
        actor=u, appeal=a, unit=_unit(b.unit_id, u), note=b.note
    ),
    "whistle": lambda a, b, u: services.appeal_whistle(
        actor=u,
        appeal=a,
        lead_unit=_unit(b.lead_unit_id, u),
        units=[_unit(i, u) for i in b.unit_ids],
        note=b.note,
    ),
    "accept": lambda a, b, u: services.appeal_accept(actor=u, appeal=a, unit=b.unit_id),
    "return": lambda a, b, u: services.appeal_return(actor=u, appeal=a, reason=b.reason),
    "reassign": lambda a, b, u: services.appeal_reassign(
        actor=u, appeal=a, unit=_unit(b.unit_id, u), note=b.note
    ),
    "reply": lambda a, b, u: services.appeal_reply(actor=u, appeal=a, content=b.content),
    "verify": lambda a, b, u: services.appeal_verify(actor=u, appeal=a, passed=_passed(b), note=b.note),
    "rate": lambda a, b, u: services.appeal_rate(actor=u, appeal=a, rating=b.rating, comment=b.comment),
    "reopen": lambda a, b, u: services.appeal_reopen(actor=u, appeal=a, reason=b.reason),
    "extend": lambda a, b, u: services.appeal_extend(actor=u, appeal=a, days=b.days, reason=b.reason),
    "approve_extension": lambda a, b, u: services.appeal_approve_extension(actor=u, appeal=a, note=b.note),
    "deny_extension": lambda a, b, u: services.appeal_deny_extension(actor=u, appeal=a, note=b.note),
    "merge": lambda a, b, u: services.appeal_merge(actor=u, appeal=a, into=_into(b), note=b.note),
    "cancel": lambda a, b, u: services.appeal_cancel(actor=u, appeal=a, reason=b.reason),
}


def _passed(body) -> bool:
    if body.passed is None:
        raise ValidationError("请说明核查是否通过（passed）")
    return body.passed


def _into(body) -> int:
    if body.into_id is None:
        raise ValidationError("请指定要并入的诉求（into_id）")
    return body.into_id


@router.post(
    "/appeals/{appeal_id}/{action}",
    response={200: dict, 400: Detail, 403: Detail, 404: Detail, 409: Detail},
    summary="办理动作：register / reject / dispatch / whistle / accept / return / reassign / reply / "
    "verify / rate / reopen / extend / approve_extension / deny_extension / merge / cancel",
)
def act(request, appeal_id: int, action: str, payload: ActionIn):
    if action not in ACTIONS:
        raise Http404
    appeal = access_appeal(request.user, appeal_id)
    if action == "merge" and payload.into_id is not None:
        access_appeal(request.user, payload.into_id)  # the target must be visible too (404 otherwise)
    ACTIONS[action](appeal, payload, request.user)
    appeal = _with_related(Appeal.objects).get(pk=appeal.pk)
    body = appeal_out(appeal)
    body["actions"] = available_actions(request.user, appeal)
    return Reply(200, body)
