"""志愿服务 pages for organisers and staff: activities, publishing with shifts, the shift roster with the
check-in/out QR codes, confirming hours, join requests, project approval, yearly hours per person, teams.

Team leaders and resident organisers (an approved project makes its proposer the organiser) use the same
roster and hours pages in the mobile frame; the desk frame is for staff accounts.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.access import scope_of
from redgrid.core.pages import paginate, staff_required
from redgrid.core.qr import qr_svg
from redgrid.core.rules import rule_value
from redgrid.participation import volunteer_selectors as sel
from redgrid.participation import volunteers as svc
from redgrid.participation.models import VolunteerActivity, VolunteerTeam
from redgrid.participation.volunteer_views import parse_local, render_page, run

SHIFT_ROWS = 5  # blank shift rows on the publish form


def _frame(request) -> bool:
    return scope_of(request.user).is_staff


def _managed_shift(request, pk):
    shift = sel.access_shift(request.user, pk)
    if not sel.can_manage_activity(request.user, shift.activity):
        raise PermissionDenied("只有活动组织者、队长或本社区工作人员可以查看花名册")
    return shift


@staff_required
def manage(request):
    """活动管理: the activities of the account's subtree with search, filters and paging."""
    g = request.GET
    q, community, status, when = (
        g.get("q", ""),
        g.get("community", ""),
        g.get("status", ""),
        g.get("when", ""),
    )
    qs = sel.search_activities(
        sel.activities_visible_to(request.user), q=q, community=community, status=status, when=when
    )
    ctx = paginate(request, qs.select_related("organiser").order_by("-created_at", "-id"))
    ctx.update(
        q=q,
        community=community,
        status=status,
        when=when,
        statuses=VolunteerActivity.Status.choices,
        communities=sel.managed_communities(request.user)[:200],
        queue={
            "hours": sel.hours_queue(request.user).count(),
            "requests": sel.join_requests_for(request.user).count(),
            "projects": sel.project_queue(request.user).count(),
        },
    )
    return render_page(request, "participation/volunteers/manage.html", ctx, staff=True)


def _shift_rows(post) -> tuple[list[dict], list[dict]]:
    """The publish form's shift rows: (raw values to re-show, filled rows as service input)."""
    raw, filled = [], []
    for i in range(SHIFT_ROWS):
        row = {k: post.get(f"shift-{i}-{k}", "") for k in ("starts_at", "ends_at", "place", "capacity")}
        raw.append(row)
        if any(v.strip() for v in row.values()):
            filled.append(
                {
                    "starts_at": parse_local(row["starts_at"]),
                    "ends_at": parse_local(row["ends_at"]),
                    "place": row["place"],
                    "capacity": row["capacity"],
                }
            )
    return raw, filled


@login_required
def activity_new(request):
    """发布活动: community staff in their communities; team leaders for their teams."""
    user = request.user
    communities = list(sel.managed_communities(user)[:200])
    teams = [
        t
        for t in sel.team_rows(sel.teams_visible_to(user)).filter(is_active=True)[:200]
        if sel.can_manage_team(user, t)
    ]
    if not communities and not teams:
        raise PermissionDenied("只有社区、街道工作人员或服务队队长可以发布志愿活动")
    post = request.POST
    keys = ("title", "description", "address", "community", "team", "lng", "lat")
    form = {k: post.get(k, "") for k in keys}
    form.update(dual_report=post.get("dual_report") == "1", team_only=post.get("team_only") == "1")
    raw, filled = _shift_rows(post)
    if request.method == "POST":
        created = []

        def publish():
            team = next((t for t in teams if str(t.pk) == form["team"]), None)
            community = next((c for c in communities if str(c.pk) == form["community"]), None)
            try:
                lng = float(form["lng"]) if form["lng"].strip() else None
                lat = float(form["lat"]) if form["lat"].strip() else None
            except ValueError as exc:
                raise ValidationError("经纬度请填写数字") from exc
            created.append(
                svc.activity_create(
                    actor=user,
                    title=form["title"],
                    description=form["description"],
                    address=form["address"],
                    shifts=filled,
                    community=community,
                    team=team,
                    dual_report=form["dual_report"],
                    team_only=form["team_only"],
                    lng=lng,
                    lat=lat,
                )
            )

        if run(request, publish, "活动已发布"):
            return redirect("participation:vol_activity", created[0].pk)
    if not raw:
        raw = [{} for _ in range(SHIFT_ROWS)]
    ctx = {"form": form, "shift_rows": raw, "communities": communities, "teams": teams}
    return render_page(request, "participation/volunteers/activity_new.html", ctx, staff=_frame(request))


@login_required
@require_POST
def activity_cancel(request, pk):
    a = sel.access_activity(request.user, pk)
    run(
        request,
        partial(svc.activity_cancel, actor=request.user, activity=a, reason=request.POST.get("reason", "")),
        "活动已取消，已通知报名的志愿者",
    )
    return redirect("participation:vol_activity", pk)


@login_required
@require_POST
def activity_update(request, pk):
    a = sel.access_activity(request.user, pk)
    p = request.POST
    run(
        request,
        partial(
            svc.activity_update,
            actor=request.user,
            activity=a,
            title=p.get("title", ""),
            description=p.get("description", ""),
            address=p.get("address", ""),
        ),
        "活动已修改，已通知报名的志愿者",
    )
    return redirect("participation:vol_activity", pk)


@login_required
@require_POST
def shift_add(request, pk):
    a = sel.access_activity(request.user, pk)
    p = request.POST
    run(
        request,
        partial(
            svc.shift_add,
            actor=request.user,
            activity=a,
            starts_at=parse_local(p.get("starts_at", "")),
            ends_at=parse_local(p.get("ends_at", "")),
            place=p.get("place", ""),
            capacity=p.get("capacity", ""),
        ),
        "已增加班次",
    )
    return redirect("participation:vol_activity", pk)


