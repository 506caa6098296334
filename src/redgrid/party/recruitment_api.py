"""REST API of 发展党员 under /api/v1/party/recruitment/…: scoped list and detail (404 outside the subtree),
one POST per action (step, 公示, objection, resolution), and the overdue roll-up. Out-of-order steps and
公示 still running answer 409 naming the current step; broken time limits 400 citing the rule."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile
from ninja.pagination import paginate

from redgrid.core.access import get_or_404
from redgrid.core.api import Pagination
from redgrid.party import recruitment as services
from redgrid.party import recruitment_rules as rr
from redgrid.party import recruitment_selectors as sel
from redgrid.party.models import Applicant, PartyOrg
from redgrid.party.recruitment_views import document_response
from redgrid.party.selectors import party_orgs_visible_to

router = Router(tags=["智慧党建·发展党员"])


class ApplicantOut(Schema):
    """One row of the list (built from an `Applicant`, so the list pages through the database)."""

    id: int
    name: str
    branch_id: int
    branch: str
    status: str
    status_label: str
    step: int
    step_name: str
    next_step: int | None
    next_step_name: str
    applied_on: date
    due_on: date | None
    due_rule: str
    overdue: bool
    member_id: int | None

    @staticmethod
    def resolve_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_branch(obj):
        return obj.branch.name

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_step_name(obj):
        return rr.STEP_NAMES.get(obj.step, "")

    @staticmethod
    def resolve_next_step(obj):
        return obj.step + 1 if obj.status == Applicant.Status.ACTIVE and obj.step < rr.LAST_STEP else None

    @staticmethod
    def resolve_next_step_name(obj):
        nxt = ApplicantOut.resolve_next_step(obj)
        return rr.STEP_NAMES[nxt] if nxt else ""

    @staticmethod
    def resolve_overdue(obj):
        return (
            obj.status == Applicant.Status.ACTIVE
            and obj.due_on is not None
            and obj.due_on < timezone.localdate()
        )


class StepOut(Schema):
    number: int
    name: str
    stage: int
    stage_name: str
    done_on: date | None
    note: str
    data: dict


class SponsorOut(Schema):
    member_id: int
    name: str
    role: str
    role_label: str
    assigned_on: date


class DocumentOut(Schema):
    id: int
    step: int
    name: str
    content_type: str
    size: int
    url: str


class ObjectionOut(Schema):
    id: int
    publicity_id: int
    content: str
    status: str
    status_label: str
    resolution: str
    created_at: str


class PublicityOut(Schema):
    id: int
    applicant_id: int
    name: str
    before_step: int
    step_name: str
    starts_on: date
    ends_on: date
    content: str

    @staticmethod
    def resolve_name(obj):
        return obj.applicant.person.name

    @staticmethod
    def resolve_step_name(obj):
        return rr.STEP_NAMES.get(obj.before_step, "")


class EventOut(Schema):
    at: str
    action: str
    actor: str | None
    from_state: str
    to_state: str
    note: str
    data: dict


class DetailOut(Schema):
    applicant: ApplicantOut
    steps: list[StepOut]
    sponsors: list[SponsorOut]
    documents: list[DocumentOut]
    publicities: list[PublicityOut]
    objections: list[ObjectionOut]
    events: list[EventOut]
    blocked: str
    probation_end: date | None


class ApplicantIn(Schema):
    person_id: int
    branch_id: int
    applied_on: date
    note: str = ""


class StepIn(Schema):
    """Body of `POST /party/recruitment/{id}/steps`: `step` must be the next step. `people` lists member ids
    for step 5 (培养联系人) and 9 (入党介绍人); `data` carries the step's figures: `conclusion` (10:
    qualified/unqualified), `days`/`hours` (11), `present`/`entitled`/`yes_votes` (15, 23), `group_id` (19)."""

    step: int
    on: date
    note: str = ""
    people: list[int] = []
    data: dict = {}
    late_reason: str = ""


class PublicityIn(Schema):
    starts_on: date
    content: str


class ObjectionIn(Schema):
    content: str


class ResolveIn(Schema):
    decision: str
    resolution: str


class ExtendIn(Schema):
    months: int
    reason: str
    on: date


class TerminateIn(Schema):
    reason: str


class RollupOut(Schema):
    org_id: int
    name: str
    kind: str
    depth: int
    active: int
    due_soon: int
    overdue: int


class Filters(Schema):
    q: str = ""
    step: int | None = None
    status: str = Applicant.Status.ACTIVE
    overdue: bool = False


def _objection(o) -> dict:
    return {
        "id": o.pk,
        "publicity_id": o.publicity_id,
        "content": o.content,
        "status": o.status,
        "status_label": o.get_status_display(),
        "resolution": o.resolution,
        "created_at": o.created_at.isoformat(),
    }


def _detail(a: Applicant) -> dict:
    today = timezone.localdate()
    a = Applicant.objects.select_related("person", "branch", "member").get(pk=a.pk)
    done = {s.number: s for s in a.steps.all()}
    nxt = ApplicantOut.resolve_next_step(a)
    return dict(
        applicant=a,
        steps=[
            {
                "number": n,
                "name": name,
                "stage": stage,
                "stage_name": sname,
                "done_on": done[n].done_on if n in done else None,
                "note": done[n].note if n in done else "",
                "data": done[n].data if n in done else {},
            }
            for n, stage, sname, name in rr.R.RECRUITMENT_STEPS
        ],
        sponsors=[
            {
                "member_id": s.member_id,
                "name": s.member.person.name,
                "role": s.role,
                "role_label": s.get_role_display(),
                "assigned_on": s.assigned_on,
            }
            for s in a.sponsors.select_related("member__person").order_by("role", "id")
        ],
        documents=[
            {
                "id": d.pk,
                "step": d.step,
                "name": d.name,
                "content_type": d.content_type,
                "size": d.size,
                "url": f"/api/v1/party/recruitment/{a.pk}/documents/{d.pk}",
            }
            for d in a.documents.all()
        ],
        publicities=list(a.publicities.select_related("applicant__person")),
        objections=[_objection(o) for o in sel.objections_of(a)],
        events=[
            {
                "at": e.at.isoformat(),
                "action": e.action,
                "actor": str(e.actor) if e.actor_id else None,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
                "data": e.data,
            }
            for e in a.events.select_related("actor").order_by("at", "id")
        ],
        blocked=services.publicity_block(a, nxt, today) if nxt else "",
        probation_end=rr.probation_end_of(a),
    )


@router.get("/", response=list[ApplicantOut], summary="入党申请人列表（超期的在前）")
@paginate(Pagination)
def list_applicants(request, filters: Query[Filters]):
    return sel.search_applicants(
        request.user, q=filters.q, step=filters.step, status=filters.status, overdue=filters.overdue
    )


@router.post("/", response={201: DetailOut}, summary="登记入党申请（第1步 递交入党申请书）")
def create_applicant(request, body: ApplicantIn):
    person = get_or_404(sel.candidate_residents(request.user), pk=body.person_id)
    branch = get_or_404(
        party_orgs_visible_to(request.user).filter(kind__in=PartyOrg.BRANCH_KINDS), pk=body.branch_id
    )
    a = services.applicant_create(
        actor=request.user, person=person, branch=branch, applied_on=body.applied_on, note=body.note
    )
    return Reply(201, _detail(a))


@router.get("/overdue", response=list[RollupOut], summary="发展党员超期情况（按党组织逐级汇总）")
def overdue(request):
    return [
        {
            "org_id": o.pk,
            "name": o.name,
            "kind": o.kind,
            "depth": o.depth,
            "active": o.active,
            "due_soon": o.due_soon,
            "overdue": o.overdue,
        }
        for o in sel.overdue_rollup(request.user)
    ]


@router.get("/publicities", response=list[PublicityOut], summary="我可以查看的发展党员公示")
@paginate(Pagination)
def publicities(request):
    return sel.publicities_for(request.user).select_related("applicant__person").order_by("-starts_on", "-id")


@router.post(
    "/publicities/{publicity_id}/objections",
    response={201: ObjectionOut},
    summary="对公示提出异议（公示期内）",
)
def submit_objection(request, publicity_id: int, body: ObjectionIn):
    pub = sel.access_publicity(request.user, publicity_id)
    return Reply(
        201, _objection(services.objection_submit(actor=request.user, publicity=pub, content=body.content))
    )


@router.get("/{applicant_id}", response=DetailOut, summary="入党申请人档案")
def detail(request, applicant_id: int):
    return _detail(sel.access_applicant(request.user, applicant_id))


@router.post("/{applicant_id}/steps", response=DetailOut, summary="办理下一步")
def advance(request, applicant_id: int, body: StepIn):
    a = sel.access_applicant(request.user, applicant_id)
    services.applicant_advance(
        actor=request.user,
        applicant=a,
        step=body.step,
        on=body.on,
        note=body.note,
        people=body.people,
        data=body.data,
        late_reason=body.late_reason,
    )
    return _detail(a)


@router.post("/{applicant_id}/documents", response={201: DocumentOut}, summary="上传材料（PDF/JPEG/PNG）")
def upload(request, applicant_id: int, step: Form[int], file: File[UploadedFile], name: Form[str] = ""):
    a = sel.access_applicant(request.user, applicant_id)
    d = services.document_upload(actor=request.user, applicant=a, step=step, upload=file, name=name)
    return Reply(
        201,
        {
            "id": d.pk,
            "step": d.step,
            "name": d.name,
            "content_type": d.content_type,
            "size": d.size,
            "url": f"/api/v1/party/recruitment/{a.pk}/documents/{d.pk}",
        },
    )


@router.get("/{applicant_id}/documents/{document_id}", summary="下载材料（仅限可查看该档案的账号）")
def download(request, applicant_id: int, document_id: int):
    return document_response(sel.access_applicant(request.user, applicant_id), document_id)


@router.post("/{applicant_id}/publicity", response={201: PublicityOut}, summary="发布下一步前的公示")
def open_publicity(request, applicant_id: int, body: PublicityIn):
    a = sel.access_applicant(request.user, applicant_id)
    pub = services.publicity_open(
        actor=request.user, applicant=a, starts_on=body.starts_on, content=body.content
    )
    return Reply(201, pub)


@router.post(
    "/{applicant_id}/objections/{objection_id}/resolve", response=ObjectionOut, summary="处理公示异议"
)
def resolve_objection(request, applicant_id: int, objection_id: int, body: ResolveIn):
    a = sel.access_applicant(request.user, applicant_id)
    objection = get_or_404(sel.objections_of(a), pk=objection_id)
    return _objection(
        services.objection_resolve(
            actor=request.user, objection=objection, decision=body.decision, resolution=body.resolution
        )
    )


@router.post("/{applicant_id}/extend-probation", response=DetailOut, summary="延长预备期（第23步时决定）")
def extend(request, applicant_id: int, body: ExtendIn):
    a = sel.access_applicant(request.user, applicant_id)
    services.applicant_extend_probation(
        actor=request.user, applicant=a, months=body.months, reason=body.reason, on=body.on
    )
    return _detail(a)


@router.post("/{applicant_id}/terminate", response=DetailOut, summary="终止发展")
def terminate(request, applicant_id: int, body: TerminateIn):
    a = sel.access_applicant(request.user, applicant_id)
    if not body.reason.strip():
        raise ValidationError("请填写终止发展的原因")
    services.applicant_terminate(actor=request.user, applicant=a, reason=body.reason)
    return _detail(a)
