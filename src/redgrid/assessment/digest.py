"""考核周报: every Monday from 08:00 each leader (领导/督查) gets one inbox message about the week that
just ended in their subtree — its own scores, the bottom nodes of the month so far, and the overdue counts.

Each leader's DigestMarker is advanced with a compare-and-swap update (`… WHERE week < this week`)
before the message is written, in the same transaction, so repeated or concurrent runs send each
week's digest exactly once.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from redgrid.assessment import indicators as I
from redgrid.assessment import nodes as N
from redgrid.assessment import selectors
from redgrid.assessment.models import DigestMarker, FactItem
from redgrid.assessment.periods import Period
from redgrid.assessment.periods import of as period_of
from redgrid.core.rules import rule_value

SEND_AT = time(8, 0)
WEEK_INDICATORS = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_close_rate")
OVERDUE = {
    "branch_life": "组织生活逾期未开",
    "dues_on_time": "党费未按时缴纳",
    "recruitment_kept": "发展党员超期",
}


def report_week(now: datetime) -> date | None:
    """Monday of the week to report: last week, once this Monday 08:00 has passed."""
    local = timezone.localtime(now)
    monday = local.date() - timedelta(days=local.weekday())
    if local.date() == monday and local.time() < SEND_AT:
        return None
    return monday - timedelta(days=7)


def leaders():
    from redgrid.accounts.models import Role, User

    return User.objects.filter(is_active=True, grants__role=Role.LEADER).distinct().order_by("pk")


def _week_period(monday: date) -> Period:
    return Period("week", monday, monday + timedelta(days=7))


def _overdue_counts(node: N.Node, week: Period) -> list[tuple[str, int]]:
    from redgrid.appeals.models import OPEN_STATES, Appeal

    end = week.bounds[1]
    appeals = Appeal.objects.filter(
        Q(grid__path__startswith=node.path) | Q(grid__isnull=True, street__path__startswith=node.path),
        status__in=OPEN_STATES,
        resolve_due_at__lt=end,
    )
    counts = [("超期未办结诉求", appeals.count())]
    for key, label in OVERDUE.items():
        n = FactItem.objects.filter(
            indicator=key,
            region_path__startswith=node.path,
            day__gte=week.start,
            day__lt=week.end,
            numerator__lt=1,
        ).count()
        counts.append((label, n))
    return counts


def compose(user, monday: date) -> tuple[str, str, str] | None:
    """(title, body, link) of one leader's digest for the week starting `monday`; None without a region."""
    region_nodes = [n for n in N.home_nodes(user) if n.tree == "region"]
    if not region_nodes:
        return None
    node = N.start_node(user)
    week = _week_period(monday)
    month = period_of("month", week.last)
    lines = [f"{node.name} · {monday:%m月%d日}–{week.last:%m月%d日}"]
    row = selectors.evaluate([node], week, [(k, None, None) for k in WEEK_INDICATORS])[0]
    lines.append("本周：" + "，".join(f"{c.indicator.name} {c.display}" for c in row.cells))
    own = selectors.node_detail(node, month, history=0)["row"] if node.scheme_level else None
    if own is not None and own.score is not None:
        lines.append(f"{month.label}至今综合得分：{own.score:.2f}")
    levels = N.levels_under(node)
    bottom = int(rule_value("assessment.digest.bottom_count"))
    for level in levels[:1] + (("unit",) if "unit" in levels[1:] else ()):
        ranking = selectors.ranking(user, node, level, month)
        scored = [r for r in ranking.rows if r.score is not None]
        if scored:
            tail = scored[-bottom:]
            names = "、".join(f"{r.node.name}（{r.score:.1f}）" for r in reversed(tail))
            lines.append(f"{I.LEVEL_LABELS[level]}排名靠后：{names}")
    lines.append("逾期：" + "，".join(f"{label} {n}" for label, n in _overdue_counts(node, week)))
    link = reverse("assessment:ranking") + f"?node={node.key}&period={month.key}"
    return f"考核周报（{monday:%m月%d日}起一周）", "\n".join(lines), link


def send_weekly(*, now: datetime | None = None) -> int:
    """Send last week's digest to every leader who has not had it (compare-and-swap per leader)."""
    from redgrid.core.models import Notification

    now = now or timezone.now()
    monday = report_week(now)
    if monday is None:
        return 0
    sent = 0
    for user in leaders():
        DigestMarker.objects.get_or_create(user=user)
        with transaction.atomic():
            claimed = DigestMarker.objects.filter(
                Q(week__isnull=True) | Q(week__lt=monday), user=user
            ).update(week=monday, sent_at=now)
            if not claimed:
                continue  # already sent for this week (or another run is sending it)
            message = compose(user, monday)
            if message is None:
                continue
            title, body, link = message
            Notification.objects.create(
                recipient=user, title=title, body=body, link=link, kind="assessment.digest"
            )
            sent += 1
    return sent
