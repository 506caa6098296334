"""Scoped reads of party organisations and members, and the grid coverage report."""

from django.db.models import Count, Q, QuerySet

from redgrid.core.access import Scope, get_or_404, outermost, scope_of
from redgrid.party.models import OrgLifeMeeting, PartyMember, PartyOrg, Transfer
from redgrid.regions.models import Region


def party_orgs_visible_to(user) -> QuerySet[PartyOrg]:
    """Orgs in a granted org subtree, plus the subtrees of orgs anchored inside a granted region subtree
    (a community secretary sees the branches and groups responsible for the community's grids)."""
    scope = scope_of(user)
    if scope.is_admin:
        return PartyOrg.objects.all()
    paths = list(scope.org_paths)
    if scope.region_paths:
        paths += (
            PartyOrg.objects.filter(scope.region_q("regions__path")).values_list("path", flat=True).distinct()
        )
    return PartyOrg.objects.filter(Scope(org_paths=outermost(paths)).org_q())


def access_party_org(user, pk) -> PartyOrg:
    return get_or_404(party_orgs_visible_to(user), pk=pk)


def members_visible_to(user) -> QuerySet[PartyMember]:
    scope = scope_of(user)
    if not scope.is_staff:
        return PartyMember.objects.none()
    orgs = party_orgs_visible_to(user)
    if scope.is_admin:
        return PartyMember.objects.all()
    return PartyMember.objects.filter(org__in=orgs.values("pk"))


def access_member(user, pk) -> PartyMember:
    return get_or_404(members_visible_to(user).select_related("person", "org"), pk=pk)


def orgs_responsible_for(region: Region) -> QuerySet[PartyOrg]:
    return PartyOrg.objects.filter(regions=region).order_by("path")


def coverage_gaps_visible_to(user) -> QuerySet[Region]:
    """Uncovered grids in the account's region subtrees, in one query whatever the number of grants."""
    return coverage_report(None).filter(scope_of(user).region_q())


def coverage_report(root: Region | None) -> QuerySet[Region]:
    """Grids under `root` for which no branch or group is responsible (纵到底、横到边、全覆盖)."""
    kinds = list(PartyOrg.BRANCH_KINDS) + list(PartyOrg.GROUP_KINDS)
    return (
        Region.objects.filter(level=Region.Level.GRID, path__startswith=root.path if root else "")
        .annotate(n=Count("party_orgs", filter=Q(party_orgs__kind__in=kinds)))
        .filter(n=0)
        .order_by("code")
    )


def org_tree_member_counts(org: PartyOrg) -> dict[str, int]:
    """Full and probationary members of an organisation and everything below it, and its descendants."""
    rows = PartyMember.objects.filter(org__path__startswith=org.path).aggregate(
        full=Count("id", filter=Q(status=PartyMember.Status.FULL)),
        probationary=Count("id", filter=Q(status=PartyMember.Status.PROBATIONARY)),
    )
    return {**rows, "descendants": PartyOrg.objects.filter(path__startswith=org.path).count() - 1}


def org_member_counts(org_ids: list[int]) -> dict[int, dict]:
    rows = (
        PartyMember.objects.filter(org_id__in=org_ids)
        .values("org_id")
        .annotate(
            full=Count("id", filter=Q(status=PartyMember.Status.FULL)),
            probationary=Count("id", filter=Q(status=PartyMember.Status.PROBATIONARY)),
        )
    )
    return {r["org_id"]: r for r in rows}


def meetings_visible_to(user) -> QuerySet[OrgLifeMeeting]:
    """Meetings of organisations in the account's scope (staff only)."""
    if not scope_of(user).is_staff:
        return OrgLifeMeeting.objects.none()
    return OrgLifeMeeting.objects.filter(org__in=party_orgs_visible_to(user).values("pk"))


def access_meeting(user, pk) -> OrgLifeMeeting:
    return get_or_404(meetings_visible_to(user).select_related("org", "created_by"), pk=pk)


def transfers_visible_to(user) -> QuerySet[Transfer]:
    """Letters from or to an organisation in scope (both ends can see and act on them)."""
    if not scope_of(user).is_staff:
        return Transfer.objects.none()
    orgs = party_orgs_visible_to(user).values("pk")
    return Transfer.objects.filter(Q(from_org__in=orgs) | Q(to_org__in=orgs))


def access_transfer(user, pk) -> Transfer:
    return get_or_404(
        transfers_visible_to(user).select_related("member__person", "from_org", "to_org").distinct(), pk=pk
    )
