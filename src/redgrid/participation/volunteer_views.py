"""志愿服务 pages for residents and members (mobile H5): activities near me, sign-up, my shifts, QR check-in,
my hours, teams and join requests, proposing a project. Organiser and staff pages: volunteer_manage_views.py.
"""

from datetime import datetime
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.access import scope_of
from redgrid.core.api import Conflict
from redgrid.core.pages import paginate, render_staff
from redgrid.participation import volunteer_selectors as sel
from redgrid.participation import volunteers as svc
from redgrid.participation.models import VolunteerProject, VolunteerTeam

SIGNUP_ACTIONS = {"cancel": "取消报名", "confirm": "确认时长", "absent": "记为缺席"}
REQUEST_ACTIONS = {"approve": "批准入队", "reject": "驳回申请", "leave": "退出服务队"}
PROJECT_ACTIONS = {"approve": "审核通过", "reject": "驳回", "withdraw": "撤回申报"}


# --- helpers shared with volunteer_manage_views ------------------------------------------------------------------


def staff_frame(request) -> bool:
    """Pages shared by both audiences use the desk frame for staff accounts without a resident record."""
    return scope_of(request.user).is_staff and not request.user.person_id


def render_page(request, template: str, ctx: dict, *, staff: bool, status: int = 200):
    ctx["base"] = "staff.html" if staff else "h5.html"
    if staff:
        return render_staff(request, template, ctx, status=status)
    return render(request, template, ctx, status=status)


def run(request, fn, success: str) -> bool:
    """Call a service; show its Chinese error (400/403/409 cases) or `success` as a flash message."""
    try:
        fn()
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc) or "无权执行此操作")
        return False
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True


def parse_local(value: str) -> datetime | None:
    """A `datetime-local` form value (2026-07-01T09:00) as an aware datetime in the platform time zone."""
    try:
        naive = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if timezone.is_aware(naive):
        return naive
    return timezone.make_aware(naive)


def back(request, default: str, *args):
    """Redirect to the page the form came from when it is one of ours, else to `default`."""
    nxt = request.POST.get("next", "")
    if nxt.startswith("/participation/volunteers/"):
        return redirect(nxt)
    return redirect(default, *args)


# --- activities --------------------------------------------------------------------------------------------------


@login_required
def activities(request):
    """附近的志愿活动: upcoming activities of the account's street, its own communities first."""
    if staff_frame(request):
        return redirect("participation:vol_manage")
    q, where = request.GET.get("q", ""), request.GET.get("scope", "")
    ctx = paginate(request, sel.nearby_activities(request.user, q=q, scope=where), per_page=20)
    for a in ctx["rows"]:
        a.distance = sel.distance_km(request.user, a)
    ctx.update(q=q, scope=where)
    return render(request, "participation/volunteers/activities.html", ctx)


@login_required
def activity(request, pk):
    a = sel.access_activity(request.user, pk)
    ctx = {
        "a": a,
        "shifts": sel.shifts_of(a, user=request.user),
        "can_manage": sel.can_manage_activity(request.user, a),
        "now": timezone.now(),
        "project": VolunteerProject.objects.filter(activity=a).first(),
    }
    return render_page(request, "participation/volunteers/activity.html", ctx, staff=staff_frame(request))


@login_required
@require_POST
def signup(request, pk):
    shift = sel.access_shift(request.user, pk)
    run(request, partial(svc.shift_signup, actor=request.user, shift=shift), "报名成功，请按时到场扫码签到")
    return redirect("participation:vol_activity", shift.activity_id)


@login_required
@require_POST
def signup_act(request, pk, action):
    if action not in SIGNUP_ACTIONS:
        raise Http404
    row = sel.access_signup(request.user, pk)
    user, data = request.user, request.POST
    if action == "cancel":
        fn = partial(svc.signup_cancel, actor=user, signup=row)
    elif action == "confirm":
        fn = partial(
            svc.signup_confirm, actor=user, signup=row, hours=data.get("hours"), note=data.get("note", "")
        )
    else:
        fn = partial(svc.signup_mark_absent, actor=user, signup=row, note=data.get("note", ""))
    run(request, fn, f"已{SIGNUP_ACTIONS[action]}")
    return back(request, "participation:vol_my_shifts")


@login_required
def my_shifts(request):
    when = request.GET.get("when", "upcoming")
    when = when if when in ("upcoming", "past") else "upcoming"
    ctx = paginate(request, sel.my_signups(request.user, when=when), per_page=20)
    ctx.update(when=when, now=timezone.now())
    return render(request, "participation/volunteers/mine.html", ctx)


@login_required
def scan(request, token):
    """Opened from the QR code at the shift on the volunteer's phone: checking in (or out) is the point of
    opening it. Only the account's own sign-up changes and only with the unexpired signed token shown by the
    organiser, and repeating it changes nothing, so a GET is acceptable (as for meeting sign-in)."""
    status, error, row = 200, "", None
    try:
        row = svc.signup_scan(actor=request.user, token=token)
    except ValidationError as exc:
        status, error = 400, "；".join(exc.messages)
    except PermissionDenied as exc:
        status, error = 403, str(exc)
    except Conflict as exc:
        status, error = 409, str(exc)
    shift_id = None
    if row is None:
        try:
            shift_id = svc.read_scan_token(token)[0]
        except ValidationError:
            shift_id = None
    return render(
        request,
        "participation/volunteers/scan.html",
        {"row": row, "error": error, "shift_id": shift_id},
        status=status,
    )


