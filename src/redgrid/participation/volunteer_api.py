"""志愿服务 JSON API, mounted at /api/v1/volunteers/… by participation/api.py.

Reads go through `volunteer_selectors` (404 outside the account's reach); writes call `volunteers`
services (400 bad input, 403 not allowed, 409 wrong state or full).
"""

from datetime import datetime, timedelta
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Pagination
from redgrid.core.rules import rule_value
from redgrid.participation import volunteer_selectors as sel
from redgrid.participation import volunteers as svc
from redgrid.participation.models import VolunteerShift

router = Router(tags=["志愿服务"])


class Ref(Schema):
    id: int
    name: str


# --- schemas ------------------------------------------------------------------------------------------------------


class TeamIn(Schema):
    community_id: int
    name: str
    kind: Literal["general", "professional"] = "general"
    instructor_id: int
    description: str = ""
    skills: list[str] = []
    leader_id: int | None = None


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    community: Ref
    description: str
    skills: list[str]
    instructor_name: str
    leader_name: str | None
    member_count: int
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_instructor_name(obj):
        return obj.instructor.person.name

    @staticmethod
    def resolve_leader_name(obj):
        return str(obj.leader) if obj.leader_id else None

    @staticmethod
    def resolve_member_count(obj):
        n = getattr(obj, "member_count", None)
        return n if n is not None else sel.team_members(obj).count()


class JoinIn(Schema):
    skills: list[str] = []
    note: str = ""


class MembershipOut(Schema):
    id: int
    team_id: int
    team_name: str
    user_name: str
    skills: list[str]
    note: str
    status: str
    status_label: str
    reject_reason: str
    created_at: datetime

    @staticmethod
    def resolve_team_name(obj):
        return obj.team.name

    @staticmethod
    def resolve_user_name(obj):
        return str(obj.user)

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class ShiftIn(Schema):
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int


class ShiftOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    taken: int
    left: int
    is_cancelled: bool
    my_signup_id: int | None
    my_status: str | None

    @staticmethod
    def resolve_taken(obj):
        return obj.taken if hasattr(obj, "taken") else sel.taken_seats(obj)

    @staticmethod
    def resolve_left(obj):
        taken = obj.taken if hasattr(obj, "taken") else sel.taken_seats(obj)
        return max(obj.capacity - taken, 0)

    @staticmethod
    def resolve_my_signup_id(obj):
        mine = getattr(obj, "mine", None)
        return mine.pk if mine else None

    @staticmethod
    def resolve_my_status(obj):
        mine = getattr(obj, "mine", None)
        return mine.status if mine else None


class ActivityIn(Schema):
    title: str
    description: str
    address: str
    community_id: int | None = None
    team_id: int | None = None
    dual_report: bool = False
    team_only: bool = False
    lng: float | None = None
    lat: float | None = None
    shifts: list[ShiftIn]


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    community: Ref
    team: Ref | None
    organiser_name: str
    address: str
    lng: float | None
    lat: float | None
    dual_report: bool
    team_only: bool
    status: str
    status_label: str
    cancel_reason: str
    next_start: datetime | None

    @staticmethod
    def resolve_organiser_name(obj):
        return str(obj.organiser)

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_next_start(obj):
        return getattr(obj, "next_start", None)


class ActivityDetailOut(ActivityOut):
    shifts: list[ShiftOut]
    can_manage: bool


class ReasonIn(Schema):
    reason: str = ""


class SignupActionIn(Schema):
    hours: float | None = None
    note: str = ""


class SignupOut(Schema):
    id: int
    shift_id: int
    activity_id: int
    activity_title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    user_name: str
    status: str
    status_label: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: float | None
    confirmed_hours: float | None
    dual_report: bool
    note: str

    @staticmethod
    def resolve_activity_id(obj):
        return obj.shift.activity_id

    @staticmethod
    def resolve_activity_title(obj):
        return obj.shift.activity.title

    @staticmethod
    def resolve_starts_at(obj):
        return obj.shift.starts_at

    @staticmethod
    def resolve_ends_at(obj):
        return obj.shift.ends_at

    @staticmethod
    def resolve_place(obj):
        return obj.shift.place

    @staticmethod
    def resolve_user_name(obj):
        return str(obj.user)

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


class ScanIn(Schema):
    token: str


