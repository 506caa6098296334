"""Pure geometry for grids: point → grid lookup, boundary validation, distances and tiling checks.

Coordinates are WGS84 longitude/latitude in degrees, in GeoJSON order (lng, lat). Areas reported by
`tiling_report` are planar areas in square degrees (1e-12 deg² ≈ 0.01 m² at 36.7° N); they are
only meant for comparing a tiling against itself, not for display.

No Django imports: `redgrid.regions.locate` wraps `GridIndex` with the database and caching.
"""

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius; the haversine error against WGS84 stays below 0.5 %

# An upload with more vertices than this is a mistake (a raw survey export), not a grid boundary.
MAX_VERTICES = 50_000

_INVALID_PREFIX = "边界不是有效的多边形："


class GridIndex:
    """Which grid contains a point, for many grids and many points.

    Geometries are sorted by grid id before they go into the STRtree, so tree index order is id
    order: when a point lies on a boundary shared by several grids, the smallest matching tree index
    is the smallest grid id, and the answer does not depend on the order rows came from the database.
    """

    def __init__(self, items: Iterable[tuple[int, Mapping | BaseGeometry]]):
        pairs = []
        seen = set()
        for grid_id, geometry in items:
            if grid_id in seen:
                raise ValueError(f"网格 {grid_id} 重复出现")
            seen.add(grid_id)
            geom = geometry if isinstance(geometry, BaseGeometry) else shape(geometry)
            pairs.append((int(grid_id), geom))
        pairs.sort(key=lambda pair: pair[0])
        self._ids = np.array([grid_id for grid_id, _ in pairs], dtype=np.int64)
        self._geoms = np.array([geom for _, geom in pairs], dtype=object)
        # Prepared polygons make the per-candidate point-in-polygon test cheap after the first use.
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """(min_lng, min_lat, max_lng, max_lat) of all grids, or None for an empty index."""
        if len(self._ids) == 0:
            return None
        return tuple(float(v) for v in shapely.total_bounds(self._geoms))

    @property
    def ids(self) -> list[int]:
        return self._ids.tolist()

    def locate(self, lng: float, lat: float) -> int | None:
        """The id of the grid containing (lng, lat); on a shared boundary the smallest id; else None."""
        point = Point(lng, lat)
        candidates = self._tree.query(point)  # bounding-box hits only
        if len(candidates) == 0:
            return None
        hits = candidates[shapely.intersects(self._geoms[candidates], point)]
        if len(hits) == 0:
            return None
        return int(self._ids[hits.min()])

    def locate_many(self, points: Iterable[Sequence[float]]) -> list[int | None]:
        """`locate` for each (lng, lat), in one vectorised STRtree query."""
        coords = np.asarray(list(points) if not isinstance(points, np.ndarray) else points, dtype=float)
        if coords.size == 0:
            return []
        coords = coords.reshape(-1, 2)
        count = len(coords)
        if len(self._ids) == 0:
            return [None] * count
        geoms = shapely.points(coords)
        point_idx, tree_idx = self._tree.query(geoms, predicate="intersects")
        # The smallest tree index per point is the smallest grid id (tree order is id order).
        best = np.full(count, len(self._ids), dtype=np.int64)
        np.minimum.at(best, point_idx, tree_idx)
        found = best < len(self._ids)
        ids = self._ids[np.where(found, best, 0)]
        return [int(grid_id) if ok else None for grid_id, ok in zip(ids, found, strict=True)]


# --- validation -------------------------------------------------------------------------------------


def _invalid(reason: str) -> ValueError:
    return ValueError(_INVALID_PREFIX + reason)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parse_ring(ring, label: str) -> list[tuple[float, float]]:
    if not isinstance(ring, list | tuple):
        raise _invalid(f"{label}应为坐标数组")
    points = []
    for i, position in enumerate(ring, start=1):
        if (
            not isinstance(position, list | tuple)
            or len(position) not in (2, 3)
            or not all(_is_number(v) for v in position)
        ):
            raise _invalid(f"{label}第 {i} 个坐标格式错误，应为 [经度, 纬度]")
        lng, lat = float(position[0]), float(position[1])
        if not (math.isfinite(lng) and math.isfinite(lat)):
            raise _invalid(f"{label}第 {i} 个坐标不是有限数值")
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise _invalid(
                f"{label}第 {i} 个坐标 [{position[0]}, {position[1]}] 超出经纬度范围，请确认顺序为 [经度, 纬度]"
            )
        points.append((lng, lat))
    if len(points) < 4:
        raise _invalid(f"{label}顶点数不足（至少 4 个坐标，且首尾相同）")
    if points[0] != points[-1]:
        raise _invalid(f"{label}未闭合（首尾坐标应相同）")
    return points


def _parse_polygon(rings, label: str) -> Polygon:
    if not isinstance(rings, list | tuple):
        raise _invalid(f"{label}坐标应为数组")
    if len(rings) == 0:
        raise _invalid(f"{label}边界为空")
    parsed = []
    for k, ring in enumerate(rings):
        ring_label = f"{label}外环" if k == 0 else f"{label}第 {k} 个内环"
        parsed.append(_parse_ring(ring, ring_label))
    return Polygon(parsed[0], parsed[1:])


_GEOS_REASONS = {
    # GEOS `isValidReason` texts, longest first so "Ring Self-intersection" wins over "Self-intersection".
    "Ring Self-intersection": "边界自相交",
    "Self-intersection": "边界自相交",
    "Too few points": "顶点数不足",
    "Hole lies outside shell": "内环（洞）位于外环之外",
    "Holes are nested": "内环（洞）相互嵌套",
    "Nested holes": "内环（洞）相互嵌套",
    "Interior is disconnected": "内环把多边形分割成了不相连的部分",
    "Nested shells": "多个多边形相互嵌套",
    "Duplicate Rings": "存在重复的环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合（首尾坐标应相同）",
}


