"""微心愿 pages: the mobile board, posting, detail with actions, my wishes, stories, leaderboard, review queue."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from redgrid.core.access import scope_of
from redgrid.core.api import Conflict
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.participation import services
from redgrid.participation.models import Wish
from redgrid.participation.selectors import (
    access_story,
    access_wish,
    board_rows,
    leaderboard,
    mask_name,
    member_of,
    review_queue,
    story_wishes,
    wishes_visible_to,
)

ACTION_LABELS = {
    "approve": "审核通过",
    "reject": "驳回",
    "claim": "我来认领",
    "release": "放弃认领",
    "fulfil": "提交实现情况",
    "confirm": "确认已实现",
}


def _status_filter(request) -> str:
    status = request.GET.get("status", "")
    return status if status in Wish.Status.values else ""


@login_required
def board(request):
    """心愿墙: residents and members see their community's public board; staff the wishes of their subtree."""
    status = _status_filter(request)
    qs = wishes_visible_to(request.user)
    staff = scope_of(request.user).is_staff and not request.user.person_id
    if not staff and not status:
        qs = qs.filter(status__in=Wish.PUBLIC_STATUSES)
    if status:
        qs = qs.filter(status=status)
    ctx = paginate(request, board_rows(qs))
    statuses = (
        Wish.Status.choices if staff else [c for c in Wish.Status.choices if c[0] in Wish.PUBLIC_STATUSES]
    )
    ctx.update(status=status, statuses=statuses)
    if staff:
        return render_staff(request, "participation/staff_wishes.html", ctx)
    ctx["is_member"] = member_of(request.user) is not None
    return render(request, "participation/board.html", ctx)


@login_required
def my_wishes(request):
    qs = wishes_visible_to(request.user)
    return render(
        request,
        "participation/mine.html",
        {
            "posted": board_rows(qs.filter(poster=request.user)),
            "claimed": board_rows(qs.filter(claimed_by=request.user)),
            "is_member": member_of(request.user) is not None,
        },
    )


@login_required
def new(request):
    form = {"title": "", "content": "", "value_estimate": "", "category": "other"}
    if request.method == "POST":
        form.update({k: request.POST.get(k, "") for k in form})
        try:
            value = form["value_estimate"].strip()
            if value and not value.isdigit():
                raise ValidationError("估值请填写整数（元）")
            wish = services.wish_post(
                actor=request.user,
                title=form["title"],
                content=form["content"],
                value_estimate=int(value) if value else None,
                category=form["category"],
                photo=request.FILES.get("photo"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "心愿已提交，审核通过后将在心愿墙展示")
            return redirect("participation:wish", wish.pk)
    from redgrid.core.rules import rule_value

    return render(
        request,
        "participation/new.html",
        {
            "form": form,
            "categories": Wish.Category.choices,
            "cap": rule_value("wish.value_cap"),
        },
    )


@login_required
def detail(request, pk):
    wish = access_wish(request.user, pk)
    staff = scope_of(request.user).is_staff
    poster_name = (
        str(wish.poster) if staff or wish.poster_id == request.user.pk else mask_name(str(wish.poster))
    )
    events = list(wish.events.select_related("actor"))
    for e in events:
        # The poster appears masked to other residents, in the timeline as in the header.
        e.who = poster_name if e.actor_id == wish.poster_id else str(e.actor or "系统")
    ctx = {
        "wish": wish,
        "events": events,
        "photos": list(wish.photos.all()),
        "actions": [(a, ACTION_LABELS[a]) for a in services.actions_for(request.user, wish)],
        "poster_name": poster_name,
    }
    if staff and not request.user.person_id:
        return render_staff(request, "participation/staff_wish.html", ctx)
    return render(request, "participation/detail.html", ctx)


@login_required
@require_POST
def act(request, pk, action):
    if action not in ACTION_LABELS:
        raise Http404
    wish = access_wish(request.user, pk)
    user, data = request.user, request.POST
    try:
        if action == "reject":
            services.wish_reject(actor=user, wish=wish, reason=data.get("reason", ""))
        elif action == "fulfil":
            services.wish_fulfil(
                actor=user,
                wish=wish,
                content=data.get("content", ""),
                photos=request.FILES.getlist("photos")[:6],
            )
        elif action == "confirm":
            services.wish_confirm(actor=user, wish=wish, thanks=data.get("thanks", ""))
        else:
            getattr(services, f"wish_{action}")(actor=user, wish=wish)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc) or "无权执行此操作")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"已{ACTION_LABELS[action]}")
    if data.get("next") == "review":
        return redirect("participation:review")
    return redirect("participation:wish", pk)


@login_required
@require_POST
def shake(request):
    try:
        wish = services.wish_shake(actor=request.user)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return redirect("participation:board")
    messages.success(request, f"摇到了「{wish.title}」，已为您认领")
    return redirect("participation:wish", wish.pk)


@login_required
def photo(request, pk, photo_id=None):
    """A wish's photo, only to those who may see the wish (uploads are not public files)."""
    wish = access_wish(request.user, pk)
    field = wish.photo if photo_id is None else wish.photos.filter(pk=photo_id).first()
    field = getattr(field, "image", field)
    if not field:
        raise Http404
    kind = services.photo_type(field.open("rb").read(16)) or mimetypes.guess_type(field.name)[0]
    field.seek(0)
    return FileResponse(field, content_type=kind or "application/octet-stream")


def stories(request):
    """Public stories of confirmed wishes (names masked)."""
    ctx = paginate(request, story_wishes().order_by("-confirmed_at", "-id"), per_page=20)
    for w in ctx["rows"]:
        w.masked_poster = _masked_poster(w)
    return render(request, "participation/stories.html", ctx)


def story(request, pk):
    wish = access_story(pk)
    return render(request, "participation/story.html", {"wish": wish, "masked_poster": _masked_poster(wish)})


def _masked_poster(wish) -> str:
    person = wish.poster.person
    return mask_name(person.name if person else str(wish.poster))


@login_required
def ranking(request):
    return render(request, "participation/leaderboard.html", {"rows": leaderboard(request.user)})


@staff_required
def review(request):
    ctx = paginate(request, board_rows(review_queue(request.user)).order_by("created_at", "id"))
    return render_staff(request, "participation/review.html", ctx)
