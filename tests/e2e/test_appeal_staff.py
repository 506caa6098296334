"""接诉即办 at the desk: the street admin finds a new appeal in the dispatch queue, registers and dispatches
it from the appeal file, refuses another one after the confirmation dialog; the unit reports in from its
queue (with the report-in countdown) and replies with an evidence photo."""

import os

import pytest

from tests.e2e.test_appeal_h5 import login, tiny_png

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_the_street_dispatches_from_the_queue_and_the_unit_reports_in(
    demo_street, media, live_server, page, tmp_path
):
    from redgrid.accounts.models import User
    from redgrid.appeals import services
    from redgrid.appeals.models import Appeal, Status
    from redgrid.units.models import Unit

    base = live_server.url
    resident = User.objects.get(username="resident")
    lamp = services.appeal_submit(
        actor=resident, content="单元门口路灯不亮，晚上很黑", title="路灯不亮"
    ).appeal
    junk = services.appeal_submit(actor=resident, content="想咨询一下彩票怎么买", title="咨询彩票").appeal
    unit = Unit.objects.get(short_name="城管执法")

    login(page, base, "street", "/workbench/")
    page.get_by_role("link", name="诉求派单队列").first.click()
    page.wait_for_url(f"{base}/appeals/staff/dispatch/")
    page.fill("input[name=q]", str(lamp.pk))
    page.get_by_role("button", name="查询").click()
    page.screenshot(path=str(tmp_path / "dispatch-queue.png"), full_page=True)
    page.get_by_role("link", name="路灯不亮").click()
    page.wait_for_url(f"{base}/appeals/staff/{lamp.pk}/")

    register = page.locator("form.action", has=page.locator("h3", has_text="立案"))
    register.locator("select[name=category]").select_option(str(unit.categories.order_by("pk").first().pk))
    register.get_by_role("button", name="立案").click()
    page.wait_for_selector("text=已立案")
    dispatch = page.locator("form.action", has=page.locator("h3", has_text="派遣"))
    dispatch.locator("select[name=unit]").select_option(str(unit.pk))
    dispatch.locator("input[name=note]").fill("请今天到场")
    dispatch.get_by_role("button", name="派遣").click()
    page.wait_for_selector("text=已派遣")
    assert Appeal.objects.get(pk=lamp.pk).owner_unit == unit
    assert "请今天到场" in page.locator("ol.timeline").inner_text()

    # 不予受理 asks first: dismissing the dialog sends nothing, accepting it does.
    page.goto(f"{base}/appeals/staff/{junk.pk}/")
    reject = page.locator("form.action", has=page.locator("h3", has_text="不予受理"))
    reject.locator("textarea[name=reason]").fill("不属于政务服务范围")
    reject.locator("input[name=confirm]").check()
    page.once("dialog", lambda d: d.dismiss())
    reject.get_by_role("button", name="不予受理").click()
    page.wait_for_timeout(300)
    assert Appeal.objects.get(pk=junk.pk).status == Status.RECEIVED
    page.once("dialog", lambda d: d.accept())
    reject.get_by_role("button", name="不予受理").click()
    page.wait_for_selector("text=已不予受理")
    assert Appeal.objects.get(pk=junk.pk).status == Status.REJECTED
    page.screenshot(path=str(tmp_path / "appeal-file.png"), full_page=True)

    page.context.clear_cookies()
    login(page, base, "unit", "/workbench/")
    page.get_by_role("link", name="单位办理队列").first.click()
    page.wait_for_url(f"{base}/appeals/staff/unit/")
    row = page.locator("tr", has=page.locator(f"a[href='/appeals/staff/{lamp.pk}/']"))
    assert "剩余" in row.locator(".countdown").inner_text()
    page.screenshot(path=str(tmp_path / "unit-queue.png"), full_page=True)
    row.locator("a").first.click()
    page.get_by_role("button", name="报到").click()
    page.wait_for_selector("text=已报到")
    reply = page.locator("form.action", has=page.locator("h3", has_text="反馈办理结果"))
    reply.locator("textarea[name=content]").fill("已更换灯泡，恢复照明")
    reply.locator("input[name=photos]").set_input_files(
        files=[{"name": "现场.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    reply.get_by_role("button", name="提交反馈").click()
    page.wait_for_selector("text=已反馈")
    assert Appeal.objects.get(pk=lamp.pk).status == Status.REPLIED
    # the evidence photo is served through the scoped view and really loads
    page.wait_for_function(
        "() => { const i = document.querySelector('.photos img'); return i && i.complete; }"
    )
    assert page.evaluate("document.querySelector('.photos img').naturalWidth") == 1

    # The ranking (the street's own scope) and the anonymous public page.
    page.context.clear_cookies()
    login(page, base, "street", "/workbench/")
    page.goto(f"{base}/appeals/staff/ranking/")
    assert "综合得分" in page.locator("table.ranking").first.inner_text()
    assert "文化路社区" in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "ranking.png"), full_page=True)
    page.context.clear_cookies()
    page.goto(f"{base}/appeals/public/")
    text = page.locator("main").inner_text()
    assert "办理情况公开" in text and "路灯不亮" not in text and "居民（文化路社区第1网格）" not in text
    page.screenshot(path=str(tmp_path / "public.png"), full_page=True)
