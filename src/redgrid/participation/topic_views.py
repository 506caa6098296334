"""议事厅 pages: the mobile topic list and detail (comments, reports, voting, results, progress), proposing
a topic, and the staff pages (topics, new topic, management, moderation queue)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.accounts.models import User
from redgrid.core.access import scope_of
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.participation import deliberation as d
from redgrid.participation import services
from redgrid.participation.models import Topic, TopicStakeholder
from redgrid.participation.page_utils import attempt, local_input, manageable_areas, parse_local, text
from redgrid.participation.selectors import access_topic, household_grid_path, topic_results

P = Topic.Phase
LIST_PHASES = [(v, lbl) for v, lbl in P.choices if v not in (P.PROPOSED, P.REJECTED)]


@login_required
def topics(request):
    """议事厅: the topics of the account's area, filtered by phase and searched by text."""
    phase, q = request.GET.get("phase", ""), text(request, "q")
    qs = d.topics_for_list(request.user, phase=phase, q=q)
    if phase not in (P.PROPOSED, P.REJECTED) and not scope_of(request.user).is_staff:
        # A resident sees their own proposals under 「我的提议」, not in the public list.
        qs = qs.filter(status=Topic.Status.ACCEPTED)
    ctx = paginate(request, qs, per_page=20)
    ctx.update(
        phase=phase,
        q=q,
        phases=LIST_PHASES,
        can_propose=household_grid_path(request.user) is not None,
        proposals=d.topics_for_list(request.user).filter(created_by=request.user).exclude(
            status=Topic.Status.ACCEPTED
        )[:10],
    )
    return render(request, "participation/topics/list.html", ctx)


def _results_for(user, topic, manager: bool) -> dict | None:
    if topic.phase in (P.PROPOSED, P.REJECTED, P.COLLECTING, P.DISCUSSING):
        return None
    data = topic.results or topic_results(topic)
    final = topic.phase in (P.PUBLICITY, P.CLOSED)
    if not final and not manager:
        # Running counts would sway the vote; residents see turnout only until voting closes.
        data = {**data, "counts": None, "passed": None}
    rows = []
    if data.get("counts"):
        cast = data["cast"] or 1
        rows = [(opt, n, round(n * 100 / cast, 1)) for opt, n in data["counts"].items()]
    return {**data, "rows": rows, "final": final}


@login_required
def topic_detail(request, pk):
    topic = access_topic(request.user, pk)
    user = request.user
    manager = d.can_manage_topic(user, topic)
    ctx = paginate(request, d.root_comments(topic), per_page=20)
    ctx.update(
        topic=topic,
        manager=manager,
        comments=d.comment_page(user, topic, list(ctx["rows"])),
        n_comments=topic.comments.count(),
        allows=d.PHASE_ACTIONS[topic.phase],
        stakeholders=list(topic.stakeholders.select_related("user")),
        my_vote=d.my_vote(user, topic) if topic.phase == P.VOTING else None,
        can_vote=d.can_vote(user, topic),
        results=_results_for(user, topic, manager),
        progress=list(topic.progress.select_related("author")),
        events=list(d.topic_timeline(topic)),
        schedule=_schedule(topic),
    )
    return render(request, "participation/topics/detail.html", ctx)


def _schedule(topic) -> list[dict]:
    """The four phases with their dates, marking the current one (for the phase strip)."""
    phase = topic.phase
    order = [P.COLLECTING, P.DISCUSSING, P.VOTING, P.PUBLICITY]
    starts = [topic.collect_from, topic.discuss_from, topic.vote_from, topic.vote_until]
    ends = [topic.discuss_from, topic.vote_from, topic.vote_until, topic.publicity_until]
    idx = order.index(phase) if phase in order else (len(order) if phase == P.CLOSED else -1)
    return [
        {"label": P(p).label, "start": s, "end": e, "current": i == idx, "done": i < idx}
        for i, (p, s, e) in enumerate(zip(order, starts, ends, strict=True))
    ]


@login_required
@require_POST
def topic_comment(request, pk):
    topic = access_topic(request.user, pk)
    parent = request.POST.get("parent", "")
    attempt(
        request,
        lambda: d.comment_post(
            actor=request.user,
            topic=topic,
            body=request.POST.get("body", ""),
            parent=int(parent) if parent.isdigit() else None,
        ),
        "评论已发表",
    )
    return redirect(reverse("participation:topic", args=[pk]) + "#comments")


@login_required
@require_POST
def comment_report(request, pk):
    comment = d.access_comment(request.user, pk)
    attempt(
        request,
        lambda: d.comment_report(actor=request.user, comment=comment, reason=request.POST.get("reason", "")),
        "已举报，感谢您的监督",
    )
    return redirect(reverse("participation:topic", args=[comment.topic_id]) + "#comments")


@login_required
@require_POST
def topic_vote(request, pk):
    topic = access_topic(request.user, pk)
    attempt(
        request,
        lambda: services.topic_vote(actor=request.user, topic=topic, choice=request.POST.get("choice", "")),
        "投票成功，感谢参与",
    )
    return redirect("participation:topic", pk)