class QrOut(Schema):
    kind: str
    token: str
    url: str
    expires_at: datetime


class HoursOut(Schema):
    year: int
    total: float
    dual_report: float
    count: int
    records: list[SignupOut]


class PersonHoursOut(Schema):
    user_id: int
    name: str
    total: float
    dual_report: float
    services: int


class ProjectIn(Schema):
    title: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int


class ProjectOut(Schema):
    id: int
    title: str
    description: str
    community: Ref
    proposer_name: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    status: str
    status_label: str
    reject_reason: str
    activity_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_proposer_name(obj):
        return str(obj.proposer)

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()


# --- teams and join requests ------------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut], summary="服务队列表（含微光服务队；可按名称、类型、技能筛选）")
@paginate(Pagination, page_size=30)
def list_teams(request, q: str = "", kind: str = "", skill: str = ""):
    return sel.team_rows(sel.teams_visible_to(request.user), q=q, kind=kind, skill=skill)


@router.post(
    "/teams", response={201: TeamOut}, summary="组建服务队（社区/街道工作人员；指导员须为本社区党员）"
)
def create_team(request, payload: TeamIn):
    from redgrid.accounts.models import User

    community = get_or_404(sel.managed_communities(request.user), pk=payload.community_id)
    leader = None
    if payload.leader_id is not None:
        leader = User.objects.filter(pk=payload.leader_id, person__isnull=False).first()
        if leader is None:
            raise ValidationError("队长须为已关联居民信息的账号")
    team = svc.team_create(
        actor=request.user,
        community=community,
        name=payload.name,
        kind=payload.kind,
        instructor=payload.instructor_id,
        description=payload.description,
        skills=payload.skills,
        leader=leader,
    )
    return Status(201, sel.access_team(request.user, team.pk))


@router.get("/teams/{team_id}", response=TeamOut, summary="服务队详情")
def get_team(request, team_id: int):
    return sel.access_team(request.user, team_id)


@router.get(
    "/teams/{team_id}/members", response=list[MembershipOut], summary="队员名单（队长、社区工作人员）"
)
@paginate(Pagination, page_size=50)
def team_members(request, team_id: int):
    team = sel.access_team(request.user, team_id)
    if not sel.can_manage_team(request.user, team):
        raise PermissionDenied("只有队长或本社区工作人员可以查看队员名单")
    return sel.team_members(team).select_related("team")


@router.post("/teams/{team_id}/join", response={201: MembershipOut}, summary="申请加入服务队")
def join_team(request, team_id: int, payload: JoinIn):
    team = sel.access_team(request.user, team_id)
    return Status(201, svc.team_join(actor=request.user, team=team, skills=payload.skills, note=payload.note))


@router.get("/requests", response=list[MembershipOut], summary="待审批的入队申请（队长、社区工作人员）")
@paginate(Pagination, page_size=30)
def join_requests(request):
    return sel.join_requests_for(request.user)


@router.post(
    "/requests/{membership_id}/{action}",
    response=MembershipOut,
    summary="入队申请：approve / reject {reason}（审批人）；leave（申请人退出）",
)
def act_on_request(
    request,
    membership_id: int,
    action: Literal["approve", "reject", "leave"],
    payload: ReasonIn | None = None,
):
    row = sel.access_membership(request.user, membership_id)
    payload = payload or ReasonIn()
    if action == "approve":
        return svc.membership_approve(actor=request.user, membership=row)
    if action == "reject":
        return svc.membership_reject(actor=request.user, membership=row, reason=payload.reason)
    return svc.membership_leave(actor=request.user, membership=row)


# --- activities and shifts --------------------------------------------------------------------------------------


def _detail(request, activity_id: int):
    activity = sel.access_activity(request.user, activity_id)
    activity.shifts_list = sel.shifts_of(activity, user=request.user)
    activity.next_start = next(
        (s.starts_at for s in activity.shifts_list if not s.is_cancelled and s.ends_at > timezone.now()), None
    )
    return activity


class _Detail(ActivityDetailOut):
    @staticmethod
    def resolve_shifts(obj):
        return obj.shifts_list

    @staticmethod
    def resolve_can_manage(obj, context):
        return sel.can_manage_activity(context["request"].user, obj)