def _explain_invalid(reason: str) -> str:
    text = next((zh for en, zh in _GEOS_REASONS.items() if reason.startswith(en)), None)
    if text is None:
        return f"几何拓扑无效（{reason}）"
    if "[" in reason and reason.endswith("]"):
        location = reason[reason.index("[") + 1 : -1].split()
        if len(location) >= 2:
            text += f"（约在经度 {float(location[0]):.6f}、纬度 {float(location[1]):.6f} 附近）"
    return text


def validate_geometry(geometry: Mapping) -> Polygon | MultiPolygon:
    """Parse and check an uploaded GeoJSON boundary; raise ValueError with a Chinese message.

    1. It must be a Polygon or MultiPolygon geometry object (not a Feature).
    2. Every ring must be a closed list of at least 4 finite [lng, lat] positions within range
       (a third value, altitude, is accepted and dropped).
    3. The polygon must be topologically valid (no self-intersection, holes inside shells, …)
       and have a positive area.
    """
    if not isinstance(geometry, Mapping):
        raise _invalid("应为 GeoJSON 几何对象")
    gtype = geometry.get("type")
    if gtype in ("Feature", "FeatureCollection"):
        raise _invalid(f"收到的是 {gtype}，请只上传其中的 geometry（Polygon 或 MultiPolygon）")
    if gtype not in ("Polygon", "MultiPolygon"):
        raise _invalid(f"类型为 {gtype!r}，应为 Polygon 或 MultiPolygon")
    coords = geometry.get("coordinates")
    if gtype == "Polygon":
        geom = _parse_polygon(coords, "")
    else:
        if not isinstance(coords, list | tuple):
            raise _invalid("坐标应为数组")
        if len(coords) == 0:
            raise _invalid("边界为空")
        geom = MultiPolygon(
            [_parse_polygon(rings, f"第 {k} 个多边形的") for k, rings in enumerate(coords, start=1)]
        )
    if shapely.get_num_coordinates(geom) > MAX_VERTICES:
        raise _invalid(f"顶点过多（超过 {MAX_VERTICES} 个），请先简化边界")
    if geom.is_empty:
        raise _invalid("边界为空")
    reason = shapely.is_valid_reason(geom)
    if reason != "Valid Geometry":
        message = _explain_invalid(reason)
        if gtype == "MultiPolygon" and reason.startswith("Self-intersection"):
            # The usual cause: parts drawn separately that overlap or share an edge.
            message += "；MultiPolygon 的各部分不能重叠或共用边，请合并为一个多边形"
        raise _invalid(message)
    if geom.area <= 0:
        raise _invalid("面积为零")
    return geom


# --- distances ---------------------------------------------------------------------------------------


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine on a sphere of the mean Earth radius)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bbox_around(lng: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lng, min_lat, max_lng, max_lat) containing every point within `radius_m` of (lng, lat).

    Used to prefilter indexed lat/lng columns before the exact `distance_m` check, so it must never
    be too small: the longitude half-width is asin(sin(r/R)/cos φ) (the widest point of a spherical
    cap), not the flat r/(R cos φ). It does not wrap at ±180° (irrelevant in China).
    """
    if radius_m < 0:
        raise ValueError("半径不能为负数")
    angle = radius_m / EARTH_RADIUS_M
    dlat = math.degrees(angle)
    # A 1e-9° margin (0.1 mm) absorbs rounding so a point exactly at the radius is not cut off.
    margin = 1e-9
    min_lat = max(-90.0, lat - dlat - margin)
    max_lat = min(90.0, lat + dlat + margin)
    ratio = math.sin(min(angle, math.pi / 2)) / max(math.cos(math.radians(lat)), 1e-15)
    if angle >= math.pi / 2 or ratio >= 1 or min_lat <= -90 or max_lat >= 90:
        return (-180.0, min_lat, 180.0, max_lat)
    dlng = math.degrees(math.asin(ratio)) + margin
    return (lng - dlng, min_lat, lng + dlng, max_lat)


# --- tiling ------------------------------------------------------------------------------------------


def _as_geometry(value) -> BaseGeometry:
    return value if isinstance(value, BaseGeometry) else shape(value)


def tiling_report(parts: Iterable, outer=None) -> dict:
    """Areas (deg²) that show whether `parts` tile `outer` with no gaps and no overlaps.

    1. `total_area` is the sum of the part areas, `union_area` the area of their union.
    2. `overlap_area` sums the intersection area of every pair of parts whose envelopes meet
       (pairs found with an STRtree, so large tilings stay fast).
    3. With `outer`: `gap_area` is the part of `outer` no part covers and `outside_area` the part of
       the union lying outside `outer`.

    Parts and outer may be shapely geometries or GeoJSON dicts.
    """
    geoms = np.array([_as_geometry(p) for p in parts], dtype=object)
    union = shapely.union_all(geoms) if len(geoms) else Polygon()
    report = {
        "part_count": len(geoms),
        "total_area": float(shapely.area(geoms).sum()) if len(geoms) else 0.0,
        "union_area": float(union.area),
        "overlap_area": 0.0,
    }
    if len(geoms) > 1:
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        keep = left < right
        if keep.any():
            overlaps = shapely.intersection(geoms[left[keep]], geoms[right[keep]])
            report["overlap_area"] = float(shapely.area(overlaps).sum())
    if outer is not None:
        outer = _as_geometry(outer)
        report["outer_area"] = float(outer.area)
        report["gap_area"] = float(outer.difference(union).area)
        report["outside_area"] = float(union.difference(outer).area)
    return report
