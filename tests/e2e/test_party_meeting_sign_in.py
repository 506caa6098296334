"""A branch secretary records a 主题党日 in the browser; a member scans the QR code on the screen with a phone
(the code is read from a screenshot, as a phone camera would) and is signed in; the secretary sees the
attendance and the quorum change, records an absence reason and closes sign-in after confirming; the same
code then no longer signs anyone in."""

import io
import os
from datetime import date

import pytest
import zxingcpp
from PIL import Image

from tests.e2e.test_party_dual_report import login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def scan(locator) -> str:
    """What a phone camera reads from the QR code shown on the page."""
    image = Image.open(io.BytesIO(locator.screenshot()))
    codes = zxingcpp.read_barcodes(image)
    assert codes, "no QR code could be read from the screen"
    return codes[0].text


@pytest.mark.django_db(transaction=True)
def test_a_member_signs_in_by_scanning_the_meeting_code_and_the_secretary_closes_sign_in(
    world, live_server, page, phone_page
):
    from redgrid.party.models import MeetingAttendance, OrgLifeMeeting

    base = live_server.url
    login(page, base, "branch", "/workbench/")
    page.goto(f"{base}/party/meetings/new/")
    page.select_option("select[name=org]", label="A1网格党支部")
    page.select_option("select[name=kind]", label="主题党日")
    page.fill("input[name=date]", date.today().isoformat())
    page.fill("input[name=place]", "文化路社区党群服务中心")
    page.fill("input[name=topic]", "学习《中国共产党支部工作条例（试行）》")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/party/meetings/*/")
    meeting = OrgLifeMeeting.objects.get()
    assert "0 / 3" in page.locator(".kv").inner_text()
    assert page.locator("tbody .badge.green").count() == 0

    url = scan(page.locator(".card svg").first)
    assert url.startswith(f"{base}/party/meetings/{meeting.pk}/sign-in/")

    login(phone_page, base, "member", "/h5/")
    phone_page.goto(url)
    assert "签到成功" in phone_page.locator("h1").inner_text()
    assert "主题党日" in phone_page.locator("main").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.goto(url)  # scanning twice changes nothing
    assert "签到成功" in phone_page.locator("h1").inner_text()

    page.reload()
    assert "1 / 3" in page.locator(".kv").inner_text()
    row = page.locator("tr", has=page.locator("td", has_text=world.members["A1-1"].person.name))
    assert "出席" in row.inner_text()
    absent = page.locator("tr", has=page.locator("td", has_text=world.members["A1-2"].person.name))
    absent.locator("input[name=reason]").fill("外出务工，已请假")
    absent.get_by_role("button", name="记录原因").click()
    page.wait_for_load_state()
    assert "外出务工，已请假" in page.locator("table").inner_text()

    # Closing sign-in asks first; dismissing keeps the meeting open.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="结束签到，确认会议已召开").click()
    assert OrgLifeMeeting.objects.get().status == "open"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="结束签到，确认会议已召开").click()
    assert OrgLifeMeeting.objects.get().status == "closed"
    assert page.locator(".card svg").count() == 0

    phone_page.goto(url)
    assert "签到已结束" in phone_page.locator("main").inner_text()
    assert MeetingAttendance.objects.filter(meeting=meeting, present=True).count() == 1
