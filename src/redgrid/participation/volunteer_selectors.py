"""Scoped reads of 志愿服务: teams, activities and shifts, sign-ups, projects, hours.

Who sees what:
- staff see everything whose community lies in their region subtree, or whose community contains their
  grid (a grid worker sees the activities of its community); a branch secretary sees the communities
  its organisations are anchored in;
- residents and members see the published activities and active teams of the streets of their home
  communities (household community and 双报到 community), and everything they signed up for, lead,
  organise or proposed.
Who manages what: the community or street staff covering the community (and the admin), the team's
leader for the team and its activities, the organiser for their activity.
"""

import json
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.utils import timezone

from redgrid.core.access import get_or_404, outermost, scope_of
from redgrid.participation.models import (
    ShiftSignup,
    TeamMembership,
    VolunteerActivity,
    VolunteerProject,
    VolunteerShift,
    VolunteerTeam,
)
from redgrid.participation.selectors import home_community_paths
from redgrid.regions.models import Region

SS = ShiftSignup.Status
#: Sign-ups that hold a seat on the shift (everything but a cancellation).
SEAT_STATUSES = (SS.SIGNED_UP, SS.CHECKED_IN, SS.CHECKED_OUT, SS.CONFIRMED, SS.ABSENT)
#: Sign-ups of a shift that has not happened yet (count against the open sign-up limit).
OPEN_STATUSES = (SS.SIGNED_UP,)
#: Roles that run volunteering for the communities of their subtree.
MANAGER_ROLES = ("community", "street")


# --- who manages ------------------------------------------------------------------------------------------


def manager_paths(user) -> tuple[str, ...]:
    """Region paths under which the account manages volunteering (community and street grants)."""
    if not user.is_authenticated:
        return ()
    cached = getattr(user, "_redgrid_volunteer_manager_paths", None)
    if cached is None:
        rows = user.grants.filter(role__in=MANAGER_ROLES, region__isnull=False).values_list(
            "region__path", flat=True
        )
        cached = user._redgrid_volunteer_manager_paths = outermost(list(rows))
    return cached


def can_manage_community(user, community: Region) -> bool:
    if not user.is_authenticated:
        return False
    return scope_of(user).is_admin or any(community.path.startswith(p) for p in manager_paths(user))


def can_manage_team(user, team: VolunteerTeam) -> bool:
    return team.leader_id == user.pk or can_manage_community(user, team.community)


def can_manage_activity(user, activity: VolunteerActivity) -> bool:
    if activity.organiser_id == user.pk:
        return True
    if activity.team_id and activity.team.leader_id == user.pk:
        return True
    return can_manage_community(user, activity.community)


def managed_communities(user) -> QuerySet[Region]:
    """Communities the account may create teams and activities in (for the forms' pickers)."""
    qs = Region.objects.filter(level=Region.Level.COMMUNITY)
    if scope_of(user).is_admin:
        return qs.order_by("code")
    paths = manager_paths(user)
    if not paths:
        return qs.none()
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(path__startswith=p)
    return qs.filter(q).order_by("code")


def manager_ids(community: Region) -> list[int]:
    """Accounts to tell about a request in the community: its community staff and its street's."""
    from redgrid.accounts.models import RoleGrant

    paths = Region.prefixes(community.path)
    rows = RoleGrant.objects.filter(role__in=MANAGER_ROLES, region__path__in=paths).values_list(
        "user_id", flat=True
    )
    return sorted(set(rows))


# --- visibility -----------------------------------------------------------------------------------------------


def _staff_region_paths(user) -> tuple[str, ...]:
    """Region subtrees of the account's grants, plus the regions its party organisations are anchored in."""
    scope = scope_of(user)
    paths = list(scope.region_paths)
    if scope.org_paths:
        from redgrid.party.models import PartyOrg

        orgs = PartyOrg.objects.filter(scope.org_q())
        paths += [p for p in orgs.values_list("regions__path", flat=True).distinct() if p]
    return outermost(paths)


def _community_q(user, lookup: str, *, public: Q | None = None) -> Q:
    """Rows whose community (`lookup` → Region path) the account may see, as staff or as a resident.

    Staff: community inside a granted subtree, or containing a granted grid. Residents and members:
    any community of the streets of their home communities, filtered further by `public`."""
    q = Q(pk__in=[])
    staff_paths = _staff_region_paths(user)
    if staff_paths:
        q |= Q(**{f"{lookup}__path__in": sorted({a for p in staff_paths for a in Region.prefixes(p)})})
        for p in staff_paths:
            q |= Q(**{f"{lookup}__path__startswith": p})
    streets = outermost([p[: -Region.steplen] for p in home_community_paths(user)])
    street_q = Q(pk__in=[])
    for p in streets:
        street_q |= Q(**{f"{lookup}__path__startswith": p})
    if streets:
        q |= street_q & public if public is not None else street_q
    return q


