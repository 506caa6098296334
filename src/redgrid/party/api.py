"""REST API of 智慧党建 under /api/v1/party/…: organisations, members, meetings, compliance, dues, transfers,
定期填报, terms (换届), 双报到 and 民主评议. Every read goes through a scoped selector (404 outside the subtree);
every write calls a service. Sensitive personal fields (ID number, phone) are always masked here.

Lists are paged (`page`, `page_size` ≤ 200) and answer `{"items": [...], "count": n}`; each page's rows are
decorated in a fixed number of queries. Other party modules mount their endpoints on this router (see
the end of the file).
"""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from redgrid.core.access import outermost
from redgrid.party import limits, services, terms
from redgrid.party import rules as R
from redgrid.party.api_common import PageIn, Ref, page_of, ref
from redgrid.party.models import PartyMember, PartyOrg
from redgrid.party.selectors import (
    access_member,
    access_party_org,
    members_visible_to,
    org_member_counts,
    party_orgs_visible_to,
)

PREFIX = "/party"
router = Router(tags=["智慧党建"])


# --- organisations ------------------------------------------------------------------------------------------


class OrgOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    depth: int
    parent_id: int | None
    has_committee: bool
    full_members: int
    probationary_members: int
    term_started: date | None
    term_ends: date | None
    term_status: str


class OrgPage(Schema):
    items: list[OrgOut]
    count: int


class OrgDetail(OrgOut):
    findings: list[str]
    children: list[Ref]
    regions: list[Ref]


class OrgNode(Schema):
    id: int
    name: str
    kind: str
    children: list["OrgNode"] = []


def _org_rows(orgs: list[PartyOrg]) -> list[dict]:
    """Member counts (1 query), parent ids (1 query) and the term of each organisation."""
    counts = org_member_counts([o.pk for o in orgs])
    parent_paths = {o.path[: -PartyOrg.steplen] for o in orgs if o.depth > 1}
    parents = dict(PartyOrg.objects.filter(path__in=parent_paths).values_list("path", "pk"))
    today, months = timezone.localdate(), terms.reminder_months()
    rows = []
    for o in orgs:
        c = counts.get(o.pk, {})
        t = terms.term_info(o, today, months)
        rows.append(
            {
                "id": o.pk,
                "name": o.name,
                "kind": o.kind,
                "kind_label": o.get_kind_display(),
                "depth": o.depth,
                "parent_id": parents.get(o.path[: -PartyOrg.steplen]),
                "has_committee": o.has_committee,
                "full_members": c.get("full", 0),
                "probationary_members": c.get("probationary", 0),
                "term_started": t.started,
                "term_ends": t.ends,
                "term_status": t.status,
            }
        )
    return rows


@router.get("/orgs", response=OrgPage, summary="党组织列表（管辖范围内；root 限定某组织的下级）")
def list_orgs(request, paging: Query[PageIn], kind: str = "", q: str = "", root: int | None = None):
    qs = party_orgs_visible_to(request.user).order_by("path")
    if root is not None:
        qs = qs.filter(path__startswith=access_party_org(request.user, root).path)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    rows, count = page_of(qs, paging)
    return {"items": _org_rows(rows), "count": count}


@router.get(
    "/orgs/tree", response=list[OrgNode], summary="党组织树（管辖范围内，自 root 或最上级向下 depth 层）"
)
def org_tree(request, root: int | None = None, depth: int = Query(2, ge=1, le=4)):
    visible = party_orgs_visible_to(request.user)
    if root is not None:
        tops = [access_party_org(request.user, root)]
    else:
        paths = list(visible.values_list("path", flat=True))
        tops = list(visible.filter(path__in=outermost(paths)).order_by("path"))
    nodes: dict[str, dict] = {}
    result = []
    for top in tops:
        rows = visible.filter(path__startswith=top.path, depth__lte=top.depth + depth - 1).order_by("path")
        for o in rows:
            node = {"id": o.pk, "name": o.name, "kind": o.kind, "children": []}
            nodes[o.path] = node
            parent = nodes.get(o.path[: -PartyOrg.steplen])
            if o.pk == top.pk or parent is None:
                result.append(node)
            else:
                parent["children"].append(node)
    return result


@router.get("/orgs/{org_id}", response=OrgDetail, summary="党组织详情（组织设置提示、下级、负责区域、任期）")
def get_org(request, org_id: int):
    org = access_party_org(request.user, org_id)
    row = _org_rows([org])[0]
    findings = []
    if org.kind in PartyOrg.BRANCH_KINDS:
        codes = R.branch_findings(
            row["full_members"], row["probationary_members"], org.has_committee, **limits.branch_limits()
        )
        findings = [R.FINDING_MESSAGES[c] for c in sorted(codes)]
    children = (
        party_orgs_visible_to(request.user)
        .filter(path__startswith=org.path, depth=org.depth + 1)
        .order_by("path")
    )
    return {
        **row,
        "findings": findings,
        "children": [ref(c) for c in children],
        "regions": [ref(r) for r in org.regions.order_by("code")],
    }


