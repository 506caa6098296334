"""Demo content of 议事厅, 征求意见, 公开公示, 网上评议 and 信息发布 in 文化路社区 (idempotent, by title).

Everything goes through the real services. Where the demo needs something that happened in the past (a
vote that has closed, a draft whose period ended), it is done now and the dates are then moved back.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from redgrid.core.api import Conflict

WENHUALU = "370705007008"  # 文化路社区

TOPICS = [
    # title, body, phase
    ("建议在小区东门增设智能快递柜", "快递经常堆在门卫室，丢件多。建议在东门内侧增设一组快递柜。", "proposed"),
    ("老旧楼加装电梯意向征集", "3、5、7 号楼为 1990 年代建成的 6 层住宅，拟申请加装电梯补贴，先征集各户意向和顾虑。", "collecting"),
    ("楼道堆物清理和长效管理办法", "楼道堆物存在消防隐患。拟开展集中清理，并约定长效管理办法，请大家讨论。", "discussing"),
    ("小区停车位重新划线与分配方案", "拟将现有 120 个车位重新划线为 138 个，按“一户一位、余位轮候”分配。请各户表决。", "voting"),
    ("中心广场健身器材更新方案", "拟更换 12 件老化健身器材，新增 2 张乒乓球台，费用由社区公益金列支。", "publicity"),
    ("垃圾分类督导志愿者轮值制度", "由党员、楼长、志愿者在早晚投放时段轮值督导。", "closed"),
]

COMMENTS = [
    "楼道里的自行车和纸箱确实太多了，支持清理。",
    "清理前请提前一周通知，给大家留出时间自己处理。",
    "建议每个单元设一名楼长负责日常提醒。",
    "老人的轮椅能不能在一楼划一个固定位置？",
]


def build(ctx) -> None:
    """1. Find 文化路社区, the demo accounts and resident accounts of the community.
    2. Create the stakeholder accounts (业委会, 物业) and the six topics, one per phase, with comments, a
       comment hidden by three reports, votes, published results and progress.
    3. A solicitation open for opinions and one whose summary is published.
    4. A notice, a 公示 with an objection, and 党务公开 items of the demo branch.
    5. Ratings of the branch, members and a unit; an article pushed to the community, partly read.
    """
    from redgrid.accounts.models import User
    from redgrid.regions.models import Region, Resident

    community = Region.objects.filter(code=WENHUALU).first()
    staff = User.objects.filter(username="community").first()
    if community is None or staff is None:
        ctx.log("  未找到文化路社区或社区账号，跳过议事与公开演示数据")
        return
    people = list(
        Resident.objects.filter(
            household__building__grid__path__startswith=community.path, party_member__isnull=True
        ).order_by("id")[:40]
    )
    residents = [_account(p, "demo_resident_") for p in people]
    me = User.objects.filter(username="resident").first()
    if me is not None:
        residents.insert(0, me)
    ctx.log(f"  议事厅：{_topics(community, staff, residents)} 个新议题")
    ctx.log(f"  征求意见：{_solicitations(community, staff, residents)} 个")
    ctx.log(f"  公开公示：{_notices(community, staff, residents)} 条")
    ctx.log(f"  网上评议：{_evaluations(residents)} 条")
    ctx.log(f"  信息发布：{_articles(community, staff, residents)} 篇")


def _account(person, prefix):
    from redgrid.accounts.models import User

    user = User.objects.filter(person=person).first()
    if user is None:
        user = User(username=f"{prefix}{person.pk}", display_name=person.name, person=person)
        user.set_unusable_password()
        user.save()
    return user


def _stakeholder_account(username, display):
    from redgrid.accounts.models import User

    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    return user


def _shift(topic, days: int) -> None:
    """Move a topic's whole schedule back by `days` (its vote happened in the past)."""
    from redgrid.participation.models import Topic

    delta = timedelta(days=days)
    Topic.objects.filter(pk=topic.pk).update(
        collect_from=topic.collect_from - delta,
        discuss_from=topic.discuss_from - delta,
        vote_from=topic.vote_from - delta,
        vote_until=topic.vote_until - delta,
        publicity_until=topic.publicity_until - delta,
    )
    topic.refresh_from_db()


