"""A member signs up for a volunteer shift on a phone and checks in by opening the organiser's QR link.

Runs on the test `world` (its accounts and password) rather than the demo street, so it depends on nothing
but the volunteer module; the demo content itself is covered by test_volunteers_pages.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from redgrid.testing import PASSWORD

TITLE = "社区环境清洁（浏览器测试）"


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_a_member_signs_up_for_a_shift_and_checks_in_on_a_phone(world, live_server, browser, phone_page):
    from redgrid.participation import volunteers as v
    from redgrid.participation.models import ShiftSignup

    base = live_server.url
    # A shift starting in ten minutes in the member's community: check-in is already open.
    start = timezone.now() + timedelta(minutes=10)
    activity = v.activity_create(
        actor=world.user("community"),
        title=TITLE,
        description="清理楼道杂物",
        address="文化路社区党群服务中心",
        community=world.regions["wenhua"],
        dual_report=True,
        shifts=[
            {
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
                "place": "党群服务中心门口",
                "capacity": 2,
            }
        ],
    )
    shift = activity.shifts.get()

    # 1. The member opens 志愿服务 from the H5 home and signs up for the shift.
    phone = phone_page
    login(phone, base, "member")
    phone.wait_for_url(f"{base}/h5/")
    phone.click("a.tile:has-text('志愿服务')")
    phone.wait_for_url(f"{base}/participation/volunteers/")
    assert _fits_the_phone(phone)
    phone.click(f"a.card.vol:has-text('{TITLE}')")
    phone.wait_for_selector("#shifts")
    assert "名额 0/2" in phone.locator("#shifts").inner_text()
    assert _fits_the_phone(phone)
    phone.click(f"[data-shift='{shift.pk}'] button:has-text('报名')")
    phone.wait_for_selector(".messages")
    assert "报名成功" in phone.locator(".messages").inner_text()
    assert "已报名" in phone.locator(f"[data-shift='{shift.pk}']").inner_text()

    # 2. The organiser shows the check-in QR code on the desk (its link is what the code encodes).
    desk_context = browser.new_context(locale="zh-CN")
    desk = desk_context.new_page()
    desk.set_default_timeout(15000)
    login(desk, base, "community")
    desk.wait_for_url(f"{base}/workbench/")
    desk.goto(f"{base}/participation/volunteers/manage/shifts/{shift.pk}/")
    assert desk.locator("#qr-block svg").count() == 2
    assert "member" in desk.locator("table").inner_text()
    check_in_url = desk.get_attribute("#scan-in-url", "href")
    desk_context.close()

    # 3. Scanning = opening that link on the phone, logged in: the member is checked in.
    phone.goto(check_in_url)
    result = phone.locator("#scan-result").inner_text()
    assert "签到成功" in result and TITLE in result
    assert _fits_the_phone(phone)
    phone.click("a:has-text('我的班次')")
    phone.wait_for_url(f"{base}/participation/volunteers/mine/")
    assert "已签到" in phone.locator("main").inner_text()
    signup = ShiftSignup.objects.get(shift=shift)
    assert signup.status == "checked_in" and signup.user.username == "member"
