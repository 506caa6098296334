"""Targets and audiences shared by 公开公示 (notices.py) and 信息发布 (articles.py), and the inbox helper.

A target is a set of region nodes and party-organisation nodes; it reaches everything below them. A
resident is reached by a target above (or at) their home grid, a party member also by one above their
organisation, and staff by a target inside their granted subtree or above it (a street-wide notice is
shown to the community that has to carry it out).
"""

from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from redgrid.core.access import Scope, outermost, scope_of
from redgrid.core.models import Notification
from redgrid.regions.models import Region

# Roles an article can be addressed to: residents and members by where they live or belong, staff by the
# node of their grant (accounts.Role values).
AUDIENCE_ROLES = {
    "resident": "居民",
    "member": "党员",
    "gridworker": "网格员",
    "branch": "支部书记/党务工作者",
    "community": "社区工作者",
    "street": "街道工作人员",
    "unit": "部门处置人员",
    "leader": "领导/督查",
}


def notify(user_ids: Iterable[int], *, title: str, body: str = "", link: str = "", kind: str) -> None:
    """One inbox entry per account, created only if the surrounding transaction commits."""
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return

    def deliver():
        Notification.objects.bulk_create(
            [Notification(recipient_id=i, title=title[:200], body=body, link=link, kind=kind) for i in ids],
            batch_size=1000,
        )

    transaction.on_commit(deliver)


def prefix_q(paths, lookup: str) -> Q:
    """Rows whose `lookup` path lies under one of `paths` (nothing if there are none)."""
    return Scope().path_q(outermost(list(paths)), lookup)


def ancestors(path: str) -> list[str]:
    """The node's path and the paths of all its ancestors (both trees use steplen 4)."""
    return Region.prefixes(path)


def home_paths(user) -> tuple[str | None, str | None]:
    """(home grid path, party organisation path) of a resident or member account (cached per request)."""
    cached = getattr(user, "_redgrid_home_paths", None)
    if cached is not None:
        return cached
    from redgrid.participation.selectors import household_grid_path, member_of

    member = member_of(user)
    org_path = None
    if member is not None and member.status in member.ACTIVE:
        org_path = member.org.path if member.org_id else None
    user._redgrid_home_paths = (household_grid_path(user), org_path)
    return user._redgrid_home_paths


def org_region_paths(scope: Scope) -> list[str]:
    """Paths of the regions the organisations in an org scope are responsible for."""
    if not scope.org_paths:
        return []
    from redgrid.party.models import PartyOrg

    orgs = PartyOrg.objects.filter(scope.org_q())
    return [p for p in orgs.values_list("regions__path", flat=True).distinct() if p]


def staff_area_q(user, lookup: str) -> Q:
    """Rows whose area (path at `lookup`) lies inside or above a granted region subtree; for a branch
    secretary, the regions its organisations are responsible for stand in for region grants."""
    scope = scope_of(user)
    if scope.is_admin:
        return ~Q(pk__in=[])
    paths = list(scope.region_paths) + org_region_paths(scope)
    if not paths:
        return Q(pk__in=[])
    return prefix_q(paths, lookup) | Q(**{f"{lookup}__in": sorted({a for p in paths for a in ancestors(p)})})


def home_area_q(user, lookup: str) -> Q:
    """Rows whose area (path at `lookup`) contains the account's home grid."""
    grid_path, _ = home_paths(user)
    return Q(**{f"{lookup}__in": ancestors(grid_path)}) if grid_path else Q(pk__in=[])


def reach_q(model, user) -> Q:
    """Rows of `model` (with M2M `regions` and `party_orgs`) whose targets reach the account."""
    name = model._meta.model_name
    by_region = model.regions.through.objects
    by_org = model.party_orgs.through.objects
    scope = scope_of(user)
    if scope.is_admin:
        return ~Q(pk__in=[])
    region_paths, org_paths = set(), set()
    grid_path, org_path = home_paths(user)
    if grid_path:
        region_paths.update(ancestors(grid_path))
    if org_path:
        org_paths.update(ancestors(org_path))
    for p in scope.region_paths:
        region_paths.update(ancestors(p))
    for p in scope.org_paths:
        org_paths.update(ancestors(p))
    ids = by_region.filter(region__path__in=sorted(region_paths)).values(f"{name}_id")
    q = Q(pk__in=ids)
    if org_paths:
        q |= Q(pk__in=by_org.filter(partyorg__path__in=sorted(org_paths)).values(f"{name}_id"))
    if scope.region_paths:
        q |= Q(pk__in=by_region.filter(scope.region_q("region__path")).values(f"{name}_id"))
    if scope.org_paths:
        q |= Q(pk__in=by_org.filter(scope.org_q("partyorg__path")).values(f"{name}_id"))
    return q


