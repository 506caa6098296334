"""Scoped reads of wishes and topics (who may see which wish, who may review it, boards, leaderboard)."""

from django.db.models import Count, Q, QuerySet

from redgrid.core.access import Scope, get_or_404, outermost, scope_of
from redgrid.participation.models import Wish
from redgrid.regions.models import Region
from redgrid.regions.selectors import home_grid_of


def ancestor_paths(path: str) -> list[str]:
    """Materialized paths of a node and all its ancestors (prefixes of one step each)."""
    step = Region.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def member_of(user):
    """The account's party member record, or None (cached on the user object for the request)."""
    if not user.is_authenticated or not user.person_id:
        return None
    if not hasattr(user, "_redgrid_member"):
        from redgrid.party.models import PartyMember

        user._redgrid_member = (
            PartyMember.objects.filter(person_id=user.person_id).select_related("home_community").first()
        )
    return user._redgrid_member


def home_community_paths(user) -> tuple[str, ...]:
    """Community paths whose public board the account sees: the community of its household, and for a
    party member also the community it reports to (双报到)."""
    if not user.is_authenticated:
        return ()
    cached = getattr(user, "_redgrid_wish_communities", None)
    if cached is not None:
        return cached
    paths = []
    if user.person_id:
        grid = home_grid_of(user)
        if grid is not None:
            paths.append(grid.parent_path)
        member = member_of(user)
        if member is not None and member.home_community_id:
            paths.append(member.home_community.path)
    user._redgrid_wish_communities = outermost(paths)
    return user._redgrid_wish_communities


def _staff_q(scope: Scope) -> Q:
    """Wishes in a granted region subtree, or in grids/buildings that a granted party org subtree is
    responsible for (a branch secretary reviews the wishes of the grids its branch and groups cover)."""
    q = scope.region_q("grid__path")
    if scope.org_paths:
        from redgrid.party.models import PartyOrg

        orgs = PartyOrg.objects.filter(scope.org_q())
        region_paths = [p for p in orgs.values_list("regions__path", flat=True).distinct() if p]
        q |= Scope(region_paths=outermost(region_paths)).region_q("grid__path")
        q |= Q(household__building_id__in=orgs.filter(building__isnull=False).values("building_id"))
    return q


def wishes_visible_to(user) -> QuerySet[Wish]:
    """Staff: every wish of their subtree. Residents and members: the public board (approved wishes) of
    their communities, plus the wishes they posted or claimed, whatever the state."""
    if not user.is_authenticated:
        return Wish.objects.none()
    scope = scope_of(user)
    if scope.is_admin:
        # Not `q | Q()`: OR-ing an empty Q drops it, which would shrink the admin's view to their own.
        return Wish.objects.all()
    q = Q(poster=user) | Q(claimed_by=user)
    if scope.is_staff:
        q |= _staff_q(scope)
    for path in home_community_paths(user):
        q |= Q(grid__path__startswith=path, status__in=Wish.PUBLIC_STATUSES)
    return Wish.objects.filter(q)


def access_wish(user, pk) -> Wish:
    return get_or_404(wishes_visible_to(user).select_related("grid", "poster", "claimed_by"), pk=pk)


def board_rows(qs: QuerySet[Wish]) -> QuerySet[Wish]:
    """A list page's rows with what the template shows (grid, poster and claimer names) in one query."""
    return qs.select_related("grid", "poster", "claimed_by").order_by("-created_at", "-id")


def can_review(user, wish: Wish) -> bool:
    """The community or grid worker covering the wish's grid, or the secretary of a branch whose subtree
    holds the party org (grid branch, building group, …) responsible for the grid or the building."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    from redgrid.accounts.models import Role

    grants = list(user.grants.select_related("region", "party_org"))
    grid_line = set(ancestor_paths(wish.grid.path))
    if any(
        g.role in (Role.GRID_WORKER, Role.COMMUNITY) and g.region_id and g.region.path in grid_line
        for g in grants
    ):
        return True
    org_paths = tuple(g.party_org.path for g in grants if g.role == Role.BRANCH_SECRETARY and g.party_org_id)
    if not org_paths:
        return False
    return _responsible_orgs(wish).filter(Scope(org_paths=outermost(list(org_paths))).org_q()).exists()


def _responsible_orgs(wish: Wish):
    from redgrid.party.models import PartyOrg

    q = Q(regions__path__in=ancestor_paths(wish.grid.path))
    if wish.household_id:
        q |= Q(building__households__id=wish.household_id)
    return PartyOrg.objects.filter(q)


def wish_reviewer_ids(wish: Wish) -> list[int]:
    """Accounts to tell about a new wish: grid worker and community of the grid, and the secretaries of
    the orgs responsible for the grid or the building (or of the branches above them)."""
    from redgrid.accounts.models import Role, RoleGrant

    org_paths = set()
    for path in _responsible_orgs(wish).values_list("path", flat=True):
        org_paths.update(ancestor_paths(path))
    grid_line = ancestor_paths(wish.grid.path)
    rows = RoleGrant.objects.filter(
        Q(role__in=[Role.GRID_WORKER, Role.COMMUNITY], region__path__in=grid_line[-2:])
        | Q(role=Role.BRANCH_SECRETARY, party_org__path__in=org_paths)
    ).values_list("user_id", flat=True)
    return sorted(set(rows))


def open_claim_count(user) -> int:
    return Wish.objects.filter(claimed_by=user, status=Wish.Status.CLAIMED).count()


def shake_candidates(user) -> QuerySet[Wish]:
    """Open wishes in the member's communities that they did not post themselves."""
    paths = home_community_paths(user)
    if not paths:
        return Wish.objects.none()
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(grid__path__startswith=p)
    return Wish.objects.filter(q, status=Wish.Status.OPEN).exclude(poster=user)


