import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import shapely
from shapely.geometry import box

from redgrid.regions.demo_geometry import (
    GUANGWEN_CENTER,
    LATTICE,
    district_layout,
    random_points_in,
    split_polygon,
    street_layout,
    street_outline,
    to_geojson,
)
from redgrid.regions.geo import EARTH_RADIUS_M, GridIndex, tiling_report, validate_geometry

# Gaps and overlaps below this (≈ 0.01 m²) count as none; exact layouts in fact give 0.0.
TOLERANCE_DEG2 = 1e-12
M_PER_DEG = 3.141592653589793 * EARTH_RADIUS_M / 180


@pytest.fixture(scope="module")
def street():
    return street_layout(communities=7, grids_per_community=8, seed=2024)


@pytest.fixture(scope="module")
def district():
    started = time.perf_counter()
    layout = district_layout(10, [15] * 10, 8, seed=7)
    layout.build_seconds = time.perf_counter() - started
    return layout


def fingerprint(area) -> str:
    """A digest of every coordinate of every level of a layout."""
    levels = []
    depth = 0
    while nodes := area.level(depth):
        levels.append([node.geojson for node in nodes])
        depth += 1
    return hashlib.sha256(json.dumps(levels).encode()).hexdigest()


def test_the_street_outline_is_a_simple_polygon_of_the_requested_size():
    outline = street_outline(1, GUANGWEN_CENTER, (3000, 2500))
    assert outline.geom_type == "Polygon" and outline.is_valid and not outline.interiors
    min_lng, min_lat, max_lng, max_lat = outline.bounds
    width_m = (max_lng - min_lng) * M_PER_DEG * 0.8016  # cos 36.7°
    height_m = (max_lat - min_lat) * M_PER_DEG
    assert width_m == pytest.approx(3000, rel=0.01)
    assert height_m == pytest.approx(2500, rel=0.01)
    assert outline.contains(shapely.Point(GUANGWEN_CENTER))
    # Irregular: clearly neither a rectangle nor an ellipse-filling blob.
    assert 0.5 < outline.area / box(*outline.bounds).area < 0.9
    assert len(outline.exterior.coords) > 20


def test_the_outline_is_the_same_for_the_same_seed_and_differs_for_another():
    assert street_outline(3).equals_exact(street_outline(3), tolerance=0)
    assert not street_outline(3).equals(street_outline(4))


def test_split_parts_are_valid_polygons_in_a_stable_order():
    outline = street_outline(5)
    parts = split_polygon(outline, 8, seed=11)
    assert len(parts) == 8
    assert all(p.geom_type == "Polygon" and p.is_valid and not p.is_empty for p in parts)
    assert [p.wkb for p in parts] == [p.wkb for p in split_polygon(outline, 8, seed=11)]
    # Reading order: the first part is further north than the last.
    assert parts[0].centroid.y > parts[-1].centroid.y


def test_split_parts_share_edges_exactly_and_tile_the_polygon_within_the_documented_tolerance():
    outline = street_outline(5)
    for n in (2, 5, 8, 13):
        report = tiling_report(split_polygon(outline, n, seed=n), outline)
        assert report["overlap_area"] <= TOLERANCE_DEG2
        # Where a cut meets the outline, the crossing is snapped to the lattice: slivers at most
        # half a lattice step wide along the outline (see the module docstring).
        assert report["gap_area"] + report["outside_area"] <= outline.length * LATTICE


def test_a_non_convex_polygon_is_still_split_into_single_polygons():
    # A comb: Voronoi cells clipped to it fall apart, and stray pieces must go to neighbours.
    x, y = 119.1, 36.7
    comb = shapely.union_all(
        [box(x, y, x + 0.03, y + 0.002)]
        + [box(x + 0.005 * i, y, x + 0.005 * i + 0.0015, y + 0.02) for i in range(7)]
    )
    for seed in range(6):
        parts = split_polygon(comb, 9, seed)
        assert len(parts) == 9
        assert all(p.geom_type == "Polygon" and p.is_valid for p in parts)
        report = tiling_report(parts, comb)
        assert report["overlap_area"] <= TOLERANCE_DEG2
        assert report["gap_area"] + report["outside_area"] <= comb.length * LATTICE


def test_splitting_into_one_part_returns_the_polygon():
    outline = street_outline(9)
    (only,) = split_polygon(outline, 1, seed=0)
    assert only.equals(outline)


def test_splitting_rejects_bad_input():
    with pytest.raises(ValueError):
        split_polygon(street_outline(1), 0, seed=0)
    with pytest.raises(ValueError):
        split_polygon(shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]), 2, seed=0)


