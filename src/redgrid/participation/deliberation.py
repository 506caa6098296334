"""议事厅: proposals and scheduling, stakeholders, threaded comments with reports and moderation, published
results and implementation progress. Writes (services) first, then scoped reads (selectors).

The phase of an accepted topic follows its dates (`Topic.phase_at`). What each phase allows and the
organiser's manual transitions are data (`PHASE_ACTIONS`, `TRANSITIONS`, `COMMENT_TRANSITIONS`), tested
directly. Voting itself is `services.topic_vote` (one vote per household/resident, lock + constraint).
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Conflict, TooManyRequests
from redgrid.core.rules import rule_value
from redgrid.participation import deliberation_rules  # noqa: F401  (defines the rules read below)
from redgrid.participation.audience import ancestors, notify
from redgrid.participation.models import (
    CommentReport,
    Topic,
    TopicComment,
    TopicEvent,
    TopicProgress,
    TopicStakeholder,
    default_vote_options,
)
from redgrid.participation.selectors import household_grid_path, topic_results, topics_visible_to
from redgrid.participation.services import _clean_text
from redgrid.participation.transitions import Transition
from redgrid.regions.models import Region

P = Topic.Phase
C = TopicComment.Status
MANAGER_ROLES = ("community", "street", "admin")

# What residents, stakeholders and organisers may do in each phase (design.md §6: transitions as data).
PHASE_ACTIONS: dict[str, frozenset[str]] = {
    P.PROPOSED: frozenset(),
    P.REJECTED: frozenset(),
    P.COLLECTING: frozenset({"comment", "report"}),
    P.DISCUSSING: frozenset({"comment", "report"}),
    P.VOTING: frozenset({"comment", "report", "vote"}),
    P.PUBLICITY: frozenset({"report", "publish_results", "progress"}),
    P.CLOSED: frozenset({"report", "publish_results", "progress"}),
}


# The organiser's transitions. Accepting starts the schedule; the two "open" actions pull the next phase's
# start date forward to now (the dates stay the single source of the phase).
TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(frozenset({P.PROPOSED}), P.COLLECTING, "受理"),
    "reject": Transition(frozenset({P.PROPOSED}), P.REJECTED, "不予受理"),
    "open_discussion": Transition(frozenset({P.COLLECTING}), P.DISCUSSING, "提前进入讨论"),
    "open_voting": Transition(frozenset({P.DISCUSSING}), P.VOTING, "提前开始表决"),
}

# Moderation of comments: "hide" is only ever done by the report counter (system).
COMMENT_TRANSITIONS: dict[str, Transition] = {
    "hide": Transition(frozenset({C.VISIBLE}), C.HIDDEN, "自动隐藏"),
    "restore": Transition(frozenset({C.HIDDEN}), C.VISIBLE, "恢复显示"),
    "remove": Transition(frozenset({C.VISIBLE, C.HIDDEN}), C.REMOVED, "删除"),
}

SCHEDULE_FIELDS = ("collect_from", "discuss_from", "vote_from", "vote_until", "publicity_until")
ORGANISER_BADGE = "organiser"
BADGES = {**dict(TopicStakeholder.Kind.choices), ORGANISER_BADGE: "组织方"}


# --- permissions and small reads ----------------------------------------------------------------------


def can_manage_area(user, area: Region) -> bool:
    """Community, street and admin accounts whose granted subtree holds the area organise its topics."""
    scope = scope_of(user)
    return scope.has_role(*MANAGER_ROLES) and scope.covers_region_path(area.path)


def can_manage_topic(user, topic: Topic) -> bool:
    return can_manage_area(user, topic.area)


def stakeholder_kind(user, topic: Topic) -> str:
    if not user.is_authenticated:
        return ""
    row = TopicStakeholder.objects.filter(topic=topic, user=user).values_list("kind", flat=True).first()
    return row or ""


def manager_ids(area: Region) -> list[int]:
    """Community and street accounts whose grant covers the area (told about proposals and hidden comments)."""
    from redgrid.accounts.models import RoleGrant

    rows = RoleGrant.objects.filter(role__in=["community", "street"], region__path__in=ancestors(area.path))
    return sorted(set(rows.values_list("user_id", flat=True)))


def followers(topic: Topic) -> set[int]:
    """Who hears about a topic's milestones: its proposer, its stakeholders and everyone who commented."""
    ids = set(topic.stakeholders.values_list("user_id", flat=True))
    ids.update(topic.comments.values_list("author_id", flat=True).distinct())
    if topic.created_by_id:
        ids.add(topic.created_by_id)
    return ids


