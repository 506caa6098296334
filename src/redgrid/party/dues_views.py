"""Pages for party dues (党费): a branch's monthly collection list and its yearly publication (公示)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from redgrid.core.api import Conflict
from redgrid.core.pages import paginate, render_staff, staff_required
from redgrid.party import limits, services
from redgrid.party import rules as R
from redgrid.party.models import DuesBase, DuesPayment, PartyMember
from redgrid.party.selectors import access_member, access_party_org

LEVEL_LABELS = {"ok": "正常", "warning": "欠交提醒", "lapsed": "连续欠交6个月以上"}


def dues_rows(members: list[PartyMember], today: date) -> None:
    """Attach this month's amount, whether it is paid, and the arrears to each member (2 queries)."""
    ids = [m.pk for m in members]
    start_year = limits.dues_records_start()[0]
    bases: dict[int, list[DuesBase]] = {}
    for b in DuesBase.objects.filter(member_id__in=ids):
        bases.setdefault(b.member_id, []).append(b)
    payments = list(
        DuesPayment.objects.filter(member_id__in=ids, year__gte=start_year).values_list(
            "member_id", "year", "month"
        )
    )
    arrears = services.dues_arrears(members, today, payments)
    paid_now = {(p[0]) for p in payments if (p[1], p[2]) == (today.year, today.month)}
    for m in members:
        try:
            m.due = services.monthly_dues_for(m, bases.get(m.pk, []), today.year, today.month)
        except ValueError:
            m.due = None
        base = services.base_for_month(bases.get(m.pk, []), today.year, today.month)
        m.base = base.base if base else None
        m.paid_this_month = m.pk in paid_now
        m.arrears_months, m.arrears_level = arrears[m.pk]
        m.arrears_label = LEVEL_LABELS[m.arrears_level]


@staff_required
def branch_dues(request, pk):
    org = access_party_org(request.user, pk)
    today = timezone.localdate()
    qs = services.active_members_under(org).select_related("person").order_by("person__name", "id")
    ctx = paginate(request, qs, per_page=50)
    rows = list(ctx["rows"])
    dues_rows(rows, today)
    ctx.update(
        org=org,
        rows=rows,
        today=today,
        errors=request.session.pop("party_dues_errors", []),
        thresholds=limits.arrears_thresholds(),
        citation=R.cite(R.PARTY_CONSTITUTION, "第九条"),
    )
    return render_staff(request, "party/dues.html", ctx)


@require_POST
@staff_required
def dues_pay(request, pk):
    org = access_party_org(request.user, pk)
    member = access_member(request.user, request.POST.get("member", ""))
    try:
        year, month = int(request.POST.get("year", "")), int(request.POST.get("month", ""))
        amount = Decimal(request.POST.get("amount", ""))
        paid_on = date.fromisoformat(request.POST.get("paid_on", "") or timezone.localdate().isoformat())
    except (ValueError, InvalidOperation):
        request.session["party_dues_errors"] = ["请填写正确的年份、月份、金额和日期"]
        return redirect("party:dues", pk=org.pk)
    try:
        services.dues_record_payment(
            actor=request.user, member=member, year=year, month=month, amount=amount, paid_on=paid_on
        )
    except (ValidationError, Conflict) as exc:
        request.session["party_dues_errors"] = [
            f"{member.person.name}：{m}"
            for m in (exc.messages if isinstance(exc, ValidationError) else [str(exc)])
        ]
    return redirect("party:dues", pk=org.pk)


@staff_required
def dues_publication(request, pk, year):
    """党费收缴情况公示: collected totals per month for the branch (published at least once a year)."""
    org = access_party_org(request.user, pk)
    rows = {
        r["month"]: r
        for r in DuesPayment.objects.filter(org__path__startswith=org.path, year=year)
        .values("month")
        .annotate(total=Sum("amount"), payers=Count("id"))
    }
    months = [
        {
            "month": m,
            "total": rows.get(m, {}).get("total") or Decimal("0.00"),
            "payers": rows.get(m, {}).get("payers", 0),
        }
        for m in range(1, 13)
    ]
    total = sum((m["total"] for m in months), Decimal("0.00"))
    return render_staff(
        request,
        "party/dues_publication.html",
        {"org": org, "year": year, "months": months, "total": total, "citation": R.cite(R.DUES_RULE)},
    )
