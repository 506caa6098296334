"""Demo content of 志愿服务 in 文化路社区: four teams (three 微光服务队), upcoming activities with shifts, a past
双报到 activity with confirmed hours, join requests and two resident projects. Idempotent (by names/titles)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from redgrid.participation.demo import WENHUALU

TEAMS = [
    # name, kind, skills, description
    (
        "文化路红色志愿服务队",
        "general",
        ["环境整治", "助老助残", "文明劝导"],
        "党员带头、居民参与的综合志愿服务队。",
    ),
    (
        "微光法律服务队",
        "professional",
        ["法律咨询", "合同审查", "纠纷调解"],
        "社区律师、法律工作者提供公益法律服务。",
    ),
    ("微光健康服务队", "professional", ["义诊", "健康讲座", "心理疏导"], "辖区医生、护士定期进社区义诊。"),
    ("微光课业辅导队", "professional", ["课业辅导", "科普讲座"], "在职教师和大学生为社区孩子辅导功课。"),
]

# title, team index, dual report, team only, address, [(day offset, start hour, hours, capacity)]
ACTIVITIES = [
    ("周末楼道清洁与小广告清理", 0, True, False, "文化路社区党群服务中心门口", [(2, 9, 2, 8), (2, 14, 2, 8)]),
    ("义诊进社区：测血压、测血糖", 2, False, False, "文化路社区卫生服务站", [(5, 9, 2.5, 6)]),
    ("法律咨询日：婚姻家庭与物业纠纷", 1, True, False, "社区调解室", [(7, 14, 3, 4)]),
    ("暑期课业辅导（小学数学）", 3, False, True, "社区四点半课堂", [(3, 15, 2, 5), (4, 15, 2, 5)]),
]
PAST = ("防汛物资清点与检查", "社区应急物资仓库")


def _account(person, prefix: str):
    from redgrid.accounts.models import User

    user = User.objects.filter(person=person).first()
    if user is None:
        user = User(username=f"{prefix}{person.pk}", display_name=person.name, person=person)
        user.set_unusable_password()
        user.save()
    return user


def _at(now, days: int, hour: float):
    day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return day + timedelta(hours=hour)


def build(ctx) -> None:
    """1. Find 文化路社区, the community account, the demo member and a few members and residents.
    2. Found the teams through the services (instructors are members of the community); fill them.
    3. Publish the upcoming activities with their shifts; the demo member signs up for the first shift.
    4. A past 双报到 activity: served by the member and three in-service members, hours confirmed.
    5. Two resident projects: one pending, one approved (which made an activity).
    """
    from redgrid.accounts.models import User
    from redgrid.participation import volunteers as svc
    from redgrid.participation.models import VolunteerActivity, VolunteerProject, VolunteerTeam
    from redgrid.party.models import PartyMember
    from redgrid.regions.models import Region, Resident

    community = Region.objects.filter(code=WENHUALU).first()
    staff = User.objects.filter(username="community").first()
    member_user = User.objects.filter(username="member").first()
    if community is None or staff is None or member_user is None:
        ctx.log("  未找到文化路社区、社区账号或党员账号，跳过志愿服务演示数据")
        return
    members = list(
        PartyMember.objects.filter(
            person__household__building__grid__path__startswith=community.path, status__in=PartyMember.ACTIVE
        )
        .select_related("person")
        .order_by("id")[:40]
    )
    if not members:
        ctx.log("  文化路社区没有党员，跳过志愿服务演示数据（服务队须有党员指导员）")
        return
    in_service = [m for m in members if m.in_service and m.person_id != member_user.person_id][:3]
    residents = list(
        Resident.objects.filter(
            household__building__grid__path__startswith=community.path, party_member__isnull=True
        ).order_by("-id")[:6]
    )
    volunteers = [_account(r, "demo_resident_") for r in residents]
    now = timezone.now()

    teams = []
    for i, (name, kind, skills, description) in enumerate(TEAMS):
        team = VolunteerTeam.objects.filter(community=community, name=name).first()
        if team is None:
            with transaction.atomic():
                team = svc.team_create(
                    actor=staff,
                    community=community,
                    name=name,
                    kind=kind,
                    skills=skills,
                    description=description,
                    instructor=members[i % len(members)],
                    leader=member_user if i == 0 else None,
                )
                for v in volunteers[i : i + 2]:
                    row = svc.team_join(actor=v, team=team, skills=skills[:1], note="愿意参加")
                    svc.membership_approve(actor=staff, membership=row)
                if i == 0 and len(volunteers) > 4:
                    svc.team_join(actor=volunteers[4], team=team, note="退休了，想为社区出把力")
        teams.append(team)

    created = 0
    for title, team_i, dual, team_only, address, shifts in ACTIVITIES:
        if VolunteerActivity.objects.filter(community=community, title=title).exists():
            continue
        with transaction.atomic():
            activity = svc.activity_create(
                actor=staff,
                title=title,
                description=f"{title}。请准时到场，扫描组织者出示的二维码签到、签退。",
                address=address,
                team=teams[team_i],
                dual_report=dual,
                team_only=team_only,
                shifts=[
                    {
                        "starts_at": _at(now, d, h),
                        "ends_at": _at(now, d, h) + timedelta(hours=n),
                        "place": address,
                        "capacity": cap,
                    }
                    for d, h, n, cap in shifts
                ],
            )
            if created == 0:
                svc.shift_signup(actor=member_user, shift=activity.shifts.order_by("starts_at").first())
            for v in volunteers[:2]:
                if not team_only:
                    svc.shift_signup(actor=v, shift=activity.shifts.order_by("starts_at").last())
        created += 1

    if not VolunteerActivity.objects.filter(community=community, title=PAST[0]).exists():
        _past_activity(
            svc, community, staff, [member_user] + [_account(m.person, "demo_member_") for m in in_service]
        )
    _projects(svc, community, staff, volunteers, VolunteerProject)
    ctx.log(f"  志愿服务：{len(teams)} 支服务队，新建 {created} 个活动（文化路社区）")


def _past_activity(svc, community, staff, people) -> None:
    """A 双报到 activity ten days ago with confirmed hours.

    The services only accept shifts in the future and check-ins at the shift, so the activity is published
    and signed up for through them, then moved into the past and given its check-in/out times directly
    (demo data only); the organiser's confirmation runs through the service again."""
    from redgrid.participation.models import ShiftSignup, VolunteerShift

    now = timezone.now()
    with transaction.atomic():
        activity = svc.activity_create(
            actor=staff,
            title=PAST[0],
            description="汛期前清点沙袋、救生衣、抽水泵等应急物资，检查仓库安全。",
            address=PAST[1],
            community=community,
            dual_report=True,
            shifts=[
                {"starts_at": _at(now, 1, 8), "ends_at": _at(now, 1, 11), "place": PAST[1], "capacity": 10}
            ],
        )
        shift = activity.shifts.get()
        signups = [svc.shift_signup(actor=u, shift=shift) for u in people]
        start = _at(now, -10, 8)
        VolunteerShift.objects.filter(pk=shift.pk).update(starts_at=start, ends_at=start + timedelta(hours=3))
        shift.refresh_from_db()
        for i, s in enumerate(signups):
            checked_in = start + timedelta(minutes=5 * i)
            checked_out = start + timedelta(hours=3) - timedelta(minutes=20 * i)
            ShiftSignup.objects.filter(pk=s.pk).update(
                status=ShiftSignup.Status.CHECKED_OUT,
                checked_in_at=checked_in,
                checked_out_at=checked_out,
                hours=svc.compute_hours(shift, checked_in, checked_out),
            )
            svc.signup_confirm(actor=staff, signup=s)


def _projects(svc, community, staff, volunteers, VolunteerProject) -> None:
    now = timezone.now()
    plans = [
        ("旧物改造手工课", "教居民把旧衣物改成环保袋，材料自备。", "社区活动室", 9, 14, 12, False),
        ("楼下小花园认养", "认养 3 号楼下小花园，每周浇水除草。", "3号楼北侧花园", 6, 8, 6, True),
    ]
    for (title, body, place, days, hour, cap, approve), who in zip(plans, volunteers[-2:], strict=False):
        if VolunteerProject.objects.filter(community=community, title=title).exists():
            continue
        with transaction.atomic():
            project = svc.project_propose(
                actor=who,
                title=title,
                description=body,
                place=place,
                starts_at=_at(now, days, hour),
                ends_at=_at(now, days, hour + 2),
                capacity=cap,
            )
            if approve:
                svc.project_approve(actor=staff, project=project)
