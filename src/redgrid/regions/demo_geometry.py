"""Deterministic generated boundaries for the demo street (广文街道) and the district benchmark (奎文区).

Nothing here is a real boundary: outlines are irregular star-shaped polygons of a given size, split
into parts by Lloyd-relaxed Voronoi cells. What matters is that the result behaves like real data:
every part is a valid simple Polygon, the parts of a parent tile it exactly, and the same seed gives
the same coordinates on every run and machine.

Exactness. Coordinates are stored with 7 decimals (≈ 1 cm), so every splitting step snap-rounds
its linework to that lattice in a single noding (`shapely.union_all(..., grid_size=LATTICE)`), and
the parts are rebuilt from the faces of that one arrangement. Two neighbouring parts therefore share
their common edge vertex for vertex (pairwise overlap exactly 0). Where a cut meets the boundary of
the polygon being split, the crossing point is snapped to the lattice and moves the boundary there
by at most half a lattice step, so:

* `split_polygon` tiles its input up to slivers along the input's boundary, at most
  `perimeter × LATTICE` deg² in total (≈ 1e-10 deg², ≈ 1 m², for a 3 km street);
* `street_layout` / `district_layout` redefine every parent as the union of its children after the
  finest level is built, so within a layout every level tiles its parent with gap and overlap 0.

Determinism. Randomness comes only from `random.Random` seeded with strings (hashed with SHA-512, so
independent of PYTHONHASHSEED) and uses only `random()`/`randrange()`; the splitting is GEOS
arithmetic (pinned with shapely). The only libm-dependent values, the outline's sines and cosines
and cos φ₀ of the local plane, are rounded (to 7 and 12 decimals), so a last-bit difference between
platforms could only matter if it straddled a rounding boundary.
"""

import math
import random
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from redgrid.regions.geo import EARTH_RADIUS_M

LATTICE = 1e-7  # 7 decimal places of a degree ≈ 1.1 cm of latitude
DECIMALS = 7

GUANGWEN_CENTER = (119.125, 36.705)  # 山东省潍坊市奎文区广文街道, roughly
GUANGWEN_SIZE_M = (3000.0, 2500.0)
KUIWEN_CENTER = (119.13, 36.70)  # 奎文区, roughly
KUIWEN_SIZE_M = (12000.0, 11000.0)

_M_PER_DEG = math.pi * EARTH_RADIUS_M / 180  # metres per degree of latitude (and of longitude at the equator)
_LLOYD_ITERATIONS = 8


@dataclass
class Area:
    """One node of a generated layout: a district, street, community or grid, with its children."""

    polygon: Polygon
    children: list["Area"] = field(default_factory=list)

    @property
    def geojson(self) -> dict:
        return to_geojson(self.polygon)

    @property
    def center(self) -> tuple[float, float]:
        """A point guaranteed inside the polygon (unlike the centroid), for center_lng/center_lat."""
        point = self.polygon.point_on_surface()
        return (round(point.x, DECIMALS), round(point.y, DECIMALS))

    def level(self, depth: int) -> list["Area"]:
        """All descendants `depth` levels down, in layout order (0 is this area itself)."""
        nodes = [self]
        for _ in range(depth):
            nodes = [child for node in nodes for child in node.children]
        return nodes


# --- small helpers -----------------------------------------------------------------------------------


def _lng_scale(lat: float) -> float:
    # Rounded so that a last-bit difference between platform libm implementations cannot leak in.
    return round(math.cos(math.radians(lat)), 12)


def _scaled(geom: BaseGeometry, k: float) -> BaseGeometry:
    """Longitudes multiplied by cos(lat₀): a local plane where distances are isotropic."""
    return shapely.transform(geom, lambda c: c * np.array([k, 1.0]))


def _unscaled(geom: BaseGeometry, k: float) -> BaseGeometry:
    return shapely.transform(geom, lambda c: c / np.array([k, 1.0]))


