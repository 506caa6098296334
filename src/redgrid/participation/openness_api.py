"""公开公示 (notices, 公示 objections, 党务公开 catalogue), 网上评议 and 信息发布 JSON API, mounted under
/api/v1 through participation/api.py."""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Pagination
from redgrid.participation import articles as ar
from redgrid.participation import evaluation as ev
from redgrid.participation import notices as no
from redgrid.participation.models import NoticeObjection

router = Router(tags=["公开公示"])


class NodeRef(Schema):
    id: int
    name: str


class NoticeOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    category: str
    org: NodeRef | None
    status: str
    starts_at: datetime | None
    ends_at: datetime | None
    open_for_objections: bool
    outcome: str
    published_at: datetime

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_open_for_objections(obj):
        return obj.open_for_objections()


class NoticeIn(Schema):
    kind: Literal["notice", "publicity", "party_affairs"]
    title: str
    body: str
    region_ids: list[int] = []
    org_ids: list[int] = []
    org_id: int | None = None
    category: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None


class TextIn(Schema):
    text: str


class ObjectionOut(Schema):
    id: int
    body: str
    created_at: datetime
    reply: str
    replied_at: datetime | None


class CatalogueItem(Schema):
    id: int
    title: str
    published_at: datetime


class CatalogueRow(Schema):
    category: str
    label: str
    count: int
    latest: datetime | None
    items: list[CatalogueItem]


NoticeKind = Literal["notice", "publicity", "party_affairs"]


@router.get("/notices", response=list[NoticeOut], summary="公开公示（发布对象覆盖本人的；可筛选类型、公示中）")
@paginate(Pagination, page_size=30)
def list_notices(request, kind: NoticeKind | None = None, q: str = "", open: bool = False):
    return no.notice_list(request.user, kind=kind or "", q=q[:50], open_only=open)


@router.post("/notices", response={201: NoticeOut}, summary="发布通知公告 / 公示 / 党务公开（工作人员）")
def publish_notice(request, payload: NoticeIn):
    from redgrid.party.selectors import access_party_org

    org = access_party_org(request.user, payload.org_id) if payload.org_id else None
    notice = no.notice_publish(
        actor=request.user,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        region_ids=payload.region_ids,
        org_ids=payload.org_ids,
        org=org,
        category=payload.category,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, no.access_notice(request.user, notice.pk))


@router.get("/notices/catalogue/{org_id}", response=list[CatalogueRow], summary="党务公开目录（按类别，某一年）")
def catalogue(request, org_id: int, year: int | None = None):
    org = no.access_catalogue_org(request.user, org_id)
    year = year if year and 2000 <= year <= 2100 else no.current_year()
    return no.catalogue(request.user, org, year)


@router.get("/notices/{notice_id}", response=NoticeOut, summary="公开公示详情")
def get_notice(request, notice_id: int):
    return no.access_notice(request.user, notice_id)


@router.get("/notices/{notice_id}/objections", response=list[ObjectionOut], summary="异议（发布单位看全部，居民看自己的）")
def list_objections(request, notice_id: int):
    return no.objections_visible_to(request.user, no.access_notice(request.user, notice_id))


@router.post("/notices/{notice_id}/objections", response={201: ObjectionOut}, summary="公示期内实名提出异议 {text}")
def object_to(request, notice_id: int, payload: TextIn):
    notice = no.access_notice(request.user, notice_id)
    return Status(201, no.objection_submit(actor=request.user, notice=notice, body=payload.text))


@router.post("/notices/objections/{objection_id}/reply", response=ObjectionOut, summary="答复异议 {text}（发布单位）")
def reply(request, objection_id: int, payload: TextIn):
    objection = get_or_404(
        NoticeObjection.objects.filter(notice__in=no.notices_visible_to(request.user).values("pk")), pk=objection_id
    )
    return no.objection_reply(actor=request.user, objection=objection, reply=payload.text)


@router.post(
    "/notices/{notice_id}/{action}",
    response=NoticeOut,
    summary="conclude {text=公示结果}（公示期满、异议均已答复）/ withdraw {text=撤回原因}",
)
def act(request, notice_id: int, action: Literal["conclude", "withdraw"], payload: TextIn):
    notice = no.access_notice(request.user, notice_id)
    if action == "conclude":
        no.notice_conclude(actor=request.user, notice=notice, outcome=payload.text)
    else:
        no.notice_withdraw(actor=request.user, notice=notice, reason=payload.text)
    return no.access_notice(request.user, notice_id)


# --- 网上评议 ---------------------------------------------------------------------------------------------

TargetType = Literal["branch", "member", "unit"]


class TargetOut(Schema):
    id: int
    name: str
    rated: bool
    score: int | None


class EvaluationIn(Schema):
    target_type: TargetType
    target_id: int
    score: int
    comment: str = ""