def _link(topic: Topic) -> str:
    return f"/participation/topics/{topic.pk}/"


def _event(topic, *, actor, action, from_state="", to_state="", note="", comment=None, data=None):
    return TopicEvent.objects.create(
        topic=topic,
        comment=comment,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state or from_state,
        note=note,
        data=data or {},
    )


def _locked(topic) -> Topic:
    pk = topic.pk if isinstance(topic, Topic) else topic
    return Topic.objects.select_for_update(of=("self",)).select_related("area").get(pk=pk)


def _check_phase(topic: Topic, action: str, what: str) -> str:
    phase = topic.phase
    if action not in PHASE_ACTIONS[phase]:
        raise Conflict(f"议题当前处于「{P(phase).label}」阶段，不能{what}")
    return phase


def _require_manager(user, topic: Topic) -> None:
    if not can_manage_topic(user, topic):
        raise PermissionDenied("只有议题所在社区或街道的工作人员可以执行此操作")


# --- scheduling and proposals ---------------------------------------------------------------------------


def default_schedule(start) -> dict:
    """Phase dates from `start`, each phase lasting its rules-table number of days."""
    collect = start
    discuss = collect + timedelta(days=rule_value("topic.collect_days"))
    vote = discuss + timedelta(days=rule_value("topic.discuss_days"))
    until = vote + timedelta(days=rule_value("topic.vote_days"))
    return {
        "collect_from": collect,
        "discuss_from": discuss,
        "vote_from": vote,
        "vote_until": until,
        "publicity_until": until + timedelta(days=rule_value("topic.publicity_days")),
    }


def _check_schedule(s: dict) -> None:
    if not (s["collect_from"] <= s["discuss_from"] <= s["vote_from"] < s["vote_until"] <= s["publicity_until"]):
        raise ValidationError("阶段时间须依次为：征集开始 ≤ 讨论开始 ≤ 表决开始 < 表决截止 ≤ 公示截止")


def clean_options(options) -> list[str]:
    options = [str(o).strip() for o in (options or default_vote_options()) if str(o).strip()]
    if len(options) < 2 or len(options) > 10 or len(set(options)) != len(options):
        raise ValidationError("表决选项须为 2–10 个互不相同的选项")
    if any(len(o) > 50 for o in options):
        raise ValidationError("每个表决选项不能超过 50 个字")
    return options