def _snap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.set_precision(geom, LATTICE)


def _rng(*parts) -> random.Random:
    return random.Random(":".join(str(p) for p in parts))


def _only_polygons(geom: BaseGeometry) -> list[Polygon]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]


# --- outlines ----------------------------------------------------------------------------------------


def street_outline(
    seed: int,
    center: tuple[float, float] = GUANGWEN_CENTER,
    size_m: tuple[float, float] = GUANGWEN_SIZE_M,
) -> Polygon:
    """A plausible irregular outline whose bounding box is `size_m` (width, height) around `center`.

    1. Walk around the centre at 24–31 jittered angles.
    2. The radius follows an ellipse modulated by three low harmonics with random phases (the
       large bulges and dents of a real boundary) plus small per-vertex noise.
    3. Stretch the vertices so the bounding box is exactly `size_m`, convert metres to degrees and
       snap to the 7-decimal lattice.

    The angles increase strictly and the radius stays positive, so the polygon is star-shaped
    around the centre and therefore simple.
    """
    rng = _rng("outline", seed)
    count = 24 + rng.randrange(8)
    harmonics = [(h, 0.04 + 0.06 * rng.random(), 2 * math.pi * rng.random()) for h in (2, 3, 5)]
    xs, ys = [], []
    for i in range(count):
        theta = 2 * math.pi * (i + 0.6 * (rng.random() - 0.5)) / count
        radius = 1.0 + sum(a * math.sin(h * theta + phase) for h, a, phase in harmonics)
        radius *= 1.0 + 0.08 * (rng.random() - 0.5)
        xs.append(radius * math.cos(theta))
        ys.append(radius * math.sin(theta))
    width, height = size_m
    sx = width / (max(xs) - min(xs))
    sy = height / (max(ys) - min(ys))
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    lng0, lat0 = center
    k = _lng_scale(lat0)
    coords = [
        (
            round(lng0 + (x - mid_x) * sx / (_M_PER_DEG * k), DECIMALS),
            round(lat0 + (y - mid_y) * sy / _M_PER_DEG, DECIMALS),
        )
        for x, y in zip(xs, ys, strict=True)
    ]
    polygon = shapely.orient_polygons(Polygon(coords))
    assert polygon.is_valid, "a star-shaped outline is always simple"
    return polygon


# --- splitting ---------------------------------------------------------------------------------------


def _sample_xy(polygon: Polygon, n: int, rng: random.Random) -> list[tuple[float, float]]:
    """Rejection sampling from the bounding box; `polygon` must have a positive area."""
    if polygon.area <= 0:
        raise ValueError("多边形面积为零，无法在其中取点")
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    points: list[tuple[float, float]] = []
    attempts = 0
    while len(points) < n:
        attempts += 1
        if attempts > 1000 * (n + 10):
            raise RuntimeError("rejection sampling did not converge")
        x = minx + (maxx - minx) * rng.random()
        y = miny + (maxy - miny) * rng.random()
        if shapely.contains_xy(polygon, x, y):
            points.append((x, y))
    return points


def _spread_seeds(region_scaled: Polygon, n: int, rng: random.Random) -> np.ndarray:
    """n well-spread points inside the region (local plane): random start, then Lloyd relaxation.

    1. Start from n random points inside the region.
    2. Repeatedly replace each point by the centroid of its Voronoi cell clipped to the region
       (or by a point on the cell's surface when a non-convex region puts the centroid outside).
    3. Round to 9 decimals after every step so tiny floating-point differences cannot accumulate.
    """
    seeds = np.round(np.array(_sample_xy(region_scaled, n, rng)), 9)
    envelope = region_scaled.envelope.buffer(region_scaled.length)
    for _ in range(_LLOYD_ITERATIONS):
        cells = shapely.get_parts(
            shapely.voronoi_polygons(MultiPoint(seeds), extend_to=envelope, ordered=True)
        )
        clipped = shapely.intersection(cells, region_scaled)
        centers = shapely.centroid(clipped)
        outside = ~shapely.contains(region_scaled, centers)
        if outside.any():
            centers[outside] = shapely.point_on_surface(clipped[outside])
        seeds = np.round(shapely.get_coordinates(centers), 9)
    return seeds


