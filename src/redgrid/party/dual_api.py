"""API of 双报到 under /api/v1/party/dual/…: members register and record service; communities confirm;
organisations read their members' registrations and hours."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as Reply

from redgrid.core.access import get_or_404
from redgrid.party import dual_report as D
from redgrid.party.api_common import PageIn, Ref, page_of
from redgrid.party.models import DualRegistration, DualServiceRecord
from redgrid.party.selectors import access_party_org
from redgrid.regions.models import Region

router = Router(tags=["智慧党建·双报到"])


class RegistrationOut(Schema):
    id: int
    member: Ref
    org: Ref
    community: Ref
    status: str
    status_label: str
    skills: str
    registered_at: str
    confirmed_on: date | None
    valid_until: date | None
    reject_reason: str


class RegistrationIn(Schema):
    community_id: int
    skills: str = ""


class ServiceOut(Schema):
    id: int
    member: Ref
    community: Ref
    served_on: date
    hours: Decimal
    content: str
    status: str
    status_label: str
    reject_reason: str


class ServiceIn(Schema):
    served_on: date
    hours: Decimal
    content: str


class RegistrationPage(Schema):
    items: list[RegistrationOut]
    count: int


class ServicePage(Schema):
    items: list[ServiceOut]
    count: int


class ReasonIn(Schema):
    reason: str = ""


class MemberHoursOut(Schema):
    member: Ref
    org: Ref
    registration_status: str
    community: str
    valid_until: date | None
    hours: Decimal
    records: int


class MemberHoursPage(Schema):
    year: int
    items: list[MemberHoursOut]
    count: int


class MineOut(Schema):
    in_service: bool
    registrations: list[RegistrationOut]
    services: list[ServiceOut]
    hours_this_year: Decimal


def _reg(r: DualRegistration) -> dict:
    return {
        "id": r.pk,
        "member": {"id": r.member_id, "name": r.member.person.name},
        "org": {"id": r.member.org_id, "name": r.member.org.name},
        "community": {"id": r.community_id, "name": r.community.name},
        "status": r.status,
        "status_label": r.get_status_display(),
        "skills": r.skills,
        "registered_at": r.registered_at.isoformat(),
        "confirmed_on": r.confirmed_on,
        "valid_until": r.valid_until,
        "reject_reason": r.reject_reason,
    }


def _svc(s: DualServiceRecord) -> dict:
    return {
        "id": s.pk,
        "member": {"id": s.member_id, "name": s.member.person.name},
        "community": {"id": s.community_id, "name": s.community.name},
        "served_on": s.served_on,
        "hours": s.hours,
        "content": s.content,
        "status": s.status,
        "status_label": s.get_status_display(),
        "reject_reason": s.reject_reason,
    }


def _require_member(user):
    member = D.own_member(user)
    if member is None:
        raise PermissionDenied("您的账号未关联党员信息")
    return member


@router.get(
    "/dual/mine", response=MineOut, summary="我的双报到（在职党员：报到记录、服务记录、本年度服务时长）"
)
def mine(request):
    member = _require_member(request.user)
    regs = member.dual_registrations.select_related("community", "member__person", "member__org")[:20]
    svcs = member.service_records.select_related("community", "member__person")[:50]
    year = timezone.localdate().year
    return {
        "in_service": member.in_service,
        "registrations": [_reg(r) for r in regs],
        "services": [_svc(s) for s in svcs],
        "hours_this_year": D.member_hours([member.pk], year).get(member.pk, Decimal("0")),
    }


@router.post(
    "/dual/registrations", response={201: RegistrationOut}, summary="在职党员到社区报到（社区确认后生效）"
)
def register(request, payload: RegistrationIn):
    community = get_or_404(Region.objects.filter(level=Region.Level.COMMUNITY), pk=payload.community_id)
    reg = D.dual_register(actor=request.user, community=community, skills=payload.skills)
    reg = DualRegistration.objects.select_related("community", "member__person", "member__org").get(pk=reg.pk)
    return Reply(201, _reg(reg))


@router.get(
    "/dual/registrations",
    response=RegistrationPage,
    summary="报到登记（社区：本社区的；党组织：本组织党员的；status=pending 为待确认）",
)
def list_registrations(request, paging: Query[PageIn], status: str = ""):
    qs = D.registrations_visible_to(request.user).select_related("community", "member__person", "member__org")
    if status:
        qs = qs.filter(status=status)
    rows, count = page_of(qs.order_by("-registered_at", "-id"), paging)
    return {"items": [_reg(r) for r in rows], "count": count}


@router.post("/dual/registrations/{reg_id}/confirm", response=RegistrationOut, summary="社区确认报到")
def confirm_registration(request, reg_id: int):
    reg = D.access_registration(request.user, reg_id)
    D.dual_confirm(actor=request.user, registration=reg)
    return _reg(D.access_registration(request.user, reg_id))


@router.post(
    "/dual/registrations/{reg_id}/reject", response=RegistrationOut, summary="社区不予确认（须填写原因）"
)
def reject_registration(request, reg_id: int, payload: ReasonIn):
    reg = D.access_registration(request.user, reg_id)
    D.dual_reject(actor=request.user, registration=reg, reason=payload.reason)
    return _reg(D.access_registration(request.user, reg_id))


@router.post(
    "/dual/services", response={201: ServiceOut}, summary="登记服务记录（在报到有效期内；社区确认后计入时长）"
)
def record_service(request, payload: ServiceIn):
    rec = D.dual_record_service(
        actor=request.user, served_on=payload.served_on, hours=payload.hours, content=payload.content
    )
    rec = DualServiceRecord.objects.select_related("community", "member__person").get(pk=rec.pk)
    return Reply(201, _svc(rec))


@router.get("/dual/services", response=ServicePage, summary="服务记录（status=submitted 为待社区确认）")
def list_services(request, paging: Query[PageIn], status: str = ""):
    qs = D.services_visible_to(request.user).select_related("community", "member__person")
    if status:
        qs = qs.filter(status=status)
    rows, count = page_of(qs.order_by("-served_on", "-id"), paging)
    return {"items": [_svc(s) for s in rows], "count": count}


@router.post("/dual/services/{svc_id}/confirm", response=ServiceOut, summary="社区确认服务记录")
def confirm_service(request, svc_id: int):
    D.dual_confirm_service(actor=request.user, record=D.access_service(request.user, svc_id))
    return _svc(D.access_service(request.user, svc_id))


@router.post(
    "/dual/services/{svc_id}/reject", response=ServiceOut, summary="社区不予确认服务记录（须填写原因）"
)
def reject_service(request, svc_id: int, payload: ReasonIn):
    D.dual_reject_service(
        actor=request.user, record=D.access_service(request.user, svc_id), reason=payload.reason
    )
    return _svc(D.access_service(request.user, svc_id))


@router.get(
    "/dual/members",
    response=MemberHoursPage,
    summary="本组织在职党员双报到情况（报到状态、年度确认服务时长）",
)
def member_hours(
    request,
    year: int | None = Query(None, ge=2000, le=2100),
    org: int | None = None,
    page: int = Query(1, ge=1, le=1_000_000),
    page_size: int = Query(50, ge=1, le=200),
):
    year = year or timezone.localdate().year
    qs = (
        D.in_service_members_visible_to(request.user)
        .select_related("person", "org")
        .order_by("org__path", "id")
    )
    if org is not None:
        qs = qs.filter(org__path__startswith=access_party_org(request.user, org).path)
    offset = (page - 1) * page_size
    rows = D.decorate_members(list(qs[offset : offset + page_size]), year, timezone.localdate())
    return {
        "year": year,
        "count": qs.count(),
        "items": [
            {
                "member": {"id": r.member.pk, "name": r.member.person.name},
                "org": {"id": r.member.org_id, "name": r.member.org.name},
                "registration_status": r.registration.status if r.registration else "none",
                "community": r.registration.community.name if r.registration else "",
                "valid_until": r.registration.valid_until if r.registration else None,
                "hours": r.hours,
                "records": r.records,
            }
            for r in rows
        ],
    }
