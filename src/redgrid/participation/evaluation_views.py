"""网上评议 pages: residents rate the organisations, members and units serving them (mobile); staff read
the scores per period and the comments."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.participation import evaluation as ev
from redgrid.participation.models import Evaluation
from redgrid.participation.page_utils import attempt, text

T = Evaluation.TargetType


def _type(request, source) -> str:
    value = source.get("type", T.BRANCH)
    return value if value in T.values else T.BRANCH


@login_required
def evaluate(request):
    target_type, q = _type(request, request.GET), text(request, "q")
    qs = ev.rateable(request.user, target_type)
    if q:
        field = "person__name__icontains" if target_type == T.MEMBER else "name__icontains"
        qs = qs.filter(**{field: q})
    ctx = paginate(request, qs, per_page=20)
    done = ev.my_ratings(request.user, target_type)
    ctx["rows"] = [
        {"id": t.pk, "label": ev.target_label(target_type, t), "mine": done.get(t.pk)} for t in ctx["rows"]
    ]
    ctx.update(target_type=target_type, types=T.choices, q=q, period=ev.period_of(), stars=range(1, 6))
    return render(request, "participation/evaluation/rate.html", ctx)


@login_required
@require_POST
def evaluate_submit(request):
    target_type = _type(request, request.POST)
    target, score = request.POST.get("target", ""), request.POST.get("score", "")

    def submit():
        if not score.isdigit() or not target.isdigit() or len(target) > 12:
            raise ValidationError("请选择 1–5 分")
        ev.access_rateable(request.user, target_type, int(target))
        return ev.evaluation_submit(
            actor=request.user,
            target_type=target_type,
            target_id=int(target),
            score=int(score),
            comment=request.POST.get("comment", ""),
        )

    attempt(request, submit, "评议已提交，感谢您的参与")
    return redirect(reverse("participation:evaluate") + f"?type={target_type}")


@staff_required
def manage_evaluations(request):
    target_type = _type(request, request.GET)
    periods = ev.periods()
    period = request.GET.get("period", "")
    period = period if period in periods else ev.period_of()
    rows = ev.score_table(request.user, target_type, period)
    ctx = paginate(request, rows)
    ctx.update(target_type=target_type, types=T.choices, period=period, periods=periods)
    return render_staff(request, "participation/evaluation/manage.html", ctx)


@staff_required
def manage_evaluation_comments(request, target_type, pk):
    if target_type not in T.values:
        target_type = T.BRANCH
    period = request.GET.get("period", "") or ev.period_of()
    qs = ev.comments_for(request.user, target_type, pk, period).order_by("-created_at", "-id")
    target = ev.targets_in_scope(request.user, target_type).get(pk=pk)
    ctx = paginate(request, qs)
    ctx.update(
        target_type=target_type,
        label=ev.target_label(target_type, target),
        period=period,
        score=ev.evaluation_scores(target_type, period, [pk]).get(pk),
    )
    return render_staff(request, "participation/evaluation/comments.html", ctx)