def _clean_percent(value, label: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise ValidationError(f"{label}须为 0–100 的整数")
    return value


def topic_propose(*, actor, title: str, body: str) -> Topic:
    """A resident proposes a topic for their community; it waits for the community to accept it."""
    grid_path = household_grid_path(actor)
    if grid_path is None:
        raise ValidationError("您的账号尚未关联住户信息，请先联系社区或网格员登记后再提出议题")
    title = _clean_text(title, label="议题", max_length=100)
    body = _clean_text(body, label="议题说明", max_length=3000)
    limit = rule_value("topic.proposals_per_30_days")
    since = timezone.now() - timedelta(days=30)
    if Topic.objects.filter(created_by=actor, origin=Topic.Origin.RESIDENT, created_at__gte=since).count() >= limit:
        raise TooManyRequests(f"每名居民 30 天内最多提出 {limit} 个议题（规则 topic.proposals_per_30_days）")
    area = Region.objects.get(path=grid_path[: -Region.steplen])
    with transaction.atomic():
        topic = Topic.objects.create(
            title=title,
            body=body,
            area=area,
            created_by=actor,
            status=Topic.Status.PROPOSED,
            origin=Topic.Origin.RESIDENT,
            announced_phase=P.PROPOSED,
            **default_schedule(timezone.now()),
        )
        _event(topic, actor=actor, action="propose", to_state=P.PROPOSED)
        audit.record("topic.propose", topic, actor=actor, summary={"area": area.code})
        notify(manager_ids(area), title=f"居民提出新议题，待受理：{title}", link=_link(topic), kind="topic")
    return topic


def topic_create(
    *,
    actor,
    title: str,
    body: str,
    area: Region,
    vote_unit: str = Topic.VoteUnit.HOUSEHOLD,
    options=None,
    schedule: dict | None = None,
    quorum_percent: int = 50,
    pass_percent: int = 50,
) -> Topic:
    """The community or street starts a topic directly (accepted, on the given or the default schedule)."""
    if not can_manage_area(actor, area):
        raise PermissionDenied("只有该区域的社区或街道工作人员可以发起议题")
    title = _clean_text(title, label="议题", max_length=100)
    body = _clean_text(body, label="议题说明", max_length=3000)
    if vote_unit not in Topic.VoteUnit.values:
        raise ValidationError("计票方式不正确")
    defaults = default_schedule(timezone.now())
    schedule = {k: (schedule or {}).get(k) or v for k, v in defaults.items()}
    _check_schedule(schedule)
    with transaction.atomic():
        topic = Topic.objects.create(
            title=title,
            body=body,
            area=area,
            vote_unit=vote_unit,
            options=clean_options(options),
            quorum_percent=_clean_percent(quorum_percent, "参与率下限"),
            pass_percent=_clean_percent(pass_percent, "通过门槛"),
            created_by=actor,
            origin=Topic.Origin.COMMITTEE,
            **schedule,
        )
        topic.announced_phase = topic.phase
        topic.save(update_fields=["announced_phase"])
        _event(topic, actor=actor, action="create", to_state=topic.phase)
        audit.record("topic.create", topic, actor=actor, summary={"area": area.code})
    return topic


def topic_accept(*, actor, topic, options=None, vote_unit: str | None = None) -> Topic:
    """Accept a resident's proposal: the schedule starts now with the rules-table phase lengths."""
    with transaction.atomic():
        topic = _locked(topic)
        t = _check_transition(topic, "accept")
        _require_manager(actor, topic)
        if vote_unit:
            if vote_unit not in Topic.VoteUnit.values:
                raise ValidationError("计票方式不正确")
            topic.vote_unit = vote_unit
        if options:
            topic.options = clean_options(options)
        for field, value in default_schedule(timezone.now()).items():
            setattr(topic, field, value)
        topic.status, topic.announced_phase = Topic.Status.ACCEPTED, t.target
        topic.save()
        _event(topic, actor=actor, action="accept", from_state=P.PROPOSED, to_state=t.target)
        audit.record("topic.accept", topic, actor=actor)
        notify([topic.created_by_id], title=f"您提出的议题已受理：{topic.title}", link=_link(topic), kind="topic")
    return topic


def topic_reject(*, actor, topic, reason: str) -> Topic:
    reason = _clean_text(reason, label="不予受理原因", max_length=200)
    with transaction.atomic():
        topic = _locked(topic)
        t = _check_transition(topic, "reject")
        _require_manager(actor, topic)
        topic.status, topic.reject_reason, topic.announced_phase = Topic.Status.REJECTED, reason, t.target
        topic.save(update_fields=["status", "reject_reason", "announced_phase"])
        _event(topic, actor=actor, action="reject", from_state=P.PROPOSED, to_state=t.target, note=reason)
        audit.record("topic.reject", topic, actor=actor, summary={"reason": reason})
        notify(
            [topic.created_by_id],
            title=f"您提出的议题未被受理：{topic.title}",
            body=f"原因：{reason}",
            link=_link(topic),
            kind="topic",
        )
    return topic


def _check_transition(topic: Topic, action: str) -> Transition:
    t = TRANSITIONS[action]
    phase = topic.phase
    if phase not in t.sources:
        raise Conflict(f"议题当前处于「{P(phase).label}」阶段，不能{t.label}")
    return t


def topic_advance(*, actor, topic, action: str) -> Topic:
    """Open the discussion or the vote now instead of at the scheduled date."""
    if action not in ("open_discussion", "open_voting"):
        raise ValidationError("不支持的操作")
    with transaction.atomic():
        topic = _locked(topic)
        t = _check_transition(topic, action)
        _require_manager(actor, topic)
        now = timezone.now()
        field = "discuss_from" if action == "open_discussion" else "vote_from"
        from_phase = topic.phase
        setattr(topic, field, now)
        topic.announced_phase = t.target
        topic.save(update_fields=[field, "announced_phase"])
        _event(topic, actor=actor, action=action, from_state=from_phase, to_state=t.target)
        audit.record(f"topic.{action}", topic, actor=actor)
        notify(
            followers(topic),
            title=f"议题进入「{P(t.target).label}」阶段：{topic.title}",
            link=_link(topic),
            kind="topic",
        )
    return topic


def topic_invite(*, actor, topic, kind: str, user, name: str) -> TopicStakeholder:
    """Invite an account to represent 党组织 / 居委会 / 业委会 / 物业 on the topic."""
    if kind not in TopicStakeholder.Kind.values:
        raise ValidationError("相关方类型不正确（党组织、居委会、业委会、物业）")
    name = _clean_text(name, label="单位名称", max_length=100)
    if user is None or not user.is_active:
        raise ValidationError("邀请的账号不存在或已停用")
    with transaction.atomic():
        topic = _locked(topic)
        _require_manager(actor, topic)
        if topic.phase in (P.REJECTED, P.CLOSED):
            raise Conflict(f"议题当前处于「{topic.phase_label}」阶段，不能再邀请相关方")
        try:
            with transaction.atomic():
                row = TopicStakeholder.objects.create(
                    topic=topic, kind=kind, name=name, user=user, invited_by=actor
                )
        except IntegrityError as exc:
            raise Conflict("该账号已是本议题的相关方") from exc
        _event(topic, actor=actor, action="invite", from_state=topic.phase, note=f"{row}", data={"user": user.pk})
        audit.record("topic.invite", topic, actor=actor, summary={"user": user.pk, "kind": kind})
        notify(
            [user.pk],
            title=f"您被邀请作为{row.get_kind_display()}代表参与议事：{topic.title}",
            link=_link(topic),
            kind="topic",
        )
    return row


# --- comments, reports and moderation -------------------------------------------------------------------


def comment_post(*, actor, topic, body: str, parent=None) -> TopicComment:
    """A comment or a reply. Replies deeper than the configured depth attach to the deepest allowed
    ancestor, so a thread stays readable on a phone."""
    body = _clean_text(body, label="评论内容", max_length=1000)
    if not topics_visible_to(actor).filter(pk=topic.pk).exists():
        raise PermissionDenied("您不能参与该议题的讨论")
    _check_phase(topic, "comment", "发表评论")
    limit = rule_value("topic.comments_per_hour")
    since = timezone.now() - timedelta(hours=1)
    if TopicComment.objects.filter(author=actor, created_at__gte=since).count() >= limit:
        raise TooManyRequests(f"每小时最多发表 {limit} 条评论，请稍后再试（规则 topic.comments_per_hour）")
    if parent is not None:
        parent = TopicComment.objects.filter(pk=getattr(parent, "pk", parent), topic=topic).first()
        if parent is None:
            raise ValidationError("回复的评论不存在")
        if parent.status == C.REMOVED:
            raise Conflict("该评论已被删除，不能回复")
        max_depth = rule_value("topic.comment_max_depth")
        while parent.depth + 1 >= max_depth and parent.parent_id:
            parent = parent.parent
    badge = stakeholder_kind(actor, topic) or (ORGANISER_BADGE if can_manage_topic(actor, topic) else "")
    with transaction.atomic():
        comment = TopicComment.objects.create(
            topic=topic,
            author=actor,
            parent=parent,
            thread_id=(parent.thread_id or parent.pk) if parent else None,
            depth=parent.depth + 1 if parent else 0,
            body=body,
            stakeholder_kind=badge,
        )
        audit.record("topic.comment", topic, actor=actor, summary={"comment": comment.pk})
        if parent is not None and parent.author_id != actor.pk:
            notify(
                [parent.author_id],
                title=f"有人回复了您在议题「{topic.title}」中的评论",
                body=body[:200],
                link=_link(topic),
                kind="topic",
            )
    return comment


def comment_report(*, actor, comment, reason: str = "") -> TopicComment:
    """Report a comment; at the configured number of reports it is hidden until a moderator decides.

    1. Lock the comment row, so concurrent reports are counted one after the other.
    2. Refuse reports of one's own, of a hidden or removed comment, and a second report by the same
       person (unique constraint → 409).
    3. Count the report; at `topic.comment_hide_reports` a comment not already cleared by a moderator is
       hidden, with an event row, and the moderators and the author are told.
    """
    reason = _clean_text(reason, label="举报原因", max_length=200, required=False)
    with transaction.atomic():
        comment = TopicComment.objects.select_for_update(of=("self",)).select_related("topic__area").get(pk=comment.pk)
        topic = comment.topic
        if comment.author_id == actor.pk:
            raise PermissionDenied("不能举报自己的评论")
        _check_phase(topic, "report", "举报评论")
        if comment.status != C.VISIBLE:
            raise Conflict(f"该评论{comment.get_status_display()}，无需再举报")
        try:
            with transaction.atomic():
                CommentReport.objects.create(comment=comment, reporter=actor, reason=reason)
        except IntegrityError as exc:
            raise Conflict("您已举报过这条评论") from exc
        comment.report_count += 1
        fields = ["report_count"]
        threshold = rule_value("topic.comment_hide_reports")
        if not comment.cleared and comment.report_count >= threshold:
            comment.status = COMMENT_TRANSITIONS["hide"].target
            fields.append("status")
            _event(
                topic,
                actor=None,
                action="hide",
                comment=comment,
                from_state=C.VISIBLE,
                to_state=C.HIDDEN,
                note=f"被 {comment.report_count} 人举报，自动隐藏待审核（规则 topic.comment_hide_reports = {threshold}）",
            )
            notify(
                manager_ids(topic.area),
                title=f"议事评论被举报 {comment.report_count} 次已自动隐藏，请审核",
                body=comment.body[:200],
                link="/participation/manage/moderation/",
                kind="topic",
            )
            notify(
                [comment.author_id],
                title="您的一条议事评论被多人举报，已暂时隐藏，等待审核",
                link=_link(topic),
                kind="topic",
            )
        comment.save(update_fields=fields)
        audit.record("topic.comment_report", comment, actor=actor, summary={"reports": comment.report_count})
    return comment


def comment_moderate(*, actor, comment, action: str, note: str = "") -> TopicComment:
    """A moderator restores a hidden comment (it is then kept, whatever later reports say) or removes it."""
    if action not in ("restore", "remove"):
        raise ValidationError("不支持的审核操作")
    note = _clean_text(note, label="审核说明", max_length=200, required=False)
    t = COMMENT_TRANSITIONS[action]
    with transaction.atomic():
        comment = TopicComment.objects.select_for_update(of=("self",)).select_related("topic__area").get(pk=comment.pk)
        if comment.status not in t.sources:
            raise Conflict(f"该评论当前为「{comment.get_status_display()}」，不能{t.label}")
        _require_manager(actor, comment.topic)
        before = comment.status
        comment.status, comment.moderated_by, comment.moderated_at = t.target, actor, timezone.now()
        comment.cleared = comment.cleared or action == "restore"
        comment.save(update_fields=["status", "moderated_by", "moderated_at", "cleared"])
        _event(
            comment.topic,
            actor=actor,
            action=action,
            comment=comment,
            from_state=before,
            to_state=t.target,
            note=note,
        )
        audit.record(f"topic.comment_{action}", comment, actor=actor, summary={"note": note})
        title = "您的议事评论经审核已恢复显示" if action == "restore" else "您的议事评论经审核已被删除"
        notify([comment.author_id], title=title, body=note, link=_link(comment.topic), kind="topic")
    return comment


# --- results and implementation -------------------------------------------------------------------------


def topic_publish_results(*, actor, topic, note: str) -> Topic:
    """Freeze and publish the outcome once voting has closed; voters and followers are told."""
    note = _clean_text(note, label="结果公告", max_length=2000)
    with transaction.atomic():
        topic = _locked(topic)
        _check_phase(topic, "publish_results", "公布结果（表决结束后才能公布）")
        _require_manager(actor, topic)
        if topic.results_published_at:
            raise Conflict("该议题的表决结果已公布")
        data = topic_results(topic)
        topic.results = {k: v for k, v in data.items() if k not in ("phase", "final")}
        topic.result_note, topic.results_published_at = note, timezone.now()
        topic.save(update_fields=["results", "result_note", "results_published_at"])
        verdict = "通过" if data["passed"] else "未通过"
        _event(topic, actor=actor, action="publish_results", from_state=topic.phase, note=note, data=topic.results)
        audit.record("topic.publish_results", topic, actor=actor, summary={"passed": data["passed"]})
        ids = followers(topic) | set(topic.votes.values_list("voter_id", flat=True))
        notify(ids, title=f"议题表决结果公布（{verdict}）：{topic.title}", body=note[:200], link=_link(topic), kind="topic")
    return topic


def topic_add_progress(*, actor, topic, percent: int, note: str) -> TopicProgress:
    """An implementation update on a topic that passed; progress never goes backwards."""
    note = _clean_text(note, label="进展说明", max_length=1000)
    percent = _clean_percent(percent, "完成进度")
    with transaction.atomic():
        topic = _locked(topic)
        _check_phase(topic, "progress", "登记落实进展")
        if not can_manage_topic(actor, topic) and not stakeholder_kind(actor, topic):
            raise PermissionDenied("只有组织方或相关方可以登记落实进展")
        if not (topic.results_published_at and (topic.results or {}).get("passed")):
            raise Conflict("议题结果尚未公布或未获通过，无需跟踪落实")
        last = topic.progress.order_by("-created_at", "-id").values_list("percent", flat=True).first()
        if last is not None and percent < last:
            raise ValidationError(f"完成进度不能低于上次登记的 {last}%")
        row = TopicProgress.objects.create(topic=topic, author=actor, percent=percent, note=note)
        _event(topic, actor=actor, action="progress", from_state=topic.phase, note=note, data={"percent": percent})
        audit.record("topic.progress", topic, actor=actor, summary={"percent": percent})
        notify(
            followers(topic) - {actor.pk},
            title=f"议题落实进展 {percent}%：{topic.title}",
            body=note[:200],
            link=_link(topic),
            kind="topic",
        )
    return row


def topics_announce_phases(*, now=None) -> int:
    """Record and announce the phase changes that the dates brought (periodic).

    1. Read accepted topics whose publicity has not long ended, with the phase last announced.
    2. For each whose phase moved on, a compare-and-swap UPDATE of `announced_phase`, so two sweeps never
       announce the same change twice.
    3. For each change actually claimed: a `phase` event and a notice to the topic's followers.
    """
    now = now or timezone.now()
    rows = Topic.objects.filter(status=Topic.Status.ACCEPTED, publicity_until__gte=now - timedelta(days=1))
    done = 0
    for topic in rows.exclude(announced_phase=P.CLOSED).iterator(chunk_size=200):
        phase = topic.phase_at(now)
        if phase == topic.announced_phase:
            continue
        with transaction.atomic():
            if not Topic.objects.filter(pk=topic.pk, announced_phase=topic.announced_phase).update(
                announced_phase=phase
            ):
                continue
            _event(topic, actor=None, action="phase", from_state=topic.announced_phase, to_state=phase)
            notify(
                followers(topic),
                title=f"议题进入「{P(phase).label}」阶段：{topic.title}",
                link=_link(topic),
                kind="topic",
            )
            done += 1
    return done


# --- selectors ------------------------------------------------------------------------------------------


def topics_for_list(user, *, phase: str = "", q: str = "") -> QuerySet[Topic]:
    """The topics an account sees, newest first, filtered by phase (computed from the dates) and text."""
    qs = topics_visible_to(user).select_related("area")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return filter_by_phase(qs, phase).order_by("-created_at", "-id")


def filter_by_phase(qs: QuerySet[Topic], phase: str, now=None) -> QuerySet[Topic]:
    """The phase as a date condition, so lists filter and page in the database."""
    now = now or timezone.now()
    accepted = Q(status=Topic.Status.ACCEPTED)
    conditions = {
        P.PROPOSED: Q(status=Topic.Status.PROPOSED),
        P.REJECTED: Q(status=Topic.Status.REJECTED),
        P.COLLECTING: accepted & Q(discuss_from__gt=now),
        P.DISCUSSING: accepted & Q(discuss_from__lte=now, vote_from__gt=now),
        P.VOTING: accepted & Q(vote_from__lte=now, vote_until__gt=now),
        P.PUBLICITY: accepted & Q(vote_until__lte=now, publicity_until__gt=now),
        P.CLOSED: accepted & Q(publicity_until__lte=now),
    }
    return qs.filter(conditions[phase]) if phase in conditions else qs


def topic_actions_for(user, topic: Topic) -> list[tuple[str, str]]:
    """The organiser's buttons on a topic now: (action, label)."""
    if not can_manage_topic(user, topic):
        return []
    phase = topic.phase
    actions = [(name, t.label) for name, t in TRANSITIONS.items() if phase in t.sources]
    if "publish_results" in PHASE_ACTIONS[phase] and not topic.results_published_at:
        actions.append(("publish_results", "公布结果"))
    return actions


def my_vote(user, topic: Topic):
    """The account's vote on the topic, or its household's for a per-household topic."""
    votes = topic.votes.all()
    if topic.vote_unit == Topic.VoteUnit.HOUSEHOLD and user.person_id and user.person.household_id:
        return votes.filter(household_id=user.person.household_id).first()
    return votes.filter(voter=user).first()


def can_vote(user, topic: Topic) -> bool:
    grid_path = household_grid_path(user)
    return topic.phase == P.VOTING and grid_path is not None and grid_path.startswith(topic.area.path)


def comment_page(user, topic: Topic, roots: list[TopicComment]) -> list[TopicComment]:
    """A page of threads flattened for display: each root followed by its replies in reply order.

    1. One query for every reply of the page's threads (indexed `thread_id`).
    2. Build the tree in memory and walk it depth first.
    3. Decide per comment what this account sees: the text, or a placeholder for hidden (to others than
       the author and the moderators) and removed comments, and whether it may report or reply.
    """
    manager = can_manage_topic(user, topic)
    phase_actions = PHASE_ACTIONS[topic.phase]
    replies = list(
        TopicComment.objects.filter(thread_id__in=[r.pk for r in roots]).select_related("author").order_by("created_at", "id")
    )
    children: dict[int, list[TopicComment]] = {}
    for c in replies:
        children.setdefault(c.parent_id, []).append(c)
    out: list[TopicComment] = []

    def walk(c):
        _decorate(c, user, manager, phase_actions)
        out.append(c)
        for child in children.get(c.pk, []):
            walk(child)

    for root in roots:
        walk(root)
    return out


def _decorate(c: TopicComment, user, manager: bool, phase_actions) -> None:
    own = c.author_id == user.pk
    if c.status == C.REMOVED:
        c.shown_body = "该评论已被管理员删除"
    elif c.status == C.HIDDEN and not (own or manager):
        c.shown_body = "该评论被多人举报，已暂时隐藏，等待审核"
    else:
        c.shown_body = c.body
    c.badge = BADGES.get(c.stakeholder_kind, "")
    c.can_report = c.status == C.VISIBLE and not own and "report" in phase_actions
    c.can_reply = c.status != C.REMOVED and "comment" in phase_actions
    c.can_moderate = manager and c.status != C.REMOVED
    c.indent = min(c.depth, 4)


def root_comments(topic: Topic) -> QuerySet[TopicComment]:
    return topic.comments.filter(depth=0).select_related("author").order_by("created_at", "id")


def access_comment(user, pk) -> TopicComment:
    """A comment of a topic the account can see (404 otherwise)."""
    return get_or_404(
        TopicComment.objects.filter(topic__in=topics_visible_to(user).values("pk")).select_related("topic__area"),
        pk=pk,
    )


def moderation_queue(user) -> QuerySet[TopicComment]:
    """Hidden comments awaiting review in topics the account organises (its own region subtree)."""
    scope = scope_of(user)
    if not scope.has_role(*MANAGER_ROLES):
        return TopicComment.objects.none()
    return (
        TopicComment.objects.filter(scope.region_q("topic__area__path"), status=C.HIDDEN)
        .select_related("topic", "author")
        .order_by("created_at", "id")
    )


def topic_timeline(topic: Topic) -> QuerySet[TopicEvent]:
    return topic.events.select_related("actor").order_by("at", "id")
