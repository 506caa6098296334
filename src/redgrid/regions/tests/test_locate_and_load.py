"""Point → grid, address → household → grid, loading division codes, coverage, demo data."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from redgrid.regions import locate
from redgrid.regions.models import Region
from redgrid.regions.services import grid_set_boundary
from redgrid.testing import square

pytestmark = pytest.mark.django_db


def test_a_point_is_located_to_the_grid_that_contains_it(world):
    assert locate.grid_at(119.105, 36.705) == world.regions["A1"]
    assert locate.grid_at(119.205, 36.705) == world.regions["C1"]


def test_a_point_outside_every_grid_is_unlocated(world):
    assert locate.grid_at(100.0, 30.0) is None


def test_the_index_is_rebuilt_when_a_grid_boundary_changes(world):
    assert locate.grid_at(119.305, 36.705) is None
    grid_set_boundary(actor=world.user("admin"), grid=world.regions["B1"], geometry=square(119.30, 36.70))
    assert locate.grid_at(119.305, 36.705) == world.regions["B1"]
    assert locate.grid_at(119.125, 36.705) is None


def test_an_invalid_boundary_is_refused_with_a_chinese_message(world):
    with pytest.raises(ValueError, match="多边形|边界"):
        grid_set_boundary(actor=world.user("admin"), grid=world.regions["B1"], geometry={"type": "Point"})


def test_an_exact_household_address_gives_its_grid(world):
    match = locate.grid_for_address("A2路1号1号楼1单元102室")
    assert match.grid == world.regions["A2"] and match.household is not None


def test_an_address_that_starts_with_a_building_address_gives_the_building_grid(world):
    match = locate.grid_for_address("B1路1号1号楼东侧路灯")
    assert match.grid == world.regions["B1"] and match.household is None


def test_an_unknown_address_is_unlocated(world):
    assert locate.grid_for_address("不存在的路88号").grid is None


def test_loading_a_street_creates_its_ancestors_and_communities_once():
    call_command("load_regions", "370705007")
    street = Region.objects.get(code="370705007000")
    assert street.name == "广文街道" and street.level == "street"
    assert [a.name for a in street.get_ancestors()] == ["山东省", "潍坊市", "奎文区"]
    communities = street.get_children()
    assert communities.count() == 7 and "文化路社区居民委员会" in {c.name for c in communities}
    assert all(len(c.code) == 12 for c in communities)
    before = Region.objects.count()
    call_command("load_regions", "370705007")
    assert Region.objects.count() == before


def test_loading_an_unknown_code_is_a_clear_error():
    with pytest.raises(CommandError, match="没有区划代码"):
        call_command("load_regions", "370705999")
    with pytest.raises(CommandError, match="位数字"):
        call_command("load_regions", "37a")


def test_loading_from_the_shared_files_reads_the_gzipped_villages(settings):
    source = settings.SHARED_DIR / "data" / "divisions"
    if not source.exists():
        pytest.skip("../shared not present")
    call_command("load_regions", "370702001", "--source", str(source))
    assert Region.objects.get(code="370702001000").get_children().count() > 0


def test_the_coverage_report_lists_grids_without_a_branch(world, client):
    from redgrid.party.selectors import coverage_report

    assert list(coverage_report(world.regions["province"])) == []
    world.orgs["B1"].regions.clear()
    assert list(coverage_report(world.regions["province"])) == [world.regions["B1"]]
    client.force_login(world.user("street"))
    html = client.get("/party/coverage/").content.decode()
    assert world.regions["B1"].name in html
    client.force_login(world.user("outsider_street"))
    assert world.regions["B1"].name not in client.get("/party/coverage/").content.decode()


def test_the_tiny_demo_loads_twice_without_duplicates(settings):
    from redgrid.accounts.models import User
    from redgrid.party.models import PartyMember
    from redgrid.regions.models import Household, Resident

    call_command("demo_data", "--scale", "tiny")
    counts = (Region.objects.count(), Household.objects.count(), Resident.objects.count(),
              PartyMember.objects.count(), User.objects.count())
    call_command("demo_data", "--scale", "tiny")
    assert counts == (Region.objects.count(), Household.objects.count(), Resident.objects.count(),
                      PartyMember.objects.count(), User.objects.count())
    street = Region.objects.get(code="370705007000")
    assert street.get_children().count() == 7
    grids = Region.objects.filter(level="grid", path__startswith=street.path)
    assert grids.count() == 14 and all(len(g.code) == 15 for g in grids)
    # resident, member and gridworker belong to the same grid of 文化路社区
    resident = User.objects.get(username="resident").person.household.building.grid
    member = User.objects.get(username="member").person.household.building.grid
    worker = User.objects.get(username="gridworker").grants.get().region
    assert resident == member == worker and worker.get_parent().code == "370705007008"
