"""Demo content for 定期填报, 换届, 双报到 and 民主评议 in 文化路社区 (idempotent).

The demo branch (the `branch` account's 网格党支部) reports this period and the street accepts one report,
so the live table shows reported, pending and overdue branches; one branch's term is overdue; the
`member` account is an in-service member registered with 文化路社区 with confirmed and pending service;
last year's 民主评议 is closed with grades and this year's is at the self-assessment phase (网上评议 demo
ratings come from the participation app's demo step).
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from redgrid.core.api import Conflict
from redgrid.party.rules import add_months

WENHUALU = "370705007008"  # 文化路社区


def build(ctx) -> None:
    from redgrid.accounts.models import RoleGrant, User
    from redgrid.regions.models import Region

    users = {
        u.username: u
        for u in User.objects.filter(username__in=["branch", "community", "member", "resident", "street"])
    }
    grant = (
        RoleGrant.objects.filter(user=users.get("branch"), party_org__isnull=False)
        .select_related("party_org")
        .first()
    )
    community = Region.objects.filter(code=WENHUALU).first()
    if grant is None or community is None or len(users) < 5:
        ctx.log("· 定期填报等演示数据：缺少演示账号，跳过")
        return
    branch = grant.party_org
    _reports(ctx, users, branch)
    _terms(ctx, branch)
    _dual(ctx, users, branch, community)
    _evaluation(ctx, users, branch)


def _quiet(fn, *args, **kwargs):
    """Run a service; on a re-run the state it creates already exists, which the service refuses."""
    try:
        return fn(*args, **kwargs)
    except (ValidationError, Conflict):
        return None


def _reports(ctx, users, branch) -> None:
    from redgrid.party import periods, reporting
    from redgrid.party.models import PeriodicReport

    today = timezone.localdate()
    texts = {
        "activities": "开展主题党日“党员进网格”，入户走访独居老人 12 户；组织学习党的二十届三中全会精神。",
        "member_changes": "本季度无发展党员；1 名党员组织关系转出至外省。",
        "reelection": "",
    }
    siblings = list(branch.get_siblings().exclude(pk=branch.pk).order_by("path")[:2])
    for org in [branch, *siblings]:
        for kind in PeriodicReport.Kind.values:
            start = reporting.default_period_start(kind, today)
            end = periods.bounds(reporting.kind_period(kind), start)[1]
            data = reporting.prefill(org, kind, start, end)
            if kind in texts and texts[kind]:
                data["activities" if kind == "activities" else "note"] = texts[kind]
            report = _quiet(
                reporting.report_submit,
                actor=users["branch"],
                org=org,
                kind=kind,
                period_start=start,
                data=data,
            )
            if report is not None and org == branch and kind == "activities":
                _quiet(reporting.report_review, actor=users["street"], report=report, accept=True)
            if org != branch:
                break  # the siblings report one kind only, so the table shows gaps
    ctx.log("· 定期填报：文化路社区部分支部已报送")


def _terms(ctx, branch) -> None:
    from redgrid.party.models import PartyOrg

    today = timezone.localdate()
    late = branch.get_siblings().exclude(pk=branch.pk).order_by("-path").first()
    if late is not None:
        PartyOrg.objects.filter(pk=late.pk).update(
            term_started=today - timedelta(days=5 * 365 + 40), term_years=5
        )
    ctx.log("· 换届：一个网格党支部任期已届满（逾期未换届）")


def _dual(ctx, users, branch, community) -> None:
    from redgrid.party import dual_report
    from redgrid.party.models import DualRegistration, PartyMember

    member = PartyMember.objects.get(person_id=users["member"].person_id)
    if not member.in_service:
        PartyMember.objects.filter(pk=member.pk).update(in_service=True, work_unit="奎文区财政局")
    today = timezone.localdate()
    if not member.dual_registrations.exists():
        reg = dual_report.dual_register(
            actor=users["member"], community=community, skills="财务咨询、助老服务"
        )
        dual_report.dual_confirm(actor=users["community"], registration=reg)
        # The member reported three weeks ago, so the demo has service records spread over the weeks since.
        confirmed = today - timedelta(days=20)
        DualRegistration.objects.filter(pk=reg.pk).update(
            registered_at=timezone.now() - timedelta(days=21),
            confirmed_on=confirmed,
            valid_until=add_months(confirmed, 6),
        )
        for days, hours, text, confirm in [
            (12, "3", "协助社区开展老年人防诈骗宣传", True),
            (3, "2", "楼道垃圾分类督导", False),
        ]:
            rec = dual_report.dual_record_service(
                actor=users["member"], served_on=today - timedelta(days=days), hours=hours, content=text
            )
            if confirm:
                dual_report.dual_confirm_service(actor=users["community"], record=rec)
    # Last year's registrations of the branch's in-service members (history before the platform's flows).
    last = date(today.year - 1, 3, 1)
    rows = [
        DualRegistration(
            member=m,
            community=community,
            status=DualRegistration.Status.ENDED,
            confirmed_on=last,
            valid_until=last + timedelta(days=365),
            registered_at=timezone.now() - timedelta(days=400),
        )
        for m in PartyMember.objects.filter(org=branch, in_service=True).exclude(
            dual_registrations__confirmed_on=last
        )
    ]
    DualRegistration.objects.bulk_create(rows)
    ctx.log("· 双报到：member 账号已到文化路社区报到，服务记录 2 条")


def _evaluation(ctx, users, branch) -> None:
    from redgrid.party import evaluation as E
    from redgrid.party.models import EvaluationGrade, EvaluationRound

    year = timezone.localdate().year
    if not EvaluationRound.objects.filter(org=branch, year=year - 1).exists():
        rnd = E.evaluation_open(actor=users["branch"], org=branch, year=year - 1)
        for _ in range(3):
            E.evaluation_advance(actor=users["branch"], round=rnd)
        entries = list(rnd.entries.select_related("member").order_by("id"))
        cap = E.excellent_cap(len(entries))
        for i, e in enumerate(entries):
            grade = EvaluationGrade.EXCELLENT if i < cap else EvaluationGrade.QUALIFIED
            if i == len(entries) - 1:
                grade = EvaluationGrade.BASIC
            E.evaluation_decide(
                actor=users["branch"],
                round=rnd,
                entry_id=e.pk,
                grade=grade,
                reason="全年缺席组织生活 3 次" if grade == "basic" else "",
            )
        E.evaluation_advance(actor=users["branch"], round=rnd)
    if not EvaluationRound.objects.filter(org=branch, year=year).exists():
        E.evaluation_open(actor=users["branch"], org=branch, year=year)
    ctx.log("· 民主评议：上年度已结束；本年度处于个人自评阶段")
