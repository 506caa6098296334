"""The public statistics page (no login, aggregates only) and the branch view (scoped to the branch)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from redgrid.appeals.models import Appeal, Status
from redgrid.assessment import dash_rollup

TZ = timezone.get_default_timezone()
NOW = datetime(2026, 7, 15, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _fresh_caches():
    dash_rollup.clear_caches()


@pytest.fixture
def appeals(world):
    """Seven appeals in 文化路社区 (one closed), two in 松鹤园社区; the texts and reporter are personal."""
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        for i in range(7):
            a = Appeal.objects.create(
                title=f"张三家{i}号门口漏水",
                content=f"我是张三，电话13900001234，家住A1路1号{i}室，门口漏水",
                grid=world.regions["A1"],
                street=world.regions["guangwen"],
                category=world.categories["lights"],
                reporter=world.user("resident"),
                address=f"A1路1号{i}室",
            )
            if i == 0:
                a.status, a.closed_at, a.owner_unit = (
                    Status.CLOSED,
                    NOW - timedelta(days=1),
                    world.units["chengguan"],
                )
                a.save()
        for _ in range(2):
            Appeal.objects.create(
                content="李四反映噪音", grid=world.regions["B1"], street=world.regions["guangwen"]
            )
    return world


def test_the_public_statistics_need_no_login_and_show_aggregates(appeals, client):
    with time_machine.travel(NOW, tick=False):
        page = client.get("/assessment/stats/", {"street": appeals.regions["guangwen"].pk})
        data = client.get(
            "/api/v1/assessment/public/stats", {"street": appeals.regions["guangwen"].pk}
        ).json()
    assert page.status_code == 200
    assert (data["intake"], data["closed"]) == (9, 1)
    communities = {c["name"]: c for c in data["communities"]}
    assert communities["文化路社区"]["intake"] == 7
    # Two appeals, one closure: below the floor of 5, so not shown as numbers.
    assert communities["松鹤园社区"]["intake"] is None and communities["文化路社区"]["closed"] is None
    assert data["monthly_intake"][6] == 9


def test_the_public_statistics_contain_no_personal_data(appeals, client):
    with time_machine.travel(NOW, tick=False):
        body = client.get("/api/v1/assessment/public/stats").content.decode()
        html = client.get("/assessment/stats/").content.decode()
    for text in (body, html):
        for personal in ("张三", "13900001234", "A1路1号", "李四", "漏水", "resident", "A1居民"):
            assert personal not in text


def test_an_unknown_street_is_a_404_on_the_public_page(client, world):
    assert client.get("/assessment/stats/", {"street": "999999"}).status_code == 404
    assert client.get("/api/v1/assessment/public/stats", {"street": "x"}).status_code == 422


def test_the_branch_secretary_sees_their_branch(world, client, login):
    login(world.user("branch"))
    data = client.get("/api/v1/assessment/dash/branch").json()
    assert data["org"]["name"] == "A1网格党支部"
    assert (data["members"]["full"], data["members"]["probationary"]) == (2, 1)
    assert data["branches"] == 1
    assert sum(data["dues"].values()) == 3
    assert data["study"]["members"] == 3
    page = client.get("/assessment/branch/")
    assert page.status_code == 200 and "/api/v1/assessment/dash/branch?org=" in page.content.decode()


def test_another_branch_is_a_404_for_the_outsider_branch(world, client, login):
    login(world.user("outsider_branch"))
    assert client.get("/api/v1/assessment/dash/branch", {"org": world.orgs["A1"].pk}).status_code == 404
    assert client.get("/assessment/branch/", {"org": world.orgs["A1"].pk}).status_code == 404
    assert client.get("/api/v1/assessment/dash/branch").json()["org"]["name"] == "A2网格党支部"


def test_a_street_sees_every_branch_of_its_committee(world, client, login):
    login(world.user("street"))
    data = client.get("/api/v1/assessment/dash/branch", {"org": world.orgs["guangwen"].pk}).json()
    assert data["branches"] == 3 and data["members"]["full"] == 6