# --- members ------------------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date | None
    id_number: str = Field(description="脱敏：仅显示后4位")
    phone: str = Field(description="脱敏：仅显示后4位")
    status: str
    status_label: str
    org: Ref
    joined_on: date | None
    full_member_on: date | None
    position: str
    dues_category: str
    in_service: bool
    work_unit: str


class MemberPage(Schema):
    items: list[MemberOut]
    count: int


class EventOut(Schema):
    at: str
    actor: str
    action: str
    from_state: str
    to_state: str
    note: str


class YearRecord(Schema):
    year: int
    grade: str
    reason: str
    hours: Decimal
    reported: bool | None
    rating_avg: float | None
    rating_count: int


class MemberDetail(MemberOut):
    probation_end: date | None
    events: list[EventOut]
    yearly: list[YearRecord]


def _member_row(m: PartyMember) -> dict:
    p = m.person
    return {
        "id": m.pk,
        "name": p.name,
        "gender": p.get_gender_display(),
        "birth_date": p.birth_date,
        "id_number": p.id_number,  # the Sensitive descriptor yields the masked form
        "phone": p.phone,
        "status": m.status,
        "status_label": m.get_status_display(),
        "org": ref(m.org),
        "joined_on": m.joined_on,
        "full_member_on": m.full_member_on,
        "position": m.position,
        "dues_category": m.dues_category,
        "in_service": m.in_service,
        "work_unit": m.work_unit,
    }


@router.get(
    "/members", response=MemberPage, summary="党员列表（筛选：组织及下级、状态、姓名、在职；敏感字段脱敏）"
)
def list_members(
    request,
    paging: Query[PageIn],
    org: int | None = None,
    status: str = "",
    q: str = "",
    in_service: bool | None = None,
):
    qs = members_visible_to(request.user).select_related("person", "org").order_by("org__path", "id")
    if org is not None:
        qs = qs.filter(org__path__startswith=access_party_org(request.user, org).path)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(person__name__icontains=q)
    if in_service is not None:
        qs = qs.filter(in_service=in_service)
    rows, count = page_of(qs, paging)
    return {"items": [_member_row(m) for m in rows], "count": count}


def _member_detail(m: PartyMember) -> dict:
    from redgrid.party.evaluation import member_yearly_record

    events = m.events.select_related("actor").order_by("-at", "-id")[:100]
    return {
        **_member_row(m),
        "probation_end": services.member_probation_end(m)
        if m.status == PartyMember.Status.PROBATIONARY
        else None,
        "events": [
            {
                "at": e.at.isoformat(),
                "actor": str(e.actor) if e.actor_id else "系统",
                "action": services.ACTION_LABELS.get(e.action, e.action),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
            }
            for e in events
        ],
        "yearly": member_yearly_record(m),
    }


@router.get(
    "/members/{member_id}", response=MemberDetail, summary="党员详情（档案记录、年度评议与双报到情况）"
)
def get_member(request, member_id: int):
    return _member_detail(access_member(request.user, member_id))


class MemberActionIn(Schema):
    on: date | None = None
    note: str = ""
    months: int = 0


MEMBER_ACTIONS = ("make_full", "extend_probation", "suspend", "remove", "decease")


@router.post(
    "/members/{member_id}/actions/{action}",
    response=MemberDetail,
    summary="党员状态变更：make_full（转正）/ extend_probation（延长预备期）/ suspend / remove / decease",
)
def member_action(request, member_id: int, action: str, payload: MemberActionIn):
    from django.http import Http404

    if action not in MEMBER_ACTIONS:
        raise Http404
    m = access_member(request.user, member_id)
    on = payload.on or timezone.localdate()
    user = request.user
    if action == "make_full":
        services.member_make_full(actor=user, member=m, on=on, note=payload.note)
    elif action == "extend_probation":
        services.member_extend_probation(actor=user, member=m, months=payload.months, reason=payload.note)
    elif action == "suspend":
        services.member_suspend(actor=user, member=m, on=on, reason=payload.note)
    elif action == "remove":
        services.member_remove(actor=user, member=m, on=on, reason=payload.note)
    else:
        services.member_decease(actor=user, member=m, on=on, note=payload.note)
    return _member_detail(access_member(user, member_id))


# --- other party modules mount their endpoints here --------------------------------------------------------------
from redgrid.party.branch_life_api import router as _branch_life_router  # noqa: E402
from redgrid.party.dual_api import router as _dual_router  # noqa: E402
from redgrid.party.evaluation_api import router as _evaluation_router  # noqa: E402
from redgrid.party.reporting_api import router as _reporting_router  # noqa: E402

router.add_router("", _branch_life_router)
router.add_router("", _reporting_router)
router.add_router("", _dual_router)
router.add_router("", _evaluation_router)
router.add_router("/recruitment", "redgrid.party.recruitment_api.router")  # 发展党员 (recruitment)
