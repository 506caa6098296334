"""发展党员 in the browser: the branch secretary publishes the 公示 of an activist, a resident of the grid
objects to it on a phone, the branch sees the next step blocked, resolves the objection, and the
termination form asks for confirmation first."""

import os
from datetime import timedelta

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def login(page, base, username, home):
    from redgrid.testing import PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{home}")


@pytest.fixture
def activist(world, settings, tmp_path):
    """An applicant of branch A1 who has finished step 6, with dates relative to the real clock (the live
    server runs on it)."""
    from django.utils import timezone

    from redgrid.party import recruitment_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    applied = timezone.localdate() - timedelta(days=405)
    recruitment_demo._walk(
        world.user("branch"), world.orgs["A1"], world.residents["A1-01"], applied, 6, False
    )
    return world.residents["A1-01"].party_applications.get()


@pytest.mark.django_db(transaction=True)
def test_a_resident_objects_to_a_publicity_and_the_branch_resolves_it(
    world, activist, live_server, page, phone_page
):
    from redgrid.party.models import RecruitmentObjection

    base = live_server.url
    login(page, base, "branch", "/workbench/")
    page.get_by_role("link", name="发展党员").first.click()
    page.wait_for_url(f"{base}/party/recruitment/")
    page.get_by_role("link", name=activist.person.name).click()
    assert "办理第7步“确定发展对象”" in page.locator("main").inner_text()
    assert "须先公示" in page.locator("#next-step").inner_text()
    page.get_by_role("button", name="发布公示").click()
    assert "公示已发布" in page.locator(".messages").inner_text()
    assert "公示期至" in page.locator("#blocked").inner_text()

    login(phone_page, base, "resident", "/h5/")
    phone_page.get_by_role("link", name="发展党员公示").click()
    phone_page.get_by_role("link", name=activist.person.name).click()
    phone_page.fill("textarea[name=content]", "该同志曾多次违规占用消防通道停车")
    phone_page.get_by_role("button", name="实名提交").click()
    assert "异议已提交" in phone_page.locator(".messages").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

    page.reload()
    assert "违规占用消防通道" in page.locator("main").inner_text()
    page.fill("input[name=resolution]", "经核实已整改，不影响发展")
    page.get_by_role("button", name="处理").click()
    assert "异议已处理" in page.locator(".messages").inner_text()
    assert RecruitmentObjection.objects.get().status == "dismissed"

    # 终止发展 asks first; dismissing the dialog leaves the file as it was
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.fill("input[name=reason]", "本人撤回申请")
    page.get_by_role("button", name="终止发展").click()
    activist.refresh_from_db()
    assert activist.status == "active"