def activities_visible_to(user) -> QuerySet[VolunteerActivity]:
    if not user.is_authenticated:
        return VolunteerActivity.objects.none()
    if scope_of(user).is_admin:
        return VolunteerActivity.objects.all()
    q = _community_q(user, "community", public=Q(status=VolunteerActivity.Status.PUBLISHED))
    q |= Q(organiser=user) | Q(team__leader=user)
    q |= Q(pk__in=ShiftSignup.objects.filter(user=user).values("shift__activity_id"))
    return VolunteerActivity.objects.filter(q)


def access_activity(user, pk) -> VolunteerActivity:
    return get_or_404(activities_visible_to(user).select_related("community", "team", "organiser"), pk=pk)


def activities_managed_by(user) -> QuerySet[VolunteerActivity]:
    if scope_of(user).is_admin:
        return VolunteerActivity.objects.all()
    q = Q(organiser=user) | Q(team__leader=user)
    for p in manager_paths(user):
        q |= Q(community__path__startswith=p)
    return VolunteerActivity.objects.filter(q)


def access_shift(user, pk) -> VolunteerShift:
    shifts = VolunteerShift.objects.filter(activity__in=activities_visible_to(user))
    return get_or_404(shifts.select_related("activity__community", "activity__team"), pk=pk)


def teams_visible_to(user) -> QuerySet[VolunteerTeam]:
    if not user.is_authenticated:
        return VolunteerTeam.objects.none()
    if scope_of(user).is_admin:
        return VolunteerTeam.objects.all()
    q = _community_q(user, "community", public=Q(is_active=True)) | Q(leader=user)
    q |= Q(pk__in=TeamMembership.objects.filter(user=user).values("team_id"))
    return VolunteerTeam.objects.filter(q)


def access_team(user, pk) -> VolunteerTeam:
    return get_or_404(
        teams_visible_to(user).select_related("community", "leader", "instructor__person"), pk=pk
    )


def access_membership(user, pk) -> TeamMembership:
    """A join request: its applicant, or whoever may see the team."""
    qs = TeamMembership.objects.filter(Q(user=user) | Q(team__in=teams_visible_to(user)))
    return get_or_404(qs.select_related("team__community", "user"), pk=pk)


def projects_visible_to(user) -> QuerySet[VolunteerProject]:
    if not user.is_authenticated:
        return VolunteerProject.objects.none()
    if scope_of(user).is_admin:
        return VolunteerProject.objects.all()
    q = Q(proposer=user)
    if _staff_region_paths(user):
        # Residents only ever see their own proposals: no `public` branch for projects.
        q |= _community_q(user, "community", public=Q(pk__in=[]))
    return VolunteerProject.objects.filter(q)


def access_project(user, pk) -> VolunteerProject:
    return get_or_404(projects_visible_to(user).select_related("community", "proposer", "activity"), pk=pk)


def access_signup(user, pk) -> ShiftSignup:
    """A sign-up: the volunteer's own, or one of an activity the account manages."""
    qs = ShiftSignup.objects.filter(Q(user=user) | Q(shift__activity__in=activities_managed_by(user)))
    return get_or_404(qs.select_related("shift__activity__community", "shift__activity__team", "user"), pk=pk)


# --- lists ------------------------------------------------------------------------------------------------------


def _next_shift(now) -> Subquery:
    return Subquery(
        VolunteerShift.objects.filter(activity=OuterRef("pk"), is_cancelled=False, ends_at__gt=now)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )


def activity_rows(qs: QuerySet[VolunteerActivity], *, upcoming: bool = False, now=None) -> QuerySet:
    """A list page's activities with community and team joined and `next_start` (the next shift not yet over)."""
    now = now or timezone.now()
    qs = qs.select_related("community", "team").annotate(next_start=_next_shift(now))
    if upcoming:
        qs = qs.filter(status=VolunteerActivity.Status.PUBLISHED, next_start__isnull=False)
    return qs


def search_activities(qs, *, q: str = "", community: str = "", status: str = "", when: str = "") -> QuerySet:
    """Filters of the activity lists: text, community id, status, upcoming/past."""
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(address__icontains=q) | Q(team__name__icontains=q))
    if community.isdigit():
        qs = qs.filter(community_id=int(community))
    if status in VolunteerActivity.Status.values:
        qs = qs.filter(status=status)
    qs = activity_rows(qs)
    if when == "upcoming":
        qs = qs.filter(next_start__isnull=False)
    elif when == "past":
        qs = qs.filter(next_start__isnull=True)
    return qs