def _cut_lines(region: Polygon, seeds_scaled: np.ndarray, k: float) -> BaseGeometry:
    """The Voronoi edges of the seeds, clipped to the region, in degrees."""
    region_scaled = _scaled(region, k)
    envelope = region_scaled.envelope.buffer(region_scaled.length)
    edges = shapely.voronoi_polygons(MultiPoint(seeds_scaled), extend_to=envelope, only_edges=True)
    return shapely.intersection(_unscaled(edges, k), region)


def _reading_order(parts: list[Polygon], parent: Polygon, k: float) -> list[Polygon]:
    """Sort parts north→south in bands about one part high, west→east within a band."""
    minx, miny, maxx, maxy = parent.bounds
    width, height = (maxx - minx) * k, maxy - miny
    rows = max(1, round(math.sqrt(len(parts) * height / width))) if width > 0 else 1
    band_height = height / rows

    def key(part: Polygon):
        c = part.centroid
        band = min(rows - 1, int((maxy - c.y) / band_height)) if band_height > 0 else 0
        return (band, round(c.x, 9), -round(c.y, 9))

    return sorted(parts, key=key)


def _merge_stray_pieces(children: list[BaseGeometry]) -> list[Polygon]:
    """Make every child a single Polygon by handing its smaller pieces to neighbours.

    A Voronoi cell clipped to a non-convex parent can fall apart into several pieces.
    1. Keep the largest piece of a MultiPolygon child.
    2. Give every other piece to the sibling it shares the longest edge with (all siblings share
       edges vertex for vertex, so the coverage union of the two is again a clean Polygon).
    3. Repeat until no child has more than one piece.
    """
    for _ in range(4 * len(children) + 4):
        multi = [i for i, child in enumerate(children) if child.geom_type != "Polygon"]
        if not multi:
            return children
        i = multi[0]
        pieces = sorted(_only_polygons(children[i]), key=lambda p: p.area, reverse=True)
        children[i] = pieces[0]
        for piece in pieces[1:]:
            shared = [
                (shapely.intersection(piece.boundary, other.boundary).length, j)
                for j, other in enumerate(children)
                if j != i
            ]
            length, j = max(shared)
            if length <= 0:
                raise RuntimeError("a stray piece touches no sibling")
            children[j] = shapely.coverage_union_all([children[j], piece])
    raise RuntimeError("stray pieces did not settle")


