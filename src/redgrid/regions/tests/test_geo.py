import math
import random

import pytest
from shapely.geometry import box, mapping

from redgrid.regions.geo import (
    EARTH_RADIUS_M,
    GridIndex,
    bbox_around,
    distance_m,
    tiling_report,
    validate_geometry,
)

# Two grids side by side sharing the edge lng = 119.12, and a third to the east with a hole.
WEST = mapping(box(119.10, 36.70, 119.12, 36.72))
EAST = mapping(box(119.12, 36.70, 119.14, 36.72))
FAR_EAST = {
    "type": "Polygon",
    "coordinates": [
        [[119.15, 36.70], [119.17, 36.70], [119.17, 36.72], [119.15, 36.72], [119.15, 36.70]],
        [[119.155, 36.705], [119.165, 36.705], [119.165, 36.715], [119.155, 36.715], [119.155, 36.705]],
    ],
}


def make_index(order=(7, 3, 9)):
    geometries = {7: WEST, 3: EAST, 9: FAR_EAST}
    return GridIndex([(grid_id, geometries[grid_id]) for grid_id in order])


def test_a_point_inside_a_grid_is_located_to_it():
    index = make_index()
    assert index.locate(119.11, 36.71) == 7
    assert index.locate(119.13, 36.71) == 3
    assert index.locate(119.151, 36.701) == 9


def test_a_point_on_a_shared_boundary_goes_to_the_grid_with_the_smallest_id():
    for order in [(7, 3, 9), (3, 7, 9), (9, 7, 3)]:
        index = make_index(order)
        assert index.locate(119.12, 36.71) == 3
        assert index.locate_many([(119.12, 36.71)]) == [3]


def test_a_point_on_an_outer_edge_belongs_to_its_grid():
    assert make_index().locate(119.10, 36.71) == 7


def test_a_point_outside_every_grid_is_unlocated():
    index = make_index()
    assert index.locate(119.00, 36.71) is None
    assert index.locate(119.145, 36.71) is None  # between the bounding boxes
    assert index.locate(119.16, 36.71) is None  # in the hole of grid 9
    assert index.locate(float("nan"), 36.71) is None


def test_locate_many_agrees_with_locate_point_by_point():
    index = make_index()
    rng = random.Random(5)
    points = [(rng.uniform(119.09, 119.18), rng.uniform(36.69, 36.73)) for _ in range(2000)]
    points += [(119.12, 36.70), (119.12, 36.72), (119.14, 36.71), (119.155, 36.71)]
    assert index.locate_many(points) == [index.locate(lng, lat) for lng, lat in points]


def test_multipolygon_grids_are_located_in_every_part():
    multi = {
        "type": "MultiPolygon",
        "coordinates": [mapping(box(0, 0, 1, 1))["coordinates"], mapping(box(2, 0, 3, 1))["coordinates"]],
    }
    index = GridIndex([(1, multi)])
    assert index.locate_many([(0.5, 0.5), (2.5, 0.5), (1.5, 0.5)]) == [1, 1, None]


def test_an_empty_index_locates_nothing():
    index = GridIndex([])
    assert len(index) == 0
    assert index.bounds is None
    assert index.locate(119.1, 36.7) is None
    assert index.locate_many([(119.1, 36.7)]) == [None]
    assert index.locate_many([]) == []


def test_the_index_knows_its_size_and_bounds():
    index = make_index()
    assert len(index) == 3
    assert index.ids == [3, 7, 9]
    assert index.bounds == pytest.approx((119.10, 36.70, 119.17, 36.72))


def test_a_grid_id_given_twice_is_rejected():
    with pytest.raises(ValueError, match="重复"):
        GridIndex([(1, WEST), (1, EAST)])


def test_a_valid_polygon_passes_validation():
    geometry = validate_geometry(FAR_EAST)
    assert geometry.geom_type == "Polygon"
    assert len(geometry.interiors) == 1


def test_a_valid_multipolygon_with_altitudes_passes_validation():
    ring = [[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 1, 5], [0, 0, 5]]
    geometry = validate_geometry({"type": "MultiPolygon", "coordinates": [[ring]]})
    assert geometry.geom_type == "MultiPolygon"
    assert not geometry.has_z


BOWTIE = [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]