@router.get(
    "/activities",
    response=list[ActivityOut],
    summary="志愿活动（nearby=true：附近即将开始的活动，本社区优先）",
)
@paginate(Pagination, page_size=30)
def list_activities(
    request,
    q: str = "",
    community_id: int | None = None,
    when: Literal["", "upcoming", "past"] = "",
    nearby: bool = False,
):
    if nearby:
        return sel.nearby_activities(request.user, q=q)
    qs = sel.activities_visible_to(request.user)
    return sel.search_activities(qs, q=q, community=str(community_id or ""), when=when).order_by(
        "-created_at", "-id"
    )


@router.post("/activities", response={201: _Detail}, summary="发布志愿活动及班次（社区工作人员、队长）")
def create_activity(request, payload: ActivityIn):
    community = team = None
    if payload.team_id is not None:
        team = sel.access_team(request.user, payload.team_id)
    elif payload.community_id is not None:
        community = get_or_404(sel.managed_communities(request.user), pk=payload.community_id)
    activity = svc.activity_create(
        actor=request.user,
        title=payload.title,
        description=payload.description,
        address=payload.address,
        shifts=[s.dict() for s in payload.shifts],
        community=community,
        team=team,
        dual_report=payload.dual_report,
        team_only=payload.team_only,
        lng=payload.lng,
        lat=payload.lat,
    )
    return Status(201, _detail(request, activity.pk))


@router.get(
    "/activities/{activity_id}", response=_Detail, summary="活动详情（含班次、剩余名额和本人报名状态）"
)
def get_activity(request, activity_id: int):
    return _detail(request, activity_id)


@router.post(
    "/activities/{activity_id}/cancel", response=_Detail, summary="取消活动 {reason}（报名自动作废并通知）"
)
def cancel_activity(request, activity_id: int, payload: ReasonIn):
    activity = sel.access_activity(request.user, activity_id)
    svc.activity_cancel(actor=request.user, activity=activity, reason=payload.reason)
    return _detail(request, activity_id)


@router.post("/activities/{activity_id}/shifts", response={201: ShiftOut}, summary="增加班次")
def add_shift(request, activity_id: int, payload: ShiftIn):
    activity = sel.access_activity(request.user, activity_id)
    shift = svc.shift_add(actor=request.user, activity=activity, **payload.dict())
    return Status(201, shift)


def _managed_shift(request, shift_id: int) -> VolunteerShift:
    shift = sel.access_shift(request.user, shift_id)
    if not sel.can_manage_activity(request.user, shift.activity):
        raise PermissionDenied("只有活动组织者、队长或本社区工作人员可以执行此操作")
    return shift


@router.post("/shifts/{shift_id}/cancel", response=ShiftOut, summary="取消班次 {reason}")
def cancel_shift(request, shift_id: int, payload: ReasonIn):
    shift = sel.access_shift(request.user, shift_id)
    return svc.shift_cancel(actor=request.user, shift=shift, reason=payload.reason)


@router.post("/shifts/{shift_id}/signup", response={201: SignupOut}, summary="报名班次（名额满 409）")
def signup(request, shift_id: int):
    shift = sel.access_shift(request.user, shift_id)
    return Status(201, svc.shift_signup(actor=request.user, shift=shift))


@router.get("/shifts/{shift_id}/roster", response=list[SignupOut], summary="班次花名册（组织者）")
@paginate(Pagination, page_size=100)
def shift_roster(request, shift_id: int):
    return sel.roster(_managed_shift(request, shift_id)).select_related("shift__activity", "user")


@router.get(
    "/shifts/{shift_id}/qr",
    response=QrOut,
    summary="签到/签退二维码内容（组织者；有效期见规则 volunteer.qr_minutes）",
)
def shift_qr(request, shift_id: int, kind: Literal["in", "out"] = "in"):
    shift = _managed_shift(request, shift_id)
    token = svc.scan_token(shift, kind)
    url = request.build_absolute_uri(reverse("participation:vol_scan", args=[token]))
    expires = timezone.now() + timedelta(minutes=rule_value("volunteer.qr_minutes"))
    return {"kind": kind, "token": token, "url": url, "expires_at": expires}


@router.post("/shifts/{shift_id}/confirm-all", summary="一键确认本班次所有已签退志愿者的时长（组织者）")
def confirm_all(request, shift_id: int):
    shift = _managed_shift(request, shift_id)
    return {"confirmed": svc.shift_confirm_all(actor=request.user, shift=shift)}


