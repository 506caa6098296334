"""双报到 pages: the organisation's view of its in-service members, the community's confirmation queue,
and the member's mobile page (register, record service)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.access import get_or_404
from redgrid.core.api import Conflict
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.party import dual_report as D
from redgrid.party.models import DualRegistration
from redgrid.party.selectors import access_member
from redgrid.regions.models import Region


def _errors(request, exc) -> None:
    for m in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
        messages.error(request, m)


def _year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else timezone.localdate().year


@staff_required
def dual_members(request):
    """本组织在职党员双报到情况: registration, confirmed hours of the year, record count (report-back page)."""
    year, today = _year(request), timezone.localdate()
    qs = (
        D.in_service_members_visible_to(request.user)
        .select_related("person", "org")
        .order_by("org__path", "id")
    )
    q, status = request.GET.get("q", "").strip(), request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(person__name__icontains=q) | Q(org__name__icontains=q))
    in_force = DualRegistration.objects.filter(
        status=DualRegistration.Status.CONFIRMED, valid_until__gte=today
    ).values("member_id")
    if status == "reported":
        qs = qs.filter(pk__in=in_force)
    elif status == "not_reported":
        qs = qs.exclude(pk__in=in_force)
    ctx = paginate(request, qs, per_page=50)
    ctx["rows"] = D.decorate_members(list(ctx["rows"]), year, today)
    ctx.update(year=year, q=q, status=status, today=today, years=range(today.year, today.year - 5, -1))
    return render_staff(request, "party/dual_members.html", ctx)


@staff_required
def dual_member(request, pk):
    m = access_member(request.user, pk)
    return render_staff(
        request,
        "party/dual_member.html",
        {
            "m": m,
            "registrations": m.dual_registrations.select_related("community", "decided_by"),
            "services": m.service_records.select_related("community")[:200],
            "hours": D.member_hours([m.pk], timezone.localdate().year).get(m.pk, 0),
        },
    )


@staff_required
def dual_community(request):
    """社区确认: pending registrations and service records in the communities the account serves."""
    queue = D.community_queue(request.user)
    q = request.GET.get("q", "").strip()
    regs, services = queue["registrations"], queue["services"]
    if q:
        regs = regs.filter(member__person__name__icontains=q)
        services = services.filter(member__person__name__icontains=q)
    ctx = paginate(request, services, per_page=50)
    ctx.update(registrations=regs[:200], q=q)
    return render_staff(request, "party/dual_community.html", ctx)


@require_POST
@staff_required
def dual_decide(request):
    kind, pk = request.POST.get("type", ""), request.POST.get("id", "")
    confirm = request.POST.get("decision") == "confirm"
    reason = request.POST.get("reason", "")
    try:
        if kind == "registration":
            reg = D.access_registration(request.user, pk)
            if confirm:
                D.dual_confirm(actor=request.user, registration=reg)
            else:
                D.dual_reject(actor=request.user, registration=reg, reason=reason)
        else:
            rec = D.access_service(request.user, pk)
            if confirm:
                D.dual_confirm_service(actor=request.user, record=rec)
            else:
                D.dual_reject_service(actor=request.user, record=rec, reason=reason)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已确认" if confirm else "已处理")
    return redirect("party:dual_community")


# --- member H5 ------------------------------------------------------------------------------------------------


def _communities(request, member) -> list[Region]:
    """Communities offered in the registration form: a name search, else the member's own and current ones."""
    q = request.GET.get("q", "").strip()
    if q:
        return list(
            Region.objects.filter(level=Region.Level.COMMUNITY, name__icontains=q).order_by("code")[:20]
        )
    from redgrid.regions.selectors import home_grid_of

    result = []
    grid = home_grid_of(request.user)
    if grid is not None:
        result += list(Region.objects.filter(path=grid.parent_path))
    if member.home_community_id and member.home_community not in result:
        result.append(member.home_community)
    return result


@login_required
def h5_dual(request):
    member = D.own_member(request.user)
    if member is None:
        return render(request, "party/h5_not_member.html", status=403)
    today = timezone.localdate()
    return render(
        request,
        "party/h5_dual.html",
        {
            "member": member,
            "registrations": member.dual_registrations.select_related("community")[:10],
            "current": D.registration_on(member, today),
            "services": member.service_records.select_related("community")[:30],
            "hours": D.member_hours([member.pk], today.year).get(member.pk, 0),
            "communities": _communities(request, member),
            "q": request.GET.get("q", ""),
            "today": today,
        },
    )


@require_POST
@login_required
def h5_dual_register(request):
    community = get_or_404(
        Region.objects.filter(level=Region.Level.COMMUNITY), pk=request.POST.get("community", "")
    )
    try:
        D.dual_register(actor=request.user, community=community, skills=request.POST.get("skills", ""))
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已向{community.name}提交报到，请等待社区确认")
    return redirect("party:h5_dual")


@require_POST
@login_required
def h5_dual_service(request):
    try:
        served_on = date.fromisoformat(request.POST.get("served_on", ""))
    except ValueError:
        messages.error(request, "请填写服务日期")
        return redirect("party:h5_dual")
    try:
        D.dual_record_service(
            actor=request.user,
            served_on=served_on,
            hours=request.POST.get("hours", ""),
            content=request.POST.get("content", ""),
        )
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已登记，等待社区确认")
    return redirect("party:h5_dual")
