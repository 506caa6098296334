"""接诉即办 on a phone: a resident reports a problem by tapping the grid map, follows it in 我的诉求 and
rates it once the staff (driven through the services) have closed it; a grid worker verifies on the phone."""

import os
import struct
import zlib

import pytest
from django.conf import settings

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def tiny_png() -> bytes:
    """A real 1×1 PNG (the browser previews it; the server sniffs its first bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xc8\x16\x1d"))
        + chunk(b"IEND", b"")
    )


def login(page, base, username, home):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{home}")


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def tap_map_at(page, lng, lat):
    """Tap the picker map where the point (lng, lat) is drawn."""
    page.wait_for_selector("#pick-map canvas")
    page.wait_for_function(
        "() => { const c = echarts.getInstanceByDom(document.getElementById('pick-map'));"
        " return c && c.getOption().geo && c.getOption().geo.length > 0; }"
    )
    x, y = page.evaluate(
        "([lng, lat]) => echarts.getInstanceByDom(document.getElementById('pick-map'))"
        ".convertToPixel({geoIndex: 0}, [lng, lat])",
        [lng, lat],
    )
    page.locator("#pick-map").tap(position={"x": x, "y": y})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def staff(username):
    from redgrid.accounts.models import User

    return User.objects.get(username=username)


def reply_through_the_services(appeal):
    """The street registers and dispatches to 城管执法, which reports in and replies."""
    from redgrid.appeals import services
    from redgrid.units.models import Unit

    unit = Unit.objects.get(short_name="城管执法")
    services.appeal_register(
        actor=staff("street"), appeal=appeal, category=unit.categories.order_by("pk").first()
    )
    services.appeal_dispatch(actor=staff("street"), appeal=appeal, unit=unit)
    services.appeal_accept(actor=staff("unit"), appeal=appeal)
    services.appeal_reply(actor=staff("unit"), appeal=appeal, content="已更换路灯灯泡，恢复照明")


def close_through_the_services(appeal):
    from redgrid.appeals import services

    reply_through_the_services(appeal)
    services.appeal_verify(actor=staff("gridworker"), appeal=appeal, passed=True)


@pytest.mark.django_db(transaction=True)
def test_a_resident_reports_by_tapping_the_map_and_rates_the_closed_appeal(
    demo_street, media, live_server, phone_page
):
    from redgrid.accounts.models import User
    from redgrid.appeals.models import Appeal, AppealRating, Status
    from redgrid.regions.locate import grid_at
    from redgrid.regions.selectors import home_grid_of

    page, base = phone_page, live_server.url
    resident = User.objects.get(username="resident")
    grid = home_grid_of(resident)
    assert grid_at(grid.center_lng, grid.center_lat) == grid  # the tap below lands inside the grid
    before = set(Appeal.objects.values_list("pk", flat=True))

    login(page, base, "resident", "/h5/")
    page.get_by_role("link", name="反映诉求").click()
    page.wait_for_url(f"{base}/appeals/h5/new/")
    page.fill("textarea[name=content]", "单元门口的路灯坏了一个星期，晚上出入很不方便")
    page.fill("input[name=title]", "单元门口路灯不亮")
    page.locator(".ap-seg label", has_text="地图选点").click()
    tap_map_at(page, grid.center_lng, grid.center_lat)
    assert grid.name in page.locator("#pick-hint").inner_text()
    assert page.input_value("#pick-lat") and page.input_value("#pick-lng")
    page.set_input_files(
        "#photos", files=[{"name": "路灯.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    assert page.locator("#photo-preview img").count() == 1
    fits_the_phone(page)
    page.get_by_role("button", name="提交诉求").click()
    page.wait_for_selector("text=诉求已提交")
    assert grid.name in page.locator("main").inner_text()

    (appeal,) = Appeal.objects.exclude(pk__in=before)
    assert appeal.grid == grid and appeal.reporter == resident
    assert abs(appeal.lng - grid.center_lng) < 1e-4 and abs(appeal.lat - grid.center_lat) < 1e-4
    assert appeal.photos.get().content_type == "image/png"

    page.get_by_role("link", name="我的诉求").click()
    page.wait_for_url(f"{base}/appeals/h5/mine/")
    fits_the_phone(page)
    page.locator(f"a.ap-item[href='/appeals/h5/{appeal.pk}/']").click()
    page.wait_for_url(f"{base}/appeals/h5/{appeal.pk}/")
    timeline = page.locator(".ap-timeline").inner_text()
    assert "提交诉求" in timeline and "我" in timeline
    # the photo is served through the scoped view and really loads
    page.wait_for_function(
        "() => { const i = document.querySelector('.ap-photos img');"
        " return i && i.complete && i.naturalWidth === 1; }"
    )

    close_through_the_services(appeal)
    page.reload()
    timeline = page.locator(".ap-timeline").inner_text()
    for label in ("立案", "派遣", "报到", "反馈", "核查通过"):
        assert label in timeline
    assert "已更换路灯灯泡" in page.locator("main").inner_text()
    page.locator(".ap-rating label", has_text="基本满意").click()
    page.fill("textarea[name=comment]", "修好了，希望以后巡查更及时")
    fits_the_phone(page)
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_selector("text=感谢您的评价")
    rating = AppealRating.objects.get(appeal=appeal)
    assert (rating.rating, rating.comment) == ("basically_satisfied", "修好了，希望以后巡查更及时")
    assert Appeal.objects.get(pk=appeal.pk).status == Status.CLOSED
    assert page.get_by_role("button", name="提交评价").count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_grid_worker_reports_on_patrol_and_verifies_a_reply_on_the_phone(
    demo_street, media, live_server, phone_page
):
    from redgrid.accounts.models import User
    from redgrid.appeals import services
    from redgrid.appeals.models import Appeal, Channel, Status
    from redgrid.regions.selectors import home_grid_of

    page, base = phone_page, live_server.url
    resident = User.objects.get(username="resident")
    replied = services.appeal_submit(
        actor=resident, content="楼道里堆满杂物，堵住了消防通道", channel=Channel.API
    ).appeal
    reply_through_the_services(replied)

    login(page, base, "gridworker", "/workbench/")
    page.get_by_role("link", name="巡查上报（手机）").click()
    page.wait_for_url(f"{base}/appeals/h5/patrol/")
    page.fill("textarea[name=content]", "巡查发现3号楼北侧井盖破损，存在安全隐患")
    page.fill("input[name=address]", "3号楼北侧")  # 本网格 is preselected for a worker with one grid
    fits_the_phone(page)
    page.get_by_role("button", name="上报").click()
    page.wait_for_selector("text=巡查上报成功")
    patrol = Appeal.objects.get(channel=Channel.PATROL, content__startswith="巡查发现3号楼")
    assert patrol.grid == home_grid_of(resident)  # the demo worker's grid is the demo resident's

    page.goto(f"{base}/appeals/h5/verify/")
    card = page.locator(".ap-verify", has=page.locator(f"a[href='/appeals/h5/{replied.pk}/']"))
    card.locator("textarea[name=note]").fill("现场查看，已处理到位")
    fits_the_phone(page)
    card.get_by_role("button", name="核查通过").click()
    page.wait_for_selector("text=核查通过，诉求已结案")
    assert Appeal.objects.get(pk=replied.pk).status == Status.CLOSED
