"""未诉先办任务: raised by the early warning (hotspots.run_warnings), done by the community.

Transitions are data (TRANSITIONS); every write runs in one transaction with an event row and an audit
row, and notifies the community's accounts after commit.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from redgrid.assessment.models import ProactiveTask, ProactiveTaskEvent
from redgrid.core import audit
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Conflict
from redgrid.regions.models import Region

S = ProactiveTask.Status
# action → (from states, to state, label)
TRANSITIONS = {"complete": ((S.OPEN,), S.DONE, "办结")}
ACT_ROLES = ("community", "street")


def community_account_ids(community: Region) -> set[int]:
    from redgrid.accounts.models import RoleGrant

    return set(
        RoleGrant.objects.filter(
            role="community", region__path__in=Region.prefixes(community.path)
        ).values_list("user_id", flat=True)
    )


def _notify(user_ids, *, title: str, body: str, link: str) -> None:
    from redgrid.appeals import notify

    notify.send(user_ids, title=title, body=body, link=link, kind="proactive_task")


def _overlaps(ids: set[int], other: list[int], share: float) -> bool:
    if not ids or not other:
        return False
    return len(ids & set(other)) >= share * min(len(ids), len(other))


def raise_task(*, community_id: int, burst, now: datetime, params) -> ProactiveTask | None:
    """Create the task of one surge, once: None when this community already has a task this week for the
    same key (unique constraint, also under concurrent runs) or for overlapping appeals."""
    from redgrid.assessment.hotspots import week_of

    week = week_of(now)
    with transaction.atomic():
        community = Region.objects.select_for_update().get(pk=community_id)
        existing = ProactiveTask.objects.filter(community=community, week=week)
        ids = set(burst.appeal_ids)
        if existing.filter(key=burst.key).exists() or any(
            _overlaps(ids, t.appeal_ids, params.merge_overlap) for t in existing.only("appeal_ids")
        ):
            return None
        title = (
            f"{community.name}：近 7 天“{'、'.join(burst.terms[:3])}”相关诉求 {burst.count} 件"
            f"（此前每周平均 {burst.mean:.1f} 件）"
        )
        try:
            with transaction.atomic():
                task = ProactiveTask.objects.create(
                    community=community,
                    week=week,
                    key=burst.key[:40],
                    title=title[:200],
                    terms=burst.terms,
                    appeal_ids=burst.appeal_ids,
                    evidence=burst.evidence(params, now),
                )
        except IntegrityError:
            return None
        ProactiveTaskEvent.objects.create(
            task=task, action="raise", to_state=S.OPEN, data={"appeals": len(burst.appeal_ids)}
        )
        audit.record("assessment.proactive_task.raise", task, summary={"key": task.key, "count": burst.count})
        link = reverse("assessment:task", args=[task.pk])
        _notify(
            community_account_ids(community),
            title=f"未诉先办预警：{title}"[:200],
            body="同类诉求增长明显快于本社区以往水平，请提前排查、主动处置。",
            link=link,
        )
    return task


def tasks_visible_to(user) -> QuerySet[ProactiveTask]:
    """Region staff: the tasks of communities in their subtrees; everyone else: none."""
    scope = scope_of(user)
    if not scope.is_staff or not (scope.is_admin or scope.region_paths):
        return ProactiveTask.objects.none()
    return ProactiveTask.objects.filter(scope.region_q("community__path"))


def access_task(user, pk) -> ProactiveTask:
    return get_or_404(tasks_visible_to(user).select_related("community", "done_by"), pk=pk)


def can_complete(user, task: ProactiveTask) -> bool:
    scope = scope_of(user)
    return (
        task.status == S.OPEN and scope.has_role(*ACT_ROLES) and scope.covers_region_path(task.community.path)
    )


def task_complete(*, actor, task: ProactiveTask, outcome: str, note: str) -> ProactiveTask:
    """办结: the community records what it did (or that the check found nothing: 误报)."""
    note = (note or "").strip()
    if outcome not in ProactiveTask.Outcome.values:
        raise ValidationError("请选择处置结果")
    if not note:
        raise ValidationError("请填写处置说明")
    with transaction.atomic():
        task = ProactiveTask.objects.select_for_update(of=("self",)).select_related("community").get(pk=task.pk)
        sources, target, label = TRANSITIONS["complete"]
        if task.status not in sources:
            raise Conflict(f"任务当前状态为「{task.get_status_display()}」，不能{label}")
        if not can_complete(actor, task):
            raise PermissionDenied("只有该社区（或所在街道）的工作人员可以办结此任务")
        from_state = task.status
        task.status, task.outcome, task.note = target, outcome, note[:2000]
        task.done_at, task.done_by = timezone.now(), actor
        task.save(update_fields=["status", "outcome", "note", "done_at", "done_by"])
        ProactiveTaskEvent.objects.create(
            task=task,
            actor=actor,
            action="complete",
            from_state=from_state,
            to_state=target,
            note=note,
            data={"outcome": outcome},
        )
        audit.record("assessment.proactive_task.complete", task, actor=actor, summary={"outcome": outcome})
    return task


def precision_in_use(qs: QuerySet[ProactiveTask]) -> dict:
    """How the communities judged the finished tasks: handled vs. nothing found (a field precision)."""
    done = qs.filter(status=S.DONE)
    handled = done.filter(outcome=ProactiveTask.Outcome.HANDLED).count()
    total = done.count()
    return {"done": total, "handled": handled, "precision": round(handled / total, 3) if total else None}
