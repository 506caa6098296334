"""民主评议 pages: the branch's rounds (open, advance, decide) and the member's mobile page (self, peer, ballot)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.api import Conflict
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.party import evaluation as E
from redgrid.party.models import EvaluationGrade, EvaluationRound, PartyOrg
from redgrid.party.selectors import access_party_org, party_orgs_visible_to

Phase = EvaluationRound.Phase


def _errors(request, exc) -> None:
    for m in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
        messages.error(request, m)


# --- staff ---------------------------------------------------------------------------------------------------


@staff_required
def rounds(request):
    qs = E.rounds_visible_to(request.user).select_related("org").annotate(n=Count("entries"))
    q, year, phase = (
        request.GET.get("q", "").strip(),
        request.GET.get("year", ""),
        request.GET.get("phase", ""),
    )
    if q:
        qs = qs.filter(org__name__icontains=q)
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if phase in Phase.values:
        qs = qs.filter(phase=phase)
    ctx = paginate(request, qs.order_by("-year", "org__path"))
    today = timezone.localdate()
    ctx.update(
        q=q,
        year=year,
        phase=phase,
        phases=Phase.choices,
        branches=party_orgs_visible_to(request.user)
        .filter(kind__in=PartyOrg.BRANCH_KINDS)
        .order_by("path")[:500],
        years=[today.year, today.year - 1],
    )
    return render_staff(request, "party/evaluations.html", ctx)


@require_POST
@staff_required
def round_open(request):
    org_id, year = request.POST.get("org", ""), request.POST.get("year", "")
    if not org_id.isdigit() or not year.isdigit():
        messages.error(request, "请选择党支部和年度")
        return redirect("party:evaluations")
    org = access_party_org(request.user, int(org_id))
    try:
        r = E.evaluation_open(actor=request.user, org=org, year=int(year))
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _errors(request, exc)
        return redirect("party:evaluations")
    return redirect("party:evaluation", pk=r.pk)


@staff_required
def round_detail(request, pk):
    r = E.access_round(request.user, pk)
    rows = E.round_rows(r)
    return render_staff(
        request,
        "party/evaluation.html",
        {
            "r": r,
            "rows": rows,
            "grades": EvaluationGrade.choices,
            "cap": E.excellent_cap(len(rows)),
            "excellent": sum(1 for e in rows if e.final_grade == EvaluationGrade.EXCELLENT),
            "voted": sum(1 for e in rows if e.voted),
            "next_phase": Phase(E.NEXT_PHASE[r.phase]).label if r.phase in E.NEXT_PHASE else "",
            "events": r.events.select_related("actor").order_by("at", "id"),
        },
    )


@require_POST
@staff_required
def round_advance(request, pk):
    r = E.access_round(request.user, pk)
    try:
        E.evaluation_advance(actor=request.user, round=r)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("party:evaluation", pk=r.pk)


@require_POST
@staff_required
def round_decide(request, pk):
    r = E.access_round(request.user, pk)
    entry = request.POST.get("entry", "")
    try:
        E.evaluation_decide(
            actor=request.user,
            round=r,
            entry_id=int(entry) if entry.isdigit() else 0,
            grade=request.POST.get("grade", ""),
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("party:evaluation", pk=r.pk)


# --- member H5: 民主评议 ----------------------------------------------------------------------------------------


@login_required
def h5_evaluation(request):
    """The member's current round: self assessment, peer comments or the ballot, depending on the phase."""
    r = E.member_rounds(request.user).select_related("org").order_by("-year", "-id").first()
    if r is None:
        return render(request, "party/h5_evaluation.html", {"r": None})
    me = E.entry_of(request.user, r)
    others = list(
        r.entries.exclude(pk=me.pk).select_related("member__person").order_by("member__person__name", "id")
    )
    mine = {p.reviewee_id: p.comment for p in me.reviews_given.all()}
    for o in others:
        o.my_comment = mine.get(o.pk, "")
    return render(
        request,
        "party/h5_evaluation.html",
        {
            "r": r,
            "me": me,
            "others": others,
            "grades": EvaluationGrade.choices,
            "voted": me.votes_cast.exists(),
        },
    )


def _member_round(request, pk):
    return E.access_member_round(request.user, pk)


@require_POST
@login_required
def h5_evaluation_act(request, pk):
    r = _member_round(request, pk)
    action, p = request.POST.get("action", ""), request.POST
    try:
        if action == "self":
            E.evaluation_self_assess(
                actor=request.user, round=r, text=p.get("text", ""), grade=p.get("grade", "")
            )
            messages.success(request, "自评已保存")
        elif action == "peer":
            saved = 0
            for key, comment in p.items():
                if key.startswith("comment_") and key[8:].isdigit() and comment.strip():
                    E.evaluation_peer_review(
                        actor=request.user,
                        round=r,
                        reviewee_id=int(key.removeprefix("comment_")),
                        comment=comment,
                    )
                    saved += 1
            if not saved:
                raise ValidationError("请至少对一位党员填写互评意见")
            messages.success(request, f"已保存 {saved} 条互评意见")
        elif action == "vote":
            grades = {int(k[6:]): v for k, v in p.items() if k.startswith("grade_") and k[6:].isdigit() and v}
            E.evaluation_vote(actor=request.user, round=r, grades=grades)
            messages.success(request, "测评票已提交")
        else:
            raise Http404
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _errors(request, exc)
    return redirect("party:h5_evaluation")