def _topics(community, staff, residents) -> int:
    from redgrid.accounts.models import User
    from redgrid.participation import deliberation as d
    from redgrid.participation import services
    from redgrid.participation.models import Topic

    branch = User.objects.filter(username="branch").first()
    owners = _stakeholder_account("yeweihui", "业委会代表（文化路社区）")
    estate = _stakeholder_account("wuye", "物业代表（文化路社区）")
    grid = community.get_children().filter(level="grid").order_by("code").first() or community
    now = timezone.now()
    day = timedelta(days=1)
    created = 0
    for title, body, phase in TOPICS:
        if Topic.objects.filter(title=title, area__path__startswith=community.path).exists():
            continue
        created += 1
        if phase == "proposed":
            d.topic_propose(actor=residents[0], title=title, body=body)
            continue
        starts = {
            "collecting": now - 2 * day,
            "discussing": now - 9 * day,
            "voting": now - 16 * day,
            "publicity": now - 16 * day,
            "closed": now - 16 * day,
        }[phase]
        # Votes are taken in the demo resident's grid (楼院议事), so a realistic turnout is reached.
        voting = phase in ("voting", "publicity", "closed")
        topic = d.topic_create(
            actor=staff,
            title=title,
            body=body,
            area=grid if voting else community,
            schedule=d.default_schedule(starts),
            quorum_percent=30,
        )
        for kind, user, name in (
            ("party_org", branch, "文化路社区第1网格党支部"),
            ("owners_committee", owners, "文化路社区业主委员会"),
            ("property", estate, "文化路物业服务中心"),
        ):
            if user is not None:
                d.topic_invite(actor=staff, topic=topic, kind=kind, user=user, name=name)
        if phase in ("discussing", "voting"):
            _discussion(topic, residents, estate, reported=phase == "discussing")
        if voting:
            _votes(services, topic, grid, share=0.25 if phase == "voting" else 0.45)
        if phase in ("publicity", "closed"):
            _shift(topic, 8 if phase == "publicity" else 20)
            topic = d.topic_publish_results(
                actor=staff, topic=topic, note="经表决，本议题获得通过，社区将会同物业按方案组织实施。"
            )
            if topic.results.get("passed"):
                d.topic_add_progress(actor=staff, topic=topic, percent=40, note="已完成方案设计和采购询价。")
                if phase == "closed":
                    d.topic_add_progress(actor=estate, topic=topic, percent=100, note="已全部完成并投入使用。")
    return created


def _discussion(topic, residents, estate, reported: bool) -> None:
    from redgrid.participation import deliberation as d

    first = d.comment_post(actor=residents[1], topic=topic, body=COMMENTS[0])
    d.comment_post(actor=residents[2], topic=topic, body=COMMENTS[1], parent=first)
    d.comment_post(actor=estate, topic=topic, body="物业可以提供临时存放点，并安排保洁协助清运。", parent=first)
    d.comment_post(actor=residents[3], topic=topic, body=COMMENTS[2])
    d.comment_post(actor=residents[4], topic=topic, body=COMMENTS[3])
    if not reported:
        return
    rude = d.comment_post(actor=residents[5], topic=topic, body="都是物业不作为，物业的人都是骗子！")
    for reporter in residents[6:9]:  # three reports hide it for review (rule topic.comment_hide_reports)
        d.comment_report(actor=reporter, comment=rude, reason="人身攻击")


def _votes(services, topic, grid, share: float) -> None:
    """One vote from each of a share of the grid's households (not the demo accounts' households, so the
    demo resident can still vote on the running topic)."""
    from redgrid.accounts.models import User
    from redgrid.regions.models import Household

    taken = set(
        User.objects.filter(username__in=["resident", "member", "branch"]).values_list("person__household_id", flat=True)
    )
    in_grid = Household.objects.filter(building__grid=grid)
    wanted = math.ceil(in_grid.count() * share)
    households = list(in_grid.exclude(pk__in=taken).order_by("id")[:wanted])
    choices = ["赞成", "赞成", "赞成", "反对", "赞成", "弃权"]
    for i, household in enumerate(households):
        person = household.members.order_by("id").first()
        if person is None:
            continue
        try:
            services.topic_vote(actor=_account(person, "demo_resident_"), topic=topic, choice=choices[i % len(choices)])
        except (Conflict, PermissionDenied):
            continue


def _solicitations(community, staff, residents) -> int:
    from redgrid.participation import solicitations as so
    from redgrid.participation.models import Solicitation

    now = timezone.now()
    created = 0
    specs = [
        ("文化路社区居民公约（征求意见稿）", False),
        ("社区公益金使用管理办法（征求意见稿）", True),
    ]
    for title, finished in specs:
        if Solicitation.objects.filter(title=title, area=community).exists():
            continue
        created += 1
        s = so.solicitation_create(
            actor=staff,
            title=title,
            body=(
                "第一条 为共建和谐文明社区，制定本公约。\n第二条 爱护公共设施，不在楼道堆放杂物。\n"
                "第三条 文明养犬，出门拴绳，及时清理。\n第四条 垃圾分类投放，定时定点。\n第五条 邻里互助，关爱老幼。"
            ),
            area=community,
            opens_at=now - timedelta(days=3),
            closes_at=now + timedelta(days=11),
        )
        opinions = [
            so.opinion_submit(actor=residents[1], solicitation=s, clause="第三条", body="建议写明遛狗的时间和区域。"),
            so.opinion_submit(actor=residents[2], solicitation=s, clause="第二条", body="电动车进楼充电也应明确禁止。"),
            so.opinion_submit(actor=residents[3], solicitation=s, body="建议增加“节约用水用电”一条。"),
        ]
        so.opinion_respond(
            actor=staff, opinion=opinions[1], adoption="adopted", response="采纳，已在第二条中增加禁止电动车进楼充电。"
        )
        if finished:
            Solicitation.objects.filter(pk=s.pk).update(
                opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=10)
            )
            for o in opinions[::2]:
                so.opinion_respond(actor=staff, opinion=o, adoption="partly", response="部分采纳，将在实施细则中明确。")
            so.solicitation_publish_summary(
                actor=staff, solicitation=s, summary="共收到意见 3 条，采纳 1 条、部分采纳 2 条。感谢居民朋友的参与！"
            )
    return created