@router.post("/scan", response=SignupOut, summary="扫码签到/签退 {token}（二维码中的令牌）")
def scan(request, payload: ScanIn):
    signup = svc.signup_scan(actor=request.user, token=payload.token)
    return sel.access_signup(request.user, signup.pk)


# --- sign-ups and hours -----------------------------------------------------------------------------------------------


@router.get("/signups", response=list[SignupOut], summary="我的报名与服务记录（when=upcoming/past）")
@paginate(Pagination, page_size=30)
def my_signups(request, when: Literal["", "upcoming", "past"] = ""):
    return sel.my_signups(request.user, when=when).select_related("user")


@router.post(
    "/signups/{signup_id}/{action}",
    response=SignupOut,
    summary="报名操作：cancel（本人）；confirm {hours?, note?}、absent {note?}（组织者）",
)
def act_on_signup(
    request,
    signup_id: int,
    action: Literal["cancel", "confirm", "absent"],
    payload: SignupActionIn | None = None,
):
    row = sel.access_signup(request.user, signup_id)
    payload = payload or SignupActionIn()
    if action == "cancel":
        svc.signup_cancel(actor=request.user, signup=row)
    elif action == "confirm":
        svc.signup_confirm(actor=request.user, signup=row, hours=payload.hours, note=payload.note)
    else:
        svc.signup_mark_absent(actor=request.user, signup=row, note=payload.note)
    return sel.access_signup(request.user, signup_id)


def _year(year: int | None) -> int:
    year = year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise ValidationError("年份不正确")
    return year


@router.get("/hours", response=HoursOut, summary="本人年度志愿时长（含双报到服务时长）")
def my_hours(request, year: int | None = None):
    data = sel.hours_of(request.user, _year(year))
    data["records"] = list(data["records"].select_related("user")[:500])
    return data


@router.get(
    "/hours/people", response=list[PersonHoursOut], summary="辖区志愿者年度时长（工作人员；可按姓名搜索）"
)
@paginate(Pagination, page_size=50)
def people_hours(request, year: int | None = None, q: str = ""):
    if not scope_of(request.user).is_staff:
        raise PermissionDenied("仅工作人员可以查看辖区志愿时长")
    rows = sel.hours_by_person(request.user, _year(year), q=q)
    return [
        {
            "user_id": r["user_id"],
            "name": r["user__display_name"] or r["user__username"],
            "total": r["total"],
            "dual_report": r["dual"] or 0,
            "services": r["services"],
        }
        for r in rows
    ]


# --- 自主申报项目 -----------------------------------------------------------------------------------------------------


@router.get("/projects", response=list[ProjectOut], summary="自主申报项目（本人申报的；工作人员看辖区的）")
@paginate(Pagination, page_size=30)
def list_projects(request, status: Literal["", "pending", "approved", "rejected", "withdrawn"] = ""):
    qs = sel.projects_visible_to(request.user).select_related("community", "proposer")
    return qs.filter(status=status) if status else qs


@router.post("/projects", response={201: ProjectOut}, summary="申报志愿项目（居民；提交后由社区审核）")
def propose(request, payload: ProjectIn):
    project = svc.project_propose(actor=request.user, **payload.dict())
    return Status(201, sel.access_project(request.user, project.pk))


@router.get("/projects/{project_id}", response=ProjectOut, summary="申报项目详情")
def get_project(request, project_id: int):
    return sel.access_project(request.user, project_id)


@router.post(
    "/projects/{project_id}/{action}",
    response=ProjectOut,
    summary="申报项目：approve（通过即生成活动）/ reject {reason}（社区）；withdraw（申报人）",
)
def act_on_project(
    request,
    project_id: int,
    action: Literal["approve", "reject", "withdraw"],
    payload: ReasonIn | None = None,
):
    project = sel.access_project(request.user, project_id)
    payload = payload or ReasonIn()
    if action == "approve":
        svc.project_approve(actor=request.user, project=project)
    elif action == "reject":
        svc.project_reject(actor=request.user, project=project, reason=payload.reason)
    else:
        svc.project_withdraw(actor=request.user, project=project)
    return sel.access_project(request.user, project_id)
