"""Scope: which part of each tree an account may see, computed once per request from its grants.

A grant on node N covers N's subtree (design.md §1): with materialized paths that is one indexed
`path LIKE 'N%'` per granted node. Selectors in each app build their querysets from `scope_of(user)`.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    is_admin: bool = False
    region_paths: tuple[str, ...] = ()
    org_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.roles)

    def has_role(self, *roles: str) -> bool:
        return self.is_admin or any(r in self.roles for r in roles)

    def path_q(self, paths: tuple[str, ...], lookup: str = "path") -> Q:
        """Q matching rows whose `lookup` path lies in one of the subtrees; matches nothing if none."""
        if self.is_admin:
            # not Q(): an empty Q vanishes when OR-ed with another condition, which would shrink an
            # admin's view to that other condition
            return ~Q(pk__in=[])
        if not paths:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{lookup}__startswith": p}) for p in paths))

    def region_q(self, lookup: str = "path") -> Q:
        return self.path_q(self.region_paths, lookup)

    def org_q(self, lookup: str = "path") -> Q:
        return self.path_q(self.org_paths, lookup)

    def covers_region_path(self, path: str) -> bool:
        return self.is_admin or any(path.startswith(p) for p in self.region_paths)

    def covers_org_path(self, path: str) -> bool:
        return self.is_admin or any(path.startswith(p) for p in self.org_paths)


def outermost(paths: list[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter granted path (fewer OR terms in every query)."""
    kept: list[str] = []
    for p in sorted(set(paths), key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def scope_of(user) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_redgrid_scope", None)
    if cached is not None:
        return cached
    from redgrid.accounts.models import Role

    grants = list(user.grants.select_related("region", "party_org").all())
    roles = frozenset(g.role for g in grants)
    is_admin = user.is_superuser or any(
        g.role == Role.SYSADMIN and g.region_id and g.region.depth == 1 for g in grants
    )
    scope = Scope(
        is_admin=is_admin,
        region_paths=outermost([g.region.path for g in grants if g.region_id]),
        org_paths=outermost([g.party_org.path for g in grants if g.party_org_id]),
        unit_ids=frozenset(g.unit_id for g in grants if g.unit_id),
        roles=roles,
    )
    user._redgrid_scope = scope
    return scope


def get_or_404(queryset, **lookup):
    """One row of a scoped queryset; 404 alike for missing and out-of-scope rows."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到，或不在您的管辖范围内") from exc