def manages_targets(user, obj) -> bool:
    """Staff who published `obj` (a notice or an article), or whose subtree holds one of its targets."""
    scope = scope_of(user)
    if not scope.is_staff:
        return False
    if scope.is_admin or obj.created_by_id == user.pk:
        return True
    return any(scope.covers_region_path(r.path) for r in obj.regions.all()) or any(
        scope.covers_org_path(o.path) for o in obj.party_orgs.all()
    )


def resolve_targets(user, region_ids: Iterable[int], org_ids: Iterable[int]) -> tuple[list, list]:
    """The target nodes by id, every one inside the account's scope; refuses unknown or foreign ids."""
    given_regions, given_orgs = list(region_ids), list(org_ids)
    region_ids, org_ids = given_regions, given_orgs
    from redgrid.party.selectors import party_orgs_visible_to
    from redgrid.regions.selectors import regions_visible_to

    # Ids beyond a 64-bit key cannot exist (and would overflow the database driver): treat them as unknown.
    region_ids = sorted({i for i in region_ids if 0 < i < 2**63})
    org_ids = sorted({i for i in org_ids if 0 < i < 2**63})
    if len(region_ids) + len(org_ids) < len(set(given_regions)) + len(set(given_orgs)):
        raise ValidationError("发布对象不存在，或不在您的管辖范围内")
    allowed = Q(pk__in=regions_visible_to(user).values("pk"))
    responsible = org_region_paths(scope_of(user))
    if responsible:
        # A branch secretary may address the grids its organisations are responsible for (and below).
        allowed |= prefix_q(responsible, "path")
    regions = list(Region.objects.filter(allowed, pk__in=region_ids)) if region_ids else []
    orgs = list(party_orgs_visible_to(user).filter(pk__in=org_ids)) if org_ids else []
    if len(regions) != len(region_ids) or len(orgs) != len(org_ids):
        raise ValidationError("发布对象不存在，或不在您的管辖范围内")
    if not regions and not orgs:
        raise ValidationError("请至少选择一个发布对象（区域或党组织）")
    return regions, orgs


def audience_rows(region_paths, org_paths, roles) -> Iterator[tuple[int, str, str]]:
    """(account id, node type, node path) for every account of the audience, streamed from the database.

    1. 居民: accounts whose household lies under a target region, counted at their home grid.
    2. 党员: active members whose organisation lies under a target org (counted there), or who live under
       a target region (counted at their home grid).
    3. Staff roles: accounts holding that role on a node under a target — a region or org grant counted at
       its node, a unit grant at the unit's service area.
    An account may come up more than once; the caller keeps the first row (a unique constraint).
    """
    from redgrid.accounts.models import RoleGrant, User
    from redgrid.party.models import PartyMember

    roles = set(roles)
    users = User.objects.filter(is_active=True)
    grid = "person__household__building__grid__path"
    if "resident" in roles and region_paths:
        rows = users.filter(prefix_q(region_paths, grid)).values_list("id", grid)
        yield from ((i, "region", p) for i, p in rows.iterator(chunk_size=2000))
    if "member" in roles:
        members = users.filter(person__party_member__status__in=PartyMember.ACTIVE)
        if org_paths:
            org = "person__party_member__org__path"
            rows = members.filter(prefix_q(org_paths, org)).values_list("id", org)
            yield from ((i, "org", p) for i, p in rows.iterator(chunk_size=2000))
        if region_paths:
            rows = members.filter(prefix_q(region_paths, grid)).values_list("id", grid)
            yield from ((i, "region", p) for i, p in rows.iterator(chunk_size=2000))
    staff = sorted(roles - {"resident", "member"})
    if staff:
        grants = RoleGrant.objects.filter(role__in=staff, user__is_active=True)
        for lookup, kind, paths in (
            ("region__path", "region", region_paths),
            ("party_org__path", "org", org_paths),
            ("unit__area__path", "region", region_paths),
        ):
            if paths:
                rows = grants.filter(prefix_q(paths, lookup)).values_list("user_id", lookup)
                yield from ((i, kind, p) for i, p in rows.iterator(chunk_size=2000))
