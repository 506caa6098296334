"""Demo step of the assessment: a year of branch life, dues and study for the demo street, then the
roll-ups, so that `make demo` shows real numbers on 考核排名 from the first page.

What it adds, only where the street has none yet (idempotent):

1. meetings (三会一课, 主题党日) of every grid branch since `assessment.calendar_start`, recorded and
   closed through party.services.meeting_record — each branch keeps its calendar with its own
   reliability (55–100 %), so branches, grids and communities rank differently;
2. a dues base per member and monthly dues payments (bulk rows, amounts from
   party.services.monthly_dues_for; most on time, some late, some months unpaid);
3. study records for every member (a member account without a usable password where missing — members
   study through their account), some above the yearly target, most below;
4. `assessment.rollup.rebuild()`.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

STREET_CODE = "370705007"
MONTHLY = ("theme_day", "branch_committee", "group_meeting")
QUARTERLY = ("general_assembly", "party_lecture")
TOPICS = {
    "theme_day": "主题党日：走访网格困难群众",
    "branch_committee": "支委会：研究本月党建和网格工作",
    "group_meeting": "党小组会：学习交流",
    "general_assembly": "支部党员大会：通报季度工作",
    "party_lecture": "党课：学习党的二十大精神",
}


def _street():
    from redgrid.regions.divisions import full_code
    from redgrid.regions.models import Region

    return Region.objects.filter(code=full_code(STREET_CODE)).first()


def _branches(street):
    from redgrid.party.models import PartyOrg

    return list(
        PartyOrg.objects.filter(kind__in=PartyOrg.BRANCH_KINDS, regions__path__startswith=street.path)
        .distinct()
        .order_by("path")
    )


def _reliability(branch) -> float:
    # grids of one community share a tendency, so communities rank differently too
    community = random.Random(f"assessment:{branch.path[: -branch.steplen]}").uniform(0.7, 1.0)
    return max(0.4, min(1.0, community * random.Random(f"assessment:{branch.path}").uniform(0.75, 1.05)))


def _meetings(ctx, branches, today: date) -> int:
    from redgrid.assessment.rules import calendar_start
    from redgrid.party import periods as P
    from redgrid.party import services
    from redgrid.party.models import OrgLifeMeeting

    if OrgLifeMeeting.objects.filter(org__in=branches).exists():
        return 0
    start, count = calendar_start(), 0
    for branch in branches:
        rng, keep = random.Random(f"meetings:{branch.path}"), _reliability(branch)
        plan = [(k, "month") for k in MONTHLY] + [(k, "quarter") for k in QUARTERLY]
        for kind, period in plan:
            for first in P.starts_between(period, start, today):
                last = min(P.bounds(period, first)[1], today - timedelta(days=1))
                if last < first or rng.random() > keep:
                    continue
                day = first + timedelta(days=rng.randrange(0, (last - first).days + 1))
                present = list(services.expected_attendees(branch, kind).values_list("pk", flat=True))
                if not present:
                    continue
                attended = (
                    present
                    if kind == "branch_committee"
                    else rng.sample(present, max(1, len(present) * 4 // 5))
                )
                services.meeting_record(
                    actor=None,
                    org=branch,
                    kind=kind,
                    date=day,
                    place="党群服务站",
                    topic=TOPICS[kind],
                    present=attended,
                    close=True,
                )
                count += 1
    return count


def _dues(branches, today: date) -> int:
    from redgrid.party.models import DuesBase, DuesPayment, PartyMember
    from redgrid.party.services import dues_start, monthly_dues_for

    members = list(
        PartyMember.objects.filter(org__in=branches, status__in=PartyMember.ACTIVE).select_related("org")
    )
    if DuesPayment.objects.filter(member__in=members).exists():
        return 0
    bases = []
    for m in members:
        if m.dues_category in ("employed", "annual_salary", "self_employed", "retired"):
            rng = random.Random(f"dues-base:{m.pk}")
            bases.append(
                DuesBase(member=m, year=today.year, from_month=1, base=Decimal(rng.randrange(2600, 12000)))
            )
    DuesBase.objects.bulk_create(bases, ignore_conflicts=True)
    by_member = {}
    for b in DuesBase.objects.filter(member__in=members):
        by_member.setdefault(b.member_id, []).append(b)
    rows = []
    for m in members:
        rng, keep = random.Random(f"dues:{m.pk}"), _reliability(m.org)
        y, mo = dues_start(m)
        while (y, mo) <= (today.year, today.month):
            amount = monthly_dues_for(m, by_member.get(m.pk, []), y, mo)
            month_last = date(y + mo // 12, mo % 12 + 1, 1) - timedelta(days=1)
            roll = rng.random()
            if amount is not None and roll < keep + 0.1:
                paid = date(y, mo, 1) + timedelta(days=rng.randrange(0, 25))
                if roll > keep - 0.05:  # paid, but in the next month
                    paid = month_last + timedelta(days=rng.randrange(3, 20))
                if paid < today:
                    rows.append(
                        DuesPayment(member=m, org=m.org, year=y, month=mo, amount=amount, paid_on=paid)
                    )
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    DuesPayment.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _study(branches, today: date) -> int:
    from redgrid.accounts.models import User
    from redgrid.learning.models import Course, StudyRecord
    from redgrid.party.models import PartyMember

    members = list(
        PartyMember.objects.filter(org__in=branches, status__in=PartyMember.ACTIVE).select_related(
            "person", "org"
        )
    )
    courses = list(Course.objects.order_by("id")[:4])
    if not courses or StudyRecord.objects.filter(
        year=today.year, user__person__party_member__in=members
    ).count() > len(members):
        return 0
    have = set(
        User.objects.filter(person__in=[m.person_id for m in members]).values_list("person_id", flat=True)
    )
    User.objects.bulk_create(
        [
            User(
                username=f"dm{m.person_id}",
                display_name=m.person.name,
                person_id=m.person_id,
                password="!demo",
            )
            for m in members
            if m.person_id not in have
        ],
        ignore_conflicts=True,
    )
    users = dict(
        User.objects.filter(person__in=[m.person_id for m in members]).values_list("person_id", "pk")
    )
    progress = (today - date(today.year, 1, 1)).days / 365
    rows = []
    for m in members:
        rng = random.Random(f"study:{m.pk}")
        hours = 56 * progress * _reliability(m.org) * rng.uniform(0.2, 1.25)
        seconds = int(hours * 45 * 60)
        at = timezone.make_aware(datetime.combine(today - timedelta(days=rng.randrange(1, 60)), time(20, 0)))
        chosen = courses[: rng.randint(1, len(courses))]
        for course in chosen:
            part = seconds // len(chosen)
            rows.append(
                StudyRecord(
                    user_id=users[m.person_id],
                    course=course,
                    year=today.year,
                    seconds=part,
                    started_at=at,
                    completed_at=at,
                )
            )
    StudyRecord.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def build(ctx) -> None:
    from redgrid.assessment import rollup

    street = _street()
    if street is None:
        ctx.log("  未找到演示街道，跳过考核演示数据")
        return
    today = timezone.localdate()
    branches = _branches(street)
    meetings = _meetings(ctx, branches, today)
    with transaction.atomic():
        payments = _dues(branches, today)
        study = _study(branches, today)
    stats = rollup.rebuild()
    changed = sum(s["changed"] for s in stats.values())
    ctx.log(
        f"  组织生活 {meetings} 次，党费记录 {payments} 条，学习记录 {study} 条；考核日汇总 {changed} 个计分对象"
    )
