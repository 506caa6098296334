"""公开/公示 pages: the mobile notice list and detail with the objection form, the 党务公开 catalogue of a
branch, and the staff pages (publish, objections and replies, conclude, withdraw)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from redgrid.core.access import get_or_404, scope_of
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.participation import notices as no
from redgrid.participation.models import Notice, NoticeObjection
from redgrid.participation.page_utils import attempt, ids, manageable_areas, parse_local, text

K = Notice.Kind


def _filters(request) -> dict:
    kind = request.GET.get("kind", "")
    return {"kind": kind if kind in K.values else "", "q": text(request, "q"), "open": request.GET.get("open") == "1"}


@login_required
def notices(request):
    f = _filters(request)
    qs = no.notice_list(request.user, kind=f["kind"], q=f["q"], open_only=f["open"])
    ctx = paginate(request, qs, per_page=20)
    ctx.update(f, kinds=K.choices)
    return render(request, "participation/notices/list.html", ctx)


@login_required
def notice_detail(request, pk):
    notice = no.access_notice(request.user, pk)
    ctx = {
        "n": notice,
        "manager": no.can_manage_notice(request.user, notice),
        "objections": list(no.objections_visible_to(request.user, notice)),
        "can_object": notice.open_for_objections(),
        "targets": list(notice.regions.all()) + list(notice.party_orgs.all()),
    }
    return render(request, "participation/notices/detail.html", ctx)


@login_required
@require_POST
def notice_object(request, pk):
    notice = no.access_notice(request.user, pk)
    attempt(
        request,
        lambda: no.objection_submit(actor=request.user, notice=notice, body=request.POST.get("body", "")),
        "异议已提交，发布单位将尽快答复",
    )
    return redirect("participation:notice", pk)


@login_required
def catalogues(request):
    """The organisations whose 党务公开 catalogue the account may open."""
    qs = no.catalogue_orgs_visible_to(request.user).order_by("path")
    q = text(request, "q")
    if q:
        qs = qs.filter(name__icontains=q)
    ctx = paginate(request, qs)
    ctx["q"] = q
    if scope_of(request.user).is_staff:
        return render_staff(request, "participation/notices/catalogues.html", ctx)
    return render(request, "participation/notices/catalogues.html", ctx)


@login_required
def catalogue(request, pk):
    org = no.access_catalogue_org(request.user, pk)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else no.current_year()
    rows = no.catalogue(request.user, org, year)
    ctx = {
        "org": org,
        "year": year,
        "years": list(range(no.current_year(), no.current_year() - 5, -1)),
        "rows": rows,
        "gaps": sum(1 for r in rows if not r["count"]),
        "can_publish": scope_of(request.user).is_staff,
    }
    if scope_of(request.user).is_staff:
        return render_staff(request, "participation/notices/catalogue.html", ctx)
    return render(request, "participation/notices/catalogue.html", ctx)


# --- staff ----------------------------------------------------------------------------------------------


@staff_required
def manage_notices(request):
    f = _filters(request)
    status = request.GET.get("status", "")
    qs = no.notice_list(request.user, kind=f["kind"], q=f["q"], open_only=f["open"])
    if status in Notice.Status.values:
        qs = qs.filter(status=status)
    ctx = paginate(request, qs)
    ctx.update(f, status=status, kinds=K.choices, statuses=Notice.Status.choices)
    return render_staff(request, "participation/notices/manage_list.html", ctx)


def _target_choices(user):
    from redgrid.party.selectors import party_orgs_visible_to

    return manageable_areas(user), party_orgs_visible_to(user).order_by("path")[:500]


@staff_required
def manage_notice_new(request):
    areas, orgs = _target_choices(request.user)
    form = {k: request.POST.get(k, "") for k in ("kind", "title", "body", "org", "category", "starts_at", "ends_at")}
    form["kind"] = form["kind"] or request.GET.get("kind", K.NOTICE)
    form["org"] = form["org"] or request.GET.get("org", "")
    chosen = {"regions": ids(request.POST.getlist("regions")), "orgs": ids(request.POST.getlist("orgs"))}
    if request.method == "POST":

        def publish():
            org = next((o for o in orgs if str(o.pk) == form["org"]), None)
            return no.notice_publish(
                actor=request.user,
                kind=form["kind"],
                title=form["title"],
                body=form["body"],
                region_ids=chosen["regions"],
                org_ids=chosen["orgs"],
                org=org,
                category=form["category"],
                starts_at=parse_local(form["starts_at"]),
                ends_at=parse_local(form["ends_at"]),
            )

        notice = attempt(request, publish, "已发布")
        if notice:
            return redirect("participation:manage_notice", notice.pk)
    ctx = {
        "form": form,
        "chosen": chosen,
        "areas": areas,
        "orgs": orgs,
        "kinds": K.choices,
        "categories": Notice.Category.choices,
    }
    return render_staff(request, "participation/notices/manage_new.html", ctx)


@staff_required
def manage_notice(request, pk):
    notice = no.access_notice(request.user, pk)
    ctx = {
        "n": notice,
        "manager": no.can_manage_notice(request.user, notice),
        "objections": list(no.objections_visible_to(request.user, notice)),
        "targets": list(notice.regions.all()) + list(notice.party_orgs.all()),
        "events": list(notice.events.select_related("actor")),
    }
    return render_staff(request, "participation/notices/manage_detail.html", ctx)


@staff_required
@require_POST
def manage_notice_act(request, pk, action):
    notice = no.access_notice(request.user, pk)
    data = request.POST
    calls = {
        "conclude": (lambda: no.notice_conclude(actor=request.user, notice=notice, outcome=data.get("outcome", "")), "公示已结束"),
        "withdraw": (lambda: no.notice_withdraw(actor=request.user, notice=notice, reason=data.get("reason", "")), "已撤回"),
    }
    if action not in calls:
        raise Http404
    attempt(request, *calls[action])
    return redirect("participation:manage_notice", pk)


@staff_required
@require_POST
def manage_objection_reply(request, pk):
    objection = get_or_404(
        NoticeObjection.objects.filter(notice__in=no.notices_visible_to(request.user).values("pk")), pk=pk
    )
    attempt(
        request,
        lambda: no.objection_reply(actor=request.user, objection=objection, reply=request.POST.get("reply", "")),
        "答复已发送",
    )
    return redirect("participation:manage_notice", objection.notice_id)
