"""议事厅 (proposals, stakeholders, comments, reports, moderation, results, progress) and 征求意见 JSON API,
mounted under /api/v1 through participation/api.py. Votes and results live in api.py."""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from redgrid.accounts.models import User
from redgrid.core.api import Pagination
from redgrid.participation import deliberation as d
from redgrid.participation import solicitations as so
from redgrid.participation.models import Topic, TopicComment
from redgrid.participation.selectors import access_topic, mask_name
from redgrid.regions.selectors import access_region

router = Router(tags=["议事"])


class AreaRef(Schema):
    id: int
    name: str


class TopicFullOut(Schema):
    id: int
    title: str
    body: str
    area: AreaRef
    status: str
    origin: str
    phase: str
    phase_label: str
    vote_unit: str
    options: list[str]
    collect_from: datetime
    discuss_from: datetime
    vote_from: datetime
    vote_until: datetime
    publicity_until: datetime
    quorum_percent: int
    pass_percent: int
    reject_reason: str
    results: dict | None
    result_note: str
    results_published_at: datetime | None


class ProposeIn(Schema):
    title: str
    body: str


class TopicIn(Schema):
    title: str
    body: str
    area_id: int
    vote_unit: Literal["household", "resident"] = "household"
    options: list[str] | None = None
    collect_from: datetime | None = None
    discuss_from: datetime | None = None
    vote_from: datetime | None = None
    vote_until: datetime | None = None
    publicity_until: datetime | None = None
    quorum_percent: int = 50
    pass_percent: int = 50


class ReasonIn(Schema):
    reason: str = ""


class NoteIn(Schema):
    note: str = ""


class AcceptIn(Schema):
    options: list[str] | None = None
    vote_unit: Literal["household", "resident"] | None = None


class StakeholderIn(Schema):
    kind: Literal["party_org", "residents_committee", "owners_committee", "property"]
    username: str
    name: str


class StakeholderOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    username: str

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_username(obj):
        return obj.user.username


class CommentIn(Schema):
    body: str
    parent_id: int | None = None


class CommentOut(Schema):
    id: int
    topic_id: int
    parent_id: int | None
    depth: int
    author: str
    badge: str
    body: str
    status: str
    report_count: int
    created_at: datetime

    @staticmethod
    def resolve_author(obj):
        return str(obj.author)

    @staticmethod
    def resolve_badge(obj):
        return d.BADGES.get(obj.stakeholder_kind, "")

    @staticmethod
    def resolve_body(obj):
        # Hidden and removed comments are shown as a placeholder (moderators and the author see the text).
        return getattr(obj, "shown_body", obj.body)


class ProgressIn(Schema):
    percent: int
    note: str


class ProgressOut(Schema):
    id: int
    percent: int
    note: str
    created_at: datetime


def _topic(user, pk) -> Topic:
    return access_topic(user, pk)


def _shown(user, comment: TopicComment) -> TopicComment:
    d._decorate(comment, user, d.can_manage_topic(user, comment.topic), d.PHASE_ACTIONS[comment.topic.phase])
    return comment


@router.post("/deliberation/proposals", response={201: TopicFullOut}, summary="居民提出议题（待社区受理）")
def propose(request, payload: ProposeIn):
    topic = d.topic_propose(actor=request.user, title=payload.title, body=payload.body)
    return Status(201, _topic(request.user, topic.pk))


@router.post("/deliberation/topics", response={201: TopicFullOut}, summary="社区/街道发起议题（日程缺省按规则表）")
def create(request, payload: TopicIn):
    area = access_region(request.user, payload.area_id)
    schedule = {k: getattr(payload, k) for k in d.SCHEDULE_FIELDS}
    topic = d.topic_create(
        actor=request.user,
        title=payload.title,
        body=payload.body,
        area=area,
        vote_unit=payload.vote_unit,
        options=payload.options,
        schedule=schedule,
        quorum_percent=payload.quorum_percent,
        pass_percent=payload.pass_percent,
    )
    return Status(201, _topic(request.user, topic.pk))


@router.get("/topics/{topic_id}/detail", response=TopicFullOut, summary="议题详情（含受理状态和公布的结果）")
def detail(request, topic_id: int):
    return _topic(request.user, topic_id)


@router.post("/topics/{topic_id}/accept", response=TopicFullOut, summary="受理居民提议（日程从现在开始）")
def accept(request, topic_id: int, payload: AcceptIn | None = None):
    payload = payload or AcceptIn()
    topic = _topic(request.user, topic_id)
    d.topic_accept(actor=request.user, topic=topic, options=payload.options, vote_unit=payload.vote_unit)
    return _topic(request.user, topic_id)


