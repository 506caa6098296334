"""微心愿 and 议事 JSON API (mounted under /api/v1)."""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from redgrid.core.access import scope_of
from redgrid.core.api import Pagination
from redgrid.participation import services
from redgrid.participation.selectors import (
    access_topic,
    access_wish,
    board_rows,
    mask_name,
    topic_results,
    topics_visible_to,
    wishes_visible_to,
)

router = Router(tags=["微心愿"])


class WishIn(Schema):
    title: str
    content: str
    value_estimate: int | None = None
    category: str = ""


class ActionIn(Schema):
    reason: str = ""
    content: str = ""
    thanks: str = ""


class GridRef(Schema):
    id: int
    name: str


class WishOut(Schema):
    id: int
    title: str
    content: str
    value_estimate: int | None
    category: str
    category_label: str
    status: str
    status_label: str
    grid: GridRef
    poster_name: str
    claimed_by_name: str | None
    claimed_at: datetime | None
    claim_due_at: datetime | None
    reject_reason: str
    fulfilment: str
    thanks: str
    created_at: datetime
    actions: list[str]

    @staticmethod
    def resolve_category_label(obj):
        return obj.get_category_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_poster_name(obj, context):
        user = context["request"].user
        # Staff and the poster see the name; other residents only a masked one (王**).
        if obj.poster_id == user.pk or scope_of(user).is_staff:
            return str(obj.poster)
        return mask_name(str(obj.poster))

    @staticmethod
    def resolve_claimed_by_name(obj):
        return str(obj.claimed_by) if obj.claimed_by_id else None

    @staticmethod
    def resolve_actions(obj):
        return services.allowed_actions(obj)


StatusFilter = Literal["pending", "open", "claimed", "fulfilled", "confirmed", "rejected"]


@router.post("/wishes", response={201: WishOut}, summary="发布微心愿（居民）")
def post_wish(request, payload: WishIn):
    wish = services.wish_post(
        actor=request.user,
        title=payload.title,
        content=payload.content,
        value_estimate=payload.value_estimate,
        category=payload.category,
    )
    return Status(201, access_wish(request.user, wish.pk))


@router.get("/wishes", response=list[WishOut], summary="心愿列表（按权限范围；可按状态筛选）")
@paginate(Pagination, page_size=30)
def list_wishes(request, status: StatusFilter | None = None, mine: bool = False):
    qs = wishes_visible_to(request.user)
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(poster=request.user)
    return board_rows(qs)


@router.post("/wishes/shake", response=WishOut, summary="摇一摇：随机认领本社区一个待认领心愿（党员）")
def shake(request):
    wish = services.wish_shake(actor=request.user)
    return access_wish(request.user, wish.pk)


@router.get("/wishes/{wish_id}", response=WishOut, summary="心愿详情")
def get_wish(request, wish_id: int):
    return access_wish(request.user, wish_id)


WishAction = Literal["approve", "reject", "claim", "release", "fulfil", "confirm"]


@router.post(
    "/wishes/{wish_id}/{action}",
    response=WishOut,
    summary="心愿操作：approve / reject {reason} / claim / release / fulfil {content} / confirm {thanks}",
)
def act_on_wish(request, wish_id: int, action: WishAction, payload: ActionIn | None = None):
    wish = access_wish(request.user, wish_id)
    payload = payload or ActionIn()
    user = request.user
    if action == "reject":
        services.wish_reject(actor=user, wish=wish, reason=payload.reason)
    elif action == "fulfil":
        services.wish_fulfil(actor=user, wish=wish, content=payload.content)
    elif action == "confirm":
        services.wish_confirm(actor=user, wish=wish, thanks=payload.thanks)
    elif action == "release":
        services.wish_release(actor=user, wish=wish, reason=payload.reason)
    else:
        getattr(services, f"wish_{action}")(actor=user, wish=wish)
    return access_wish(user, wish_id)


# --- 议事 topics ---------------------------------------------------------------------------------------


class TopicOut(Schema):
    id: int
    title: str
    body: str
    area: GridRef
    vote_unit: str
    options: list[str]
    phase: str
    phase_label: str
    collect_from: datetime
    discuss_from: datetime
    vote_from: datetime
    vote_until: datetime
    publicity_until: datetime
    quorum_percent: int
    pass_percent: int


class VoteIn(Schema):
    choice: str


class VoteOut(Schema):
    id: int
    topic_id: int
    choice: str
    household_id: int | None
    created_at: datetime


class ResultsOut(Schema):
    phase: str
    final: bool
    counts: dict[str, int] | None
    cast: int
    eligible: int
    turnout_percent: float
    quorum_percent: int
    pass_percent: int
    quorum_met: bool
    passed: bool | None


@router.get("/topics", response=list[TopicOut], tags=["议事"], summary="议事议题（本人所在区域/管辖范围）")
@paginate(Pagination, page_size=30)
def list_topics(request):
    return topics_visible_to(request.user).select_related("area")


@router.get("/topics/{topic_id}", response=TopicOut, tags=["议事"], summary="议题详情")
def get_topic(request, topic_id: int):
    return access_topic(request.user, topic_id)


@router.post(
    "/topics/{topic_id}/vote",
    response={201: VoteOut},
    tags=["议事"],
    summary="表决投票（每户一票或每人一票；重复投票 409）",
)
def vote(request, topic_id: int, payload: VoteIn):
    topic = access_topic(request.user, topic_id)
    return Status(201, services.topic_vote(actor=request.user, topic=topic, choice=payload.choice))


@router.get(
    "/topics/{topic_id}/results",
    response=ResultsOut,
    tags=["议事"],
    summary="表决结果（居民在表决结束后可见票数；工作人员随时可见）",
)
def results(request, topic_id: int):
    topic = access_topic(request.user, topic_id)
    data = topic_results(topic)
    if not data["final"] and not scope_of(request.user).is_staff:
        # Running counts would sway the vote; residents see turnout only until voting closes.
        data.update(counts=None, passed=None)
    return data


router.add_router("/volunteers", "redgrid.participation.volunteer_api.router")  # 志愿服务 (volunteer_api.py)
# 议事厅、征求意见 (deliberation_api.py); 公开公示、网上评议、信息发布 (openness_api.py)
router.add_router("", "redgrid.participation.deliberation_api.router")
router.add_router("", "redgrid.participation.openness_api.router")
