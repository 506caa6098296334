"""Pages for branch life (组织生活): list, record, detail with attendance and QR sign-in."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from redgrid.core.api import Conflict
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.core.qr import qr_svg as _qr_svg  # shared with volunteer check-in
from redgrid.party import services
from redgrid.party.models import OrgLifeMeeting, PartyOrg
from redgrid.party.selectors import (
    access_meeting,
    access_party_org,
    meetings_visible_to,
    party_orgs_visible_to,
)


class MeetingForm(forms.Form):
    org = forms.IntegerField(label="党组织")
    kind = forms.ChoiceField(label="类型", choices=OrgLifeMeeting.Kind.choices)
    date = forms.DateField(label="日期")
    place = forms.CharField(label="地点", max_length=100)
    topic = forms.CharField(label="主题", max_length=200)
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea)
    close = forms.BooleanField(label="会议已召开（补录）", required=False)


def _messages(exc) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


@staff_required
def meetings(request):
    qs = meetings_visible_to(request.user).select_related("org").order_by("-date", "-id")
    org, kind, status = request.GET.get("org", ""), request.GET.get("kind", ""), request.GET.get("status", "")
    if org.isdigit():
        qs = qs.filter(org_id=int(org))
    if kind in OrgLifeMeeting.Kind.values:
        qs = qs.filter(kind=kind)
    if status in OrgLifeMeeting.Status.values:
        qs = qs.filter(status=status)
    ctx = paginate(request, qs)
    ctx.update(
        org=org,
        kind=kind,
        status=status,
        kinds=OrgLifeMeeting.Kind.choices,
        statuses=OrgLifeMeeting.Status.choices,
    )
    return render_staff(request, "party/meetings.html", ctx)


@staff_required
def meeting_new(request):
    orgs = (
        party_orgs_visible_to(request.user)
        .filter(kind__in=list(PartyOrg.BRANCH_KINDS) + list(PartyOrg.GROUP_KINDS))
        .order_by("path")
    )
    errors: list[str] = []
    form = MeetingForm(request.POST or None, initial={"org": request.GET.get("org", "")})
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            org = access_party_org(request.user, d["org"])
            try:
                meeting = services.meeting_record(
                    actor=request.user,
                    org=org,
                    kind=d["kind"],
                    date=d["date"],
                    place=d["place"],
                    topic=d["topic"],
                    minutes=d["minutes"],
                    close=d["close"],
                )
            except (ValidationError, Conflict) as exc:
                errors = _messages(exc)
            else:
                return redirect("party:meeting", pk=meeting.pk)
        else:
            errors = [f"{form.fields[f].label}：{'；'.join(e)}" for f, e in form.errors.items()]
    return render_staff(
        request,
        "party/meeting_new.html",
        {"form": form, "orgs": orgs, "errors": errors, "kinds": OrgLifeMeeting.Kind.choices},
        status=400 if errors else 200,
    )


@staff_required
def meeting(request, pk):
    m = access_meeting(request.user, pk)
    rows = list(m.attendance.select_related("member__person").order_by("member__person__name", "id"))
    url = ""
    qr_svg = ""
    if m.status == OrgLifeMeeting.Status.OPEN:
        token = services.meeting_sign_in_token(m)
        url = request.build_absolute_uri(reverse("party:meeting_sign_in", args=[m.pk, token]))
        qr_svg = _qr_svg(url)
    return render_staff(
        request,
        "party/meeting.html",
        {
            "m": m,
            "rows": rows,
            "quorum": services.meeting_quorum(m),
            "sign_in_url": url,
            "qr_svg": qr_svg,
            "events": m.events.select_related("actor").order_by("at", "id"),
            "errors": request.session.pop("party_meeting_errors", []),
        },
    )


def _post_action(request, pk, fn):
    m = access_meeting(request.user, pk)
    try:
        fn(m)
    except (ValidationError, Conflict) as exc:
        request.session["party_meeting_errors"] = _messages(exc)
    return redirect("party:meeting", pk=m.pk)


@require_POST
@staff_required
def meeting_attendance(request, pk):
    member = request.POST.get("member", "")
    present = request.POST.get("present") == "1"
    reason = request.POST.get("reason", "")
    if not member.isdigit():
        return redirect("party:meeting", pk=pk)
    return _post_action(
        request,
        pk,
        lambda m: services.meeting_set_attendance(
            actor=request.user, meeting=m, member_id=int(member), present=present, absence_reason=reason
        ),
    )


@require_POST
@staff_required
def meeting_close(request, pk):
    return _post_action(request, pk, lambda m: services.meeting_close(actor=request.user, meeting=m))


@login_required
def meeting_sign_in(request, pk, token):
    """Opened from the QR code on the member's phone: signing in is the point of opening it.

    Only the account's own attendance changes, and only with the unexpired secret shown at the meeting,
    so a GET is acceptable here (the same link is shown again on a repeat visit, idempotently).
    """
    status, error, row = 200, "", None
    try:
        row = services.meeting_sign_in(actor=request.user, meeting_id=pk, token=token)
    except ValidationError as exc:
        status, error = 400, "；".join(exc.messages)
    except PermissionDenied as exc:
        status, error = 403, str(exc)
    except Conflict as exc:
        status, error = 409, str(exc)
    meeting = row.meeting if row else None
    return render(
        request, "party/sign_in.html", {"row": row, "meeting": meeting, "error": error}, status=status
    )


@staff_required
def compliance(request):
    """合规日历: one branch's calendar, or the roll-up of a subtree for upper levels."""
    from datetime import date as date_cls

    from django.utils import timezone

    from redgrid.core.access import outermost
    from redgrid.party import compliance as C

    try:
        on = date_cls.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        on = timezone.localdate()
    visible = party_orgs_visible_to(request.user)
    org_id = request.GET.get("org", "")
    if org_id.isdigit():
        roots = [access_party_org(request.user, int(org_id))]
    else:
        # The outermost organisations of the account's scope (for a street: its 党工委).
        roots = list(
            visible.filter(path__in=outermost(list(visible.values_list("path", flat=True)))).order_by("path")
        )
    ctx = {
        "on": on,
        "roots": roots,
        "root": roots[0] if len(roots) == 1 else None,
        "status_labels": C.STATUS_LABELS,
    }
    root = ctx["root"]
    if root is not None and root.kind in PartyOrg.BRANCH_KINDS:
        ctx["branch"] = C.branch_compliance(root, on)
        return render_staff(request, "party/compliance_branch.html", ctx)
    branches = [b for r in roots for b in C.branches_under(visible, r)]
    results = C.compliance_for_branches(branches, on)
    children = list(root.get_children().order_by("path")) if root is not None else roots
    ctx.update(
        rollup=C.compliance_rollup(children, results),
        results=results,
        with_overdue=sum(1 for r in results if r.overdue),
        kinds=[(k, C.KIND_LABELS[k]) for k in C.KINDS],
    )
    return render_staff(request, "party/compliance.html", ctx)