@pytest.mark.parametrize(
    ("geometry", "detail"),
    [
        ("not a dict", "GeoJSON"),
        ({"type": "Point", "coordinates": [119.1, 36.7]}, "Polygon 或 MultiPolygon"),
        ({"type": "Feature", "geometry": WEST, "properties": {}}, "geometry"),
        ({"type": "Polygon", "coordinates": []}, "为空"),
        ({"type": "MultiPolygon", "coordinates": []}, "为空"),
        ({"type": "Polygon"}, "数组"),
        ({"type": "Polygon", "coordinates": [BOWTIE]}, "自相交"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "未闭合"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "顶点数不足"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], ["a", 1], [0, 0]]]}, "格式错误"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [True, 1], [0, 0]]]}, "格式错误"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [float("nan"), 1], [0, 0]]]}, "有限"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[36.7, 119.1], [36.8, 119.1], [36.8, 119.2], [36.7, 119.1]]],
            },
            "经纬度",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [2, 0], [0, 0]]]}, "自相交"),  # collinear
        (
            {
                "type": "MultiPolygon",
                "coordinates": [
                    mapping(box(0, 0, 1, 1))["coordinates"],
                    mapping(box(1, 0, 2, 1))["coordinates"],
                ],
            },
            "共用边",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    mapping(box(0, 0, 1, 1))["coordinates"][0],
                    mapping(box(2, 2, 3, 3))["coordinates"][0],
                ],
            },
            "内环",
        ),
        (
            {"type": "MultiPolygon", "coordinates": [[BOWTIE], mapping(box(2, 2, 3, 3))["coordinates"]]},
            "自相交",
        ),
    ],
)
def test_invalid_geojson_gives_a_chinese_error(geometry, detail):
    with pytest.raises(ValueError) as caught:
        validate_geometry(geometry)
    message = str(caught.value)
    assert message.startswith("边界不是有效的多边形：")
    assert detail in message


def test_a_self_intersection_error_says_where():
    with pytest.raises(ValueError, match=r"经度 0\.5.*纬度 0\.5"):
        validate_geometry({"type": "Polygon", "coordinates": [BOWTIE]})


def test_one_degree_of_latitude_is_about_111_km():
    assert distance_m(119.1, 36.0, 119.1, 37.0) == pytest.approx(math.pi * EARTH_RADIUS_M / 180, rel=1e-9)
    assert distance_m(119.1, 36.7, 119.1, 36.7) == 0.0


def test_distance_is_symmetric_and_shrinks_with_latitude_for_longitude_steps():
    a = distance_m(119.10, 36.70, 119.13, 36.72)
    assert a == pytest.approx(distance_m(119.13, 36.72, 119.10, 36.70))
    assert 3000 < a < 3500
    assert distance_m(0, 60, 1, 60) == pytest.approx(distance_m(0, 0, 1, 0) / 2, rel=1e-3)


def test_the_bbox_around_a_point_contains_every_point_within_the_radius():
    lng, lat = 119.125, 36.705
    for radius in (1.0, 100.0, 5000.0):
        min_lng, min_lat, max_lng, max_lat = bbox_around(lng, lat, radius)
        for step in range(3600):
            bearing = math.radians(step / 10)
            # Destination point on the sphere at exactly `radius` along `bearing`.
            d = radius / EARTH_RADIUS_M
            phi1, lmb1 = math.radians(lat), math.radians(lng)
            phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(bearing))
            lmb2 = lmb1 + math.atan2(
                math.sin(bearing) * math.sin(d) * math.cos(phi1),
                math.cos(d) - math.sin(phi1) * math.sin(phi2),
            )
            p_lng, p_lat = math.degrees(lmb2), math.degrees(phi2)
            assert distance_m(lng, lat, p_lng, p_lat) == pytest.approx(radius, abs=1e-6)
            assert min_lng <= p_lng <= max_lng and min_lat <= p_lat <= max_lat
        # ... and it is tight: the corners are outside the circle but not by much.
        assert distance_m(lng, lat, max_lng, lat) == pytest.approx(radius, rel=1e-3, abs=1e-3)
        assert distance_m(lng, lat, lng, max_lat) == pytest.approx(radius, rel=1e-3, abs=1e-3)


def test_a_bbox_reaching_a_pole_spans_all_longitudes():
    assert bbox_around(10, 89.99, 5000) == (
        -180.0,
        pytest.approx(89.99 - 5000 / 111195, abs=1e-3),
        180.0,
        90.0,
    )


def test_a_negative_radius_is_rejected():
    with pytest.raises(ValueError):
        bbox_around(119.1, 36.7, -1)


def test_the_tiling_report_of_an_exact_tiling_is_clean():
    report = tiling_report([WEST, EAST], box(119.10, 36.70, 119.14, 36.72))
    assert report["part_count"] == 2
    assert report["overlap_area"] == 0
    assert report["gap_area"] == 0
    assert report["outside_area"] == 0
    assert report["total_area"] == pytest.approx(report["union_area"])


def test_the_tiling_report_measures_gaps_overlaps_and_spill():
    parts = [box(0, 0, 2, 2), box(1, 0, 3, 2), box(3.5, 0, 4, 2)]  # 2×2 overlap, gap 3–3.5
    report = tiling_report(parts, box(0, 0, 4, 2))
    assert report["overlap_area"] == pytest.approx(2.0)
    assert report["gap_area"] == pytest.approx(1.0)
    assert report["outside_area"] == 0
    assert tiling_report(parts, box(0, 0, 3, 2))["outside_area"] == pytest.approx(1.0)
    assert "gap_area" not in tiling_report(parts)
