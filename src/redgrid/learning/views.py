"""Pages of 党员教育: member H5 (menu, course, daily quiz, points) and the staff branch view."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.api import Conflict
from redgrid.core.pages import render_staff, staff_required
from redgrid.core.uploads import ranged_file_response
from redgrid.learning import selectors, services
from redgrid.party.selectors import access_party_org, party_orgs_visible_to


@login_required
def home(request):
    """菜单式选学: the day's login point, 学时 progress and the menu chosen from the member's profile."""
    if not selectors.is_learner(request.user):
        raise Http404
    services.login_award(user=request.user)
    year = timezone.localdate().year
    ctx = selectors.study_menu(request.user, year=year)
    ctx.update(
        hours=selectors.study_hours(request.user, year=year),
        points=selectors.my_points(request.user, year=year),
    )
    return render(request, "learning/home.html", ctx)


@login_required
def course(request, pk):
    c = selectors.access_course(request.user, pk)
    record = selectors.study_records_of(request.user, year=timezone.localdate().year, course=c).get(c.pk)
    return render(
        request,
        "learning/course.html",
        {"course": c, "record": record, "paragraphs": [p for p in c.body.split("\n") if p.strip()]},
    )


@login_required
def course_file(request, pk):
    """A course's video or document, only for those who may study it (the media folder is not public)."""
    c = selectors.access_course(request.user, pk)
    if not c.file:
        raise Http404
    return ranged_file_response(request, c.file, selectors.course_file_type(c))


@login_required
def daily(request):
    """Today's daily quiz: start it, continue it, or see its result."""
    if not selectors.is_learner(request.user):
        raise Http404
    quiz = services.quiz_ensure_daily(timezone.localdate())
    attempt = selectors.attempt_of(request.user, quiz)
    if attempt is not None:
        return redirect("learning:attempt", attempt.pk)
    return render(request, "learning/quiz_start.html", {"quiz": quiz})


@login_required
@require_POST
def start(request, pk):
    quiz = selectors.access_quiz(request.user, pk)
    try:
        attempt = services.quiz_start(user=request.user, quiz=quiz)
    except Conflict as exc:
        return render(request, "learning/quiz_start.html", {"quiz": quiz, "error": str(exc)}, status=409)
    return redirect("learning:attempt", attempt.pk)


@login_required
def attempt(request, pk):
    """Answer (GET shows the form, POST submits it) or, once submitted, the result with explanations."""
    att = selectors.access_attempt(request.user, pk)
    error = None
    if request.method == "POST" and att.submitted_at is None:
        answers = {}
        for q in selectors.attempt_questions(att):
            values = request.POST.getlist(q.code)
            answers[q.code] = "".join(values) if q.kind == "multiple" else (values[0] if values else "")
        try:
            services.quiz_submit(user=request.user, attempt=att, answers=answers)
            return redirect("learning:attempt", att.pk)
        except Conflict as exc:
            error = str(exc)
    if att.submitted_at is not None:
        return render(
            request, "learning/quiz_result.html", {"attempt": att, "results": selectors.attempt_results(att)}
        )
    return render(
        request,
        "learning/quiz_form.html",
        {"attempt": att, "questions": selectors.attempt_questions(att), "error": error},
        status=409 if error else 200,
    )


@login_required
def points(request):
    """我的积分 and the leaderboard of my branch, community or street."""
    year = timezone.localdate().year
    scope = request.GET.get("scope", "branch")
    if scope not in selectors.SCOPES:
        scope = "branch"
    node = selectors.own_node(request.user, scope)
    ctx = {
        "points": selectors.my_points(request.user, year=year),
        "scope": scope,
        "node": node,
        "scopes": [(s, selectors.SCOPE_LABELS[s]) for s in selectors.SCOPES],
        "hours": selectors.study_hours(request.user, year=year),
    }
    if node is not None:
        ctx.update(
            rows=selectors.leaderboard(node, scope, year=year, limit=20),
            me=selectors.rank_of(request.user, node, scope, year=year),
        )
    return render(request, "learning/points.html", ctx)


@staff_required
def branch(request):
    """Branch view for secretaries: each member's 学时 against the target and points this year."""
    year = timezone.localdate().year
    orgs = list(
        party_orgs_visible_to(request.user).filter(kind__in=["branch", "grid_branch"]).order_by("path")[:200]
    )
    org_id = request.GET.get("org")
    org = access_party_org(request.user, org_id) if org_id else (orgs[0] if orgs else None)
    rows = selectors.branch_study_report(org, year=year) if org else []
    return render_staff(
        request,
        "learning/branch.html",
        {
            "orgs": orgs,
            "org": org,
            "rows": rows,
            "year": year,
            "met": sum(r["met"] for r in rows),
            "leaders": selectors.leaderboard(org, "branch", year=year, limit=10) if org else [],
        },
    )
