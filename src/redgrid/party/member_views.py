"""Pages for one member: profile with history, status changes, and transfer letters (介绍信)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.api import Conflict
from redgrid.core.pages import render_staff, staff_required
from redgrid.party import services
from redgrid.party.evaluation import member_yearly_record
from redgrid.party.selectors import access_member, access_party_org, access_transfer

ERRORS_KEY = "party_member_errors"


@staff_required
def member(request, pk):
    m = access_member(request.user, pk)
    return render_staff(
        request,
        "party/member.html",
        {
            "m": m,
            "probation_end": services.member_probation_end(m) if m.status == "probationary" else None,
            "events": m.events.select_related("actor").order_by("-at", "-id"),
            "transfers": m.transfers.select_related("to_org").order_by("-issued_on", "-id"),
            "today": timezone.localdate(),
            "errors": request.session.pop(ERRORS_KEY, []),
            "yearly": member_yearly_record(m),
        },
    )


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError as exc:
        raise ValidationError("日期格式应为 YYYY-MM-DD") from exc


@require_POST
@staff_required
def member_action(request, pk):
    """One endpoint for the status-change forms on the profile; each calls its service."""
    m = access_member(request.user, pk)
    p = request.POST
    action = p.get("action", "")
    try:
        on = _day(p.get("on", ""))
        if action == "make_full":
            services.member_make_full(actor=request.user, member=m, on=on, note=p.get("note", ""))
        elif action == "extend_probation":
            months = int(p.get("months", "0") or 0)
            services.member_extend_probation(
                actor=request.user, member=m, months=months, reason=p.get("note", "")
            )
        elif action == "suspend":
            services.member_suspend(actor=request.user, member=m, on=on, reason=p.get("note", ""))
        elif action == "remove":
            services.member_remove(actor=request.user, member=m, on=on, reason=p.get("note", ""))
        elif action == "decease":
            services.member_decease(actor=request.user, member=m, on=on, note=p.get("note", ""))
        elif action == "transfer":
            to_org = access_party_org(request.user, p["to_org"]) if p.get("to_org") else None
            t = services.transfer_issue(
                actor=request.user, member=m, to_org=to_org, to_name=p.get("to_name", "")
            )
            return redirect("party:transfer_letter", pk=t.pk)
        else:
            raise ValidationError("未知的操作")
    except (ValidationError, Conflict, ValueError) as exc:
        request.session[ERRORS_KEY] = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return redirect("party:member", pk=m.pk)


@staff_required
def transfer_letter(request, pk):
    """Printable 中国共产党党员组织关系介绍信 (the stub stays with the sending organisation)."""
    t = access_transfer(request.user, pk)
    return render(request, "party/transfer_letter.html", {"t": t, "today": timezone.localdate()})


@require_POST
@staff_required
def transfer_receipt(request, pk):
    t = access_transfer(request.user, pk)
    try:
        services.transfer_receipt(
            actor=request.user,
            transfer=t,
            received_on=_day(request.POST.get("on", "")),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, Conflict) as exc:
        request.session[ERRORS_KEY] = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return redirect("party:member", pk=t.member_id)
