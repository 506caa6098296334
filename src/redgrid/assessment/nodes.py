"""Assessed nodes: regions (街道/社区/网格…), party organisations and units, addressed by a key
(`region:5`, `org:7`, `unit:3`; a bare number is a region, as in the appeals metrics API).

Access goes through each module's scoped selectors, so a node outside the viewer's subtree answers 404
exactly like a missing one.
"""

from dataclasses import dataclass

from django.http import Http404

from redgrid.assessment.indicators import LEVEL_LABELS
from redgrid.core.access import scope_of
from redgrid.party.models import PartyOrg
from redgrid.regions.models import Region
from redgrid.units.models import Unit

TREES = ("region", "org", "unit")
# Which levels can be ranked under a node of each level, in tab order.
LEVELS_UNDER = {
    "province": ("street", "community", "grid", "org", "unit"),
    "city": ("street", "community", "grid", "org", "unit"),
    "county": ("street", "community", "grid", "org", "unit"),
    "street": ("community", "grid", "org", "unit"),
    "community": ("grid", "org"),
    "grid": ("org",),
    "org": ("org",),
    "unit": (),
}
REGION_LEVELS = ("street", "community", "grid")
MAX_ID = 2**63 - 1  # larger ids cannot exist, and the database driver would overflow on them


@dataclass(frozen=True)
class Node:
    tree: str
    obj: object

    @property
    def id(self) -> int:
        return self.obj.pk

    @property
    def key(self) -> str:
        return f"{self.tree}:{self.obj.pk}"

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def path(self) -> str:
        return "" if self.tree == "unit" else self.obj.path

    @property
    def level(self) -> str:
        """street / community / grid / county… for regions, `org` for branches (and other orgs), `unit`."""
        if self.tree == "region":
            return self.obj.level
        return "org" if self.tree == "org" else "unit"

    @property
    def is_branch(self) -> bool:
        return self.tree == "org" and self.obj.kind in PartyOrg.BRANCH_KINDS

    @property
    def scheme_level(self) -> str | None:
        """The level whose scheme assesses this node (None: shown without a score, e.g. a county)."""
        if self.tree == "region":
            return self.obj.level if self.obj.level in REGION_LEVELS else None
        if self.tree == "org":
            return "org" if self.is_branch else None
        return "unit"

    @property
    def level_label(self) -> str:
        if self.tree == "region":
            return self.obj.get_level_display()
        if self.tree == "org":
            return self.obj.get_kind_display()
        return LEVEL_LABELS["unit"]

    def __str__(self):
        return self.name


def parse_key(text: str) -> tuple[str, int]:
    """(tree, id) from `region:5`, `org:7`, `unit:3` or `5`; Http404 for anything else."""
    text = (text or "").strip()
    tree, _, pk = text.rpartition(":")
    tree = tree or "region"
    if tree not in TREES or not pk.isascii() or not pk.isdigit() or int(pk) > MAX_ID:
        raise Http404("未找到，或不在您的管辖范围内")
    return tree, int(pk)


def _queryset(user, tree: str):
    from redgrid.party.selectors import party_orgs_visible_to
    from redgrid.regions.selectors import regions_visible_to
    from redgrid.units.selectors import units_visible_to

    if tree == "region":
        return regions_visible_to(user)
    if tree == "org":
        return party_orgs_visible_to(user)
    return units_visible_to(user)


def access_node(user, key: str) -> Node:
    """The node a key names, if the account may see its assessment (staff with the node in scope)."""
    if not scope_of(user).is_staff:
        raise Http404("未找到，或不在您的管辖范围内")
    tree, pk = parse_key(key)
    obj = _queryset(user, tree).filter(pk=pk).first()
    if obj is None:
        raise Http404("未找到，或不在您的管辖范围内")
    return Node(tree, obj)


def home_nodes(user) -> list[Node]:
    """The top nodes of the account's grants (where its assessment pages start)."""
    scope = scope_of(user)
    if not scope.is_staff:
        return []
    if scope.is_admin:
        roots = Region.objects.filter(depth=1).order_by("code")
        return [Node("region", r) for r in roots]
    nodes = [Node("region", r) for r in Region.objects.filter(path__in=scope.region_paths).order_by("path")]
    nodes += [Node("org", o) for o in PartyOrg.objects.filter(path__in=scope.org_paths).order_by("path")]
    nodes += [Node("unit", u) for u in Unit.objects.filter(pk__in=scope.unit_ids).order_by("name")]
    return nodes


def start_node(user) -> Node:
    """The default node of the ranking page: the first grant, narrowed to a county when the account
    covers a whole province or city (a ranking of every street in a province is not a useful start)."""
    nodes = home_nodes(user)
    if not nodes:
        raise Http404("未找到，或不在您的管辖范围内")
    node = nodes[0]
    while node.tree == "region" and node.obj.level in ("province", "city"):
        child = (
            Region.objects.filter(path__startswith=node.path, depth=node.obj.depth + 1)
            .order_by("code")
            .first()
        )
        if child is None:
            break
        node = Node("region", child)
    return node


def levels_under(node: Node) -> tuple[str, ...]:
    if node.tree == "org":
        return ("org",)
    return LEVELS_UNDER.get(node.level, ())


def nodes_at(user, node: Node, level: str) -> list[Node]:
    """The nodes of `level` under `node` that the account may see, in a stable order."""
    from redgrid.party.selectors import party_orgs_visible_to
    from redgrid.regions.selectors import regions_visible_to
    from redgrid.units.selectors import units_visible_to

    if level not in levels_under(node):
        return []
    if level in REGION_LEVELS:
        rows = regions_visible_to(user).filter(path__startswith=node.path, level=level).order_by("code")
        return [Node("region", r) for r in rows]
    if level == "org":
        orgs = party_orgs_visible_to(user).filter(kind__in=PartyOrg.BRANCH_KINDS)
        if node.tree == "org":
            orgs = orgs.filter(path__startswith=node.path)
        else:
            anchored = PartyOrg.objects.filter(regions__path__startswith=node.path).values("pk")
            orgs = orgs.filter(pk__in=anchored)
        return [Node("org", o) for o in orgs.order_by("path")]
    ancestors = Region.prefixes(node.path, include_self=False)
    units = units_visible_to(user).filter(is_active=True)
    from django.db.models import Q

    units = units.filter(Q(area__path__startswith=node.path) | Q(area__path__in=ancestors)).distinct()
    return [Node("unit", u) for u in units.order_by("name")]


def parent_of(user, node: Node) -> Node | None:
    """The node one step up, if the account may see it (for breadcrumbs)."""
    if node.tree == "unit" or node.obj.depth <= 1:
        return None
    parent_path = node.path[: -node.obj.steplen]
    qs = _queryset(user, node.tree).filter(path=parent_path)
    obj = qs.first()
    return Node(node.tree, obj) if obj is not None else None


def breadcrumbs(user, node: Node) -> list[Node]:
    """Visible ancestors of a node, root first."""
    if node.tree == "unit":
        return []
    paths = [node.path[:n] for n in range(node.obj.steplen, len(node.path), node.obj.steplen)]
    rows = {o.path: o for o in _queryset(user, node.tree).filter(path__in=paths)}
    return [Node(node.tree, rows[p]) for p in paths if p in rows]
