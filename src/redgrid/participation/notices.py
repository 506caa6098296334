"""公开/公示: notices targeted to region and party-org nodes, 公示 with an objection period, and the
党务公开 catalogue of each branch. Services first, then scoped reads.

Content categories of the catalogue follow 《中国共产党党务公开条例（试行）》(2017) 第十二条 (what a
grassroots organisation discloses) as local catalogues spell it out; the list is `Notice.Category`.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from redgrid.core import audit, calendar
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Conflict, TooManyRequests
from redgrid.core.rules import rule_value
from redgrid.participation import deliberation_rules  # noqa: F401  (defines the rules read below)
from redgrid.participation.audience import (
    ancestors,
    home_paths,
    manages_targets,
    notify,
    reach_q,
    resolve_targets,
)
from redgrid.participation.models import Notice, NoticeEvent, NoticeObjection
from redgrid.participation.services import _clean_text
from redgrid.participation.transitions import Transition

K, S = Notice.Kind, Notice.Status


# A notice's life after publication (transitions as data).
TRANSITIONS: dict[str, Transition] = {
    "conclude": Transition(frozenset({S.PUBLISHED}), S.CONCLUDED, "结束公示"),
    "withdraw": Transition(frozenset({S.PUBLISHED}), S.WITHDRAWN, "撤回"),
}


def workdays_between(start, end) -> int:
    """Working days (the platform's working-day calendar) from the start's date up to, not including, the
    end's date, local time."""
    return calendar.working_days_between(timezone.localtime(start).date(), timezone.localtime(end).date())


def _event(
    notice: Notice, *, actor, action: str, from_state: str = "", note: str = "", data=None
) -> NoticeEvent:
    return NoticeEvent.objects.create(
        notice=notice,
        actor=actor,
        action=action,
        from_state=from_state or notice.status,
        to_state=notice.status,
        note=note,
        data=data or {},
    )


def _link(notice: Notice) -> str:
    return f"/participation/notices/{notice.pk}/"


def can_manage_notice(user, notice: Notice) -> bool:
    """Its publisher, or staff whose subtree holds one of its targets (or its 党务公开 organisation)."""
    if notice.org_id and scope_of(user).is_staff and scope_of(user).covers_org_path(notice.org.path):
        return True
    return manages_targets(user, notice)


def notice_publish(
    *,
    actor,
    kind: str,
    title: str,
    body: str,
    region_ids=(),
    org_ids=(),
    org=None,
    category: str = "",
    starts_at=None,
    ends_at=None,
) -> Notice:
    """Publish a notice, a 公示 (with its period) or a 党务公开 item (for a branch, in a category)."""
    from redgrid.party.selectors import party_orgs_visible_to

    if not scope_of(actor).is_staff:
        raise PermissionDenied("只有工作人员可以发布公开公示")
    if kind not in K.values:
        raise ValidationError("公开类型不正确")
    title = _clean_text(title, label="标题", max_length=100)
    body = _clean_text(body, label="正文", max_length=20000)
    if kind == K.PARTY_AFFAIRS:
        if org is None or not party_orgs_visible_to(actor).filter(pk=org.pk).exists():
            raise ValidationError("请选择您管辖范围内的公开主体（党组织）")
        if category not in Notice.Category.values:
            raise ValidationError("请选择党务公开类别")
        if not region_ids and not org_ids:
            org_ids = [org.pk]  # by default a branch discloses to its own members
    else:
        org, category = None, ""
    regions, orgs = resolve_targets(actor, region_ids, org_ids)
    if kind == K.PUBLICITY:
        _check_period(starts_at, ends_at)
    else:
        starts_at = ends_at = None
    with transaction.atomic():
        notice = Notice.objects.create(
            kind=kind,
            title=title,
            body=body,
            org=org,
            category=category,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=actor,
        )
        notice.regions.set(regions)
        notice.party_orgs.set(orgs)
        _event(notice, actor=actor, action="publish", from_state="")
        audit.record(
            "notice.publish",
            notice,
            actor=actor,
            summary={"kind": kind, "regions": [r.pk for r in regions], "orgs": [o.pk for o in orgs]},
        )
        pk = notice.pk

        def enqueue():
            from redgrid.participation.deliberation_tasks import notice_push_task

            notice_push_task.enqueue(pk)

        transaction.on_commit(enqueue)
    return notice


def notice_push(notice_id: int) -> int:
    """Tell the residents and party members a published notice is for, in their inbox (once).

    The audience is that of 信息发布 (audience.audience_rows) for the roles 居民 and 党员: residents living
    under a target region, members of a target organisation or living under a target region; an account
    reached twice gets one message. A `push` event marks the notice as pushed, so a rerun sends nothing.
    Returns the number of messages sent.
    """
    from redgrid.participation.audience import audience_rows

    notice = Notice.objects.filter(pk=notice_id, status=S.PUBLISHED).first()
    if notice is None:
        return 0
    region_paths = list(notice.regions.values_list("path", flat=True))
    org_paths = list(notice.party_orgs.values_list("path", flat=True))
    users = {u for u, _, _ in audience_rows(region_paths, org_paths, ("resident", "member"))}
    with transaction.atomic():
        list(Notice.objects.select_for_update().filter(pk=notice.pk))  # one pusher at a time
        if notice.events.filter(action="push").exists():
            return 0  # pushed already (a rerun, or another worker meanwhile)
        notify(
            users,
            title=f"【{notice.get_kind_display()}】{notice.title}",
            body=notice.body[:120],
            link=_link(notice),
            kind="notice",
        )
        _event(notice, actor=None, action="push", note=f"推送 {len(users)} 人", data={"sent": len(users)})
    return len(users)


def _check_period(starts_at, ends_at) -> None:
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationError("请填写公示开始和截止时间，且截止须晚于开始")
    if ends_at <= timezone.now():
        raise ValidationError("公示截止时间须晚于现在")
    need = rule_value("notice.publicity_min_workdays")
    if workdays_between(starts_at, ends_at) < need:
        raise ValidationError(f"公示期不少于 {need} 个工作日（规则 notice.publicity_min_workdays）")


def objection_submit(*, actor, notice, body: str) -> NoticeObjection:
    """A named objection during the 公示 period (reported to the publisher)."""
    body = _clean_text(body, label="异议内容", max_length=1000)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if not notices_visible_to(actor).filter(pk=notice.pk).exists():
            raise PermissionDenied("您不在该公示的范围内")
        if notice.kind != K.PUBLICITY:
            raise Conflict("只有公示可以提出异议")
        if not notice.open_for_objections():
            raise Conflict("不在公示期内，不能提出异议")
        limit = rule_value("notice.objections_per_day")
        since = timezone.now() - timedelta(days=1)
        if notice.objections.filter(author=actor, created_at__gte=since).count() >= limit:
            raise TooManyRequests(
                f"每人每天对同一公示最多提出 {limit} 条异议（规则 notice.objections_per_day）"
            )
        objection = NoticeObjection.objects.create(notice=notice, author=actor, body=body)
        _event(notice, actor=actor, action="object", data={"objection": objection.pk})
        audit.record("notice.object", notice, actor=actor, summary={"objection": objection.pk})
        notify(
            [notice.created_by_id],
            title=f"公示收到异议：{notice.title}",
            body=body[:200],
            link=f"/participation/manage/notices/{notice.pk}/",
            kind="notice",
        )
    return objection


def objection_reply(*, actor, objection, reply: str) -> NoticeObjection:
    reply = _clean_text(reply, label="答复", max_length=1000)
    with transaction.atomic():
        objection = (
            NoticeObjection.objects.select_for_update(of=("self",))
            .select_related("notice__org")
            .get(pk=objection.pk)
        )
        notice = objection.notice
        if not can_manage_notice(actor, notice):
            raise PermissionDenied("只有发布单位可以答复异议")
        if notice.status == S.WITHDRAWN:
            raise Conflict("公示已撤回，不能答复")
        objection.reply, objection.replied_by, objection.replied_at = reply, actor, timezone.now()
        objection.save(update_fields=["reply", "replied_by", "replied_at"])
        _event(notice, actor=actor, action="reply", data={"objection": objection.pk})
        audit.record("notice.reply", notice, actor=actor, summary={"objection": objection.pk})
        notify(
            [objection.author_id],
            title=f"您对公示「{notice.title}」的异议已答复",
            body=reply[:200],
            link=_link(notice),
            kind="notice",
        )
    return objection


def _transition(notice_pk, *, actor, action: str) -> tuple[Notice, Transition]:
    notice = Notice.objects.select_for_update(of=("self",)).select_related("org").get(pk=notice_pk)
    t = TRANSITIONS[action]
    if notice.status not in t.sources:
        raise Conflict(f"该公告当前为「{notice.get_status_display()}」，不能{t.label}")
    if not can_manage_notice(actor, notice):
        raise PermissionDenied("只有发布单位可以执行此操作")
    return notice, t


def notice_conclude(*, actor, notice, outcome: str) -> Notice:
    """Record the outcome of a 公示 once its period is over and every objection has been answered."""
    outcome = _clean_text(outcome, label="公示结果", max_length=1000)
    with transaction.atomic():
        notice, t = _transition(notice.pk, actor=actor, action="conclude")
        if notice.kind != K.PUBLICITY:
            raise Conflict("只有公示需要登记公示结果")
        if timezone.now() < notice.ends_at:
            raise Conflict(
                f"公示期至 {timezone.localtime(notice.ends_at):%Y-%m-%d %H:%M}，期满后才能登记结果"
            )
        pending = notice.objections.filter(replied_at__isnull=True).count()
        if pending:
            raise Conflict(f"还有 {pending} 条异议未答复，答复后才能结束公示")
        notice.status, notice.outcome = t.target, outcome
        notice.save(update_fields=["status", "outcome"])
        _event(notice, actor=actor, action="conclude", from_state=S.PUBLISHED, note=outcome)
        audit.record("notice.conclude", notice, actor=actor)
    return notice


def notice_withdraw(*, actor, notice, reason: str) -> Notice:
    reason = _clean_text(reason, label="撤回原因", max_length=200)
    with transaction.atomic():
        notice, t = _transition(notice.pk, actor=actor, action="withdraw")
        notice.status, notice.withdraw_reason = t.target, reason
        notice.save(update_fields=["status", "withdraw_reason"])
        _event(notice, actor=actor, action="withdraw", from_state=S.PUBLISHED, note=reason)
        audit.record("notice.withdraw", notice, actor=actor, summary={"reason": reason})
    return notice


# --- selectors ------------------------------------------------------------------------------------------


def notices_visible_to(user) -> QuerySet[Notice]:
    """Notices whose targets reach the account (audience.reach_q), and the ones it published. Withdrawn
    notices stay visible to staff only (for the record)."""
    if not user.is_authenticated:
        return Notice.objects.none()
    scope = scope_of(user)
    if scope.is_admin:
        return Notice.objects.all()
    qs = Notice.objects.filter(reach_q(Notice, user) | Q(created_by=user))
    return qs if scope.is_staff else qs.exclude(status=S.WITHDRAWN)


def access_notice(user, pk) -> Notice:
    return get_or_404(notices_visible_to(user).select_related("org", "created_by"), pk=pk)


def notice_list(
    user, *, kind: str = "", q: str = "", org_id: int | None = None, open_only=False
) -> QuerySet[Notice]:
    qs = notices_visible_to(user).select_related("org")
    if kind in K.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if org_id:
        qs = qs.filter(org_id=org_id)
    if open_only:
        now = timezone.now()
        qs = qs.filter(kind=K.PUBLICITY, status=S.PUBLISHED, starts_at__lte=now, ends_at__gt=now)
    return qs.annotate(n_objections=Count("objections")).order_by("-published_at", "-id")


def objections_visible_to(user, notice: Notice) -> QuerySet[NoticeObjection]:
    """The publisher sees every objection; a resident only their own (objections are not public)."""
    qs = notice.objections.select_related("author", "replied_by").order_by("created_at", "id")
    return qs if can_manage_notice(user, notice) else qs.filter(author=user)


def catalogue_orgs_visible_to(user) -> QuerySet:
    """Organisations whose 党务公开 catalogue the account may open: staff — those in their scope; a member —
    their own organisation and those above it; a resident — those responsible for their home grid."""
    from redgrid.party.models import PartyOrg
    from redgrid.party.selectors import party_orgs_visible_to

    grid_path, org_path = home_paths(user)
    q = Q(pk__in=party_orgs_visible_to(user).values("pk")) if scope_of(user).is_staff else Q(pk__in=[])
    if org_path:
        q |= Q(path__in=ancestors(org_path))
    if grid_path:
        q |= Q(regions__path__in=ancestors(grid_path))
    return PartyOrg.objects.filter(pk__in=PartyOrg.objects.filter(q).values("pk"))


def access_catalogue_org(user, pk):
    return get_or_404(catalogue_orgs_visible_to(user), pk=pk)


def catalogue(user, org, year: int) -> list[dict]:
    """The 党务公开 catalogue of one organisation for a year: every category with its items (those the
    account may see) and the date of the latest, so a category with nothing disclosed stands out.

    Two queries: the items of the year, and the latest date per category across all years."""
    start = timezone.make_aware(datetime(year, 1, 1))
    end = timezone.make_aware(datetime(year + 1, 1, 1))
    items = list(
        notices_visible_to(user)
        .filter(kind=K.PARTY_AFFAIRS, org=org, published_at__gte=start, published_at__lt=end)
        .exclude(status=S.WITHDRAWN)
        .order_by("-published_at", "-id")
    )
    latest = dict(
        Notice.objects.filter(kind=K.PARTY_AFFAIRS, org=org)
        .exclude(status=S.WITHDRAWN)
        .values("category")
        .annotate(last=Max("published_at"))
        .values_list("category", "last")
    )
    rows = []
    for value, label in Notice.Category.choices:
        mine = [n for n in items if n.category == value]
        rows.append(
            {
                "category": value,
                "label": label,
                "items": mine,
                "count": len(mine),
                "latest": latest.get(value),
            }
        )
    return rows


def current_year() -> int:
    return timezone.localdate().year
