"""Demo applicants (发展党员) of the demo branch — 文化路社区第1网格党支部, the `branch` account's — at
various steps, walked through the real services so every rule holds: a fresh application, a talk that is
overdue, an activist whose 公示 is running (the `resident` and `member` accounts can object), a 发展对象,
a 预备党员, one waiting for 转正 and one already a full member. Dates are relative to the real clock
(like the other time-sensitive demo content), so the 公示 is running and the overdue talk is overdue
whenever the demo is built. Idempotent: skipped when the branch already has demo files."""

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from redgrid.core.names import age_on

DEMO_NOTE = "演示数据"
PDF = b"%PDF-1.4\n% redgrid demo\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

#: Offsets (days after the application) of steps 1–22 in a timeline that keeps every limit of rules.md §3;
#: 23–25 follow the 预备期 (see `_date_of`).
OFFSETS = {
    1: 0, 2: 10, 3: 40, 4: 50, 5: 55, 6: 400, 7: 410, 8: 420, 9: 425, 10: 440, 11: 450, 12: 460, 13: 470,
    14: 480, 15: 490, 16: 500, 17: 520, 18: 530, 19: 535, 20: 540, 21: 845, 22: 850,
}  # fmt: skip

#: (days since the application, last step done, open the 公示 of the next step, label)
APPLICANTS = [
    (10, 1, False, "刚递交入党申请书"),
    (45, 1, False, "谈话已超期"),
    (405, 6, True, "入党积极分子，发展对象公示中"),
    (460, 11, False, "发展对象，已完成集中培训"),
    (560, 20, False, "预备党员，已入党宣誓"),
    (860, 22, True, "预备期将满，已提出转正申请"),
    (1100, 25, False, "已转为正式党员"),
]


def build(ctx) -> None:
    from redgrid.accounts.models import User
    from redgrid.party.models import Applicant, PartyOrg
    from redgrid.regions.models import Region, Resident

    community = Region.objects.filter(code="370705007008").first()
    grid = (
        community.get_children().filter(level=Region.Level.GRID).order_by("code").first()
        if community
        else None
    )
    actor = User.objects.filter(username="branch").first()
    branch = PartyOrg.objects.filter(kind=PartyOrg.Kind.GRID_BRANCH, regions=grid).first() if grid else None
    if branch is None or actor is None:
        ctx.log("  未找到演示党支部或支部书记账号，跳过发展党员演示数据")
        return
    if Applicant.objects.filter(branch=branch, note=DEMO_NOTE).exists():
        ctx.log("  发展党员：演示档案已存在")
        return
    today = timezone.localdate()
    taken = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
    people = [
        r
        for r in Resident.objects.filter(household__building__grid=grid, party_member__isnull=True)
        .exclude(birth_date=None)
        .order_by("id")[:200]
        if r.pk not in taken and 20 <= age_on(r.birth_date, today - timedelta(days=1200)) <= 40
    ]
    for person, (age, until, publicity, label) in zip(people, APPLICANTS, strict=False):
        with transaction.atomic():
            _walk(actor, branch, person, today - timedelta(days=age), until, publicity)
        ctx.log(f"  发展党员：{person.name}（{label}）")


def _date_of(number: int, applied: date, applicant) -> date:
    from redgrid.party import recruitment_rules as rr

    if number <= 22:
        return applied + timedelta(days=OFFSETS[number])
    steps = dict(applicant.steps.values_list("number", "done_on"))
    if number == 23:
        pub = applicant.publicities.filter(before_step=23).first()
        return max(rr.probation_end_of(applicant), pub.ends_on + timedelta(days=1))
    return steps[number - 1] + timedelta(days=20 if number == 24 else 10)


def _walk(actor, branch, person, applied: date, until: int, publicity: bool) -> None:
    from redgrid.party import recruitment as svc
    from redgrid.party import recruitment_rules as rr
    from redgrid.party import services

    a = svc.applicant_create(actor=actor, person=person, branch=branch, applied_on=applied, note=DEMO_NOTE)
    _document(actor, a, 1, "入党申请书")
    full = list(services.active_members_under(branch).filter(status="full").order_by("id")[:2])
    entitled = services.active_members_under(branch).filter(status="full").count()
    vote = {"entitled": entitled, "present": entitled - 1, "yes_votes": entitled - 1}
    data = {10: {"conclusion": "qualified"}, 11: {"days": 3, "hours": 24}, 15: vote, 23: vote}
    for n in range(2, until + 1):
        if n in rr.publicity_steps():
            _publicity(actor, a, a.steps.get(number=n - 1).done_on + timedelta(days=1))
        if n == 10:
            _document(actor, a, 10, "政治审查结论")
        a = svc.applicant_advance(
            actor=actor,
            applicant=a,
            step=n,
            on=_date_of(n, applied, a),
            people=[m.pk for m in full] if n in (5, 9) else [],
            data=data.get(n, {}),
            note="演示",
        )
    if publicity and until + 1 in rr.publicity_steps():
        _publicity(actor, a, min(timezone.localdate(), a.steps.get(number=until).done_on + timedelta(days=3)))


def _publicity(actor, a, starts_on: date) -> None:
    from redgrid.party import recruitment as svc

    text = f"{a.person.name}，{a.person.get_gender_display()}，{a.applied_on:%Y年%m月}递交入党申请书，经党支部研究拟进行下一步，现予公示。"
    svc.publicity_open(actor=actor, applicant=a, starts_on=starts_on, content=text)


def _document(actor, a, step: int, name: str) -> None:
    from redgrid.party import recruitment as svc

    svc.document_upload(
        actor=actor, applicant=a, step=step, upload=ContentFile(PDF, name="demo.pdf"), name=name
    )