def nearby_activities(user, *, q: str = "", scope: str = "") -> QuerySet:
    """附近的活动: upcoming published activities the account may see, its own communities first, then by the
    next shift's start. `scope="community"` keeps only its own communities."""
    qs = activity_rows(activities_visible_to(user), upcoming=True)
    mine = home_community_paths(user)
    own = Q(pk__in=[])
    for p in mine:
        own |= Q(community__path__startswith=p)
    if scope == "community":
        qs = qs.filter(own)
    if (q or "").strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(address__icontains=q.strip()))
    rank = Case(When(own, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(rank=rank).order_by("rank", "next_start", "id")


def distance_km(user, activity) -> float | None:
    """Straight-line distance from the account's home grid centre to the activity (or its community centre)."""
    from redgrid.regions.geo import distance_m
    from redgrid.regions.selectors import home_grid_of

    grid = home_grid_of(user)
    lng = activity.lng if activity.lng is not None else activity.community.center_lng
    lat = activity.lat if activity.lat is not None else activity.community.center_lat
    if grid is None or grid.center_lng is None or lng is None or lat is None:
        return None
    return round(distance_m(grid.center_lng, grid.center_lat, lng, lat) / 1000, 1)


def shifts_of(activity, *, user=None) -> list[VolunteerShift]:
    """The activity's shifts with `taken` seats and, given an account, `mine` (its sign-up or None)."""
    shifts = list(
        activity.shifts.annotate(
            taken=Count("signups", filter=Q(signups__status__in=SEAT_STATUSES))
        ).order_by("starts_at", "id")
    )
    mine = {}
    if user is not None and user.is_authenticated:
        mine = {
            s.shift_id: s
            for s in ShiftSignup.objects.filter(shift__in=shifts, user=user).exclude(status=SS.CANCELLED)
        }
    for s in shifts:
        s.left = max(s.capacity - s.taken, 0)
        s.mine = mine.get(s.pk)
    return shifts


def taken_seats(shift) -> int:
    return ShiftSignup.objects.filter(shift=shift, status__in=SEAT_STATUSES).count()


def roster(shift) -> QuerySet[ShiftSignup]:
    """花名册: the shift's sign-ups (cancelled last) with the volunteer's account and person."""
    return shift.signups.select_related("user__person", "confirmed_by").order_by("status", "created_at", "id")


def my_signups(user, *, when: str = "") -> QuerySet[ShiftSignup]:
    qs = ShiftSignup.objects.filter(user=user).select_related("shift__activity__community")
    now = timezone.now()
    if when == "upcoming":
        return (
            qs.filter(shift__ends_at__gt=now).exclude(status=SS.CANCELLED).order_by("shift__starts_at", "id")
        )
    if when == "past":
        return qs.filter(Q(shift__ends_at__lte=now) | Q(status=SS.CANCELLED)).order_by(
            "-shift__starts_at", "-id"
        )
    return qs.order_by("-shift__starts_at", "-id")


def open_signup_count(user) -> int:
    return ShiftSignup.objects.filter(
        user=user, status__in=OPEN_STATUSES, shift__starts_at__gt=timezone.now()
    ).count()


def overlapping_signup(user, shift) -> ShiftSignup | None:
    """The account's other live sign-up whose shift overlaps this one in time, if any."""
    return (
        ShiftSignup.objects.filter(
            user=user,
            status__in=(SS.SIGNED_UP, SS.CHECKED_IN),
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .exclude(shift=shift)
        .select_related("shift__activity")
        .first()
    )


def team_rows(qs: QuerySet[VolunteerTeam], *, q: str = "", kind: str = "", skill: str = "") -> QuerySet:
    """Teams with community, leader and instructor joined and the number of members."""
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if kind in VolunteerTeam.Kind.values:
        qs = qs.filter(kind=kind)
    skill = (skill or "").strip()
    if skill:
        # JSON containment is not portable (SQLite lacks it), so match the stored text: SQLite keeps the
        # list as ASCII-escaped JSON ("\u6cd5…"), PostgreSQL's jsonb prints the characters themselves.
        escaped = json.dumps(skill)[1:-1]
        qs = qs.filter(Q(skills__icontains=escaped) | Q(skills__icontains=skill))
    members = Count("memberships", filter=Q(memberships__status=TeamMembership.Status.APPROVED))
    return (
        qs.select_related("community", "leader", "instructor__person")
        .annotate(member_count=members)
        .order_by("community__code", "name", "id")
    )


def team_members(team) -> QuerySet[TeamMembership]:
    return team.memberships.filter(status=TeamMembership.Status.APPROVED).select_related("user__person")


def my_membership(user, team) -> TeamMembership | None:
    if not user.is_authenticated:
        return None
    return team.memberships.filter(user=user, status__in=TeamMembership.ACTIVE).first()


def is_team_member(user, team) -> bool:
    return team.memberships.filter(user=user, status=TeamMembership.Status.APPROVED).exists()


def join_requests_for(user) -> QuerySet[TeamMembership]:
    """Pending join requests of the teams the account leads or whose community it manages."""
    if scope_of(user).is_admin:
        teams = VolunteerTeam.objects.all()
    else:
        q = Q(leader=user)
        for p in manager_paths(user):
            q |= Q(community__path__startswith=p)
        teams = VolunteerTeam.objects.filter(q)
    return (
        TeamMembership.objects.filter(team__in=teams, status=TeamMembership.Status.PENDING)
        .select_related("team", "user__person")
        .order_by("created_at", "id")
    )


def project_queue(user) -> QuerySet[VolunteerProject]:
    """Pending projects of the communities the account manages."""
    qs = VolunteerProject.objects.filter(status=VolunteerProject.Status.PENDING)
    if not scope_of(user).is_admin:
        paths = manager_paths(user)
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(community__path__startswith=p)
        qs = qs.filter(q)
    return qs.select_related("community", "proposer").order_by("created_at", "id")


def hours_queue(user, *, now=None) -> QuerySet[ShiftSignup]:
    """Sign-ups awaiting the organiser: checked out, or checked in on a shift that has ended."""
    now = now or timezone.now()
    return (
        ShiftSignup.objects.filter(shift__activity__in=activities_managed_by(user))
        .filter(Q(status=SS.CHECKED_OUT) | Q(status=SS.CHECKED_IN, shift__ends_at__lte=now))
        .select_related("shift__activity", "user__person")
        .order_by("shift__starts_at", "id")
    )


# --- hours ------------------------------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 Jan, next 1 Jan) of `year` in the platform's time zone (Asia/Shanghai)."""
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def confirmed_in_year(year: int) -> QuerySet[ShiftSignup]:
    """Confirmed service records whose shift started in `year` (the year the service was done)."""
    start, end = year_bounds(year)
    return ShiftSignup.objects.filter(
        status=SS.CONFIRMED, shift__starts_at__gte=start, shift__starts_at__lt=end
    )


def hours_of(user, year: int) -> dict:
    """年度志愿时长: total confirmed hours, the 双报到 part, the number of services, and the records."""
    qs = confirmed_in_year(year).filter(user=user)
    sums = qs.aggregate(
        total=Sum("confirmed_hours"), dual=Sum("confirmed_hours", filter=Q(dual_report=True)), n=Count("id")
    )
    return {
        "year": year,
        "total": sums["total"] or Decimal("0"),
        "dual_report": sums["dual"] or Decimal("0"),
        "count": sums["n"],
        "records": qs.select_related("shift__activity__community").order_by("-shift__starts_at", "-id"),
    }


def dual_report_hours(user, year: int) -> Decimal:
    """双报到服务时长: the confirmed hours in `year` that counted as 双报到 service (activities flagged as
    双报到 service, done while the account was an in-service party member). For party/assessment."""
    total = (
        confirmed_in_year(year).filter(user=user, dual_report=True).aggregate(n=Sum("confirmed_hours"))["n"]
    )
    return total or Decimal("0")


def dual_report_hours_by_user(user_ids, year: int) -> dict[int, Decimal]:
    """`dual_report_hours` for many accounts in one query (rosters, assessment): {user id: hours}."""
    rows = (
        confirmed_in_year(year)
        .filter(user_id__in=list(user_ids), dual_report=True)
        .values("user_id")
        .annotate(n=Sum("confirmed_hours"))
    )
    return {r["user_id"]: r["n"] for r in rows}


def hours_by_person(user, year: int, *, q: str = "") -> QuerySet:
    """Per volunteer, the confirmed hours in `year` on the activities the account can see (staff)."""
    qs = confirmed_in_year(year).filter(shift__activity__in=activities_visible_to(user))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(user__display_name__icontains=q) | Q(user__username__icontains=q))
    return (
        qs.values("user_id", "user__display_name", "user__username")
        .annotate(
            total=Sum("confirmed_hours"),
            dual=Sum("confirmed_hours", filter=Q(dual_report=True)),
            services=Count("id"),
        )
        .order_by("-total", "user_id")
    )


def member_in_service(user) -> bool:
    """True for an active in-service party member (在职党员): whose 双报到 service counts as such."""
    from redgrid.party.models import PartyMember

    if not user.person_id:
        return False
    return PartyMember.objects.filter(
        person_id=user.person_id, in_service=True, status__in=PartyMember.ACTIVE
    ).exists()
