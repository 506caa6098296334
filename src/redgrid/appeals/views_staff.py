"""Staff pages of 接诉即办: queues, the appeal file with its actions, hotline entry, export, ranking.

The action forms live in views_staff_actions, the export in views_staff_export, the ranking in
views_staff_ranking and the anonymous public page in views_staff_public; this module holds the queues,
the appeal file, its photos and the hotline form, and the URL list of all of them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.appeals import services, views_staff_actions, views_staff_export, views_staff_public
from redgrid.appeals import views_staff_ranking as ranking
from redgrid.appeals.models import Channel, Status, Urgency
from redgrid.appeals.queues import (
    QUEUE_LABELS,
    QUEUES,
    apply_filters,
    can_dispatch_queue,
    can_hotline,
    can_unit_queue,
    can_verify_queue,
    duplicate_candidates,
    filter_choices,
    queue_base,
)
from redgrid.appeals.selectors import access_appeal, appeal_timeline, event_label
from redgrid.core.access import scope_of
from redgrid.core.pages import paginate, render_staff, reveal_fragment, staff_required


def humanize_delta(due, now) -> tuple[str, bool]:
    """('剩余 2小时5分', False) or ('已超时 35分', True) for a deadline."""
    if due is None:
        return "", False
    seconds = int((due - now).total_seconds())
    late = seconds < 0
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}天"] if days else []
    if hours:
        parts.append(f"{hours}小时")
    if not days:
        parts.append(f"{mins}分")
    return ("已超时 " if late else "剩余 ") + "".join(parts), late


def queue_tabs(user) -> list[tuple[str, str]]:
    """The queues this account has, for the links above every queue."""
    have = [
        ("dispatch", can_dispatch_queue(user)),
        ("unit", can_unit_queue(user)),
        ("verify", can_verify_queue(user)),
    ]
    return [(q, QUEUE_LABELS[q]) for q, ok in have if ok]


def _queue_page(request, queue: str):
    tabs = QUEUES[queue]
    tab = request.GET.get("tab") or next(iter(tabs))
    if tab not in tabs:
        raise Http404("没有这个页签")
    now = timezone.now()
    qs, filters = apply_filters(request.user, queue_base(request.user, queue, tab, now), request.GET)
    for error in filters.errors:
        messages.error(request, error)
    ctx = paginate(request, qs)
    for row in ctx["rows"]:
        row.countdown, row.countdown_late = humanize_delta(getattr(row, "report_due_at", None), now)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("tab", None)
    ctx.update(
        queue=queue,
        title=QUEUE_LABELS[queue],
        tab=tab,
        tabs=list(tabs.items()),
        queues=queue_tabs(request.user),
        f=filters,
        filter_query=params.urlencode(),
        show_countdown=queue == "unit" and tab == "report",
        can_hotline=can_hotline(request.user),
        **filter_choices(request.user),
    )
    return render_staff(request, "appeals/staff/queue.html", ctx)


@staff_required
def dispatch_queue(request):
    """派单队列: 新受理 / 未定位 / 疑似重复 / 超期 / 全部 of the viewer's region."""
    return _queue_page(request, "dispatch")


@staff_required
def unit_queue(request):
    """单位队列: 待报到 (with the report-in countdown) / 处置中 / 超期 of the viewer's units."""
    return _queue_page(request, "unit")


@staff_required
def verify_queue(request):
    """核查队列: replied appeals in the viewer's grids."""
    return _queue_page(request, "verify")


@staff_required
def queues_home(request):
    """/appeals/staff/: the first queue the account has (a resident-less staff entry point)."""
    tabs = queue_tabs(request.user)
    if not tabs:
        raise Http404("您没有诉求办理队列")
    return redirect(f"appeals:staff_{tabs[0][0]}")


def _state_label(state: str) -> str:
    return Status(state).label if state in Status.values else ""


def timeline_of(appeal) -> list:
    events = list(appeal_timeline(appeal))
    for e in events:
        e.action_label = event_label(e)
        e.from_label, e.to_label = _state_label(e.from_state), _state_label(e.to_state)
    return events


def appeal_file_context(request, appeal, *, open_action: str = "", values=None) -> dict:
    """Everything the 诉求详情 page shows; `values` refill the form of a rejected action."""
    from redgrid.appeals.selectors import available_actions

    now = timezone.now()
    actions = available_actions(request.user, appeal)
    photos = list(appeal.photos.all())
    return {
        "appeal": appeal,
        "late": appeal.is_overdue(now)
        or appeal.tasks.filter(ended_at__isnull=True, reported_at__isnull=True, due_at__lt=now).exists(),
        "timeline": timeline_of(appeal),
        "tasks": [
            (t, *humanize_delta(t.due_at, now)) for t in appeal.tasks.select_related("unit").order_by("id")
        ],
        "extensions": list(appeal.extensions.select_related("unit", "requested_by", "decided_by")),
        "ratings": list(appeal.ratings.order_by("round")),
        "intake_photos": [p for p in photos if p.kind == "intake"],
        "evidence_photos": [p for p in photos if p.kind == "evidence"],
        "duplicates": duplicate_candidates(request.user, appeal),
        "merged": list(appeal.merged.only("id", "title", "content")),
        "actions": actions,
        "forms": views_staff_actions.form_options(request.user, appeal, actions),
        "open_action": open_action,
        "values": values or {},
        "confidence_pct": round(appeal.confidence * 100) if appeal.confidence is not None else None,
    }


