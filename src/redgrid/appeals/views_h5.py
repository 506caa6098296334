"""Resident, member and grid-worker mobile (H5) pages of 接诉即办.

Residents and members: 反映诉求 (intake form), the success page with similar appeals nearby, 我的诉求
(list) and the appeal detail with its timeline, photos and the reporter's actions (撤销 / 评价 / 重办 /
补充照片). Grid workers: 巡查上报 (the same form, channel `patrol`) and the 核查 queue. Every read goes
through `appeals.selectors`, every write through `appeals.services`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.appeals import services
from redgrid.appeals.models import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS_PER_KIND,
    OPEN_STATES,
    Appeal,
    AppealEvent,
    Channel,
    PhotoKind,
    Rating,
    Status,
)
from redgrid.appeals.selectors import (
    VERIFY_ROLES,
    access_appeal,
    appeal_timeline,
    appeals_visible_to,
    available_actions,
    event_label,
)
from redgrid.appeals.selectors import verify_queue as selectors_verify_queue
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Conflict, TooManyRequests
from redgrid.core.context import client_ip
from redgrid.core.pages import paginate
from redgrid.regions.selectors import grids_visible_to, home_grid_of

# Actions a phone user can take here; dispatching and handling live on the staff pages.
H5_ACTIONS = ("cancel", "rate", "reopen", "verify")

# Events a unit's handler takes for that unit (the dispatching ones name the unit sent to).
BY_UNIT = ("accept", "return", "reply", "extend")
LOCATED_BY = {
    "point": "按地图位置定位到网格",
    "address": "按地址定位到网格",
    "household": "按您的住户定位到网格",
    "operator": "已登记到所选网格",
}
STATUS_GROUPS = {
    "open": ("办理中", OPEN_STATES),
    "closed": ("已办结", (Status.CLOSED,)),
    "ended": ("已撤销/不予受理", (Status.CANCELLED, Status.REJECTED)),
}


# --- intake ------------------------------------------------------------------------------------------


def _float(value: str, what: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what}不正确，请重新在地图上选点") from exc


def _where(form: dict, user, *, patrol: bool) -> dict:
    """The location arguments of `appeal_submit` from the chosen way: map point, address, the reporter's
    household (residents) or one of the worker's own grids (patrol)."""
    how = form["where"]
    if how == "point":
        if not form["lat"] or not form["lng"]:
            raise ValidationError("请在地图上点选问题发生的位置")
        # A typed address beside a point is kept as a detail for the dispatcher; the point locates.
        return {
            "lat": _float(form["lat"], "纬度"),
            "lng": _float(form["lng"], "经度"),
            "address": form["address"],
        }
    if how == "address":
        if not form["address"].strip():
            raise ValidationError("请填写问题发生的地址")
        return {"address": form["address"]}
    if how == "home" and not patrol:
        if home_grid_of(user) is None:
            raise ValidationError("您尚未关联住户信息，请在地图上选点或填写地址")
        return {}  # no point and no address: intake locates by the reporter's household
    if how == "grid" and patrol:
        grid = _patrol_grids(user).filter(pk=form["grid"]).first() if form["grid"].isdigit() else None
        if grid is None:
            raise ValidationError("请选择您负责的网格")
        return {"grid": grid, "address": form["address"]}
    raise ValidationError(
        "请选择位置：" + ("本网格、地图选点或填写地址" if patrol else "地图选点、填写地址或我的住户")
    )


def _patrol_grids(user):
    return grids_visible_to(user).order_by("code")


def _intake(request, *, channel: str, page_title: str):
    patrol = channel == Channel.PATROL
    home_grid = None if patrol else home_grid_of(request.user)
    grids = list(_patrol_grids(request.user)[:200]) if patrol else []
    form = {
        "title": "",
        "content": "",
        "address": "",
        "lat": "",
        "lng": "",
        "grid": "",
        "where": "grid" if patrol else "home" if home_grid else "point",
    }
    if len(grids) == 1:
        form["grid"] = str(grids[0].pk)
    status, error, retry_after = 200, "", None
    if request.method == "POST":
        form.update({k: request.POST.get(k, "").strip() for k in form})
        try:
            result = services.appeal_submit(
                actor=request.user,
                title=form["title"],
                content=form["content"],
                channel=channel,
                photos=request.FILES.getlist("photos"),
                client_ip=client_ip(request),  # the per-address hourly limit of self-service intake
                **_where(form, request.user, patrol=patrol),
            )
        except ValidationError as exc:
            status, error = 400, " ".join(exc.messages)
        except TooManyRequests as exc:  # services.RateLimited: per account / per address per hour
            status, error = 429, str(exc)
            retry_after = getattr(exc, "retry_after", None)
        else:
            request.session[_dups_key(result.appeal.pk)] = {
                "duplicates": result.duplicates,
                "located_by": result.located_by,
            }
            return redirect("appeals:h5_submitted", result.appeal.pk)
    ctx = {
        "form": form,
        "error": error,
        "page_title": page_title,
        "patrol": patrol,
        "home_grid": home_grid,
        "grids": grids,
        "geojson": reverse("regions:geojson"),
        "max_photos": MAX_PHOTOS_PER_KIND,
        "max_mb": MAX_PHOTO_BYTES // (1024 * 1024),
    }
    response = render(request, "appeals/h5/new.html", ctx, status=status)
    if retry_after:
        response["Retry-After"] = str(int(retry_after))
    return response


