"""双报到 in the browser: an in-service member reports to the community on a phone, the community secretary
confirms on the desktop, the member records a service, the community confirms it, and the member's
branch sees the hours; a destructive choice (不予确认) asks for confirmation first."""

import os

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def login(page, base, username, home):
    from redgrid.testing import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{home}")


@pytest.mark.django_db(transaction=True)
def test_a_member_reports_to_the_community_and_the_branch_sees_the_confirmed_hours(
    world, live_server, page, phone_page
):
    from redgrid.party.models import DualRegistration, DualServiceRecord, PartyMember

    PartyMember.objects.filter(pk=world.members["A1-1"].pk).update(in_service=True, work_unit="奎文区财政局")
    base = live_server.url

    login(phone_page, base, "member", "/h5/")
    phone_page.get_by_role("link", name="双报到").click()
    assert "未报到" in phone_page.locator("main").inner_text()
    phone_page.fill("input[name=skills]", "助老服务")
    phone_page.get_by_role("button", name="提交报到").click()
    assert "请等待社区确认" in phone_page.locator(".messages").inner_text()

    login(page, base, "community", "/workbench/")
    page.goto(f"{base}/party/dual/community/")
    page.get_by_role("button", name="确认报到").click()
    assert "已确认" in page.locator(".messages").inner_text()
    assert DualRegistration.objects.get().status == "confirmed"

    phone_page.reload()
    assert "已报到" in phone_page.locator("main").inner_text()
    phone_page.fill("input[name=hours]", "2.5")
    phone_page.fill("textarea[name=content]", "协助社区开展防诈骗宣传")
    phone_page.get_by_role("button", name="提交，等待社区确认").click()
    assert "等待社区确认" in phone_page.locator(".messages").inner_text()

    page.goto(f"{base}/party/dual/community/")
    page.on("dialog", lambda dialog: dialog.dismiss())  # 不予确认 asks first; dismissing keeps the record
    page.fill("input[name=reason] >> nth=0", "未见签到")
    page.get_by_role("button", name="不予确认").first.click()
    assert DualServiceRecord.objects.get().status == "submitted"
    page.get_by_role("button", name="确认", exact=True).click()
    assert DualServiceRecord.objects.get().status == "confirmed"

    page.get_by_role("button", name="退出").click()
    login(page, base, "branch", "/workbench/")
    page.get_by_role("link", name="双报到").first.click()
    row = page.locator("tr", has_text=world.members["A1-1"].person.name)
    assert "文化路社区" in row.inner_text() and "2.5" in row.inner_text()