@login_required
def hours(request):
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
    data = sel.hours_of(request.user, year)
    ctx = paginate(request, data["records"], per_page=20)
    this_year = timezone.localdate().year
    ctx.update(data=data, year=year, years=list(range(this_year, this_year - 5, -1)))
    return render(request, "participation/volunteers/hours.html", ctx)


# --- teams ---------------------------------------------------------------------------------------------------------


@login_required
def teams(request):
    q, kind, skill = request.GET.get("q", ""), request.GET.get("kind", ""), request.GET.get("skill", "")
    ctx = paginate(
        request, sel.team_rows(sel.teams_visible_to(request.user), q=q, kind=kind, skill=skill), per_page=20
    )
    ctx.update(q=q, kind=kind, skill=skill, kinds=VolunteerTeam.Kind.choices)
    return render_page(request, "participation/volunteers/teams.html", ctx, staff=staff_frame(request))


@login_required
def team(request, pk):
    t = sel.access_team(request.user, pk)
    manage = sel.can_manage_team(request.user, t)
    ctx = {
        "t": t,
        "manage": manage,
        "mine": sel.my_membership(request.user, t),
        "members": list(sel.team_members(t)[:200]) if manage else [],
        "pending": list(t.memberships.filter(status="pending").select_related("user__person"))
        if manage
        else [],
        "member_count": sel.team_members(t).count(),
        "activities": sel.activity_rows(
            sel.activities_visible_to(request.user).filter(team=t), upcoming=True
        )[:10],
    }
    return render_page(request, "participation/volunteers/team.html", ctx, staff=staff_frame(request))


@login_required
@require_POST
def team_join(request, pk):
    t = sel.access_team(request.user, pk)
    run(
        request,
        lambda: svc.team_join(
            actor=request.user,
            team=t,
            skills=request.POST.get("skills", ""),
            note=request.POST.get("note", ""),
        ),
        "申请已提交，等待队长或社区审批",
    )
    return redirect("participation:vol_team", pk)


@login_required
@require_POST
def request_act(request, pk, action):
    if action not in REQUEST_ACTIONS:
        raise Http404
    row = sel.access_membership(request.user, pk)
    user = request.user
    if action == "approve":
        fn = partial(svc.membership_approve, actor=user, membership=row)
    elif action == "reject":
        fn = partial(svc.membership_reject, actor=user, membership=row, reason=request.POST.get("reason", ""))
    else:
        fn = partial(svc.membership_leave, actor=user, membership=row)
    run(request, fn, f"已{REQUEST_ACTIONS[action]}")
    return back(request, "participation:vol_team", row.team_id)


# --- 自主申报项目 ------------------------------------------------------------------------------------------------------


@login_required
def projects(request):
    """My proposals (residents); the staff see the projects of their communities with a status filter."""
    status = request.GET.get("status", "")
    qs = sel.projects_visible_to(request.user).select_related("community", "proposer", "activity")
    if status in VolunteerProject.Status.values:
        qs = qs.filter(status=status)
    ctx = paginate(request, qs, per_page=20)
    ctx.update(status=status, statuses=VolunteerProject.Status.choices)
    return render_page(request, "participation/volunteers/projects.html", ctx, staff=staff_frame(request))


@login_required
def project_new(request):
    form = {
        k: request.POST.get(k, "")
        for k in ("title", "description", "place", "starts_at", "ends_at", "capacity")
    }
    if request.method == "POST":
        created = []
        ok = run(
            request,
            lambda: created.append(
                svc.project_propose(
                    actor=request.user,
                    title=form["title"],
                    description=form["description"],
                    place=form["place"],
                    starts_at=parse_local(form["starts_at"]),
                    ends_at=parse_local(form["ends_at"]),
                    capacity=form["capacity"],
                )
            ),
            "项目已提交，社区审核通过后将发布为志愿活动",
        )
        if ok:
            return redirect("participation:vol_project", created[0].pk)
    return render(request, "participation/volunteers/project_new.html", {"form": form})


@login_required
def project(request, pk):
    p = sel.access_project(request.user, pk)
    ctx = {
        "p": p,
        "can_decide": p.status == VolunteerProject.Status.PENDING
        and sel.can_manage_community(request.user, p.community),
        "can_withdraw": p.status == VolunteerProject.Status.PENDING and p.proposer_id == request.user.pk,
        "events": p.events.select_related("actor"),
    }
    return render_page(request, "participation/volunteers/project.html", ctx, staff=staff_frame(request))


@login_required
@require_POST
def project_act(request, pk, action):
    if action not in PROJECT_ACTIONS:
        raise Http404
    p = sel.access_project(request.user, pk)
    user = request.user
    if action == "approve":
        fn = partial(svc.project_approve, actor=user, project=p)
    elif action == "reject":
        fn = partial(svc.project_reject, actor=user, project=p, reason=request.POST.get("reason", ""))
    else:
        fn = partial(svc.project_withdraw, actor=user, project=p)
    run(request, fn, f"已{PROJECT_ACTIONS[action]}")
    return back(request, "participation:vol_project", pk)
