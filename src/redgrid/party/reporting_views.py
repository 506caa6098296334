"""Staff pages of 定期填报 (the live table, the form, one report) and of terms and 换届."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.api import Conflict
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.party import periods, reporting, terms
from redgrid.party.models import PartyOrg, PeriodicReport
from redgrid.party.selectors import access_party_org

Kind = PeriodicReport.Kind


def _errors(request, exc) -> None:
    for m in exc.messages if isinstance(exc, ValidationError) else [str(exc)]:
        messages.error(request, m)


def _kind(request) -> str:
    kind = request.GET.get("kind", "") or request.POST.get("kind", "")
    return kind if kind in Kind.values else Kind.ACTIVITIES


def _period_start(request, kind: str) -> date:
    key = request.GET.get("period", "") or request.POST.get("period", "")
    if key:
        try:
            return periods.parse_key(reporting.kind_period(kind), key)
        except ValueError as exc:
            messages.error(request, str(exc))
    return reporting.default_period_start(kind, timezone.localdate())


def _root(request) -> PartyOrg | None:
    org = request.GET.get("org", "")
    return access_party_org(request.user, int(org)) if org.isdigit() else None


@staff_required
def reports(request):
    """定期填报情况: which branches reported this period, which are overdue, rolled up per child organisation."""
    kind = _kind(request)
    start = _period_start(request, kind)
    root = _root(request)
    today = timezone.localdate()
    table = reporting.report_table(request.user, kind=kind, period_start=start, today=today, root=root)
    status, q = request.GET.get("status", ""), request.GET.get("q", "").strip()
    rows = [r for r in table["rows"] if (not status or r.status == status) and (not q or q in r.org.name)]
    period = table["period"]
    ctx = paginate(request, rows, per_page=50)
    ctx.update(
        table=table,
        kind=kind,
        kinds=Kind.choices,
        kind_label=Kind(kind).label,
        root=root,
        status=status,
        q=q,
        statuses=list(reporting.TABLE_STATUS_LABELS.items()),
        period_label=periods.PERIOD_LABELS[period],
        prev_key=periods.key(period, periods.previous_start(period, table["start"])),
        next_key=periods.key(period, periods.next_start(period, table["start"])),
        can_go_next=periods.next_start(period, table["start"]) <= today,
    )
    return render_staff(request, "party/reports.html", ctx)


@staff_required
def report_submit(request):
    """The form of one branch's report for a period, prefilled from the platform's records."""
    kind = _kind(request)
    org_id = request.GET.get("org", "") or request.POST.get("org", "")
    if not org_id.isdigit():
        raise Http404
    org = access_party_org(request.user, int(org_id))
    start = _period_start(request, kind)
    period = reporting.kind_period(kind)
    _, end = periods.bounds(period, start)
    existing = PeriodicReport.objects.filter(org=org, kind=kind, period_start=start).first()
    values = dict(existing.data) if existing else reporting.prefill(org, kind, start, end)
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name, *_ in reporting.FIELDS[kind]}
        try:
            report = reporting.report_submit(
                actor=request.user, org=org, kind=kind, period_start=start, data=values
            )
        except (ValidationError, Conflict, PermissionDenied) as exc:
            _errors(request, exc)
            status = 400
        else:
            messages.success(request, "已报送")
            return redirect("party:report", pk=report.pk)
    fields = [
        {
            "name": n,
            "label": label,
            "type": t,
            "required": req,
            "value": values.get(n, "") if values.get(n) is not None else "",
        }
        for n, label, t, req in reporting.FIELDS[kind]
    ]
    return render_staff(
        request,
        "party/report_form.html",
        {
            "org": org,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "period_key": periods.key(period, start),
            "period_label": periods.label(period, start),
            "due": reporting.due_date(end),
            "fields": fields,
            "choices": reporting.REELECTION_CHOICES,
            "existing": existing,
        },
        status=status,
    )


@staff_required
def report(request, pk):
    r = reporting.access_report(request.user, pk)
    period = reporting.kind_period(r.kind)
    labels = {n: label for n, label, *_ in reporting.FIELDS[r.kind]}
    return render_staff(
        request,
        "party/report.html",
        {
            "r": r,
            "period_label": periods.label(period, r.period_start),
            "period_key": periods.key(period, r.period_start),
            "items": [(labels.get(k, k), v) for k, v in r.data.items()],
            "events": r.events.select_related("actor").order_by("at", "id"),
            "can_review": r.status == PeriodicReport.Status.SUBMITTED
            and reporting.can_review(request.user, r.org),
        },
    )


@require_POST
@staff_required
def report_review(request, pk):
    r = reporting.access_report(request.user, pk)
    accept = request.POST.get("decision") == "accept"
    try:
        reporting.report_review(
            actor=request.user, report=r, accept=accept, note=request.POST.get("note", "")
        )
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已审核通过" if accept else "已退回")
    return redirect("party:report", pk=r.pk)


# --- terms --------------------------------------------------------------------------------------------------


@staff_required
def terms_list(request):
    """任期与换届: every organisation with a term in scope, its status, and the roll-up per child."""
    root = _root(request)
    table = terms.terms_table(request.user, today=timezone.localdate(), root=root)
    status, q = request.GET.get("status", ""), request.GET.get("q", "").strip()
    rows = [t for t in table["rows"] if (not status or t.status == status) and (not q or q in t.org.name)]
    ctx = paginate(request, rows, per_page=50)
    ctx.update(
        table=table,
        root=root,
        status=status,
        q=q,
        statuses=list(terms.STATUS_LABELS.items()),
    )
    return render_staff(request, "party/terms.html", ctx)


@staff_required
def term_detail(request, pk):
    org = access_party_org(request.user, pk)
    return render_staff(
        request,
        "party/term.html",
        {
            "org": org,
            "info": terms.term_info(org, timezone.localdate()),
            "years_rule": terms.term_years_for(org.kind),
            "history": org.terms.select_related("recorded_by"),
            "events": org.events.select_related("actor").order_by("-at", "-id")[:50],
            "today": timezone.localdate(),
        },
    )


@require_POST
@staff_required
def term_election(request, pk):
    org = access_party_org(request.user, pk)
    try:
        elected_on = date.fromisoformat(request.POST.get("elected_on", ""))
    except ValueError:
        messages.error(request, "请填写选举日期（YYYY-MM-DD）")
        return redirect("party:term", pk=org.pk)
    try:
        terms.org_record_election(
            actor=request.user,
            org=org,
            elected_on=elected_on,
            approval_no=request.POST.get("approval_no", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已登记换届选举，新一届任期开始")
    return redirect("party:term", pk=org.pk)