@login_required
def new(request):
    """反映诉求: a resident or member reports a problem from the phone."""
    return _intake(request, channel=Channel.H5, page_title="反映诉求")


def _require_role(user, roles, message):
    if not scope_of(user).has_role(*roles):
        raise PermissionDenied(message)


@login_required
def patrol(request):
    """巡查上报: a grid worker reports what the patrol found (channel `patrol`, no per-account limit)."""
    _require_role(request.user, ("gridworker",), "巡查上报仅限网格员使用")
    return _intake(request, channel=Channel.PATROL, page_title="巡查上报")


def _dups_key(pk) -> str:
    return f"appeals_h5_intake_{pk}"


@login_required
def submitted(request, pk):
    """After intake: where the appeal went and the similar open appeals nearby (附近已有类似诉求)."""
    appeal = access_appeal(request.user, pk)
    saved = request.session.pop(_dups_key(appeal.pk), None)
    if saved is not None:
        duplicates, located_by = saved["duplicates"], saved["located_by"]
    else:
        # A reload or later visit: the candidate ids intake stored on the appeal, without distances.
        rows = Appeal.objects.filter(pk__in=appeal.possible_duplicates or [])
        duplicates = [{"id": a.pk, "title": a.display_title, "status": a.status} for a in rows]
        located_by = ""
    for d in duplicates:
        d["status_label"] = Status(d["status"]).label if d.get("status") in Status.values else ""
    return render(
        request,
        "appeals/h5/submitted.html",
        {
            "appeal": appeal,
            "duplicates": duplicates,
            "located_label": LOCATED_BY.get(located_by, ""),
        },
    )


# --- my appeals, detail ------------------------------------------------------------------------------


def my_appeals_of(user):
    """Appeals the account reported or follows (a merged duplicate's reporter follows the surviving one)."""
    mine = Q(reporter=user) | Q(pk__in=user.followed_appeals.values("appeal_id"))
    return appeals_visible_to(user).filter(mine).select_related("grid", "owner_unit", "street")


@login_required
def mine(request):
    """我的诉求: status filter, search, pagination; overdue open appeals are flagged."""
    group = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    qs = my_appeals_of(request.user)
    if group in STATUS_GROUPS:
        qs = qs.filter(status__in=STATUS_GROUPS[group][1])
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(content__icontains=q) | Q(address__icontains=q))
    ctx = paginate(request, qs.order_by("-created_at", "-id"), per_page=10)
    now = timezone.now()
    for a in ctx["rows"]:
        a.late = a.is_overdue(now)
        a.followed = a.reporter_id != request.user.pk
    ctx.update(
        status=group,
        q=q,
        groups=[(k, v[0]) for k, v in STATUS_GROUPS.items()],
        filtered=bool(group or q),
    )
    return render(request, "appeals/h5/mine.html", ctx)


def _event_who(e, appeal, viewer) -> str:
    if e.actor_id is None:
        return "系统"
    if e.actor_id == viewer.pk:
        return "我"
    if e.actor_id == appeal.reporter_id:
        return "反映人"  # a follower of a merged appeal never sees another resident's name
    if e.unit_id and e.action in BY_UNIT:
        return f"{e.unit} · {e.actor}"
    return str(e.actor)


def timeline_rows(appeal, viewer) -> list[dict]:
    rows = []
    for e in appeal_timeline(appeal):
        label = event_label(e, submit="提交诉求")
        changed = e.to_state and e.to_state != e.from_state and e.to_state in Status.values
        rows.append(
            {
                "at": e.at,
                "label": label,
                "who": _event_who(e, appeal, viewer),
                # "立案 → 立案" says nothing: the state is shown only when it reads differently
                "to_label": Status(e.to_state).label if changed and Status(e.to_state).label != label else "",
                "note": e.note,
                "round": e.round,
            }
        )
    return rows


