"""The mobile pages of 接诉即办: intake, 我的诉求, detail with the reporter's actions, patrol and 核查."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from redgrid.appeals import services
from redgrid.appeals.models import (
    MAX_PHOTO_BYTES,
    Appeal,
    AppealPhoto,
    AppealRating,
    Channel,
    Status,
)
from redgrid.appeals.tests.conftest import JPEG, PNG, WEBP
from redgrid.core.models import Rule

NEW = reverse("appeals:h5_new")
MINE = reverse("appeals:h5_mine")
PATROL = reverse("appeals:h5_patrol")
VERIFY = reverse("appeals:h5_verify")


def jpeg(name="photo.jpg", data=JPEG):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def post_new(client, url=NEW, ip="127.0.0.1", **fields):
    data = {"title": "", "content": "3号楼门口的路灯不亮了，晚上很黑", "where": "home", **fields}
    return client.post(url, data, REMOTE_ADDR=ip)


def detail_url(appeal):
    return reverse("appeals:h5_detail", args=[appeal.pk])


def act_url(appeal, action):
    return reverse("appeals:h5_act", args=[appeal.pk, action])


def text(response) -> str:
    return response.content.decode()


def files_in(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


# --- intake ------------------------------------------------------------------------------------------


def test_a_resident_reports_with_a_photo_and_it_is_located_by_their_household(world, login, settings):
    client = login(world.user("resident"))
    response = post_new(client, title="路灯不亮", photos=[jpeg(), jpeg("b.png", PNG)])
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:h5_submitted", args=[appeal.pk])
    assert appeal.channel == Channel.H5 and appeal.reporter == world.user("resident")
    assert appeal.grid == world.regions["A1"]
    assert appeal.photos.count() == 2
    page = text(client.get(response["Location"]))
    assert "诉求已提交" in page and f"#{appeal.pk}" in page
    assert "按您的住户定位到网格" in page and "文化路社区A1网格" in page


def test_tapping_the_map_sends_the_point_and_locates_that_grid(world, login):
    client = login(world.user("resident"))
    # A2 lies beside the resident's own grid A1: the point wins over the household.
    post_new(client, where="point", lat="36.705", lng="119.115", address="2号楼东侧")
    appeal = Appeal.objects.get()
    assert (appeal.lat, appeal.lng) == (36.705, 119.115)
    assert appeal.grid == world.regions["A2"]
    assert appeal.address == "2号楼东侧"


def test_a_typed_address_locates_the_grid(world, login):
    client = login(world.user("resident"))
    post_new(client, where="address", address="B1路1号1号楼")
    assert Appeal.objects.get().grid == world.regions["B1"]


def test_a_point_outside_every_grid_goes_to_the_street_to_sort(world, login):
    client = login(world.user("resident"))
    response = client.get(post_new(client, where="point", lat="36.7", lng="119.135")["Location"])
    appeal = Appeal.objects.get()
    assert appeal.grid is None and appeal.street == world.regions["guangwen"]
    assert "未能定位到网格，将由广文街道分拣后办理" in text(response)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"where": "point"}, "请在地图上点选问题发生的位置"),
        ({"where": "point", "lat": "abc", "lng": "119.1"}, "纬度不正确"),
        ({"where": "address", "address": "  "}, "请填写问题发生的地址"),
        ({"where": "nowhere"}, "请选择位置：地图选点、填写地址或我的住户"),
        ({"where": "grid", "grid": "1"}, "请选择位置"),  # naming a grid is for grid workers on patrol
    ],
)
def test_a_missing_location_is_asked_for_and_nothing_is_saved(world, login, fields, message):
    response = post_new(login(world.user("resident")), **fields)
    assert response.status_code == 400
    assert message in text(response)
    assert not Appeal.objects.exists()


def test_my_household_cannot_be_chosen_without_a_registered_household(world, login):
    from redgrid.testing import make_user

    client = login(make_user("no_home"))
    page = text(client.get(NEW))
    assert re.search(r'value="home"[^>]*disabled', page)
    response = post_new(client, where="home")
    assert response.status_code == 400
    assert "您尚未关联住户信息，请在地图上选点或填写地址" in text(response)


def test_empty_content_is_refused_and_the_typed_title_is_kept(world, login):
    response = post_new(login(world.user("resident")), title="楼道堆物", content="   ")
    assert response.status_code == 400
    page = text(response)
    assert "请填写诉求内容" in page
    assert 'value="楼道堆物"' in page
    assert not Appeal.objects.exists()


def test_a_file_that_is_not_an_image_by_its_content_is_refused_nothing_saved_text_kept(
    world, login, settings
):
    fake = SimpleUploadedFile(
        "looks-like.jpg", b"<?php echo 'hi'; ?>" + b"\x00" * 40, content_type="image/jpeg"
    )
    response = post_new(login(world.user("resident")), content="楼下垃圾没人清运", photos=[jpeg(), fake])
    assert response.status_code == 400
    page = text(response)
    assert "只接受 JPEG、PNG 或 WebP 格式的照片" in page
    assert "楼下垃圾没人清运" in page  # the typed text is kept
    assert "照片需重新选择" in page
    assert not Appeal.objects.exists() and not AppealPhoto.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_more_than_nine_photos_are_refused(world, login):
    photos = [jpeg(f"{i}.jpg") for i in range(10)]
    response = post_new(login(world.user("resident")), photos=photos)
    assert response.status_code == 400
    assert "最多上传 9 张照片" in text(response)
    assert not Appeal.objects.exists()


def test_a_photo_over_ten_megabytes_is_refused(world, login):
    big = jpeg("big.jpg", JPEG + b"\x00" * MAX_PHOTO_BYTES)
    response = post_new(login(world.user("resident")), photos=[big])
    assert response.status_code == 400
    assert "照片不能超过 10 MB" in text(response)
    assert not Appeal.objects.exists()


def test_nine_photos_of_every_accepted_type_are_taken(world, login):
    photos = [jpeg(f"{i}.x", [JPEG, PNG, WEBP][i % 3]) for i in range(9)]
    post_new(login(world.user("resident")), photos=photos)
    types = sorted(set(AppealPhoto.objects.values_list("content_type", flat=True)))
    assert types == ["image/jpeg", "image/png", "image/webp"]
    assert AppealPhoto.objects.count() == 9


def test_the_eleventh_appeal_in_an_hour_shows_the_rate_limit_message(world, login):
    client = login(world.user("resident"))
    for i in range(10):
        assert post_new(client, content=f"第{i}件不同的事情反映一下").status_code == 302
    response = post_new(client, content="又一件事情")
    assert response.status_code == 429
    assert "提交过于频繁：每个账号每小时最多反映 10 件诉求，请稍后再试" in text(response)
    assert "又一件事情" in text(response)
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Appeal.objects.count() == 10


def test_the_rate_limit_follows_the_rules_table(world, login):
    Rule.objects.create(key="appeals.intake.per_account_per_hour", value=1)
    client = login(world.user("resident"))
    assert post_new(client).status_code == 302
    assert "每小时最多反映 1 件" in text(post_new(client))


def test_the_phone_counts_against_the_per_address_limit(world, login, client):
    Rule.objects.create(key="appeals.intake.per_ip_per_hour", value=1)
    assert post_new(login(world.user("resident")), ip="203.0.113.7").status_code == 302
    response = post_new(login(world.user("member")), ip="203.0.113.7")
    assert response.status_code == 429
    assert "同一网络地址每小时最多提交 1 件诉求" in text(response)
    assert post_new(login(world.user("member")), ip="203.0.113.8").status_code == 302


def test_the_success_page_lists_similar_appeals_nearby(world, login, make_appeal):
    client = login(world.user("resident"))
    post_new(client, content="文化路三号楼门口的下水道堵塞，污水横流")
    response = client.get(post_new(client, content="文化路三号楼门口下水道堵塞了，污水横流")["Location"])
    page = text(response)
    assert "附近已有类似诉求" in page
    assert "文化路三号楼门口的下水道堵塞" in page
    # a reload (the intake result is shown once) lists the candidates intake stored on the appeal
    latest = Appeal.objects.order_by("-id").first()
    again = text(client.get(reverse("appeals:h5_submitted", args=[latest.pk])))
    assert "附近已有类似诉求" in again and "文化路三号楼门口的下水道堵塞" in again


def test_a_first_appeal_has_no_similar_appeals_section(world, login):
    client = login(world.user("resident"))
    assert "附近已有类似诉求" not in text(client.get(post_new(client)["Location"]))


def test_the_intake_form_fits_a_phone_and_has_no_inline_script(world, login):
    page = text(login(world.user("resident")).get(NEW))
    assert 'name="viewport"' in page
    assert 'id="pick-map"' in page and reverse("regions:geojson") in page
    assert "我的住户" in page and "文化路社区A1网格" in page
    scripts = re.findall(r"<script([^>]*)>", page)
    assert scripts and all("src=" in attrs for attrs in scripts)


# --- my appeals --------------------------------------------------------------------------------------


def test_my_appeals_shows_reported_and_followed_appeals_with_status_and_overdue(world, login, make_appeal):
    mine = make_appeal(Status.IN_PROGRESS, resolve_due_at=timezone.now() - timedelta(hours=1))
    target = make_appeal(Status.REGISTERED, reporter="member", content="小区东门积水严重")
    duplicate = make_appeal(Status.RECEIVED, content="东门那里积水")
    services.appeal_merge(actor=world.user("street"), appeal=duplicate, into=target)
    make_appeal(Status.REGISTERED, reporter="outsider_resident", grid="C1", content="别人的诉求")
    page = text(login(world.user("resident")).get(MINE))
    for a in (mine, target, duplicate):
        assert f"#{a.pk}" in page
    assert "别人的诉求" not in page
    assert "已超期" in page and "处置中" in page
    assert "已合并" in page and f"已并入 #{target.pk}" in page
    assert "关注" in page  # the merged target is followed, not reported


def test_a_grid_worker_sees_only_their_own_reports_in_my_appeals(world, login, make_appeal):
    make_appeal(Status.REGISTERED, content="居民反映的事情")
    page = text(login(world.user("gridworker")).get(MINE))
    assert "居民反映的事情" not in page and "您还没有反映过诉求" in page


def test_my_appeals_has_an_empty_state(world, login):
    page = text(login(world.user("resident")).get(MINE))
    assert "您还没有反映过诉求" in page and NEW in page


def test_my_appeals_filters_by_status_and_searches(world, login, make_appeal):
    make_appeal(Status.CLOSED, content="路灯修好了")
    make_appeal(Status.REGISTERED, content="井盖松动")
    client = login(world.user("resident"))
    closed = text(client.get(MINE, {"status": "closed"}))
    assert "路灯修好了" in closed and "井盖松动" not in closed
    found = text(client.get(MINE, {"q": "井盖"}))
    assert "井盖松动" in found and "路灯修好了" not in found
    assert "没有符合条件的诉求" in text(client.get(MINE, {"q": "不存在的词"}))


def test_my_appeals_paginates_ten_a_page(world, login, make_appeal):
    for i in range(12):
        make_appeal(Status.REGISTERED, content=f"第{i:02d}件诉求")
    client = login(world.user("resident"))
    first = text(client.get(MINE))
    assert first.count('class="card ap-item"') == 10
    assert "第 1 / 2 页，共 12 条" in first
    assert text(client.get(MINE, {"page": 2})).count('class="card ap-item"') == 2


# --- detail and photos -------------------------------------------------------------------------------


def submitted_appeal(world, user="resident", **kw):
    photos = kw.pop("photos", [("a.jpg", JPEG)])
    return services.appeal_submit(
        actor=world.user(user), content=kw.pop("content", "小区门口的路灯坏了"), photos=photos, **kw
    ).appeal


def walk_to_closed(world, appeal):
    street, unit = world.user("street"), world.user("unit")
    services.appeal_register(actor=street, appeal=appeal, category=world.categories["lights"])
    services.appeal_dispatch(actor=street, appeal=appeal, unit=world.units["chengguan"])
    services.appeal_accept(actor=unit, appeal=appeal)
    services.appeal_reply(actor=unit, appeal=appeal, content="已更换灯泡", photos=[("e.png", PNG)])
    services.appeal_verify(actor=world.user("gridworker"), appeal=appeal, passed=True)
    return Appeal.objects.get(pk=appeal.pk)


def test_the_detail_shows_the_timeline_photos_unit_and_deadline(world, login):
    appeal = walk_to_closed(world, submitted_appeal(world))
    page = text(login(world.user("resident")).get(detail_url(appeal)))
    for label in ("提交诉求", "立案", "报到", "反馈", "核查通过", "→ 已结案"):
        assert label in page
    timeline = page.split("办理进展")[1]
    assert '<div class="muted">我</div>' in timeline  # the reporter sees their own steps as 我
    assert "奎文区综合行政执法局 · unit" in timeline
    assert "派遣至奎文区综合行政执法局" in timeline
    assert "gridworker" in timeline and "奎文区综合行政执法局 · gridworker" not in timeline
    assert "主办单位" in page and "办结时限" in page
    assert "已更换灯泡" in page
    intake, evidence = appeal.photos.order_by("kind")  # evidence < intake alphabetically
    for photo in (intake, evidence):
        assert reverse("appeals:h5_photo", args=[appeal.pk, photo.pk]) in page
    assert "/media/" not in page


def test_photos_are_served_through_the_scoped_view_only(world, login, client):
    appeal = submitted_appeal(world, photos=[("a.jpg", JPEG)])
    photo = appeal.photos.get()
    url = reverse("appeals:h5_photo", args=[appeal.pk, photo.pk])
    response = login(world.user("resident")).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG
    assert login(world.user("outsider_resident")).get(url).status_code == 404
    other = submitted_appeal(world, "member")
    wrong_pair = reverse("appeals:h5_photo", args=[other.pk, photo.pk])
    assert login(world.user("member")).get(wrong_pair).status_code == 404


def test_an_outsider_resident_gets_404_on_another_residents_appeal(world, login):
    appeal = submitted_appeal(world)
    client = login(world.user("outsider_resident"))
    assert client.get(detail_url(appeal)).status_code == 404
    assert client.get(reverse("appeals:h5_submitted", args=[appeal.pk])).status_code == 404
    assert client.post(act_url(appeal, "cancel")).status_code == 404
    assert Appeal.objects.get(pk=appeal.pk).status == Status.RECEIVED


def test_a_follower_of_a_merged_appeal_sees_the_reporter_but_not_their_name(world, login, make_appeal):
    target = submitted_appeal(world, "member", content="东门积水严重")
    duplicate = submitted_appeal(world, content="东门积水")
    services.appeal_merge(actor=world.user("street"), appeal=duplicate, into=target)
    page = text(login(world.user("resident")).get(detail_url(target)))
    assert "反映人" in page and "并入本件" in page
    assert str(world.user("member")) not in page.split("办理进展")[1]
    merged_page = text(login(world.user("resident")).get(detail_url(duplicate)))
    assert f"诉求 #{target.pk}" in merged_page and "已合并" in merged_page


# --- the reporter's actions ---------------------------------------------------------------------------


def test_the_reporter_cancels_before_dispatch_after_a_confirmation(world, login):
    appeal = submitted_appeal(world)
    client = login(world.user("resident"))
    page = text(client.get(detail_url(appeal)))
    assert 'data-confirm="确定撤销这件诉求吗？' in page and "h5_actions.js" in page
    response = client.post(act_url(appeal, "cancel"), {"reason": "已自行解决"}, follow=True)
    assert "诉求已撤销" in text(response)
    appeal.refresh_from_db()
    assert appeal.status == Status.CANCELLED
    assert appeal.events.get(action="cancel").note == "已自行解决"
    assert "撤销诉求</button>" not in text(client.get(detail_url(appeal)))


def test_cancelling_after_dispatch_shows_the_chinese_conflict_message(world, login, make_appeal):
    appeal = make_appeal(Status.DISPATCHED)
    client = login(world.user("resident"))
    assert "撤销诉求</button>" not in text(client.get(detail_url(appeal)))
    response = client.post(act_url(appeal, "cancel"), follow=True)
    assert "诉求当前状态为「已派遣」，不能撤销" in text(response)
    assert Appeal.objects.get(pk=appeal.pk).status == Status.DISPATCHED


def test_the_reporter_rates_a_closed_appeal_once(world, login):
    appeal = walk_to_closed(world, submitted_appeal(world))
    client = login(world.user("resident"))
    page = text(client.get(detail_url(appeal)))
    assert "请您评价" in page and "基本满意" in page
    response = client.post(act_url(appeal, "rate"), {"rating": "satisfied", "comment": "很快"}, follow=True)
    assert "感谢您的评价" in text(response)
    assert AppealRating.objects.get().rating == "satisfied"
    after = text(client.get(detail_url(appeal)))
    assert "请您评价" not in after and "第 1 轮：<strong>满意</strong>" in after
    again = client.post(act_url(appeal, "rate"), {"rating": "unsatisfied"}, follow=True)
    assert "本轮办理已评价，不能重复评价" in text(again)


def test_a_rating_must_be_one_of_the_three(world, login):
    appeal = walk_to_closed(world, submitted_appeal(world))
    response = login(world.user("resident")).post(act_url(appeal, "rate"), {"rating": ""}, follow=True)
    assert "评价应为 满意 / 基本满意 / 不满意" in text(response)


def test_only_an_unsatisfied_rating_offers_reopening_and_it_starts_a_new_round(world, login):
    appeal = walk_to_closed(world, submitted_appeal(world))
    client = login(world.user("resident"))
    assert "申请重办</button>" not in text(client.get(detail_url(appeal)))
    refused = client.post(act_url(appeal, "reopen"), follow=True)
    assert "只有评价为「不满意」后才能申请重办" in text(refused)
    client.post(act_url(appeal, "rate"), {"rating": "unsatisfied", "comment": "灯还是不亮"})
    assert "申请重办</button>" in text(client.get(detail_url(appeal)))
    response = client.post(act_url(appeal, "reopen"), {"reason": "灯还是不亮"}, follow=True)
    assert "已申请重办" in text(response)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.round) == (Status.IN_PROGRESS, 2)
    assert "第 2 轮（重办）" in text(client.get(detail_url(appeal)))


def test_the_reporter_adds_photos_while_the_appeal_is_open(world, login):
    appeal = submitted_appeal(world, photos=[])
    client = login(world.user("resident"))
    assert "还可上传 9 张" in text(client.get(detail_url(appeal)))
    url = reverse("appeals:h5_add_photos", args=[appeal.pk])
    assert "已补充 1 张照片" in text(client.post(url, {"photos": [jpeg()]}, follow=True))
    bad = client.post(url, {"photos": [jpeg("x.jpg", b"GIF89a" + b"\x00" * 30)]}, follow=True)
    assert "只接受 JPEG、PNG 或 WebP 格式的照片" in text(bad)
    assert appeal.photos.count() == 1


def test_an_unknown_action_is_not_found(world, login):
    appeal = submitted_appeal(world)
    assert login(world.user("resident")).post(act_url(appeal, "dispatch")).status_code == 404


# --- patrol and verification -------------------------------------------------------------------------


def test_a_grid_worker_reports_a_patrol_finding(world, login):
    client = login(world.user("gridworker"))
    page = text(client.get(PATROL))
    assert "巡查上报" in page and 'value="home"' not in page
    response = post_new(client, PATROL, where="point", lat="36.705", lng="119.105", photos=[jpeg()])
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert appeal.channel == Channel.PATROL and appeal.reporter == world.user("gridworker")
    assert appeal.grid == world.regions["A1"]
    assert "巡查上报成功" in text(client.get(response["Location"]))


def test_a_grid_worker_names_their_own_grid_and_no_other(world, login):
    client = login(world.user("gridworker"))
    page = text(client.get(PATROL))
    assert re.search(r'value="grid"[^>]*checked', page)  # 本网格 is the default on patrol
    assert f'<option value="{world.regions["A1"].pk}" selected>' in page
    response = post_new(client, PATROL, where="grid", grid=str(world.regions["A1"].pk), address="3号楼北侧")
    appeal = Appeal.objects.get()
    assert (appeal.grid, appeal.address) == (world.regions["A1"], "3号楼北侧")
    assert "已登记到所选网格" in text(client.get(response["Location"]))
    refused = post_new(client, PATROL, where="grid", grid=str(world.regions["A2"].pk))
    assert refused.status_code == 400 and "请选择您负责的网格" in text(refused)
    assert Appeal.objects.count() == 1


def test_patrol_reports_are_not_limited_per_account(world, login):
    Rule.objects.create(key="appeals.intake.per_account_per_hour", value=1)
    client = login(world.user("gridworker"))
    for _ in range(3):
        assert post_new(client, PATROL, where="address", address="A1路1号1号楼").status_code == 302


def test_residents_cannot_open_the_patrol_or_verification_pages(world, login):
    client = login(world.user("resident"))
    assert client.get(PATROL).status_code == 403
    assert client.get(VERIFY).status_code == 403


def test_the_verify_queue_lists_replied_appeals_of_the_workers_grid_only(world, login, make_appeal):
    mine = make_appeal(Status.REPLIED, content="A1的反馈")
    make_appeal(Status.REPLIED, grid="A2", content="A2的反馈")
    make_appeal(Status.IN_PROGRESS, content="还在处置")
    page = text(login(world.user("gridworker")).get(VERIFY))
    assert "A1的反馈" in page and "A2的反馈" not in page and "还在处置" not in page
    assert act_url(mine, "verify") in page


def test_the_verify_queue_has_an_empty_state(world, login):
    assert "暂无待核查的诉求" in text(login(world.user("gridworker")).get(VERIFY))


def test_passing_verification_closes_the_appeal_and_returns_to_the_queue(world, login, make_appeal):
    appeal = make_appeal(Status.REPLIED)
    client = login(world.user("gridworker"))
    response = client.post(act_url(appeal, "verify"), {"passed": "1", "next": "verify"})
    assert response["Location"] == VERIFY
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED
    assert "核查通过，诉求已结案" in text(client.get(VERIFY))


def test_failing_verification_needs_a_note(world, login, make_appeal):
    appeal = make_appeal(Status.REPLIED)
    client = login(world.user("gridworker"))
    refused = client.post(act_url(appeal, "verify"), {"passed": "0"}, follow=True)
    assert "请填写核查不通过的原因" in text(refused)
    assert Appeal.objects.get(pk=appeal.pk).status == Status.REPLIED
    client.post(act_url(appeal, "verify"), {"passed": "0", "note": "路灯仍不亮"})
    assert Appeal.objects.get(pk=appeal.pk).status == Status.IN_PROGRESS


def test_an_outsider_grid_worker_cannot_verify(world, login, make_appeal):
    appeal = make_appeal(Status.REPLIED)
    client = login(world.user("outsider_gridworker"))
    assert client.get(detail_url(appeal)).status_code == 404
    assert client.post(act_url(appeal, "verify"), {"passed": "1"}).status_code == 404
    assert Appeal.objects.get(pk=appeal.pk).status == Status.REPLIED


def test_the_reporter_is_not_offered_verification(world, login, make_appeal):
    appeal = make_appeal(Status.REPLIED)
    client = login(world.user("resident"))
    assert "核查通过" not in text(client.get(detail_url(appeal)))
    response = client.post(act_url(appeal, "verify"), {"passed": "1"}, follow=True)
    assert "您无权核查此诉求" in text(response)


# --- home tiles --------------------------------------------------------------------------------------


def test_the_h5_home_offers_reporting_to_residents_and_patrol_to_grid_workers(world, login, client):
    resident = text(login(world.user("resident")).get(reverse("h5_home")))
    assert "反映诉求" in resident and "我的诉求" in resident and "巡查上报" not in resident
    worker = text(login(world.user("gridworker")).get(reverse("h5_home")))
    assert "巡查上报" in worker and "诉求核查" in worker
    workbench = text(login(world.user("gridworker")).get(reverse("workbench")))
    assert PATROL in workbench


def test_overdue_is_judged_at_view_time(world, login, make_appeal):
    appeal = make_appeal(Status.IN_PROGRESS, resolve_due_at=timezone.now() + timedelta(hours=2))
    client = login(world.user("resident"))
    assert "已超期" not in text(client.get(detail_url(appeal)))
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert "已超期" in text(client.get(detail_url(appeal)))


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_appeals_and_the_verify_queue_take_the_same_queries_for_two_or_ten_rows(world, login, make_appeal):
    # Session, user and grants, the count for the pager, one page of rows with their grid/unit joined;
    # nothing per row (a query per row would show as a difference between the two counts).
    resident, worker = login(world.user("resident")), None
    for _ in range(2):
        make_appeal(Status.DISPATCHED)
        make_appeal(Status.REPLIED)
    few = _queries(resident, MINE)
    for _ in range(4):
        make_appeal(Status.DISPATCHED)
        make_appeal(Status.REPLIED)
    assert _queries(resident, MINE) == few
    worker = login(world.user("gridworker"))
    replied_few = _queries(worker, VERIFY)
    for _ in range(3):
        make_appeal(Status.REPLIED)
    assert _queries(worker, VERIFY) == replied_few
