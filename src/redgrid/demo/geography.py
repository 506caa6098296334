"""Regions, generated grid boundaries, buildings, households and residents of the demo."""

import random
import zlib
from collections import defaultdict

from django.db import transaction

from redgrid.core.names import PersonGenerator, age_on, building_address, road_names
from redgrid.regions.demo_geometry import district_layout, random_points_in, street_layout
from redgrid.regions.divisions import full_code, load_subtree
from redgrid.regions.models import Building, Household, Region, Resident

TAGS = [("独居老人", 0.0), ("低保", 0.02), ("残疾", 0.015), ("退役军人", 0.02), ("重点优抚", 0.005)]
ROOMS_PER_FLOOR = 2


def build(ctx, *, grids_per_community: int, households: tuple[int, int]) -> None:
    code = "370705" if ctx.scale == "district" else "370705007"
    load_subtree(code)
    county = Region.objects.get(code=full_code("370705"))
    if ctx.scale == "district":
        streets = list(Region.objects.filter(level=Region.Level.STREET, path__startswith=county.path).order_by("code"))
    else:
        streets = [Region.objects.get(code=full_code("370705007"))]
    ctx.street_codes = [s.code for s in streets]
    communities = {s.pk: list(s.get_children().filter(level=Region.Level.COMMUNITY).order_by("code")) for s in streets}
    if ctx.scale == "district":
        layout = district_layout(len(streets), [len(communities[s.pk]) for s in streets], grids_per_community, seed=7)
        street_areas = layout.level(1)
    else:
        street_areas = [street_layout(len(communities[streets[0].pk]), grids_per_community, seed=7)]
    people = PersonGenerator(seed=ctx.rng.randrange(10**9))
    roads = road_names()
    # House numbers are handed out per road in layout order (10 per grid), over every grid of the run
    # whether or not it is populated yet, so addresses stay unique and identical from run to run.
    road_blocks: dict[str, int] = defaultdict(int)
    for street, street_area in zip(streets, street_areas, strict=True):
        _set_geometry(street, street_area)
        for community, community_area in zip(communities[street.pk], street_area.children, strict=True):
            _set_geometry(community, community_area)
            for seq, grid_area in enumerate(community_area.children, start=1):
                grid = _grid(community, seq, grid_area)
                road = roads[zlib.crc32(grid.code.encode()) % len(roads)]
                first_number = road_blocks[road] * 10 + 1
                road_blocks[road] += 1
                if not Household.objects.filter(building__grid=grid).exists():
                    rng = random.Random(f"{grid.code}")
                    _populate(grid, grid_area.polygon, rng, people, road, first_number, households, ctx.today)
        ctx.log(f"· {street.name}：{len(communities[street.pk])} 个社区")


def short_name(community_name: str) -> str:
    """"文化路社区居民委员会" → "文化路社区", "邢石村村委会" → "邢石村" (the names residents use)."""
    return community_name.replace("社区居民委员会", "社区").replace("居委会", "社区").replace("村村委会", "村").replace(
        "村委会", "村"
    )


def _set_geometry(region: Region, area) -> None:
    lng, lat = area.center
    if region.geometry != area.geojson:
        region.geometry, region.center_lng, region.center_lat = area.geojson, lng, lat
        region.save(update_fields=["geometry", "center_lng", "center_lat", "updated_at"])


def _grid(community: Region, seq: int, area) -> Region:
    code = f"{community.code}{seq:03d}"
    grid = Region.objects.filter(code=code).first()
    short = short_name(community.name)
    if grid is None:
        lng, lat = area.center
        grid = community.add_child(code=code, name=f"{short}第{seq}网格", level=Region.Level.GRID,
                                   geometry=area.geojson, center_lng=lng, center_lat=lat)
        community.refresh_from_db()
    elif grid.geometry != area.geojson:
        grid.geometry = area.geojson
        grid.save(update_fields=["geometry", "updated_at"])
    return grid


@transaction.atomic
def _populate(grid, polygon, rng, people, road, base_number, household_range, today) -> None:
    """Buildings of 5–7 floors with 2–3 units until the grid has 300–500 households, then residents.

    Three buildings share a house number, so a grid uses at most 10 numbers from `base_number` on."""
    target = rng.randint(*household_range)
    buildings, plan = [], []
    total = 0
    points = random_points_in(polygon, 40, seed=int(grid.code[-6:]))
    while total < target:
        idx = len(buildings)
        floors, units = rng.randint(5, 7), rng.randint(2, 3)
        address = building_address(road, base_number + idx // 3, idx + 1)
        lng, lat = points[idx % len(points)]
        buildings.append(Building(grid=grid, name=f"{idx + 1}号楼", address=address, lng=lng, lat=lat, floors=floors))
        size = min(floors * units * ROOMS_PER_FLOOR, target - total)
        plan.append((units, size))
        total += size
    Building.objects.bulk_create(buildings)
    households = []
    for building, (units, size) in zip(buildings, plan, strict=True):
        for i in range(size):
            unit_no = i % units + 1
            floor = i // (units * ROOMS_PER_FLOOR) + 1
            room = f"{floor}0{(i // units) % ROOMS_PER_FLOOR + 1}"
            households.append(Household(building=building, unit_no=unit_no, room=room,
                                        address=f"{building.address}{unit_no}单元{room}室"))
    Household.objects.bulk_create(households, batch_size=1000)
    residents = []
    for household in households:
        size = rng.choices([1, 2, 3, 4, 5], weights=[14, 33, 30, 16, 7])[0]
        head = people.person(min_age=25, max_age=92, today=today)
        members = [(head, "户主")]
        if size >= 2:
            spouse = people.person(min_age=max(22, age_on(head.birth_date, today) - 6),
                                   max_age=min(95, age_on(head.birth_date, today) + 6), today=today)
            members.append((spouse, "配偶"))
        for _ in range(size - 2):
            head_age = age_on(head.birth_date, today)
            child = people.person(min_age=max(0, head_age - 45), max_age=max(0, head_age - 22), today=today)
            members.append((child, "子女"))
        for person, relation in members:
            r = Resident(name=person.name, gender=person.gender, ethnicity=person.ethnicity,
                         birth_date=person.birth_date, education=person.education, occupation=person.occupation,
                         household=household, relation=relation)
            r.id_number = person.id_number
            r.phone = person.phone
            tags = [t for t, p in TAGS if rng.random() < p]
            if size == 1 and age_on(person.birth_date, today) >= 70:
                tags.append("独居老人")
            r.tags = tags
            residents.append(r)
    Resident.objects.bulk_create(residents, batch_size=1000)