class EvaluationOut(Schema):
    id: int
    target_type: str
    target_id: int
    period: str
    score: int
    comment: str
    created_at: datetime


class ScoreOut(Schema):
    id: int
    name: str
    count: int
    average: float
    satisfaction: float
    distribution: dict[int, int]


@router.get("/evaluations/targets", response=list[TargetOut], tags=["网上评议"], summary="本人可评议的对象及本期是否已评")
@paginate(Pagination, page_size=50)
def targets(request, type: TargetType = "branch"):
    done = ev.my_ratings(request.user, type)
    return [
        {"id": t.pk, "name": ev.target_label(type, t), "rated": t.pk in done, "score": getattr(done.get(t.pk), "score", None)}
        for t in ev.rateable(request.user, type)[:500]
    ]


@router.post(
    "/evaluations", response={201: EvaluationOut}, tags=["网上评议"], summary="评议（1–5 分和评语；每对象每周期一次，重复 409）"
)
def rate(request, payload: EvaluationIn):
    ev.access_rateable(request.user, payload.target_type, payload.target_id)
    row = ev.evaluation_submit(
        actor=request.user,
        target_type=payload.target_type,
        target_id=payload.target_id,
        score=payload.score,
        comment=payload.comment,
    )
    return Status(201, row)


@router.get(
    "/evaluations/scores",
    response=list[ScoreOut],
    tags=["网上评议"],
    summary="评议结果（工作人员；管辖范围内的对象；平均分、满意率、分布）",
)
def scores(request, type: TargetType = "branch", period: str = ""):
    return ev.score_table(request.user, type, period[:10] or ev.period_of())


# --- 信息发布 ---------------------------------------------------------------------------------------------

Role = Literal["resident", "member", "gridworker", "branch", "community", "street", "unit", "leader"]
ArticleCategory = Literal["news", "policy", "notice", "activity", "party"]


class ArticleOut(Schema):
    id: int
    title: str
    summary: str
    body: str
    category: str
    status: str
    roles: list[str]
    published_at: datetime | None
    audience_size: int


class ArticleIn(Schema):
    title: str
    body: str
    summary: str = ""
    category: ArticleCategory = "news"
    region_ids: list[int] = []
    org_ids: list[int] = []
    roles: list[Role] = ["resident"]


class ReadOut(Schema):
    first_read: bool


class CoverageRow(Schema):
    kind: str
    node_id: int | None
    label: str
    total: int
    read: int
    percent: float
    drill: bool

    @staticmethod
    def resolve_node_id(obj):
        return obj["node"].pk if obj["node"] is not None else None


class CoverageOut(Schema):
    rows: list[CoverageRow]
    total: dict[str, float]


@router.get("/articles", response=list[ArticleOut], tags=["信息发布"], summary="信息（居民：推送给本人的；工作人员：管辖范围内的）")
@paginate(Pagination, page_size=30)
def list_articles(request, q: str = ""):
    if scope_of(request.user).is_staff:
        return ar.staff_articles(request.user, q=q[:50])
    return ar.inbox_articles(request.user, q=q[:50])


@router.post("/articles", response={201: ArticleOut}, tags=["信息发布"], summary="新建草稿（目标 = 节点 × 角色）")
def create_article(request, payload: ArticleIn):
    article = ar.article_create(actor=request.user, **payload.model_dump())
    return Status(201, article)


@router.get("/articles/{article_id}", response=ArticleOut, tags=["信息发布"], summary="信息详情")
def get_article(request, article_id: int):
    return ar.access_article(request.user, article_id)


@router.post("/articles/{article_id}/publish", response=ArticleOut, tags=["信息发布"], summary="发布（提交后推送到目标人群消息中心）")
def publish(request, article_id: int):
    ar.article_publish(actor=request.user, article=ar.access_article(request.user, article_id))
    return ar.access_article(request.user, article_id)


@router.post("/articles/{article_id}/withdraw", response=ArticleOut, tags=["信息发布"], summary="撤回 {text}")
def withdraw(request, article_id: int, payload: TextIn):
    ar.article_withdraw(actor=request.user, article=ar.access_article(request.user, article_id), reason=payload.text)
    return ar.access_article(request.user, article_id)


@router.post("/articles/{article_id}/read", response=ReadOut, tags=["信息发布"], summary="阅读回执（首次阅读记录时间）")
def read(request, article_id: int):
    article = ar.access_article(request.user, article_id)
    return {"first_read": ar.article_mark_read(user=request.user, article=article)}


@router.get(
    "/articles/{article_id}/coverage",
    response=CoverageOut,
    tags=["信息发布"],
    summary="阅读覆盖率（工作人员）：顶层节点，或 kind+node_id 的下级节点",
)
def coverage(request, article_id: int, kind: Literal["region", "org"] = "region", node_id: int | None = None):
    article = ar.access_article(request.user, article_id)
    return ar.coverage(request.user, article, kind=kind, node_id=node_id)