def test_a_community_is_tiled_by_its_grids_without_gaps_or_overlaps(street):
    communities = street.children
    assert len(communities) == 7
    for community in communities:
        assert len(community.children) == 8
        report = tiling_report([grid.polygon for grid in community.children], community.polygon)
        assert report["overlap_area"] <= TOLERANCE_DEG2
        assert report["gap_area"] <= TOLERANCE_DEG2
        assert report["outside_area"] <= TOLERANCE_DEG2
    report = tiling_report([c.polygon for c in communities], street.polygon)
    assert max(report["overlap_area"], report["gap_area"], report["outside_area"]) <= TOLERANCE_DEG2


def test_every_area_of_the_layouts_is_a_valid_polygon_on_the_lattice(street, district):
    for layout, depth in ((street, 2), (district, 3)):
        for level in range(depth + 1):
            for node in layout.level(level):
                polygon = node.polygon
                assert polygon.geom_type == "Polygon" and polygon.is_valid and polygon.area > 0
                coords = shapely.get_coordinates(polygon)
                assert (coords.round(7) == coords).all()
                assert polygon.contains(shapely.Point(node.center))


def test_every_level_of_the_district_tiles_its_parent(district):
    assert [len(district.level(d)) for d in range(4)] == [1, 10, 150, 1200]
    for depth in range(3):
        for node in district.level(depth):
            report = tiling_report([child.polygon for child in node.children], node.polygon)
            assert report["overlap_area"] <= TOLERANCE_DEG2
            assert report["gap_area"] <= TOLERANCE_DEG2
            assert report["outside_area"] <= TOLERANCE_DEG2
    # Grids of different communities also meet exactly, so the whole district is tiled by its grids.
    report = tiling_report([grid.polygon for grid in district.level(3)], district.polygon)
    assert max(report["overlap_area"], report["gap_area"], report["outside_area"]) <= TOLERANCE_DEG2


def test_the_district_layout_builds_well_under_five_seconds(district):
    assert district.build_seconds < 5


def test_the_layout_is_the_same_for_the_same_seed(street):
    again = street_layout(communities=7, grids_per_community=8, seed=2024)
    assert fingerprint(again) == fingerprint(street)
    assert fingerprint(street_layout(communities=7, grids_per_community=8, seed=2025)) != fingerprint(street)


def test_the_layout_does_not_depend_on_the_process_or_hash_seed(street):
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "from test_demo_geometry import fingerprint\n"
        "from redgrid.regions.demo_geometry import street_layout\n"
        "print(fingerprint(street_layout(communities=7, grids_per_community=8, seed=2024)))\n"
    )
    src = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(src)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert out.stdout.strip() == fingerprint(street)


def test_grid_counts_may_differ_per_community():
    layout = district_layout(2, [2, 3], [[3, 4], [5, 6, 7]], seed=1, size_m=(5000, 4000))
    assert [len(c.children) for c in layout.level(2)] == [3, 4, 5, 6, 7]
    flat = district_layout(2, [2, 3], [3, 4, 5, 6, 7], seed=1, size_m=(5000, 4000))
    assert fingerprint(flat) == fingerprint(layout)
    with pytest.raises(ValueError):
        district_layout(2, [2, 3], [3, 4], seed=1)


def test_generated_grids_are_found_by_the_grid_index(street):
    grids = street.level(2)
    index = GridIndex([(i, grid.geojson) for i, grid in enumerate(grids, start=1)])
    for i, grid in enumerate(grids, start=1):
        points = random_points_in(grid.polygon, 20, seed=i)
        assert index.locate_many(points) == [i] * 20
        assert index.locate(*grid.center) == i
    # Every vertex lies on some grid's boundary, and no point of the street falls between grids.
    points = random_points_in(street.polygon, 2000, seed=0)
    assert None not in index.locate_many(points)


def test_random_points_are_inside_rounded_and_deterministic():
    outline = street_outline(2)
    points = random_points_in(outline, 300, seed=4)
    assert len(points) == 300
    assert points == random_points_in(outline, 300, seed=4)
    assert points != random_points_in(outline, 300, seed=5)
    assert all(outline.contains(shapely.Point(p)) for p in points)
    assert all(round(v, 7) == v for p in points for v in p)


def test_to_geojson_gives_valid_counterclockwise_lists_with_seven_decimals(street):
    geometry = to_geojson(street.children[0].polygon)
    assert geometry["type"] == "Polygon"
    ring = geometry["coordinates"][0]
    assert isinstance(ring, list) and all(isinstance(p, list) and len(p) == 2 for p in ring)
    assert ring[0] == ring[-1]
    assert all(round(v, 7) == v for p in ring for v in p)
    assert shapely.Polygon(ring).exterior.is_ccw
    assert validate_geometry(json.loads(json.dumps(geometry))).equals(street.children[0].polygon)
    multi = to_geojson(shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]))
    assert multi["type"] == "MultiPolygon" and len(multi["coordinates"]) == 2
