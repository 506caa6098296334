"""Every demo account logs in through the page and reaches the right home."""

import pytest
from django.conf import settings

STAFF = {
    "gridworker": "网格员", "branch": "支部书记", "community": "社区书记", "street": "街道管理员",
    "unit": "部门处置人员", "leader": "领导", "admin": "系统管理员",
}


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_each_demo_staff_account_logs_in_and_reaches_its_workbench(demo_street, live_server, page):
    for username, role_label in STAFF.items():
        login(page, live_server.url, username)
        page.wait_for_url(f"{live_server.url}/workbench/")
        assert role_label in page.locator("main").inner_text()
        page.click("header form button")  # 退出
        page.wait_for_url(f"{live_server.url}/accounts/login/")


@pytest.mark.django_db(transaction=True)
def test_the_resident_and_member_log_in_on_a_phone_and_see_their_grid(demo_street, live_server, phone_page):
    for username in ("resident", "member"):
        login(phone_page, live_server.url, username)
        phone_page.wait_for_url(f"{live_server.url}/h5/")
        text = phone_page.locator("main").inner_text()
        assert "文化路社区第1网格" in text
        if username == "member":
            assert "党员" in text
        phone_page.click("header form button")
        phone_page.wait_for_url(f"{live_server.url}/accounts/login/")


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_shows_the_chinese_error_in_the_browser(demo_street, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "street")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名/手机号或密码错误" in page.locator(".errorlist").inner_text()


@pytest.mark.django_db(transaction=True)
def test_the_grid_map_draws_the_community_grids(demo_street, live_server, page):
    login(page, live_server.url, "community")
    page.wait_for_url(f"{live_server.url}/workbench/")
    page.goto(f"{live_server.url}/regions/map/")
    page.wait_for_selector("#grid-map canvas")
    assert page.evaluate("echarts.getInstanceByDom(document.getElementById('grid-map')).getOption().series[0].data.length") == 2