def review_queue(user) -> QuerySet[Wish]:
    return wishes_visible_to(user).filter(status=Wish.Status.PENDING)


def leaderboard(user, limit: int = 20) -> list[dict]:
    """Members ranked by fulfilled wishes (fulfilled or confirmed — claims alone do not count) among the
    wishes the account can see."""
    rows = (
        wishes_visible_to(user)
        .filter(status__in=Wish.DONE_STATUSES, claimed_by__isnull=False)
        .values("claimed_by_id", "claimed_by__display_name", "claimed_by__username")
        .annotate(n=Count("id"))
        .order_by("-n", "claimed_by_id")[:limit]
    )
    return [
        {
            "user_id": r["claimed_by_id"],
            "name": r["claimed_by__display_name"] or r["claimed_by__username"],
            "fulfilled": r["n"],
        }
        for r in rows
    ]


def mask_name(name: str) -> str:
    """王小明 → 王**; a public story never shows a resident's full name."""
    name = (name or "").strip()
    if not name:
        return "居民"
    return name[0] + "*" * max(len(name) - 1, 1)


def story_wishes() -> QuerySet[Wish]:
    """Confirmed wishes: the public stories (masked names only)."""
    return Wish.objects.filter(status=Wish.Status.CONFIRMED).select_related(
        "grid", "poster__person", "claimed_by"
    )


def access_story(pk) -> Wish:
    return get_or_404(story_wishes(), pk=pk)


# --- 议事 topics ---------------------------------------------------------------------------------------


def household_grid_path(user) -> str | None:
    grid = home_grid_of(user)
    return grid.path if grid else None


def topics_visible_to(user):
    """Staff: topics whose area lies in, or contains, a granted subtree (a branch secretary: the areas its
    organisations are responsible for). Residents: accepted topics whose area contains their household's
    grid. Everyone: the topics they proposed and those they were invited to as a stakeholder."""
    from redgrid.participation.audience import home_area_q, staff_area_q
    from redgrid.participation.models import Topic, TopicStakeholder

    if not user.is_authenticated:
        return Topic.objects.none()
    if scope_of(user).is_admin:
        return Topic.objects.all()
    q = Q(created_by=user) | Q(pk__in=TopicStakeholder.objects.filter(user=user).values("topic_id"))
    q |= staff_area_q(user, "area__path")
    q |= home_area_q(user, "area__path") & Q(status=Topic.Status.ACCEPTED)
    return Topic.objects.filter(q)


def access_topic(user, pk):
    return get_or_404(topics_visible_to(user).select_related("area"), pk=pk)


def topic_eligible_count(topic) -> int:
    """Households (or residents) living in grids inside the topic's area: the quorum's denominator."""
    from redgrid.regions.models import Household, Resident

    if topic.vote_unit == topic.VoteUnit.HOUSEHOLD:
        return Household.objects.filter(building__grid__path__startswith=topic.area.path).count()
    return Resident.objects.filter(household__building__grid__path__startswith=topic.area.path).count()


def topic_results(topic) -> dict:
    """Counts per option, turnout, and whether quorum and pass threshold are met.

    1. Count votes per option; `cast` is all votes.
    2. Turnout = cast / eligible (households or residents of the area); quorum met if ≥ quorum %.
    3. Passed if quorum is met and the first option (赞成) has more than pass % of the votes cast.
    """
    rows = dict(topic.votes.values_list("choice").annotate(n=Count("id")))
    counts = {opt: rows.get(opt, 0) for opt in topic.options}
    cast = sum(counts.values())
    eligible = topic_eligible_count(topic)
    turnout = round(cast * 100 / eligible, 1) if eligible else 0.0
    quorum_met = eligible > 0 and cast * 100 >= topic.quorum_percent * eligible
    first = counts.get(topic.options[0], 0) if topic.options else 0
    passed = quorum_met and cast > 0 and first * 100 > topic.pass_percent * cast
    return {
        "counts": counts,
        "cast": cast,
        "eligible": eligible,
        "turnout_percent": turnout,
        "quorum_percent": topic.quorum_percent,
        "pass_percent": topic.pass_percent,
        "quorum_met": quorum_met,
        "passed": passed,
        "phase": topic.phase,
        "final": topic.phase in (topic.Phase.PUBLICITY, topic.Phase.CLOSED),
    }
