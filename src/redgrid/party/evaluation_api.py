"""API of 民主评议党员 under /api/v1/party/evaluations/… (网上评议 lives in the participation app)."""

from datetime import datetime

from django.db.models import Count
from ninja import Query, Router, Schema
from ninja import Status as Reply

from redgrid.party import evaluation as E
from redgrid.party.api_common import PageIn, Ref, page_of
from redgrid.party.models import EvaluationRound
from redgrid.party.selectors import access_party_org

router = Router(tags=["智慧党建·民主评议"])


class RoundOut(Schema):
    id: int
    org: Ref
    year: int
    phase: str
    phase_label: str
    participants: int
    opened_at: datetime
    closed_at: datetime | None


class EntryOut(Schema):
    id: int
    member: Ref
    self_assessment: str
    self_grade: str
    final_grade: str
    final_reason: str
    tally: dict[str, int]
    peer_comments: int
    voted: bool


class RoundPage(Schema):
    items: list[RoundOut]
    count: int


class RoundDetail(RoundOut):
    excellent_cap: int
    entries: list[EntryOut]


class OpenIn(Schema):
    org_id: int
    year: int


class SelfIn(Schema):
    text: str
    grade: str


class PeerIn(Schema):
    entry_id: int
    comment: str


class VoteIn(Schema):
    grades: dict[int, str]


class DecideIn(Schema):
    entry_id: int
    grade: str
    reason: str = ""


class MyRoundOut(Schema):
    id: int
    org: Ref
    year: int
    phase: str
    phase_label: str
    my_entry_id: int
    self_assessment: str
    self_grade: str
    final_grade: str
    voted: bool
    others: list[Ref]


def _round(r: EvaluationRound, participants: int | None = None) -> dict:
    return {
        "id": r.pk,
        "org": {"id": r.org_id, "name": r.org.name},
        "year": r.year,
        "phase": r.phase,
        "phase_label": r.get_phase_display(),
        "participants": participants if participants is not None else r.entries.count(),
        "opened_at": r.opened_at,
        "closed_at": r.closed_at,
    }


def _detail(r: EvaluationRound) -> dict:
    rows = E.round_rows(r)
    return {
        **_round(r, len(rows)),
        "excellent_cap": E.excellent_cap(len(rows)),
        "entries": [
            {
                "id": e.pk,
                "member": {"id": e.member_id, "name": e.member.person.name},
                "self_assessment": e.self_assessment,
                "self_grade": e.self_grade,
                "final_grade": e.final_grade,
                "final_reason": e.final_reason,
                "tally": e.tally,
                "peer_comments": len(e.peers),
                "voted": e.voted,
            }
            for e in rows
        ],
    }


@router.get("/evaluations", response=RoundPage, summary="民主评议列表（管辖范围内）")
def list_rounds(request, paging: Query[PageIn], year: int | None = None, phase: str = ""):
    qs = E.rounds_visible_to(request.user).select_related("org").annotate(n=Count("entries"))
    if year:
        qs = qs.filter(year=year)
    if phase:
        qs = qs.filter(phase=phase)
    rows, count = page_of(qs.order_by("-year", "org__path"), paging)
    return {"items": [_round(r, r.n) for r in rows], "count": count}


@router.post("/evaluations", response={201: RoundDetail}, summary="党支部开展年度民主评议（每年一次）")
def open_round(request, payload: OpenIn):
    org = access_party_org(request.user, payload.org_id)
    r = E.evaluation_open(actor=request.user, org=org, year=payload.year)
    return Reply(201, _detail(E.access_round(request.user, r.pk)))


@router.get("/evaluations/mine", response=list[MyRoundOut], summary="我参加的民主评议（党员）")
def my_rounds(request):
    result = []
    for r in E.member_rounds(request.user).select_related("org").order_by("-year")[:10]:
        me = E.entry_of(request.user, r)
        others = r.entries.exclude(pk=me.pk).select_related("member__person").order_by("member__person__name")
        result.append(
            {
                "id": r.pk,
                "org": {"id": r.org_id, "name": r.org.name},
                "year": r.year,
                "phase": r.phase,
                "phase_label": r.get_phase_display(),
                "my_entry_id": me.pk,
                "self_assessment": me.self_assessment,
                "self_grade": me.self_grade,
                "final_grade": me.final_grade if r.phase == EvaluationRound.Phase.CLOSED else "",
                "voted": r.votes.filter(voter=me).exists(),
                "others": [{"id": e.pk, "name": e.member.person.name} for e in others],
            }
        )
    return result


@router.get("/evaluations/{round_id}", response=RoundDetail, summary="民主评议详情（测评票统计、互评、评定）")
def get_round(request, round_id: int):
    return _detail(E.access_round(request.user, round_id))


@router.post(
    "/evaluations/{round_id}/advance",
    response=RoundDetail,
    summary="进入下一阶段（自评→互评→测评→评定→结束）",
)
def advance(request, round_id: int):
    E.evaluation_advance(actor=request.user, round=E.access_round(request.user, round_id))
    return _detail(E.access_round(request.user, round_id))


@router.post(
    "/evaluations/{round_id}/decide", response=RoundDetail, summary="支部评定等次（优秀比例、双报到等规则）"
)
def decide(request, round_id: int, payload: DecideIn):
    r = E.access_round(request.user, round_id)
    E.evaluation_decide(
        actor=request.user, round=r, entry_id=payload.entry_id, grade=payload.grade, reason=payload.reason
    )
    return _detail(E.access_round(request.user, round_id))


@router.post("/evaluations/{round_id}/self", response={200: dict}, summary="个人自评（党员本人）")
def self_assess(request, round_id: int, payload: SelfIn):
    r = E.access_member_round(request.user, round_id)
    entry = E.evaluation_self_assess(actor=request.user, round=r, text=payload.text, grade=payload.grade)
    return {"entry_id": entry.pk, "self_grade": entry.self_grade}


@router.post("/evaluations/{round_id}/peer", response={200: dict}, summary="党员互评（对其他党员提出意见）")
def peer(request, round_id: int, payload: PeerIn):
    r = E.access_member_round(request.user, round_id)
    review = E.evaluation_peer_review(
        actor=request.user, round=r, reviewee_id=payload.entry_id, comment=payload.comment
    )
    return {"id": review.pk}


@router.post(
    "/evaluations/{round_id}/vote",
    response={201: dict},
    summary="民主测评投票（每人一次，须对每位其他党员评价）",
)
def vote(request, round_id: int, payload: VoteIn):
    r = E.access_member_round(request.user, round_id)
    count = E.evaluation_vote(actor=request.user, round=r, grades=payload.grades)
    return Reply(201, {"votes": count})