def _notices(community, staff, residents) -> int:
    from redgrid.accounts.models import User
    from redgrid.participation import notices as no
    from redgrid.participation.models import Notice
    from redgrid.party.models import PartyOrg

    branch_user = User.objects.filter(username="branch").first()
    grant = branch_user.grants.filter(party_org__isnull=False).first() if branch_user else None
    org = PartyOrg.objects.filter(pk=grant.party_org_id).first() if grant else None
    now = timezone.now()
    created = 0

    def once(title, fn):
        nonlocal created
        if not Notice.objects.filter(title=title).exists():
            fn(title)
            created += 1

    once(
        "关于开展夏季消防安全检查的通知",
        lambda t: no.notice_publish(
            actor=staff, kind="notice", title=t, region_ids=[community.pk],
            body="7 月 10 日至 20 日，社区将联合物业逐楼开展消防安全检查，请各户配合。",
        ),
    )
    if org is None or branch_user is None:
        return created
    once(
        "关于确定张明同志为发展对象的公示",
        lambda t: no.notice_publish(
            actor=branch_user, kind="publicity", title=t, org_ids=[org.pk], region_ids=[],
            body="经支部委员会研究，拟确定张明同志为发展对象。公示期内如有意见，请实名反映。",
            starts_at=now - timedelta(days=2), ends_at=now + timedelta(days=8),
        ),
    )
    publicity = Notice.objects.filter(title="关于确定张明同志为发展对象的公示").first()
    member = User.objects.filter(username="member").first()
    if publicity is not None and member is not None and not publicity.objections.exists():
        no.objection_submit(actor=member, notice=publicity, body="该同志参加组织生活的次数是否满足要求，请核实。")
    items = [
        ("2026年上半年党费收缴使用情况", "dues", "上半年应交党费 2,356.80 元，实交 2,356.80 元，已全额上缴。"),
        ("第二季度“三会一课”开展情况", "org_life", "召开支部党员大会 1 次、支委会 3 次、党小组会 6 次，上党课 1 次。"),
        ("学习贯彻上级决策部署情况", "policy", "组织党员集中学习 4 次，开展专题研讨 1 次。"),
        ("党员联系服务群众情况", "service", "党员认领微心愿 12 个，参加志愿服务 86 人次。"),
    ]
    for title, category, body in items:
        once(
            title,
            lambda t, c=category, b=body: no.notice_publish(
                actor=branch_user, kind="party_affairs", title=t, body=b, org=org, category=c,
                org_ids=[org.pk], region_ids=[r.pk for r in org.regions.all()],
            ),
        )
    return created


def _evaluations(residents) -> int:
    from redgrid.participation import evaluation as ev
    from redgrid.participation.models import Evaluation

    made = 0
    scores = [5, 4, 5, 3, 4, 5, 2, 4]
    for i, rater in enumerate(residents[:16]):
        for target_type in ("branch", "member", "unit"):
            target = ev.rateable(rater, target_type).first()
            if target is None:
                continue
            if Evaluation.objects.filter(rater=rater, target_type=target_type, target_id=target.pk).exists():
                continue
            try:
                ev.evaluation_submit(
                    actor=rater,
                    target_type=target_type,
                    target_id=target.pk,
                    score=scores[(i + len(target_type)) % len(scores)],
                    comment="服务热情，办事及时。" if i % 3 == 0 else "",
                )
                made += 1
            except Conflict:
                continue
    return made


def _articles(community, staff, residents) -> int:
    from redgrid.participation import articles as ar
    from redgrid.participation.models import Article

    title = "文化路社区“红色物业”服务站正式启用"
    if Article.objects.filter(title=title).exists():
        return 0
    article = ar.article_create(
        actor=staff,
        title=title,
        summary="服务站设在社区党群服务中心一楼，提供报修、代办、议事等服务。",
        body=(
            "为推进党建引领物业服务，社区“红色物业”服务站于本月正式启用。\n"
            "服务时间：每天 8:30–17:30。\n服务内容：报修受理、证明代办、议事协商、志愿服务登记。"
        ),
        category="news",
        region_ids=[community.pk],
        roles=["resident", "member", "gridworker"],
    )
    ar.article_publish(actor=staff, article=article)
    ar.article_push(article.pk)  # the demo shows coverage at once; the queued task then finds nothing left
    for reader in residents[::2]:
        ar.article_mark_read(user=reader, article=article)
    return 1
