"""Demo content: ~20 wishes of 文化路社区 in every state, and two 议事 topics (idempotent, by title)."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from redgrid.core.api import Conflict

WENHUALU = "370705007008"  # 文化路社区

# title, content, value, category, final state
WISHES = [
    ("想要一副老花镜", "看报纸越来越吃力，想配一副合适的老花镜。", 60, "elderly", "confirmed"),
    ("孩子需要一套课外读物", "孩子上三年级，想读些课外书。", 120, "study", "confirmed"),
    ("家里的水龙头漏水", "厨房水龙头一直滴水，自己不会修。", 30, "repair", "confirmed"),
    ("希望有人陪老伴聊聊天", "老伴腿脚不便，很少下楼，希望有人每周来坐坐。", None, "care", "fulfilled"),
    ("一台收音机", "独居老人，想听戏曲广播。", 80, "elderly", "fulfilled"),
    ("修一修自行车", "自行车链条掉了，刹车也不灵。", 40, "repair", "claimed"),
    ("学做智能手机挂号", "想学会在手机上预约挂号。", None, "health", "claimed"),
    ("冬天的棉手套", "环卫工作用，想要两副厚手套。", 50, "daily", "claimed"),
    ("一个血压计", "高血压，需要每天量血压。", 150, "health", "claimed"),
    ("辅导孩子数学", "孩子初二，数学跟不上，希望有人周末辅导。", None, "study", "open"),
    ("楼道里装个扶手", "楼梯陡，老人上下楼不方便。", 200, "repair", "open"),
    ("一袋大米和食用油", "家庭困难，想要一些粮油。", 100, "daily", "open"),
    ("帮忙换个灯泡", "卫生间灯泡坏了，够不着。", 20, "repair", "open"),
    ("一把轮椅借用三个月", "老人骨折康复期需要轮椅。", 180, "elderly", "open"),
    ("学写毛笔字", "退休了想学书法，想要一套笔墨纸砚。", 90, "study", "open"),
    ("给孙子买双运动鞋", "孩子参加学校运动会。", 150, "daily", "pending"),
    ("想要一台电视", "家里电视坏了。", 200, "daily", "pending"),
    ("陪同去医院复查", "子女在外地，需要有人陪同去复查。", None, "health", "pending"),
    ("求一部新手机", "想换最新款手机。", 200, "other", "rejected"),
    ("帮忙搬家具", "想把旧衣柜搬下楼。", None, "other", "open"),
]

TOPICS = [
    (
        "是否在小区增设电动自行车充电桩",
        "拟在 3 号楼、7 号楼北侧增设集中充电桩 40 个，费用由专项资金承担。请各户表决。",
        "voting",
    ),
    (
        "小区垃圾分类投放点位调整方案",
        "拟将投放点由 6 处调整为 4 处并设定时投放，欢迎在讨论期内发表意见。",
        "discussing",
    ),
]


def build(ctx) -> None:
    """1. Find 文化路社区, its residents with households, its members and the community account.
    2. Give the posters and members that need one a demo account (no usable password).
    3. Walk each wish through the real services up to its final state; skip titles already present.
    4. Create the two topics if missing; cast a few household votes on the one being voted on.
    """
    from redgrid.accounts.models import User
    from redgrid.participation import services
    from redgrid.participation.models import Topic, Wish
    from redgrid.party.models import PartyMember
    from redgrid.regions.models import Region, Resident

    community = Region.objects.filter(code=WENHUALU).first()
    reviewer = User.objects.filter(username="community").first()
    if community is None or reviewer is None:
        ctx.log("  未找到文化路社区或社区账号，跳过微心愿演示数据")
        return
    residents = list(
        Resident.objects.filter(
            household__building__grid__path__startswith=community.path, party_member__isnull=True
        ).order_by("id")[:12]
    )
    members = list(
        PartyMember.objects.filter(person__household__building__grid__path__startswith=community.path)
        .select_related("person")
        .order_by("id")[:5]
    )

    def account(person, prefix):
        user = User.objects.filter(person=person).first()
        if user is None:
            user = User(username=f"{prefix}{person.pk}", display_name=person.name, person=person)
            user.set_unusable_password()
            user.save()
        return user

    posters = [account(r, "demo_resident_") for r in residents]
    claimers = [account(m.person, "demo_member_") for m in members]
    member_user = User.objects.filter(username="member").first()
    if member_user is not None:
        claimers[0] = member_user
    created = 0
    for i, (title, content, value, category, final) in enumerate(WISHES):
        if Wish.objects.filter(title=title, grid__path__startswith=community.path).exists():
            continue
        poster, claimer = posters[i % len(posters)], claimers[i % len(claimers)]
        with transaction.atomic():
            wish = services.wish_post(
                actor=poster, title=title, content=content, value_estimate=value, category=category
            )
            if final == "rejected":
                services.wish_reject(
                    actor=reviewer, wish=wish, reason="超出微心愿范围（限生活所需的小额物品或服务）"
                )
            elif final != "pending":
                services.wish_approve(actor=reviewer, wish=wish)
                if final in ("claimed", "fulfilled", "confirmed"):
                    services.wish_claim(actor=claimer, wish=wish)
                if final in ("fulfilled", "confirmed"):
                    services.wish_fulfil(actor=claimer, wish=wish, content=f"已帮助实现：{title}。")
                if final == "confirmed":
                    services.wish_confirm(actor=poster, wish=wish, thanks="感谢党员同志的帮助！")
        created += 1
    ctx.log(f"  微心愿：新建 {created} 个")

    now = timezone.now()
    for title, body, phase in TOPICS:
        if Topic.objects.filter(title=title, area=community).exists():
            continue
        shift = timedelta(days=0 if phase == "voting" else 7)
        topic = Topic.objects.create(
            title=title,
            body=body,
            area=community,
            created_by=reviewer,
            collect_from=now - timedelta(days=20) + shift,
            discuss_from=now - timedelta(days=10) + shift,
            vote_from=now - timedelta(days=2) + shift,
            vote_until=now + timedelta(days=5) + shift,
            publicity_until=now + timedelta(days=12) + shift,
        )
        if phase == "voting":
            for j, poster in enumerate(posters[:6]):
                try:
                    services.topic_vote(actor=poster, topic=topic, choice=["赞成", "赞成", "反对"][j % 3])
                except (Conflict, PermissionDenied):  # two demo posters may share a household
                    continue
    ctx.log("  议事议题：2 个（文化路社区）")