@staff_required
def appeal_file(request, pk):
    """诉求详情: fields, photos, suggestions, duplicates, timeline, tasks, extensions and the action forms."""
    appeal = access_appeal(request.user, pk)
    return render_staff(request, "appeals/staff/detail.html", appeal_file_context(request, appeal))


@staff_required
@require_POST
def reveal_caller_phone(request, pk):
    """The full caller number, to call the resident back: scope-checked, role-checked and audited."""
    appeal = access_appeal(request.user, pk)
    if not appeal.caller_phone_enc:
        return HttpResponse("—")
    return reveal_fragment(request, appeal, "caller_phone")


@staff_required
def photo(request, pk, photo_id):
    """A photo of an appeal, only to those who may see the appeal (uploads are never public files)."""
    appeal = access_appeal(request.user, pk)
    row = appeal.photos.filter(pk=photo_id).first()
    if row is None:
        raise Http404("照片不存在")
    return FileResponse(row.file.open("rb"), content_type=row.content_type)


def _hotline_form(request) -> dict:
    keys = ("caller_phone", "title", "content", "address", "grid", "urgency", "category")
    return {k: (request.POST.get(k) or "").strip() for k in keys}


@staff_required
def hotline(request):
    """热线登记: an operator types in a caller's appeal (channel 热线, the caller's phone required)."""
    if not can_hotline(request.user):
        raise Http404("您没有热线登记权限")
    form = _hotline_form(request) if request.method == "POST" else {}
    status = 200
    if request.method == "POST":
        try:
            result = services.appeal_submit(
                actor=request.user,
                channel=Channel.HOTLINE,
                caller_phone=form["caller_phone"],
                title=form["title"],
                content=form["content"],
                address=form["address"],
                grid=views_staff_actions.grid_in_scope(request.user, form["grid"]),
                urgency=form["urgency"] or None,
                category=form["category"] or None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
        except services.RateLimited as exc:
            messages.error(request, str(exc))
            status = 429
        else:
            appeal = result.appeal
            note = f"，发现 {len(result.duplicates)} 件疑似重复诉求" if result.duplicates else ""
            where = appeal.grid.name if appeal.grid_id else "未定位（街道分拣）"
            messages.success(request, f"已登记热线诉求 #{appeal.pk}（{where}）{note}")
            return redirect("appeals:staff_detail", appeal.pk)
    from redgrid.units.selectors import category_tree

    return render_staff(
        request,
        "appeals/staff/hotline.html",
        {
            "form": form,
            "grids": filter_choices(request.user)["grids"],
            "categories": list(category_tree().only("id", "name", "depth")),
            "urgencies": Urgency.choices,
        },
        status=status,
    )


@login_required
def open_appeal(request, pk):
    """/appeals/<id>/ — the link in every notification: staff land on the appeal file, residents and
    members on the H5 page (404 alike when the appeal is outside the account's reach)."""
    access_appeal(request.user, pk)
    if scope_of(request.user).is_staff:
        return redirect("appeals:staff_detail", pk)
    try:
        return redirect("appeals:h5_detail", pk)
    except NoReverseMatch:
        raise Http404("未找到") from None


urlpatterns = [
    path("<int:pk>/", open_appeal, name="open"),
    path("staff/", queues_home, name="staff_home"),
    path("staff/dispatch/", dispatch_queue, name="staff_dispatch"),
    path("staff/unit/", unit_queue, name="staff_unit"),
    path("staff/verify/", verify_queue, name="staff_verify"),
    path("staff/hotline/", hotline, name="staff_hotline"),
    path("staff/export/", views_staff_export.export, name="staff_export"),
    path("staff/ranking/", ranking.ranking, name="staff_ranking"),
    path("staff/ranking/weights/", ranking.weights, name="staff_weights"),
    path("staff/<int:pk>/", appeal_file, name="staff_detail"),
    path("staff/<int:pk>/photos/<int:photo_id>/", photo, name="staff_photo"),
    path("staff/<int:pk>/caller-phone/", reveal_caller_phone, name="staff_reveal_phone"),
    path("staff/<int:pk>/<slug:action>/", views_staff_actions.act, name="staff_act"),
    path("public/", views_staff_public.public, name="public"),
]
