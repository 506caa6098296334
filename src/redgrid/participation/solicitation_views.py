"""征求意见 pages: the mobile list and detail (draft, document, opinion form, summary and answers) and the
staff pages (list, new draft, answers and summary)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.access import get_or_404
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.core.rules import rule_value
from redgrid.participation import solicitations as so
from redgrid.participation.deliberation import can_manage_area
from redgrid.participation.models import Solicitation, SolicitationOpinion
from redgrid.participation.page_utils import attempt, local_input, manageable_areas, parse_local, text
from redgrid.participation.selectors import mask_name


@login_required
def solicitations(request):
    phase, q = request.GET.get("phase", ""), text(request, "q")
    ctx = paginate(request, so.solicitation_list(request.user, phase=phase, q=q), per_page=20)
    ctx.update(phase=phase, q=q, phases=Solicitation.Phase.choices)
    return render(request, "participation/solicitations/list.html", ctx)


def _opinion_rows(user, s, manager: bool):
    rows = list(so.opinions_visible_to(user, s))
    for o in rows:
        # Published opinions are shown with masked names, except to their author and the organisers.
        o.who = str(o.author) if manager or o.author_id == user.pk else mask_name(str(o.author))
    return rows


@login_required
def solicitation_detail(request, pk):
    s = so.access_solicitation(request.user, pk)
    manager = can_manage_area(request.user, s.area)
    ctx = {
        "s": s,
        "manager": manager,
        "opinions": _opinion_rows(request.user, s, manager),
        "can_opine": "opine" in so.PHASE_ACTIONS[s.phase],
        "mine": s.opinions.filter(author=request.user).count(),
        "limit": rule_value("solicitation.opinions_per_person"),
    }
    return render(request, "participation/solicitations/detail.html", ctx)


@login_required
@require_POST
def solicitation_opinion(request, pk):
    s = so.access_solicitation(request.user, pk)
    attempt(
        request,
        lambda: so.opinion_submit(
            actor=request.user, solicitation=s, body=request.POST.get("body", ""), clause=request.POST.get("clause", "")
        ),
        "意见已提交，感谢您的参与",
    )
    return redirect("participation:solicitation", pk)


@login_required
def solicitation_document(request, pk):
    """The draft's attachment, only to those who may see the draft (uploads are not public files)."""
    s = so.access_solicitation(request.user, pk)
    if not s.document:
        raise Http404
    return FileResponse(
        s.document.open("rb"),
        content_type=s.document_type or "application/octet-stream",
        as_attachment=True,
        filename=s.document_name or s.document.name.rsplit("/", 1)[-1],
    )


# --- staff ----------------------------------------------------------------------------------------------


@staff_required
def manage_solicitations(request):
    phase, q = request.GET.get("phase", ""), text(request, "q")
    ctx = paginate(request, so.solicitation_list(request.user, phase=phase, q=q))
    ctx.update(phase=phase, q=q, phases=Solicitation.Phase.choices)
    return render_staff(request, "participation/solicitations/manage_list.html", ctx)


@staff_required
def manage_solicitation_new(request):
    now = timezone.now()
    form = {
        "title": "",
        "body": "",
        "area": "",
        "opens_at": local_input(now),
        "closes_at": local_input(now + timedelta(days=max(rule_value("solicitation.min_days"), 14))),
    }
    areas = list(manageable_areas(request.user))
    if request.method == "POST":
        form.update({k: request.POST.get(k, "") for k in form})

        def create():
            area = next((a for a in areas if str(a.pk) == form["area"]), None)
            if area is None:
                raise ValidationError("请选择征求范围")
            return so.solicitation_create(
                actor=request.user,
                title=form["title"],
                body=form["body"],
                area=area,
                opens_at=parse_local(form["opens_at"]),
                closes_at=parse_local(form["closes_at"]),
                document=request.FILES.get("document"),
            )

        s = attempt(request, create, "征求意见稿已发布")
        if s:
            return redirect("participation:manage_solicitation", s.pk)
    return render_staff(
        request,
        "participation/solicitations/manage_new.html",
        {"form": form, "areas": areas, "max_mb": rule_value("solicitation.document_max_mb")},
    )


@staff_required
def manage_solicitation(request, pk):
    s = so.access_solicitation(request.user, pk)
    manager = can_manage_area(request.user, s.area)
    ctx = {
        "s": s,
        "manager": manager,
        "allows": so.PHASE_ACTIONS[s.phase],
        "opinions": _opinion_rows(request.user, s, manager),
        "adoptions": SolicitationOpinion.Adoption.choices,
        "events": list(s.events.select_related("actor")),
    }
    return render_staff(request, "participation/solicitations/manage_detail.html", ctx)


@staff_required
@require_POST
def manage_opinion_respond(request, pk):
    opinion = get_or_404(
        SolicitationOpinion.objects.filter(solicitation__in=so.solicitations_visible_to(request.user).values("pk")),
        pk=pk,
    )
    attempt(
        request,
        lambda: so.opinion_respond(
            actor=request.user,
            opinion=opinion,
            adoption=request.POST.get("adoption", ""),
            response=request.POST.get("response", ""),
        ),
        "答复已保存",
    )
    return redirect("participation:manage_solicitation", opinion.solicitation_id)


@staff_required
@require_POST
def manage_solicitation_summary(request, pk):
    s = so.access_solicitation(request.user, pk)
    attempt(
        request,
        lambda: so.solicitation_publish_summary(actor=request.user, solicitation=s, summary=request.POST.get("summary", "")),
        "采纳情况已公布",
    )
    return redirect("participation:manage_solicitation", pk)
