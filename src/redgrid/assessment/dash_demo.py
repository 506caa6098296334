"""Demo content of the dashboards: ten weeks of history in 文化路社区 and a surge of street-light
complaints this week, so `make demo` shows a 未诉先办 task, the 每月一题 list, the large screen's trend and
the allocation proposal.

History appeals go through the real services (intake, 立案, 派遣, 报到, 反馈, 核查) and are then moved
back in time as a whole (the appeal, its events, tasks and ratings by the same offset); the appeals
roll-ups and the dashboards' roll-up are rebuilt afterwards, since moving rows bypasses the services that
keep them. The step adds nothing when the history exists already (idempotent)."""

import csv
import random
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from redgrid.regions.models import Region

# Our own texts (shipped): residents reporting broken street lights in several places of one community.
SURGE_TEXTS = [
    ("路灯不亮", "小区北门外那一排路灯这几天晚上全都不亮，黑乎乎的，老人出来散步很危险。"),
    ("路灯坏了没人修", "文化路口往东两百米的路灯坏了快一周了，晚上骑车看不清路面，希望尽快修好路灯。"),
    ("晚上路灯不亮", "我们楼前的路灯从上周开始就不亮了，孩子晚上放学回家要走很黑的一段路。"),
    ("路灯熄灭存在安全隐患", "社区健身广场旁边的路灯全部熄灭，晚上跳广场舞的人多，摔倒了好几个。"),
    ("多处路灯不亮", "幸福街沿线好几处路灯不亮，晚上下班回来一片漆黑，请安排人检修路灯线路。"),
    ("小区路灯损坏", "三号楼到五号楼之间的路灯损坏，灯罩也掉了，晚上出门只能打手电筒。"),
    ("路灯不亮请维修", "菜市场后面那条小路的路灯好几天没亮了，晚上有人在那里摔伤，请尽快维修路灯。"),
]
HISTORY_WEEKS = 10  # the warning needs appeals older than its 9-week window
HISTORY_PER_WEEK = (6, 12)  # about this week's volume of the community in the demo street


def _examples() -> list[tuple[str, str]]:
    from redgrid.appeals.demo_appeals import EXAMPLES

    with EXAMPLES.open(encoding="utf-8") as fh:
        return [
            (r["title"], r["detail"]) for r in csv.DictReader(fh) if "路灯" not in r["title"] + r["detail"]
        ]


def _submit(users, grid, title, text, phone):
    from redgrid.appeals import services
    from redgrid.appeals.models import Channel

    return services.appeal_submit(
        actor=users["street"],
        content=text,
        title=title,
        grid=grid,
        lat=grid.center_lat,
        lng=grid.center_lng,
        channel=Channel.HOTLINE,
        caller_phone=phone,
    ).appeal


def _close(users, appeal, unit) -> None:
    from redgrid.appeals import services
    from redgrid.units.models import Category

    street, admin = users["street"], users["admin"]
    fallback = (
        None if appeal.suggested_category_id else Category.objects.filter(depth=1).order_by("path").first()
    )
    services.appeal_register(actor=street, appeal=appeal, category=fallback)
    services.appeal_dispatch(actor=street, appeal=appeal, unit=unit)
    services.appeal_accept(actor=admin, appeal=appeal, unit=unit)
    services.appeal_reply(actor=admin, appeal=appeal, content="已处理完毕，请核查。")
    services.appeal_verify(actor=admin, appeal=appeal, passed=True, note="现场核查，已整改到位")


def shift_back(appeal_ids, delta: timedelta) -> None:
    """Move appeals and everything they recorded `delta` into the past (demo history only)."""
    from redgrid.appeals.models import Appeal, AppealEvent, AppealRating, AppealUnitTask

    ids = list(appeal_ids)
    Appeal.objects.filter(pk__in=ids).update(created_at=F("created_at") - delta)
    for name in ("registered_at", "closed_at", "resolve_due_at", "respond_due_at"):
        Appeal.objects.filter(pk__in=ids, **{f"{name}__isnull": False}).update(**{name: F(name) - delta})
    AppealEvent.objects.filter(appeal_id__in=ids).update(at=F("at") - delta)
    AppealRating.objects.filter(appeal_id__in=ids).update(at=F("at") - delta)
    for name in ("dispatched_at", "due_at", "reported_at", "ended_at"):
        AppealUnitTask.objects.filter(appeal_id__in=ids, **{f"{name}__isnull": False}).update(
            **{name: F(name) - delta}
        )


def build(ctx) -> None:
    from redgrid.accounts.models import User
    from redgrid.appeals import rollup
    from redgrid.appeals.models import Appeal
    from redgrid.assessment import dash_rollup, hotspots
    from redgrid.assessment.allocation import refresh_profiles
    from redgrid.demo.accounts import WENHUALU
    from redgrid.regions.models import Household
    from redgrid.units.models import Unit

    community = Region.objects.filter(code=WENHUALU).first()
    if community is None:
        return
    grids = list(community.get_children().filter(level=Region.Level.GRID).order_by("code"))
    now = timezone.now()
    # The tiny demo of the browser tests (`demo_data --scale tiny`, a dozen households a grid; the command
    # hands the steps scale "street") skips the history: hundreds of service calls for a task no test reads.
    tiny = Household.objects.filter(building__grid__in=grids).count() < 50 * len(grids)
    if (
        not tiny
        and not Appeal.objects.filter(
            grid__path__startswith=community.path, created_at__lt=now - timedelta(days=14)
        ).exists()
    ):
        users = {u.username: u for u in User.objects.filter(username__in=["street", "admin"])}
        unit = Unit.objects.get(short_name="城管执法")
        rng = random.Random(20260707)
        examples = _examples()
        history = []
        for week in range(1, HISTORY_WEEKS + 1):
            for i in range(rng.randint(*HISTORY_PER_WEEK)):
                title, text = rng.choice(examples)
                appeal = _submit(users, rng.choice(grids), title, text, f"1350999{week:02d}{i:02d}")
                _close(users, appeal, unit)
                history.append(
                    (appeal.pk, timedelta(days=7 * week + rng.uniform(0, 6), hours=rng.uniform(0, 8)))
                )
        for pk, delta in history:
            shift_back([pk], delta)
        for i, (title, text) in enumerate(SURGE_TEXTS):
            _submit(users, grids[i % len(grids)], title, text, f"1350888{i:04d}")
        rollup.rebuild()
        ctx.log(
            f"· 未诉先办演示：文化路社区 {len(history)} 件历史诉求（10 周）与本周 {len(SURGE_TEXTS)} 件路灯诉求"
        )
    dash_rollup.rebuild()
    refresh_profiles()
    stats = hotspots.run_warnings()  # now: after the surge was received
    month = timezone.localdate().replace(day=1)
    topics = hotspots.compute_all(month)
    ctx.log(f"· 未诉先办预警：新生成任务 {stats['raised']} 条；每月一题 {topics} 个问题")
