"""自主申报项目: a resident proposes, the community approves (→ an activity) or rejects with a reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.api import Conflict
from redgrid.participation import volunteer_selectors as sel
from redgrid.participation.models import (
    VolunteerActivity,
    VolunteerProject,
    VolunteerShift,
)
from redgrid.participation.volunteers.common import (
    PROJECT_TRANSITIONS,
    PS,
    _check,
    _clean_shift,
    _event,
    _notify,
    _text,
)
from redgrid.regions.models import Region

# --- 自主申报项目 ----------------------------------------------------------------------------------------------------


def project_propose(
    *, actor, title: str, description: str, place: str, starts_at, ends_at, capacity
) -> VolunteerProject:
    """A resident proposes a project in their home community; the community staff are told."""
    from redgrid.regions.selectors import home_grid_of

    grid = home_grid_of(actor)
    if grid is None:
        raise ValidationError("您的账号尚未关联住户信息，请先联系社区或网格员登记后再申报项目")
    community = Region.objects.get(path=grid.parent_path)
    shift = _clean_shift(starts_at=starts_at, ends_at=ends_at, place=place, capacity=capacity)
    with transaction.atomic():
        project = VolunteerProject.objects.create(
            proposer=actor,
            community=community,
            title=_text(title, label="项目名称", max_length=80),
            description=_text(description, label="项目内容", max_length=2000),
            **shift,
        )
        _event(actor=actor, action="propose", to_state=PS.PENDING, project=project)
        audit.record("volunteer.project.propose", project, actor=actor)
        _notify(
            sel.manager_ids(community),
            f"新的自主申报志愿项目待审核：{project.title}",
            link="/participation/volunteers/manage/projects/",
        )
    return project


def _locked_project(project) -> VolunteerProject:
    return (
        VolunteerProject.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=project.pk)
    )


def project_approve(*, actor, project) -> VolunteerProject:
    """Approve a proposal: it becomes an activity (organised by the proposer) with the proposed shift."""
    with transaction.atomic():
        project = _locked_project(project)
        t = _check(project, PROJECT_TRANSITIONS, "approve")
        if not sel.can_manage_community(actor, project.community):
            raise PermissionDenied("只有本社区或街道的工作人员可以审核申报项目")
        if project.starts_at <= timezone.now():
            raise Conflict("申报的开始时间已过，请驳回并请申报人重新申报")
        activity = VolunteerActivity.objects.create(
            title=project.title,
            description=project.description,
            address=project.place,
            community=project.community,
            organiser=project.proposer,
        )
        VolunteerShift.objects.create(
            activity=activity,
            starts_at=project.starts_at,
            ends_at=project.ends_at,
            place=project.place,
            capacity=project.capacity,
        )
        project.status, project.activity = t.target, activity
        project.decided_by, project.decided_at = actor, timezone.now()
        project.save(update_fields=["status", "activity", "decided_by", "decided_at"])
        _event(
            actor=actor,
            action="approve",
            from_state=PS.PENDING,
            to_state=t.target,
            project=project,
            activity=activity,
        )
        _event(
            actor=actor,
            action="activity_create",
            to_state=activity.status,
            activity=activity,
            data={"project": project.pk},
        )
        audit.record("volunteer.project.approve", project, actor=actor, summary={"activity": activity.pk})
        _notify(
            [project.proposer_id],
            f"您申报的志愿项目已通过：{project.title}",
            "已发布为志愿活动，您是组织者，可在活动页查看报名与确认时长。",
            f"/participation/volunteers/activities/{activity.pk}/",
        )
    return project


def project_reject(*, actor, project, reason: str) -> VolunteerProject:
    reason = _text(reason, label="驳回原因", max_length=200)
    with transaction.atomic():
        project = _locked_project(project)
        t = _check(project, PROJECT_TRANSITIONS, "reject")
        if not sel.can_manage_community(actor, project.community):
            raise PermissionDenied("只有本社区或街道的工作人员可以审核申报项目")
        project.status, project.reject_reason = t.target, reason
        project.decided_by, project.decided_at = actor, timezone.now()
        project.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
        _event(
            actor=actor,
            action="reject",
            from_state=PS.PENDING,
            to_state=t.target,
            project=project,
            note=reason,
        )
        audit.record("volunteer.project.reject", project, actor=actor, summary={"reason": reason})
        _notify(
            [project.proposer_id],
            f"您申报的志愿项目未通过：{project.title}",
            f"原因：{reason}",
            f"/participation/volunteers/projects/{project.pk}/",
        )
    return project


def project_withdraw(*, actor, project) -> VolunteerProject:
    with transaction.atomic():
        project = _locked_project(project)
        t = _check(project, PROJECT_TRANSITIONS, "withdraw")
        if project.proposer_id != actor.pk:
            raise PermissionDenied("只有申报人可以撤回")
        project.status = t.target
        project.save(update_fields=["status"])
        _event(actor=actor, action="withdraw", from_state=PS.PENDING, to_state=t.target, project=project)
        audit.record("volunteer.project.withdraw", project, actor=actor)
    return project