@router.post("/topics/{topic_id}/reject", response=TopicFullOut, summary="不予受理 {reason}")
def reject(request, topic_id: int, payload: ReasonIn):
    d.topic_reject(actor=request.user, topic=_topic(request.user, topic_id), reason=payload.reason)
    return _topic(request.user, topic_id)


@router.post(
    "/topics/{topic_id}/advance/{action}",
    response=TopicFullOut,
    summary="提前进入下一阶段：open_discussion（征集→讨论）/ open_voting（讨论→表决）",
)
def advance(request, topic_id: int, action: Literal["open_discussion", "open_voting"]):
    d.topic_advance(actor=request.user, topic=_topic(request.user, topic_id), action=action)
    return _topic(request.user, topic_id)


@router.get("/topics/{topic_id}/stakeholders", response=list[StakeholderOut], summary="议题相关方")
def stakeholders(request, topic_id: int):
    return _topic(request.user, topic_id).stakeholders.select_related("user")


@router.post("/topics/{topic_id}/stakeholders", response={201: StakeholderOut}, summary="邀请相关方代表账号")
def invite(request, topic_id: int, payload: StakeholderIn):
    user = User.objects.filter(username=payload.username).first()
    row = d.topic_invite(
        actor=request.user, topic=_topic(request.user, topic_id), kind=payload.kind, user=user, name=payload.name
    )
    return Status(201, row)


@router.get("/topics/{topic_id}/comments", response=list[CommentOut], summary="评论（按时间；parent_id 构成回复树）")
@paginate(Pagination, page_size=50)
def comments(request, topic_id: int):
    topic = _topic(request.user, topic_id)
    manager = d.can_manage_topic(request.user, topic)
    actions = d.PHASE_ACTIONS[topic.phase]
    rows = topic.comments.select_related("author").order_by("created_at", "id")
    return _DecoratedRows(rows, lambda c: d._decorate(c, request.user, manager, actions))


class _DecoratedRows:
    """A queryset whose sliced rows are decorated (placeholders) after the page is fetched."""

    def __init__(self, qs, decorate):
        self.qs, self.decorate = qs, decorate

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.qs.count()

    def __getitem__(self, item):
        rows = list(self.qs[item])
        for r in rows:
            self.decorate(r)
        return rows


@router.post("/topics/{topic_id}/comments", response={201: CommentOut}, summary="发表评论或回复（征集、讨论、表决阶段）")
def post_comment(request, topic_id: int, payload: CommentIn):
    comment = d.comment_post(
        actor=request.user, topic=_topic(request.user, topic_id), body=payload.body, parent=payload.parent_id
    )
    return Status(201, _shown(request.user, comment))


@router.post(
    "/topics/comments/{comment_id}/report",
    response=CommentOut,
    summary="举报评论（每人一次；达到规则表次数自动隐藏待审核）",
)
def report(request, comment_id: int, payload: ReasonIn | None = None):
    comment = d.access_comment(request.user, comment_id)
    comment = d.comment_report(actor=request.user, comment=comment, reason=(payload or ReasonIn()).reason)
    return _shown(request.user, comment)


@router.get("/moderation/comments", response=list[CommentOut], summary="待审核（被自动隐藏）的评论")
@paginate(Pagination, page_size=50)
def moderation_queue(request):
    return d.moderation_queue(request.user)


@router.post(
    "/moderation/comments/{comment_id}/{action}",
    response=CommentOut,
    summary="审核评论：restore（恢复显示）/ remove（删除）{note}",
)
def moderate(request, comment_id: int, action: Literal["restore", "remove"], payload: NoteIn | None = None):
    comment = d.access_comment(request.user, comment_id)
    comment = d.comment_moderate(actor=request.user, comment=comment, action=action, note=(payload or NoteIn()).note)
    return _shown(request.user, comment)


@router.post("/topics/{topic_id}/results/publish", response=TopicFullOut, summary="公布表决结果 {note}（表决结束后）")
def publish_results(request, topic_id: int, payload: NoteIn):
    d.topic_publish_results(actor=request.user, topic=_topic(request.user, topic_id), note=payload.note)
    return _topic(request.user, topic_id)


@router.get("/topics/{topic_id}/progress", response=list[ProgressOut], summary="落实进展")
def progress(request, topic_id: int):
    return _topic(request.user, topic_id).progress.all()