@login_required
def detail(request, pk):
    """The appeal with its timeline, photos, the handling unit, the deadline and the phone actions."""
    appeal = access_appeal(request.user, pk)
    actions = [a for a in available_actions(request.user, appeal) if a in H5_ACTIONS]
    photos = list(appeal.photos.all())
    is_reporter = appeal.reporter_id == request.user.pk
    intake_photos = [p for p in photos if p.kind == PhotoKind.INTAKE]
    ctx = {
        "appeal": appeal,
        "late": appeal.is_overdue(),
        "timeline": timeline_rows(appeal, request.user),
        "intake_photos": intake_photos,
        "evidence_photos": [p for p in photos if p.kind == PhotoKind.EVIDENCE],
        "ratings": list(appeal.ratings.order_by("round")),
        "actions": actions,
        "ratings_choices": Rating.choices,
        "can_add_photos": is_reporter and appeal.is_open and len(intake_photos) < MAX_PHOTOS_PER_KIND,
        "photo_room": MAX_PHOTOS_PER_KIND - len(intake_photos),
        "reply": appeal.events.filter(action="reply").order_by("-at", "-id").first(),
    }
    return render(request, "appeals/h5/detail.html", ctx)


@login_required
def photo(request, pk, photo_id):
    """A photo of an appeal, only to accounts that may see the appeal (uploads are never public URLs)."""
    appeal = access_appeal(request.user, pk)
    row = get_or_404(appeal.photos.all(), pk=photo_id)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("照片文件不存在") from exc
    response = FileResponse(handle, content_type=row.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _run_action(request, appeal, action: str) -> str:
    user, data = request.user, request.POST
    if action == "cancel":
        services.appeal_cancel(actor=user, appeal=appeal, reason=data.get("reason", ""))
        return "诉求已撤销"
    if action == "rate":
        services.appeal_rate(
            actor=user, appeal=appeal, rating=data.get("rating", ""), comment=data.get("comment", "")
        )
        return "感谢您的评价"
    if action == "reopen":
        services.appeal_reopen(actor=user, appeal=appeal, reason=data.get("reason", ""))
        return "已申请重办，主办单位将重新办理"
    passed = data.get("passed")
    if passed not in ("1", "0"):
        raise ValidationError("请选择核查通过或不通过")
    services.appeal_verify(actor=user, appeal=appeal, passed=passed == "1", note=data.get("note", ""))
    return "核查通过，诉求已结案" if passed == "1" else "核查未通过，已退回主办单位继续处置"


@login_required
@require_POST
def act(request, pk, action):
    """One phone action; an illegal one (Conflict) or a refused one shows the service's Chinese message."""
    if action not in H5_ACTIONS:
        raise Http404
    appeal = access_appeal(request.user, pk)
    try:
        done = _run_action(request, appeal, action)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc) or "您无权执行此操作")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    if request.POST.get("next") == "verify":
        return redirect("appeals:h5_verify")
    return redirect("appeals:h5_detail", appeal.pk)


@login_required
@require_POST
def add_photos(request, pk):
    """补充照片: the reporter adds intake photos while the appeal is open (up to 9 in all)."""
    appeal = access_appeal(request.user, pk)
    try:
        n = services.add_photos(actor=request.user, appeal=appeal, photos=request.FILES.getlist("photos"))
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已补充 {n} 张照片" if n else "请先选择照片")
    return redirect("appeals:h5_detail", appeal.pk)


# --- verification queue ------------------------------------------------------------------------------


@login_required
def verify_queue(request):
    """核查: the grid worker checks on site what the unit replied, then passes or fails it."""
    _require_role(request.user, VERIFY_ROLES, "核查仅限网格员和社区使用")
    q = request.GET.get("q", "").strip()
    # Oldest reply first: it has waited longest for the worker's visit.
    qs = selectors_verify_queue(request.user).select_related("grid", "owner_unit").order_by("updated_at", "id")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(content__icontains=q) | Q(address__icontains=q))
    replies = AppealEvent.objects.filter(action="reply").order_by("-at", "-id")
    qs = qs.prefetch_related(Prefetch("events", queryset=replies, to_attr="replies"), "photos")
    ctx = paginate(request, qs, per_page=10)
    for a in ctx["rows"]:
        a.reply = a.replies[0] if a.replies else None
        a.evidence = [p for p in a.photos.all() if p.kind == PhotoKind.EVIDENCE]
    ctx["q"] = q
    return render(request, "appeals/h5/verify.html", ctx)


urlpatterns = [
    path("h5/new/", new, name="h5_new"),
    path("h5/patrol/", patrol, name="h5_patrol"),
    path("h5/mine/", mine, name="h5_mine"),
    path("h5/verify/", verify_queue, name="h5_verify"),
    path("h5/<int:pk>/", detail, name="h5_detail"),
    path("h5/<int:pk>/submitted/", submitted, name="h5_submitted"),
    path("h5/<int:pk>/photos/", add_photos, name="h5_add_photos"),
    path("h5/<int:pk>/photos/<int:photo_id>/", photo, name="h5_photo"),
    path("h5/<int:pk>/<slug:action>/", act, name="h5_act"),
]