def _qr_context(request, shift) -> dict:
    """Fresh check-in and check-out links with their QR codes (they expire after `volunteer.qr_minutes`)."""
    codes = {}
    for kind in svc.SCAN_KINDS:
        url = request.build_absolute_uri(
            reverse("participation:vol_scan", args=[svc.scan_token(shift, kind)])
        )
        codes[kind] = {"url": url, "svg": qr_svg(url, scale=4), "label": svc.SCAN_KINDS[kind]}
    minutes = rule_value("volunteer.qr_minutes")
    # Refresh well before expiry so a code on the screen is always valid when scanned.
    return {"codes": codes, "minutes": minutes, "refresh": max(30, minutes * 60 // 2), "shift": shift}


@login_required
def roster(request, pk):
    """班次花名册: sign-ups with their check-in/out times and hours, the QR codes, and the organiser's actions."""
    shift = _managed_shift(request, pk)
    rows = list(sel.roster(shift))
    ctx = {
        "shift": shift,
        "a": shift.activity,
        "rows": rows,
        "now": timezone.now(),
        "length": svc.shift_length_hours(shift),
        "counts": {s: sum(1 for r in rows if r.status == s) for s in sel.SS.values},
        "taken": sum(1 for r in rows if r.status in sel.SEAT_STATUSES),
        **_qr_context(request, shift),
    }
    return render_page(request, "participation/volunteers/roster.html", ctx, staff=_frame(request))


@login_required
def roster_qr(request, pk):
    """The QR block alone, re-fetched by htmx on the roster page before the codes expire."""
    shift = _managed_shift(request, pk)
    return render(request, "participation/volunteers/_qr.html", _qr_context(request, shift))


@login_required
@require_POST
def confirm_all(request, pk):
    shift = _managed_shift(request, pk)
    try:
        n = svc.shift_confirm_all(actor=request.user, shift=shift)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已确认 {n} 名已签退志愿者的时长")
    return redirect("participation:vol_roster", pk)


@login_required
@require_POST
def shift_cancel(request, pk):
    shift = _managed_shift(request, pk)
    run(
        request,
        partial(svc.shift_cancel, actor=request.user, shift=shift, reason=request.POST.get("reason", "")),
        "班次已取消，已通知报名的志愿者",
    )
    return redirect("participation:vol_activity", shift.activity_id)


@login_required
def hours_queue(request):
    """待确认时长: every sign-up awaiting the organiser in the activities the account manages."""
    ctx = paginate(request, sel.hours_queue(request.user))
    return render_page(request, "participation/volunteers/hours_queue.html", ctx, staff=_frame(request))


@login_required
def requests(request):
    """入队申请: pending join requests of the teams the account leads or whose community it manages."""
    ctx = paginate(request, sel.join_requests_for(request.user))
    return render_page(request, "participation/volunteers/requests.html", ctx, staff=_frame(request))


@staff_required
def project_queue(request):
    ctx = paginate(request, sel.project_queue(request.user))
    return render_page(request, "participation/volunteers/project_queue.html", ctx, staff=True)


@staff_required
def people(request):
    """年度志愿时长（按人）: confirmed hours per volunteer on the activities of the account's subtree."""
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
    q = request.GET.get("q", "")
    ctx = paginate(request, sel.hours_by_person(request.user, year, q=q))
    this_year = timezone.localdate().year
    ctx.update(year=year, q=q, years=list(range(this_year, this_year - 5, -1)))
    return render_page(request, "participation/volunteers/people.html", ctx, staff=True)


@staff_required
def team_new(request):
    """组建服务队: the instructor is picked among the party members living in or reporting to the community."""
    from redgrid.accounts.models import User
    from redgrid.party.models import PartyMember

    communities = list(sel.managed_communities(request.user)[:200])
    post = request.POST
    form = {
        k: post.get(k, "")
        for k in ("community", "name", "kind", "skills", "description", "instructor", "leader")
    }
    community = next(
        (c for c in communities if str(c.pk) == (form["community"] or request.GET.get("community", ""))), None
    )
    if community is None and len(communities) == 1:
        community = communities[0]
    instructors = []
    if community is not None:
        lives_or_reports = Q(person__household__building__grid__path__startswith=community.path) | Q(
            home_community=community
        )
        instructors = list(
            PartyMember.objects.filter(lives_or_reports, status__in=PartyMember.ACTIVE)
            .select_related("person")
            .order_by("person__name", "id")[:300]
        )
    if request.method == "POST":
        created = []

        def create():
            if community is None:
                raise ValidationError("请选择社区")
            leader = None
            if form["leader"].strip():
                leader = User.objects.filter(username=form["leader"].strip(), person__isnull=False).first()
                if leader is None:
                    raise ValidationError("队长账号不存在或未关联居民信息")
            created.append(
                svc.team_create(
                    actor=request.user,
                    community=community,
                    name=form["name"],
                    kind=form["kind"],
                    instructor=int(form["instructor"]) if form["instructor"].isdigit() else None,
                    description=form["description"],
                    skills=form["skills"],
                    leader=leader,
                )
            )

        if run(request, create, "服务队已组建"):
            return redirect("participation:vol_team", created[0].pk)
    ctx = {
        "form": form,
        "communities": communities,
        "community": community,
        "instructors": instructors,
        "kinds": VolunteerTeam.Kind.choices,
    }
    return render_page(request, "participation/volunteers/team_new.html", ctx, staff=True)
