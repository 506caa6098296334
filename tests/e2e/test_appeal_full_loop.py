"""The whole closed loop through the pages, each person on their own screen: a resident reports on a phone →
the street registers and dispatches at the desk → the unit reports in and replies → the grid worker verifies
on a phone → the resident rates → the street's ranking counts the unit's response and the rating."""

import os

import pytest

from tests.e2e.test_appeal_h5 import fits_the_phone, login, tiny_png

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def submit(page, button):
    """Click a form's button and wait for the answer page: a text that is also on the form page (a status name
    in a filter, say) would otherwise let the test go on while the POST is still in flight."""
    with page.expect_navigation():
        button.click()


def ranking_row(page, base, name):
    page.goto(f"{base}/appeals/staff/ranking/?period=month")
    return page.locator("table.ranking tr", has=page.locator("td", has_text=name)).first.inner_text()


@pytest.mark.django_db(transaction=True)
def test_resident_street_unit_gridworker_and_resident_again_close_the_loop_and_the_ranking_shows_it(
    demo_street, media, live_server, browser, tmp_path
):
    from redgrid.appeals.models import Appeal, AppealRating, AppealUnitTask, Status
    from redgrid.units.models import Unit

    base = live_server.url
    unit = Unit.objects.get(short_name="城管执法")
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
    # Each person has their own browser context, so no login waits on another's cookies or pending request.
    desk = browser.new_context(locale="zh-CN")
    unit_desk = browser.new_context(locale="zh-CN")
    for ctx in (phone, desk, unit_desk):
        ctx.set_default_timeout(15000)
    resident_page, staff_page, unit_page = phone.new_page(), desk.new_page(), unit_desk.new_page()

    # 0. The street notes the unit's line in this month's ranking.
    login(staff_page, base, "street", "/workbench/")
    before = ranking_row(staff_page, base, unit.name)

    # 1. The resident reports from the phone, located by their own household.
    login(resident_page, base, "resident", "/h5/")
    resident_page.goto(f"{base}/appeals/h5/new/")
    resident_page.fill("input[name=title]", "楼下路灯不亮")
    resident_page.fill("textarea[name=content]", "楼下的路灯坏了三天了，晚上老人出门很不安全，请尽快修理")
    resident_page.locator(".ap-seg label", has_text="我的住户").click()
    resident_page.set_input_files(
        "#photos", files=[{"name": "路灯.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    submit(resident_page, resident_page.get_by_role("button", name="提交诉求"))
    resident_page.wait_for_selector("text=诉求已提交")
    appeal = Appeal.objects.filter(reporter__username="resident").latest("pk")
    assert appeal.status == Status.RECEIVED and appeal.grid is not None

    # 2. The street registers and dispatches it from the appeal file.
    staff_page.goto(f"{base}/appeals/staff/{appeal.pk}/")
    register = staff_page.locator("form.action", has=staff_page.locator("h3", has_text="立案"))
    register.locator("select[name=category]").select_option(str(unit.categories.order_by("pk").first().pk))
    submit(staff_page, register.get_by_role("button", name="立案"))
    staff_page.wait_for_selector("text=已立案")
    dispatch = staff_page.locator("form.action", has=staff_page.locator("h3", has_text="派遣"))
    dispatch.locator("select[name=unit]").select_option(str(unit.pk))
    submit(staff_page, dispatch.get_by_role("button", name="派遣"))
    staff_page.wait_for_selector("text=已派遣")

    # 3. The unit reports in from its queue and replies with an evidence photo.
    login(unit_page, base, "unit", "/workbench/")
    unit_page.goto(f"{base}/appeals/staff/unit/")
    unit_page.locator(f"a[href='/appeals/staff/{appeal.pk}/']").first.click()
    submit(unit_page, unit_page.get_by_role("button", name="报到"))
    unit_page.wait_for_selector("text=已报到")
    reply = unit_page.locator("form.action", has=unit_page.locator("h3", has_text="反馈办理结果"))
    reply.locator("textarea[name=content]").fill("已更换路灯灯泡，恢复照明")
    reply.locator("input[name=photos]").set_input_files(
        files=[{"name": "修复.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    submit(unit_page, reply.get_by_role("button", name="提交反馈"))
    unit_page.wait_for_selector("text=已反馈")
    task = AppealUnitTask.objects.get(appeal=appeal, unit=unit)
    assert task.reported_on_time

    # 4. The grid worker verifies on the phone.
    worker = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                 has_touch=True)
    worker_page = worker.new_page()
    worker_page.set_default_timeout(15000)
    login(worker_page, base, "gridworker", "/workbench/")
    worker_page.goto(f"{base}/appeals/h5/verify/")
    card = worker_page.locator(".ap-verify", has=worker_page.locator(f"a[href='/appeals/h5/{appeal.pk}/']"))
    card.locator("textarea[name=note]").fill("现场查看，路灯已亮")
    submit(worker_page, card.get_by_role("button", name="核查通过"))
    worker_page.wait_for_selector("text=核查通过，诉求已结案")
    assert Appeal.objects.get(pk=appeal.pk).status == Status.CLOSED

    # 5. The resident sees the whole timeline and rates it.
    resident_page.goto(f"{base}/appeals/h5/{appeal.pk}/")
    timeline = resident_page.locator(".ap-timeline").inner_text()
    for label in ("立案", "派遣", "报到", "反馈", "核查通过"):
        assert label in timeline
    resident_page.locator(".ap-rating label", has_text="满意").first.click()
    fits_the_phone(resident_page)
    submit(resident_page, resident_page.get_by_role("button", name="提交评价"))
    resident_page.wait_for_selector("text=感谢您的评价")
    assert AppealRating.objects.get(appeal=appeal).unit == unit

    # 6. The street's ranking counts it: the unit's line for this month has changed.
    after = ranking_row(staff_page, base, unit.name)
    assert after != before and unit.name in after
    staff_page.screenshot(path=str(tmp_path / "ranking-after-loop.png"), full_page=True)
    for ctx in (phone, desk, unit_desk, worker):
        ctx.close()
