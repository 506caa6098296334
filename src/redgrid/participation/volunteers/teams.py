"""服务队 and join requests: founding a team (instructor must be a party member of the community), join → approve/reject, leave."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.api import Conflict
from redgrid.participation import volunteer_selectors as sel
from redgrid.participation.models import (
    TeamMembership,
    VolunteerTeam,
)
from redgrid.participation.volunteers.common import (
    MEMBERSHIP_TRANSITIONS,
    MS,
    _check,
    _event,
    _notify,
    _require_person,
    _skills,
    _text,
)
from redgrid.regions.models import Region

# --- teams and join requests -------------------------------------------------------------------------------


def _check_instructor(instructor, community: Region):
    """团队指导员 must be an active party member living in the community or reporting to it (双报到)."""
    from redgrid.party.models import PartyMember

    if not isinstance(instructor, PartyMember):
        instructor = PartyMember.objects.filter(pk=instructor).select_related("person").first()
    if instructor is None:
        raise ValidationError("团队指导员必须是党员")
    if instructor.status not in PartyMember.ACTIVE:
        raise ValidationError(
            f"团队指导员必须是正式或预备党员（{instructor}当前为{instructor.get_status_display()}）"
        )
    home = Region.objects.filter(buildings__households__members__id=instructor.person_id).first()
    lives_here = home is not None and home.path.startswith(community.path)
    reports_here = instructor.home_community_id == community.pk
    if not (lives_here or reports_here):
        raise ValidationError("团队指导员须是居住在本社区或到本社区报到（双报到）的党员")
    return instructor


def team_create(
    *,
    actor,
    community: Region,
    name: str,
    instructor,
    kind: str = "",
    description: str = "",
    skills=(),
    leader=None,
) -> VolunteerTeam:
    """Found a team in a community the actor manages; its instructor must be a party member of the community."""
    if community.level != Region.Level.COMMUNITY:
        raise ValidationError("服务队须建在社区一级")
    if not sel.can_manage_community(actor, community):
        raise PermissionDenied("只有本社区或街道的工作人员可以组建服务队")
    name = _text(name, label="队名", max_length=60)
    kind = kind or VolunteerTeam.Kind.GENERAL
    if kind not in VolunteerTeam.Kind.values:
        raise ValidationError("服务队类型不正确")
    skills = _skills(skills)
    if kind == VolunteerTeam.Kind.PROFESSIONAL and not skills:
        raise ValidationError("微光服务队请填写提供的专业服务技能（如法律咨询、义诊、课业辅导）")
    instructor = _check_instructor(instructor, community)
    try:
        with transaction.atomic():
            team = VolunteerTeam.objects.create(
                name=name,
                kind=kind,
                community=community,
                description=_text(description, label="简介", max_length=1000, required=False),
                skills=skills,
                instructor=instructor,
                leader=leader,
                created_by=actor,
            )
            if leader is not None:
                # The leader is the first member of the team.
                TeamMembership.objects.create(
                    team=team, user=leader, status=MS.APPROVED, decided_by=actor, decided_at=timezone.now()
                )
            _event(actor=actor, action="team_create", team=team, data={"instructor": instructor.pk})
            audit.record("volunteer.team.create", team, actor=actor, summary={"community": community.code})
            instructor_account = get_user_model().objects.filter(person_id=instructor.person_id).first()
            _notify(
                [getattr(instructor_account, "pk", None), getattr(leader, "pk", None)],
                f"您已担任志愿服务队「{team.name}」的{'团队指导员/队长' if leader is not None else '团队指导员'}",
                link=f"/participation/volunteers/teams/{team.pk}/",
            )
    except IntegrityError as exc:
        raise ValidationError(f"本社区已有名为「{name}」的服务队") from exc
    return team


def team_join(*, actor, team: VolunteerTeam, skills=(), note: str = "") -> TeamMembership:
    """Ask to join a team; the leader and the community staff are told."""
    _require_person(actor, "申请入队")
    skills = _skills(skills)
    note = _text(note, label="申请说明", max_length=200, required=False)
    with transaction.atomic():
        team = (
            VolunteerTeam.objects.select_for_update(of=("self",)).select_related("community").get(pk=team.pk)
        )
        if not team.is_active:
            raise Conflict("该服务队已停止招募")
        if team.memberships.filter(user=actor, status__in=TeamMembership.ACTIVE).exists():
            raise Conflict("您已申请或已是该队队员")
        row = TeamMembership.objects.create(team=team, user=actor, skills=skills, note=note)
        _event(actor=actor, action="join", to_state=MS.PENDING, team=team, membership=row, note=note)
        audit.record("volunteer.team.join", row, actor=actor)
        _notify(
            [team.leader_id, *sel.manager_ids(team.community)],
            f"新的入队申请：{actor}申请加入「{team.name}」",
            link="/participation/volunteers/manage/requests/",
        )
    return row


def _decide_membership(*, actor, membership, action: str, reason: str = "") -> TeamMembership:
    with transaction.atomic():
        row = (
            TeamMembership.objects.select_for_update(of=("self",))
            .select_related("team__community")
            .get(pk=membership.pk)
        )
        t = _check(row, MEMBERSHIP_TRANSITIONS, action)
        if t.who == "manager" and not sel.can_manage_team(actor, row.team):
            raise PermissionDenied("只有队长或本社区工作人员可以审批入队申请")
        if t.who == "applicant" and row.user_id != actor.pk:
            raise PermissionDenied("只能退出自己所在的服务队")
        if action == "leave" and row.team.leader_id == actor.pk:
            raise Conflict("队长不能退出服务队，请先由社区更换队长")
        before, row.status = row.status, t.target
        fields = ["status"]
        if t.who == "manager":
            row.decided_by, row.decided_at, row.reject_reason = actor, timezone.now(), reason
            fields += ["decided_by", "decided_at", "reject_reason"]
        row.save(update_fields=fields)
        _event(
            actor=actor,
            action={"approve": "join_approve", "reject": "join_reject"}.get(action, action),
            from_state=before,
            to_state=row.status,
            note=reason,
            team=row.team,
            membership=row,
        )
        audit.record(
            f"volunteer.team.{action}", row, actor=actor, summary={"reason": reason} if reason else None
        )
        if t.who == "manager":
            verdict = "已批准" if action == "approve" else f"未通过（{reason}）"
            _notify(
                [row.user_id],
                f"您加入「{row.team.name}」的申请{verdict}",
                link=f"/participation/volunteers/teams/{row.team_id}/",
            )
    return row


def membership_approve(*, actor, membership) -> TeamMembership:
    return _decide_membership(actor=actor, membership=membership, action="approve")


def membership_reject(*, actor, membership, reason: str) -> TeamMembership:
    reason = _text(reason, label="驳回原因", max_length=200)
    return _decide_membership(actor=actor, membership=membership, action="reject", reason=reason)


def membership_leave(*, actor, membership) -> TeamMembership:
    return _decide_membership(actor=actor, membership=membership, action="leave")