@router.post("/topics/{topic_id}/progress", response={201: ProgressOut}, summary="登记落实进展 {percent, note}")
def add_progress(request, topic_id: int, payload: ProgressIn):
    row = d.topic_add_progress(
        actor=request.user, topic=_topic(request.user, topic_id), percent=payload.percent, note=payload.note
    )
    return Status(201, row)


# --- 征求意见 ---------------------------------------------------------------------------------------------


class SolicitationOut(Schema):
    id: int
    title: str
    body: str
    area: AreaRef
    phase: str
    phase_label: str
    opens_at: datetime
    closes_at: datetime
    has_document: bool
    summary: str
    summary_published_at: datetime | None

    @staticmethod
    def resolve_has_document(obj):
        return bool(obj.document)


class SolicitationIn(Schema):
    title: str
    body: str
    area_id: int
    opens_at: datetime
    closes_at: datetime


class OpinionIn(Schema):
    body: str
    clause: str = ""


class OpinionOut(Schema):
    id: int
    author: str
    clause: str
    body: str
    created_at: datetime
    adoption: str
    response: str
    responded_at: datetime | None

    @staticmethod
    def resolve_author(obj):
        return getattr(obj, "shown_author", None) or str(obj.author)


class RespondIn(Schema):
    adoption: Literal["adopted", "partly", "not_adopted", "explained"]
    response: str


class SummaryIn(Schema):
    summary: str


SolicitationPhase = Literal["upcoming", "open", "closed", "summarized"]


@router.get("/solicitations", response=list[SolicitationOut], tags=["征求意见"], summary="征求意见（本人所在区域/管辖范围）")
@paginate(Pagination, page_size=30)
def list_solicitations(request, phase: SolicitationPhase | None = None, q: str = ""):
    return so.solicitation_list(request.user, phase=phase or "", q=q[:50])


@router.post("/solicitations", response={201: SolicitationOut}, tags=["征求意见"], summary="发布征求意见稿（文本；附件请在页面上传）")
def create_solicitation(request, payload: SolicitationIn):
    s = so.solicitation_create(
        actor=request.user,
        title=payload.title,
        body=payload.body,
        area=access_region(request.user, payload.area_id),
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
    )
    return Status(201, so.access_solicitation(request.user, s.pk))


@router.get("/solicitations/{solicitation_id}", response=SolicitationOut, tags=["征求意见"], summary="征求意见详情")
def get_solicitation(request, solicitation_id: int):
    return so.access_solicitation(request.user, solicitation_id)


@router.get(
    "/solicitations/{solicitation_id}/opinions",
    response=list[OpinionOut],
    tags=["征求意见"],
    summary="意见（公布采纳情况前仅本人和组织方可见；公布后姓名脱敏公开）",
)
def list_opinions(request, solicitation_id: int):
    s = so.access_solicitation(request.user, solicitation_id)
    manager = d.can_manage_area(request.user, s.area)
    rows = list(so.opinions_visible_to(request.user, s))
    for o in rows:
        name = str(o.author)
        o.shown_author = name if manager or o.author_id == request.user.pk else mask_name(name)
    return rows


@router.post(
    "/solicitations/{solicitation_id}/opinions", response={201: OpinionOut}, tags=["征求意见"], summary="提交意见（征求期内）"
)
def submit_opinion(request, solicitation_id: int, payload: OpinionIn):
    s = so.access_solicitation(request.user, solicitation_id)
    return Status(201, so.opinion_submit(actor=request.user, solicitation=s, body=payload.body, clause=payload.clause))


@router.post(
    "/solicitations/opinions/{opinion_id}/response", response=OpinionOut, tags=["征求意见"], summary="答复意见（组织方）"
)
def respond(request, opinion_id: int, payload: RespondIn):
    from redgrid.core.access import get_or_404
    from redgrid.participation.models import SolicitationOpinion

    opinion = get_or_404(
        SolicitationOpinion.objects.filter(solicitation__in=so.solicitations_visible_to(request.user).values("pk")),
        pk=opinion_id,
    )
    return so.opinion_respond(actor=request.user, opinion=opinion, adoption=payload.adoption, response=payload.response)


@router.post(
    "/solicitations/{solicitation_id}/summary", response=SolicitationOut, tags=["征求意见"], summary="公布意见采纳情况（截止后）"
)
def publish_summary(request, solicitation_id: int, payload: SummaryIn):
    s = so.access_solicitation(request.user, solicitation_id)
    so.solicitation_publish_summary(actor=request.user, solicitation=s, summary=payload.summary)
    return so.access_solicitation(request.user, solicitation_id)
