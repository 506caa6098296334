"""考核排名 in the browser: the street leader opens the ranking of the street's communities, drills down
to a community's grids, opens a grid's indicator breakdown and then the records behind one number."""

import os

import pytest

from tests.e2e.test_appeal_h5 import login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.mark.django_db(transaction=True)
def test_a_leader_drills_down_from_the_street_to_a_grid_and_its_records(
    demo_street, live_server, page, tmp_path
):
    from redgrid.regions.models import Region

    base = live_server.url
    login(page, base, "leader", "/workbench/")
    page.get_by_role("link", name="考核排名", exact=True).first.click()
    page.wait_for_url(f"{base}/assessment/")
    assert "考核排名 · 广文街道" in page.locator("h1").inner_text()
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == Region.objects.filter(level="community", code__startswith="370705007").count()
    page.screenshot(path=str(tmp_path / "street-ranking.png"), full_page=True)
    page.get_by_role("link", name="季度", exact=True).click()  # this quarter: October's meetings are due
    page.wait_for_url("**kind=quarter**")
    assert "季度" in page.locator("h1").inner_text()

    # sort by a column, then drill into 文化路社区
    page.get_by_role("link", name="组织生活合规率").click()
    page.wait_for_url("**sort=branch_life**")
    community = page.locator("table.ranking tbody tr", has=page.get_by_role("link", name="文化路社区"))
    community.get_by_role("link", name="下级").click()
    page.wait_for_url("**level=grid**")
    assert "考核排名 · 文化路社区" in page.locator("h1").inner_text()
    grid_link = page.locator("table.ranking tbody td.name a").first
    grid_name = grid_link.inner_text()
    assert grid_name.startswith("文化路社区")
    page.screenshot(path=str(tmp_path / "community-grids.png"), full_page=True)

    grid_link.click()
    page.wait_for_url("**/assessment/node/region:**")
    assert grid_name in page.locator("h1").inner_text()
    assert "广文街道" in page.locator(".kpi-crumbs").inner_text()
    breakdown = page.locator("table.kpi tbody tr", has_text="组织生活合规率")
    breakdown.get_by_role("link", name="全部").click()
    page.wait_for_url("**/records/branch_life/**")
    assert "组织生活合规率" in page.locator("h1").inner_text()
    assert page.locator("table.records tbody tr").count() >= 1
    page.screenshot(path=str(tmp_path / "grid-records.png"), full_page=True)

    # the breadcrumbs lead back up to the street's ranking
    page.locator(".kpi-crumbs a", has_text="广文街道").click()
    page.wait_for_url("**/assessment/?node=region:**")
    assert "考核排名 · 广文街道" in page.locator("h1").inner_text()