def _split_regions(
    regions: list[Polygon], counts: list[int], rngs: list[random.Random]
) -> list[list[Polygon]]:
    """Split each region into counts[i] parts, all regions in one consistent snap-rounded noding.

    Regions must not overlap (neighbours may share edges). Steps:
    1. Per region, choose Lloyd-relaxed seeds in a local plane (longitude × cos φ₀) and take their
       Voronoi edges clipped to the region.
    2. Node the region boundaries and all cut lines together, snap-rounded to the 7-decimal
       lattice, and polygonize: every face now has lattice vertices shared exactly with its
       neighbours, also across region borders.
    3. Give each face to the region containing an interior point of it, and within the region to
       the nearest seed (which is what a Voronoi cell is).
    4. A part is the coverage union of its faces; stray pieces go to a neighbour so every part is
       a single Polygon; parts are sorted north→south, west→east.
    """
    if len(regions) != len(counts) or len(regions) != len(rngs):
        raise ValueError("regions, counts and rngs must have the same length")
    if any(n < 1 for n in counts):
        raise ValueError("每个区域至少要分成 1 块")
    lat0 = float(np.mean([r.centroid.y for r in regions])) if regions else 0.0
    k = _lng_scale(round(lat0, 2))

    # 1. Seeds and cut lines.
    seeds: list[np.ndarray | None] = []
    lines = [region.boundary for region in regions]
    for region, n, rng in zip(regions, counts, rngs, strict=True):
        if n == 1:
            seeds.append(None)
            continue
        region_seeds = _spread_seeds(_scaled(region, k), n, rng)
        seeds.append(region_seeds)
        lines.append(_cut_lines(region, region_seeds, k))

    # 2. One noding for everything.
    noded = shapely.union_all(lines, grid_size=LATTICE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))

    # 3. Faces → region → seed.
    inside = shapely.point_on_surface(faces)
    region_array = np.array(regions, dtype=object)
    tree = shapely.STRtree(region_array)
    face_idx, region_idx = tree.query(inside, predicate="intersects")
    owner = np.full(len(faces), len(regions), dtype=np.int64)
    # Interior points cannot lie in two regions, but take the smallest index to stay deterministic anyway.
    np.minimum.at(owner, face_idx, region_idx)
    owner[owner == len(regions)] = -1
    for f in np.flatnonzero(owner < 0):
        # A sliver whose interior point fell a hair outside every original region: nearest region,
        # unless it is really far out (a hole in the union of regions is not part of any region).
        r = int(tree.nearest(inside[f]))
        if shapely.distance(region_array[r], inside[f]) < 10 * LATTICE:
            owner[f] = r
    coords = shapely.get_coordinates(inside) * np.array([k, 1.0])

    result = []
    for r, (region, n) in enumerate(zip(regions, counts, strict=True)):
        mine = np.flatnonzero(owner == r)
        if n == 1:
            child_of = np.zeros(len(mine), dtype=np.int64)
        else:
            d2 = ((coords[mine, None, :] - seeds[r][None, :, :]) ** 2).sum(axis=2)
            child_of = d2.argmin(axis=1)
        # 4. Parts from faces.
        children = []
        for c in range(n):
            group = faces[mine[child_of == c]]
            if len(group) == 0:
                raise RuntimeError("a Voronoi cell received no face")
            children.append(shapely.coverage_union_all(group))
        children = _merge_stray_pieces(children)
        result.append(_reading_order(children, region, k) if n > 1 else children)
    return result


def split_polygon(polygon: Polygon, n: int, seed: int) -> list[Polygon]:
    """Split `polygon` into n Voronoi-like parts that tile it (see the module docstring for exactness).

    Every part is a valid, non-empty Polygon with 7-decimal vertices; neighbours share edges
    exactly; the order is north→south, west→east; the same seed gives the same parts.
    """
    if n < 1:
        raise ValueError("至少要分成 1 块")
    if polygon.geom_type != "Polygon" or not polygon.is_valid or polygon.area <= 0:
        raise ValueError("只能拆分有效的单个多边形")
    return _split_regions([_snap(polygon)], [n], [_rng("split", seed)])[0]


def random_points_in(polygon: Polygon, n: int, seed: int) -> list[tuple[float, float]]:
    """n deterministic random (lng, lat) points inside `polygon`, rounded to 7 decimals."""
    rng = _rng("points", seed)
    shapely.prepare(polygon)
    points: list[tuple[float, float]] = []
    while len(points) < n:
        for x, y in _sample_xy(polygon, n - len(points), rng):
            x, y = round(x, DECIMALS), round(y, DECIMALS)
            # Rounding can push a point that was a hair inside onto or over the boundary.
            if shapely.contains_xy(polygon, x, y):
                points.append((x, y))
    return points


def _ring_coords(ring) -> list[list[float]]:
    coords: list[list[float]] = []
    for x, y in ring.coords:
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if not coords or coords[-1] != point:
            coords.append(point)
    return coords