@login_required
def topic_propose(request):
    form = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
    if request.method == "POST":
        topic = attempt(
            request,
            lambda: d.topic_propose(actor=request.user, title=form["title"], body=form["body"]),
            "议题已提交，社区受理后将开始征集意见",
        )
        if topic:
            return redirect("participation:topic", topic.pk)
    return render(request, "participation/topics/propose.html", {"form": form})


# --- staff ----------------------------------------------------------------------------------------------


@staff_required
def manage_topics(request):
    phase, q = request.GET.get("phase", ""), text(request, "q")
    ctx = paginate(request, d.topics_for_list(request.user, phase=phase, q=q))
    ctx.update(phase=phase, q=q, phases=P.choices, hidden=d.moderation_queue(request.user).count())
    return render_staff(request, "participation/topics/manage_list.html", ctx)


@staff_required
def manage_topic_new(request):
    defaults = d.default_schedule(timezone.now())
    form = {
        "title": "",
        "body": "",
        "area": "",
        "vote_unit": Topic.VoteUnit.HOUSEHOLD,
        "options": "赞成\n反对\n弃权",
        "quorum_percent": "50",
        "pass_percent": "50",
        **{k: local_input(v) for k, v in defaults.items()},
    }
    if request.method == "POST":
        form.update({k: request.POST.get(k, "") for k in form})
        areas = {str(a.pk): a for a in manageable_areas(request.user)}

        def create():
            area = areas.get(form["area"])
            if area is None:
                raise ValidationError("请选择表决范围")
            return d.topic_create(
                actor=request.user,
                title=form["title"],
                body=form["body"],
                area=area,
                vote_unit=form["vote_unit"],
                options=form["options"].splitlines(),
                schedule={k: parse_local(form[k]) for k in defaults},
                quorum_percent=_int(form["quorum_percent"]),
                pass_percent=_int(form["pass_percent"]),
            )

        topic = attempt(request, create, "议题已发起")
        if topic:
            return redirect("participation:manage_topic", topic.pk)
    ctx = {"form": form, "areas": manageable_areas(request.user), "vote_units": Topic.VoteUnit.choices}
    return render_staff(request, "participation/topics/manage_new.html", ctx)


def _int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 4 else None


@staff_required
def manage_topic(request, pk):
    topic = access_topic(request.user, pk)
    ctx = {
        "topic": topic,
        "manager": d.can_manage_topic(request.user, topic),
        "actions": d.topic_actions_for(request.user, topic),
        "allows": d.PHASE_ACTIONS[topic.phase],
        "stakeholders": list(topic.stakeholders.select_related("user")),
        "kinds": TopicStakeholder.Kind.choices,
        "results": _results_for(request.user, topic, True),
        "progress": list(topic.progress.select_related("author")),
        "hidden": list(topic.comments.filter(status="hidden").select_related("author")),
        "events": list(d.topic_timeline(topic)),
        "schedule": _schedule(topic),
        "n_comments": topic.comments.count(),
    }
    return render_staff(request, "participation/topics/manage_detail.html", ctx)


@staff_required
@require_POST
def manage_topic_act(request, pk, action):
    topic = access_topic(request.user, pk)
    user, data = request.user, request.POST
    calls = {
        "accept": (lambda: d.topic_accept(actor=user, topic=topic), "已受理，议题进入征集阶段"),
        "reject": (lambda: d.topic_reject(actor=user, topic=topic, reason=data.get("reason", "")), "已不予受理"),
        "open_discussion": (lambda: d.topic_advance(actor=user, topic=topic, action=action), "已进入讨论阶段"),
        "open_voting": (lambda: d.topic_advance(actor=user, topic=topic, action=action), "表决已开始"),
        "publish_results": (
            lambda: d.topic_publish_results(actor=user, topic=topic, note=data.get("note", "")),
            "表决结果已公布",
        ),
        "progress": (
            lambda: d.topic_add_progress(
                actor=user, topic=topic, percent=_int(data.get("percent", "")), note=data.get("note", "")
            ),
            "落实进展已登记",
        ),
        "invite": (
            lambda: d.topic_invite(
                actor=user,
                topic=topic,
                kind=data.get("kind", ""),
                user=User.objects.filter(username=data.get("username", "").strip()).first(),
                name=data.get("name", ""),
            ),
            "已邀请相关方",
        ),
    }
    if action not in calls:
        raise Http404
    fn, success = calls[action]
    attempt(request, fn, success)
    if data.get("next") == "h5":
        return redirect("participation:topic", pk)
    return redirect("participation:manage_topic", pk)


@staff_required
def moderation(request):
    ctx = paginate(request, d.moderation_queue(request.user))
    return render_staff(request, "participation/topics/moderation.html", ctx)


@login_required
@require_POST
def moderate(request, pk, action):
    if action not in ("restore", "remove"):
        raise Http404
    comment = d.access_comment(request.user, pk)
    label = "已恢复显示" if action == "restore" else "已删除"
    attempt(
        request,
        lambda: d.comment_moderate(actor=request.user, comment=comment, action=action, note=request.POST.get("note", "")),
        label,
    )
    if request.POST.get("next") == "queue":
        return redirect("participation:moderation")
    return redirect(reverse("participation:topic", args=[comment.topic_id]) + "#comments")