def to_geojson(polygon: Polygon | MultiPolygon) -> dict:
    """GeoJSON geometry dict (RFC 7946 winding: exterior counter-clockwise), 7-decimal coordinates."""
    polygon = shapely.orient_polygons(polygon)

    def rings(p: Polygon) -> list:
        return [_ring_coords(p.exterior)] + [_ring_coords(hole) for hole in p.interiors]

    if polygon.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": rings(polygon)}
    if polygon.geom_type == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [rings(p) for p in polygon.geoms]}
    raise ValueError(f"不支持的几何类型：{polygon.geom_type}")


# --- layouts -----------------------------------------------------------------------------------------


def _nested_layout(root: Polygon, levels: list[list[int]], seed: int) -> Area:
    """Split `root` level by level; levels[d][i] is the child count of the i-th node at depth d.

    1. Top-down: split all nodes of a level together (`_split_regions`), so the snapped crossing
       points on a shared border are the same for the parts on both sides.
    2. Bottom-up: replace every parent by the coverage union of its children, which absorbs the
       half-lattice-step moves of its boundary made while splitting it, so each level tiles its
       parent exactly.
    """
    tree = Area(_snap(root))
    nodes = [tree]
    for depth, counts in enumerate(levels):
        if len(counts) != len(nodes):
            raise ValueError(f"level {depth} needs {len(nodes)} counts, got {len(counts)}")
        rngs = [_rng("layout", seed, depth, i) for i in range(len(nodes))]
        parts = _split_regions([node.polygon for node in nodes], counts, rngs)
        for node, node_parts in zip(nodes, parts, strict=True):
            node.children = [Area(part) for part in node_parts]
        nodes = [child for node in nodes for child in node.children]
    for depth in range(len(levels) - 1, -1, -1):
        for node in tree.level(depth):
            node.polygon = shapely.coverage_union_all([child.polygon for child in node.children])
    return tree


def _grid_counts(grids_per_community, communities_per_street: list[int]) -> list[int]:
    total = sum(communities_per_street)
    if isinstance(grids_per_community, int):
        return [grids_per_community] * total
    counts = list(grids_per_community)
    if counts and all(isinstance(c, list | tuple) for c in counts):
        if [len(c) for c in counts] != communities_per_street:
            raise ValueError("grids_per_community must give one list per street, one count per community")
        return [int(n) for street in counts for n in street]
    if len(counts) != total:
        raise ValueError(f"grids_per_community needs {total} counts, got {len(counts)}")
    return [int(n) for n in counts]


def street_layout(
    communities: int,
    grids_per_community: int | list[int],
    seed: int,
    center: tuple[float, float] = GUANGWEN_CENTER,
    size_m: tuple[float, float] = GUANGWEN_SIZE_M,
) -> Area:
    """One street (default 广文街道) → communities → grids, tiling exactly at every level."""
    outline = street_outline(seed, center, size_m)
    grids = _grid_counts(grids_per_community, [communities])
    return _nested_layout(outline, [[communities], grids], seed)


def district_layout(
    street_count: int,
    communities_per_street: int | list[int],
    grids_per_community: int | list,
    seed: int,
    center: tuple[float, float] = KUIWEN_CENTER,
    size_m: tuple[float, float] = KUIWEN_SIZE_M,
) -> Area:
    """A district (default 奎文区) → streets → communities → grids, tiling exactly at every level.

    `communities_per_street` is one count per street (or one count for all); `grids_per_community`
    is one count for all communities, a flat list over all communities in street order, or one
    list per street. Returns the district `Area`; `area.level(1)` are the streets, `level(2)` the
    communities and `level(3)` the grids, each list in layout order.
    """
    if isinstance(communities_per_street, int):
        communities_per_street = [communities_per_street] * street_count
    communities_per_street = [int(n) for n in communities_per_street]
    if len(communities_per_street) != street_count:
        raise ValueError("communities_per_street needs one count per street")
    grids = _grid_counts(grids_per_community, communities_per_street)
    outline = street_outline(seed, center, size_m)
    return _nested_layout(outline, [[street_count], communities_per_street, grids], seed)
