"""The staff pages of 接诉即办: queues, the appeal file and its action forms, hotline entry, the Excel
export, the anonymous public page and the ranking with its weights."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from redgrid.appeals import services
from redgrid.appeals.models import Appeal, AppealExtension, Channel, Status
from redgrid.appeals.tests.conftest import JPEG
from redgrid.core.models import AuditLog, Rule

TZ = ZoneInfo("Asia/Shanghai")
DISPATCH = "/appeals/staff/dispatch/"
UNIT = "/appeals/staff/unit/"
VERIFY = "/appeals/staff/verify/"
EXPORT = "/appeals/staff/export/"
RANKING = "/appeals/staff/ranking/"


def page(login, world, who, url, params=None):
    return login(world.user(who)).get(url, params or {})


def html(response) -> str:
    return response.content.decode()


def act(login, world, who, appeal, action, data=None, **extra):
    return login(world.user(who)).post(f"/appeals/staff/{appeal.pk}/{action}/", data or {}, **extra)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(client, response) -> list[str]:
    assert response.status_code == 302, response.content.decode()[:500]
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


# --- 派单队列 ----------------------------------------------------------------------------------------


def test_the_dispatch_queue_puts_overdue_appeals_first_in_red(login, world, make_appeal):
    fresh = make_appeal(Status.RECEIVED, content="新来的诉求")
    late = make_appeal(
        Status.RECEIVED, content="早就超期的诉求", resolve_due_at=timezone.now() - timedelta(hours=1)
    )
    response = page(login, world, "street", DISPATCH)
    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert [a.pk for a in rows] == [late.pk, fresh.pk]
    body = html(response)
    assert body.index("早就超期的诉求") < body.index("新来的诉求")
    assert '<tr class="late">' in body and "超期</span>" in body


def test_the_unlocated_tab_is_the_streets_triage_and_hidden_from_communities(login, world, make_appeal):
    unlocated = make_appeal(Status.RECEIVED, grid=None, content="说不清在哪的噪音")
    make_appeal(Status.RECEIVED, content="有网格的诉求")
    street = page(login, world, "street", DISPATCH, {"tab": "unlocated"})
    assert [a.pk for a in street.context["rows"]] == [unlocated.pk]
    community = page(login, world, "community", DISPATCH, {"tab": "unlocated"})
    assert list(community.context["rows"]) == []
    assert "没有待分拣的未定位诉求" in html(community)


def test_the_duplicates_and_overdue_tabs(login, world, make_appeal):
    first = make_appeal(Status.RECEIVED)
    second = make_appeal(Status.RECEIVED, possible_duplicates=[first.pk])
    late = make_appeal(Status.IN_PROGRESS, resolve_due_at=timezone.now() - timedelta(days=1))
    dups = page(login, world, "street", DISPATCH, {"tab": "duplicates"})
    assert [a.pk for a in dups.context["rows"]] == [second.pk]
    overdue = page(login, world, "street", DISPATCH, {"tab": "overdue"})
    assert [a.pk for a in overdue.context["rows"]] == [late.pk]


def test_search_and_every_filter_narrow_the_queue(login, world, make_appeal):
    lamp = make_appeal(Status.RECEIVED, content="路灯坏了", channel=Channel.HOTLINE)
    lamp.caller_phone = "13905361234"
    lamp.save()
    noise = make_appeal(Status.REGISTERED, content="夜间施工噪音", grid="A2")
    old = make_appeal(Status.RECEIVED, content="去年的诉求", created_at=timezone.now() - timedelta(days=40))
    late = make_appeal(Status.RECEIVED, content="超期", resolve_due_at=timezone.now() - timedelta(hours=1))

    def ids(**params):
        response = page(login, world, "street", DISPATCH, {"tab": "all", **params})
        assert response.status_code == 200
        return {a.pk for a in response.context["rows"]}

    assert ids(q="施工") == {noise.pk}
    assert ids(q=str(lamp.pk)) == {lamp.pk}
    assert ids(q="139 0536 1234") == {lamp.pk}  # a full caller phone, through its lookup hash
    assert ids(status="registered") == {noise.pk}
    assert ids(channel="hotline") == {lamp.pk}
    assert ids(grid=world.regions["A2"].pk) == {noise.pk}
    assert ids(category=world.categories["urban"].pk) == {lamp.pk, noise.pk, old.pk, late.pk}  # subtree
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert old.pk not in ids(date_from=since)
    assert ids(date_to=(timezone.localdate() - timedelta(days=30)).isoformat()) == {old.pk}
    assert ids(overdue="yes") == {late.pk}
    assert late.pk not in ids(overdue="no")
    bad = page(login, world, "street", DISPATCH, {"tab": "all", "date_from": "2026-13-40"})
    assert "开始日期格式应为 年-月-日" in messages_of(bad)


def test_a_filter_with_nothing_found_says_so(login, world, make_appeal):
    make_appeal(Status.RECEIVED)
    response = page(login, world, "street", DISPATCH, {"q": "不存在的内容"})
    assert "没有符合筛选条件的诉求" in html(response)


def test_the_queue_is_paginated(login, world, make_appeal):
    for i in range(31):
        make_appeal(Status.RECEIVED, content=f"第{i}件")
    first = page(login, world, "street", DISPATCH)
    assert len(first.context["rows"]) == 30 and "第 1 / 2 页" in html(first)
    second = page(login, world, "street", DISPATCH, {"page": 2})
    assert len(second.context["rows"]) == 1


def test_the_queue_runs_a_fixed_number_of_queries(login, world, make_appeal, django_assert_num_queries):
    for _ in range(5):
        make_appeal(Status.RECEIVED)
    client = login(world.user("street"))
    client.get(DISPATCH)  # warm the session
    # session, user, has-grants check, grants (scope), levels of the granted regions, their street ids,
    # count, page rows (tasks as an EXISTS inside), grants with regions (role paths for the queue
    # links), category options, grid options, nav roots, and the session's activity stamp (savepoint,
    # update, release); nav orgs and units need no query
    with django_assert_num_queries(15):
        client.get(DISPATCH)


def test_a_community_never_sees_another_communitys_appeals(login, world, make_appeal):
    wenhua = make_appeal(Status.RECEIVED, grid="A1")
    songhe = make_appeal(Status.RECEIVED, grid="B1")
    rows = page(login, world, "outsider_community", DISPATCH, {"tab": "all"}).context["rows"]
    assert {a.pk for a in rows} == {songhe.pk}
    assert page(login, world, "outsider_community", f"/appeals/staff/{wenhua.pk}/").status_code == 404
    assert (
        page(login, world, "outsider_community", DISPATCH, {"grid": world.regions["A1"].pk}).status_code
        == 404
    )


def test_the_outsider_street_gets_404_on_the_file_and_on_exports_of_foreign_grids(login, world, make_appeal):
    appeal = make_appeal(Status.RECEIVED)
    assert page(login, world, "outsider_street", f"/appeals/staff/{appeal.pk}/").status_code == 404
    foreign = page(
        login, world, "outsider_street", EXPORT, {"queue": "dispatch", "grid": world.regions["A1"].pk}
    )
    assert foreign.status_code == 404
    own = page(login, world, "outsider_street", EXPORT, {"queue": "dispatch", "tab": "all"})
    assert own.status_code == 200
    sheet = load_workbook(io.BytesIO(own.content)).active
    assert sheet.max_row == 1  # the header only: nothing of 广文街道


def test_residents_are_sent_to_their_h5_home_and_units_have_no_dispatch_queue(login, world):
    assert page(login, world, "resident", DISPATCH).status_code == 302
    assert page(login, world, "unit", DISPATCH).status_code == 404
    assert page(login, world, "street", UNIT).status_code == 404


# --- 单位队列 / 核查队列 ------------------------------------------------------------------------------


def test_the_unit_queue_counts_down_to_the_report_in_limit_overdue_first(login, world, make_appeal):
    soon = make_appeal(Status.DISPATCHED, content="刚派来的")
    late = make_appeal(Status.DISPATCHED, content="早该报到的")
    late.tasks.update(due_at=timezone.now() - timedelta(minutes=90))
    soon.tasks.update(due_at=timezone.now() + timedelta(hours=2, minutes=5))
    make_appeal(Status.IN_PROGRESS, content="已经报到的")
    response = page(login, world, "unit", UNIT)
    rows = list(response.context["rows"])
    assert [a.pk for a in rows] == [late.pk, soon.pk]
    assert rows[0].countdown == "已超时 1小时30分" and rows[0].is_late
    assert rows[1].countdown.startswith("剩余 2小时")
    assert 'class="countdown over"' in html(response)


def test_the_handling_and_overdue_tabs_of_the_unit_queue(login, world, make_appeal):
    handling = make_appeal(Status.IN_PROGRESS)
    late = make_appeal(Status.IN_PROGRESS, resolve_due_at=timezone.now() - timedelta(hours=2))
    make_appeal(Status.DISPATCHED)
    tab = page(login, world, "unit", UNIT, {"tab": "handling"})
    assert [a.pk for a in tab.context["rows"]] == [late.pk, handling.pk]
    assert [a.pk for a in page(login, world, "unit", UNIT, {"tab": "overdue"}).context["rows"]] == [late.pk]


def test_a_unit_never_sees_another_units_work(login, world, make_appeal):
    ours = make_appeal(Status.DISPATCHED, unit="chengguan")
    theirs = make_appeal(Status.DISPATCHED, unit="water")
    rows = page(login, world, "outsider_unit", UNIT).context["rows"]
    assert [a.pk for a in rows] == [theirs.pk]
    assert page(login, world, "outsider_unit", f"/appeals/staff/{ours.pk}/").status_code == 404
    export = page(login, world, "outsider_unit", EXPORT, {"queue": "unit", "tab": "all"})
    ids = [
        row[0]
        for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert ids == [theirs.pk]


def test_the_verification_queue_lists_replied_appeals_in_the_workers_grids(login, world, make_appeal):
    mine = make_appeal(Status.REPLIED, grid="A1")
    other = make_appeal(Status.REPLIED, grid="A2")
    make_appeal(Status.IN_PROGRESS, grid="A1")
    assert [a.pk for a in page(login, world, "gridworker", VERIFY).context["rows"]] == [mine.pk]
    assert [a.pk for a in page(login, world, "outsider_gridworker", VERIFY).context["rows"]] == [other.pk]
    community = page(login, world, "community", VERIFY).context["rows"]
    assert {a.pk for a in community} == {mine.pk, other.pk}
    assert "没有待核查的诉求" in html(page(login, world, "outsider_community", VERIFY))


# --- 诉求详情 ----------------------------------------------------------------------------------------


def test_the_file_shows_fields_masked_phone_suggestions_duplicates_tasks_and_timeline(
    login, world, make_appeal
):
    other = make_appeal(Status.RECEIVED, content="同一盏路灯")
    appeal = services.appeal_submit(
        actor=world.user("street"),
        channel=Channel.HOTLINE,
        caller_phone="13905361234",
        content="文化路路灯不亮",
        address="文化路口",
        grid=world.regions["A1"],
        category=world.categories["lights"].pk,
    ).appeal
    Appeal.objects.filter(pk=appeal.pk).update(
        suggested_category=world.categories["lights"], confidence=0.87, possible_duplicates=[other.pk]
    )
    response = page(login, world, "street", f"/appeals/staff/{appeal.pk}/")
    body = html(response)
    assert response.status_code == 200
    assert "*******1234" in body and "13905361234" not in body
    assert "城市公共设施（置信度 87%）" in body
    assert "<dt>建议单位</dt><dd>奎文区综合行政执法局</dd>" in body  # routed from the category
    assert f'value="{other.pk}"' in body and f"并入 #{other.pk}" in body
    assert "受理" in body and "文化路口" in body
    assert set(response.context["actions"]) == {"register", "reject", "merge"}


def test_the_street_reveals_the_callers_full_number_to_call_back_and_it_is_audited(login, world, make_appeal):
    from redgrid.core.models import AuditLog

    appeal = make_appeal(Status.RECEIVED, reporter=None, channel=Channel.HOTLINE)
    appeal.caller_phone = "13905361234"
    appeal.save()
    body = html(page(login, world, "street", f"/appeals/staff/{appeal.pk}/"))
    assert "查看完整来电号码将记入审计日志" in body and "13905361234" not in body
    url = f"/appeals/staff/{appeal.pk}/caller-phone/"
    street = login(world.user("street"))
    assert street.get(url).status_code == 405  # a reveal is a POST (CSRF-protected, never prefetched)
    shown = street.post(url)
    assert shown.status_code == 200 and "13905361234" in html(shown)
    row = AuditLog.objects.filter(action="reveal", object_id=str(appeal.pk)).get()
    assert row.actor_id == world.user("street").pk and row.summary["label"] == "来电号码"
    assert login(world.user("outsider_street")).post(url).status_code == 404
    refused = login(world.user("unit")).post(url)
    assert refused.status_code in (403, 404) and "13905361234" not in html(refused)
    assert AuditLog.objects.filter(action="reveal").count() == 1


def test_the_dispatch_form_preselects_the_suggested_unit(login, world, make_appeal):
    appeal = make_appeal(Status.REGISTERED, suggested_unit=world.units["chengguan"])
    body = html(page(login, world, "street", f"/appeals/staff/{appeal.pk}/"))
    unit = world.units["chengguan"]
    assert f'<option value="{unit.pk}" selected>{unit.name}（建议）</option>' in body


def test_photos_are_served_only_within_scope(login, world, make_appeal):
    appeal = make_appeal(Status.IN_PROGRESS)
    services.appeal_reply(actor=world.user("unit"), appeal=appeal, content="已修复", photos=[("a.jpg", JPEG)])
    photo = appeal.photos.get()
    url = f"/appeals/staff/{appeal.pk}/photos/{photo.pk}/"
    response = page(login, world, "street", url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(JPEG[:4])
    assert page(login, world, "outsider_street", url).status_code == 404
    assert url in html(page(login, world, "street", f"/appeals/staff/{appeal.pk}/"))


def test_a_notification_link_opens_the_staff_file(login, world, make_appeal):
    appeal = make_appeal(Status.RECEIVED)
    response = page(login, world, "street", f"/appeals/{appeal.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/appeals/staff/{appeal.pk}/"
    assert page(login, world, "outsider_street", f"/appeals/{appeal.pk}/").status_code == 404


# --- action forms ------------------------------------------------------------------------------------


def test_register_with_corrections(login, world, make_appeal):
    appeal = make_appeal(Status.RECEIVED, grid=None, category=None)
    response = act(
        login,
        world,
        "street",
        appeal,
        "register",
        {"category": world.categories["lights"].pk, "urgency": "urgent", "grid": world.regions["B1"].pk},
    )
    assert "已立案" in follow_messages(login(world.user("street")), response)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.urgency, appeal.grid) == ("registered", "urgent", world.regions["B1"])


def test_register_into_a_grid_outside_the_scope_keeps_the_form(login, world, make_appeal):
    appeal = make_appeal(Status.RECEIVED, grid=None)
    response = act(
        login, world, "street", appeal, "register", {"grid": world.regions["C1"].pk, "title": "保留我"}
    )
    assert response.status_code == 400
    assert "网格不存在或不在您的管辖范围内" in messages_of(response)
    assert 'value="保留我"' in html(response)
    appeal.refresh_from_db()
    assert appeal.status == "received"


def test_reject_needs_the_confirmation_and_a_reason(login, world, make_appeal):
    appeal = make_appeal(Status.RECEIVED)
    unconfirmed = act(login, world, "street", appeal, "reject", {"reason": "不属于受理范围"})
    assert unconfirmed.status_code == 400
    assert "不予受理不可撤回，请勾选确认后再提交" in messages_of(unconfirmed)
    assert "不属于受理范围" in html(unconfirmed)  # the typed reason is kept
    empty = act(login, world, "street", appeal, "reject", {"reason": " ", "confirm": "yes"})
    assert empty.status_code == 400 and "请填写不予受理的理由" in messages_of(empty)
    done = act(login, world, "street", appeal, "reject", {"reason": "不属于受理范围", "confirm": "yes"})
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "rejected"


def test_dispatch_to_a_unit_and_the_illegal_cases(login, world, make_appeal):
    appeal = make_appeal(Status.REGISTERED)
    client = login(world.user("street"))
    foreign = act(login, world, "street", appeal, "dispatch", {"unit": world.units["police_dg"].pk})
    assert foreign.status_code == 400
    assert "责任单位不存在、已停用或不在您的管辖范围内" in messages_of(foreign)
    # The grid worker sees the appeal but does not dispatch: the service's 403 becomes a message.
    by_worker = act(login, world, "gridworker", appeal, "dispatch", {"unit": world.units["chengguan"].pk})
    assert any("您无权派遣此诉求" in m for m in follow_messages(login(world.user("gridworker")), by_worker))
    assert (
        act(login, world, "unit", appeal, "dispatch", {"unit": world.units["chengguan"].pk}).status_code
        == 404
    )
    ok = act(
        login, world, "street", appeal, "dispatch", {"unit": world.units["chengguan"].pk, "note": "请尽快"}
    )
    assert "已派遣" in follow_messages(client, ok)
    appeal.refresh_from_db()
    assert appeal.status == "dispatched" and appeal.owner_unit == world.units["chengguan"]
    again = act(login, world, "street", appeal, "dispatch", {"unit": world.units["chengguan"].pk})
    assert "诉求当前状态为「已派遣」，不能派遣" in follow_messages(client, again)


def test_whistle_summons_a_lead_and_assisting_units(login, world, make_appeal):
    appeal = make_appeal(Status.REGISTERED)
    data = {"lead_unit": world.units["chengguan"].pk, "assist": [world.units["water"].pk]}
    assert act(login, world, "street", appeal, "whistle", data).status_code == 302
    roles = dict(appeal.tasks.filter(ended_at__isnull=True).values_list("unit__short_name", "role"))
    assert roles == {"城管执法": "lead", "供水": "assist"}
    missing = make_appeal(Status.REGISTERED)
    response = act(login, world, "street", missing, "whistle", {"assist": [world.units["water"].pk]})
    assert response.status_code == 400 and "请选择责任单位" in messages_of(response)


def test_the_unit_reports_in_replies_with_photos_and_the_grid_worker_verifies(login, world, make_appeal):
    appeal = make_appeal(Status.DISPATCHED)
    assert act(login, world, "unit", appeal, "accept").status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "in_progress"
    bad = act(
        login,
        world,
        "unit",
        appeal,
        "reply",
        {"content": "已修复", "photos": [SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")]},
    )
    assert bad.status_code == 400 and "只接受 JPEG、PNG 或 WebP 格式的照片" in messages_of(bad)
    assert "已修复" in html(bad)
    good = act(
        login,
        world,
        "unit",
        appeal,
        "reply",
        {"content": "已更换灯泡", "photos": [SimpleUploadedFile("x.jpg", JPEG, "image/jpeg")]},
    )
    assert good.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "replied" and appeal.photos.filter(kind="evidence").count() == 1
    no_choice = act(login, world, "gridworker", appeal, "verify", {"note": "看过了"})
    assert no_choice.status_code == 400 and "请选择核查结果（通过或不通过）" in messages_of(no_choice)
    no_reason = act(login, world, "gridworker", appeal, "verify", {"passed": "no"})
    assert no_reason.status_code == 400 and "请填写核查不通过的原因" in messages_of(no_reason)
    act(login, world, "gridworker", appeal, "verify", {"passed": "no", "note": "灯还是不亮"})
    appeal.refresh_from_db()
    assert appeal.status == "in_progress"
    act(login, world, "unit", appeal, "reply", {"content": "再次修复"})
    act(login, world, "gridworker", appeal, "verify", {"passed": "yes"})
    appeal.refresh_from_db()
    assert appeal.status == "closed"


def test_extension_request_and_its_approval(login, world, make_appeal):
    appeal = make_appeal(Status.IN_PROGRESS)
    due = appeal.resolve_due_at
    bad = act(login, world, "unit", appeal, "extend", {"days": "三", "reason": "材料未到"})
    assert bad.status_code == 400 and "延期天数应为整数" in messages_of(bad)
    too_long = act(login, world, "unit", appeal, "extend", {"days": "99", "reason": "材料未到"})
    assert too_long.status_code == 400 and "延期天数应为 1–30 天" in messages_of(too_long)
    assert act(login, world, "unit", appeal, "extend", {"days": "3", "reason": "材料未到"}).status_code == 302
    body = html(page(login, world, "street", f"/appeals/staff/{appeal.pk}/"))
    assert "申请延期 <b>3</b> 天：材料未到" in body
    assert act(login, world, "street", appeal, "approve_extension", {"note": "同意"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.resolve_due_at - due == timedelta(days=3)
    assert AppealExtension.objects.get().decision == "approved"


def test_deny_an_extension(login, world, make_appeal):
    appeal = make_appeal(Status.IN_PROGRESS)
    services.appeal_extend(actor=world.user("unit"), appeal=appeal, days=2, reason="等配件")
    act(login, world, "street", appeal, "deny_extension", {"note": "时限内可以完成"})
    assert AppealExtension.objects.get().decision == "denied"


def test_the_unit_returns_an_appeal_with_confirmation(login, world, make_appeal):
    appeal = make_appeal(Status.DISPATCHED)
    unconfirmed = act(login, world, "unit", appeal, "return", {"reason": "不属于本单位职责"})
    assert unconfirmed.status_code == 400
    assert (
        act(
            login, world, "unit", appeal, "return", {"reason": "不属于本单位职责", "confirm": "yes"}
        ).status_code
        == 302
    )
    appeal.refresh_from_db()
    assert appeal.status == "registered" and appeal.owner_unit is None


def test_reassign_to_another_unit(login, world, make_appeal):
    appeal = make_appeal(Status.DISPATCHED)
    act(login, world, "street", appeal, "reassign", {"unit": world.units["water"].pk})
    appeal.refresh_from_db()
    assert appeal.owner_unit == world.units["water"]


def test_merge_into_another_appeal_and_not_into_a_foreign_one(login, world, make_appeal):
    keep = make_appeal(Status.REGISTERED)
    dup = make_appeal(Status.RECEIVED)
    foreign = make_appeal(Status.RECEIVED, grid="C1")
    response = act(login, world, "street", dup, "merge", {"into": foreign.pk, "confirm": "yes"})
    assert response.status_code == 400
    assert "要并入的诉求不存在，或不在您的管辖范围内" in messages_of(response)
    ok = act(login, world, "street", dup, "merge", {"into": keep.pk, "confirm": "yes"})
    assert f"已合并到 #{keep.pk}" in follow_messages(login(world.user("street")), ok)
    dup.refresh_from_db()
    assert dup.status == "cancelled" and dup.merged_into == keep


def test_an_unknown_action_is_404_and_get_is_not_allowed(login, world, make_appeal):
    appeal = make_appeal(Status.RECEIVED)
    assert act(login, world, "street", appeal, "explode").status_code == 404
    assert page(login, world, "street", f"/appeals/staff/{appeal.pk}/reject/").status_code == 405


# --- 热线登记 ----------------------------------------------------------------------------------------


def test_hotline_entry_requires_the_callers_phone(login, world):
    response = login(world.user("street")).post("/appeals/staff/hotline/", {"content": "水管爆了"})
    assert response.status_code == 400
    assert "热线登记需填写来电号码" in messages_of(response)
    assert "水管爆了" in html(response)


def test_hotline_entry_with_a_grid(login, world):
    client = login(world.user("community"))
    response = client.post(
        "/appeals/staff/hotline/",
        {"caller_phone": "13905367777", "content": "楼下路灯不亮", "grid": world.regions["A2"].pk},
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/staff/{appeal.pk}/"
    assert (appeal.channel, appeal.grid, appeal.reporter) == ("hotline", world.regions["A2"], None)
    assert appeal.caller_phone == "*******7777"
    outside = client.post(
        "/appeals/staff/hotline/",
        {"caller_phone": "13905367777", "content": "x", "grid": world.regions["B1"].pk},
    )
    assert outside.status_code == 400 and "网格不存在或不在您的管辖范围内" in messages_of(outside)
    assert page(login, world, "unit", "/appeals/staff/hotline/").status_code == 404


# --- Excel 导出 --------------------------------------------------------------------------------------


def test_the_export_has_chinese_columns_masked_phones_the_filters_and_an_audit_row(login, world, make_appeal):
    lamp = make_appeal(Status.RECEIVED, content="路灯不亮", channel=Channel.HOTLINE, address="文化路1号")
    lamp.caller_phone = "13905361234"
    lamp.save()
    make_appeal(Status.RECEIVED, content="噪音", grid="A2")
    make_appeal(Status.RECEIVED, grid="C1")  # the outsider street's
    response = page(
        login, world, "street", EXPORT, {"queue": "dispatch", "tab": "new", "grid": world.regions["A1"].pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert header[:4] == ("编号", "标题", "诉求内容", "状态") and "来电号码" in header
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["编号"] == lamp.pk and row["诉求内容"] == "路灯不亮" and row["渠道"] == "热线"
    assert row["来电号码"] == "*******1234" and row["网格"] == "文化路社区A1网格" and row["是否超期"] == "否"
    assert b"13905361234" not in response.content
    log = AuditLog.objects.get(action="appeals.export")
    assert log.actor_id == world.user("street").pk and log.summary["rows"] == 1
    assert log.summary["queue"] == "dispatch"


# --- 公开页 ------------------------------------------------------------------------------------------


def test_the_public_page_shows_outcomes_without_personal_data(client, world, make_appeal):
    resident = world.residents["A1-31"]
    appeal = services.appeal_submit(
        actor=world.user("resident"),
        content=f"我是{resident.name}，电话13900009999，家住A1路1号1号楼1单元104室，楼道灯坏了",
        title="楼道灯坏了",
        address="A1路1号1号楼1单元104室",
        lat=36.70512,
        lng=119.10534,
        category=world.categories["lights"].pk,
    ).appeal
    services.appeal_register(actor=world.user("street"), appeal=appeal)
    make_appeal(Status.RECEIVED, content="尚未立案的不公开")
    response = client.get("/appeals/public/")
    body = html(response)
    assert response.status_code == 200
    assert "城市公共设施" in body and "立案" in body and "文化路社区A1网格" in body
    assert "36.705, 119.105" in body  # the rounded point
    for secret in (resident.name, "13900009999", "104室", "A1路1号", "楼道灯坏了", "resident", "36.70512"):
        assert secret not in body
    assert "尚未立案的不公开" not in body


def test_sensitive_categories_are_shown_at_grid_precision_only(client, world, make_appeal):
    world.categories["urban"].is_sensitive = True  # an ancestor's flag covers the subtree
    world.categories["urban"].save()
    make_appeal(Status.REGISTERED, lat=36.70512, lng=119.10534)
    body = html(client.get("/appeals/public/"))
    assert "仅显示网格" in body and "36.705" not in body


def test_the_public_page_filters_by_community_and_grid(client, world, make_appeal):
    make_appeal(Status.REGISTERED, grid="A1")
    make_appeal(Status.REGISTERED, grid="B1")
    params = {"street": world.regions["guangwen"].pk, "community": world.regions["songhe"].pk}
    rows = client.get("/appeals/public/", params).context["rows"]
    assert [r["grid"] for r in rows] == ["松鹤园社区B1网格"]
    grid = client.get("/appeals/public/", {**params, "grid": world.regions["B1"].pk}).context["rows"]
    assert len(grid) == 1
    wrong = client.get("/appeals/public/", {**params, "grid": world.regions["A1"].pk})
    assert wrong.status_code == 404


# --- 考核排名 ----------------------------------------------------------------------------------------


@pytest.fixture
def ranking_scenario(world):
    """July 2026. 文化路 (A1, 城管): reported in late, rated 满意 → 响应 0, 解决 1, 满意 1.
    松鹤园 (B1, 供水): reported in on time, rated 不满意 → 响应 1, 解决 0, 满意 0."""
    u, lights = world.user, world.categories["lights"].pk

    def loop(clock, *, reporter, lng, unit, handler, verifier, late, rating):
        appeal = services.appeal_submit(
            actor=u(reporter), content="路灯不亮", lat=36.705, lng=lng, category=lights
        ).appeal
        services.appeal_register(actor=u("street"), appeal=appeal)
        services.appeal_dispatch(actor=u("street"), appeal=appeal, unit=world.units[unit])
        clock.shift(timedelta(hours=25 if late else 1))
        services.appeal_accept(actor=u(handler), appeal=appeal)
        services.appeal_reply(actor=u(handler), appeal=appeal, content="已修复")
        services.appeal_verify(actor=u(verifier), appeal=appeal, passed=True)
        services.appeal_rate(actor=u(reporter), appeal=appeal, rating=rating)

    with time_machine.travel(datetime(2026, 7, 10, 9, 0, tzinfo=TZ), tick=False) as clock:
        loop(
            clock,
            reporter="resident",
            lng=119.105,
            unit="chengguan",
            handler="unit",
            verifier="gridworker",
            late=True,
            rating="satisfied",
        )
        loop(
            clock,
            reporter="member",
            lng=119.125,
            unit="water",
            handler="outsider_unit",
            verifier="outsider_community",
            late=False,
            rating="unsatisfied",
        )
        yield clock


def _names(response, key):
    return [(str(r["node"]), r["score"]) for r in response.context[key]]


def test_the_ranking_sorts_by_the_weighted_score(login, world, ranking_scenario):
    response = page(login, world, "street", RANKING, {"period": "month", "month": "2026-07"})
    assert response.status_code == 200
    assert _names(response, "streets") == [("广文街道", 50.0)]
    assert _names(response, "communities") == [("文化路社区", 70.0), ("松鹤园社区", 30.0)]
    assert _names(response, "units") == [("奎文区综合行政执法局", 70.0), ("自来水公司", 30.0)]
    body = html(response)
    assert "响应率×30" in body and "按期结案率" in body and "返工率" in body
    assert "100.0%" in body


def test_an_administrator_changes_the_weights_and_the_order_follows(login, world, ranking_scenario):
    client = login(world.user("admin"))
    response = client.post(
        "/appeals/staff/ranking/weights/",
        {"w0": "100", "w1": "0", "w2": "0", "back": "period=month&month=2026-07"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?period=month&month=2026-07")
    assert Rule.objects.get(key="appeals.rank.weights").value == [100, 0, 0]
    log = AuditLog.objects.get(action="rules.change")
    assert log.summary == {"key": "appeals.rank.weights", "from": [30, 35, 35], "to": [100, 0, 0]}
    after = client.get(
        RANKING, {"period": "month", "month": "2026-07", "street": world.regions["guangwen"].pk}
    )
    assert _names(after, "communities") == [("松鹤园社区", 100.0), ("文化路社区", 0.0)]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (("30", "30", "30"), "三项权重之和应为 100（现为 90）"),
        (("-10", "55", "55"), "响应率权重不能为负数"),
        (("三十", "35", "35"), "响应率权重应为数字"),
        (("33.333", "33.333", "33.334"), "响应率权重最多保留两位小数"),
    ],
)
def test_invalid_weights_are_refused_with_the_values_kept(login, world, weights, message):
    response = login(world.user("admin")).post(
        "/appeals/staff/ranking/weights/", {f"w{i}": w for i, w in enumerate(weights)}
    )
    assert response.status_code == 400
    assert message in messages_of(response)
    assert f'value="{weights[0]}"' in html(response)
    assert not Rule.objects.filter(key="appeals.rank.weights").exists()


def test_only_an_administrator_may_change_the_weights(login, world):
    response = login(world.user("street")).post(
        "/appeals/staff/ranking/weights/", {"w0": "100", "w1": "0", "w2": "0"}
    )
    assert response.status_code == 404
    assert not Rule.objects.filter(key="appeals.rank.weights").exists()
    assert "保存权重" not in html(page(login, world, "street", RANKING))


def test_the_ranking_drills_from_streets_to_communities(login, world, ranking_scenario):
    top = page(login, world, "admin", RANKING, {"period": "month", "month": "2026-07"})
    assert {name for name, _ in _names(top, "streets")} == {"广文街道", "东关街道"}
    assert top.context["communities"] == [] and "请在上表点击街道名称" in html(top)
    drilled = page(
        login,
        world,
        "admin",
        RANKING,
        {"period": "month", "month": "2026-07", "street": world.regions["guangwen"].pk},
    )
    assert [name for name, _ in _names(drilled, "communities")] == ["文化路社区", "松鹤园社区"]
    assert page(login, world, "street", RANKING, {"street": world.regions["dongguan"].pk}).status_code == 404


def test_the_ranking_periods(login, world, ranking_scenario):
    def label(**params):
        return page(login, world, "street", RANKING, params).context["period"].label

    assert label(period="quarter", quarter="2026-Q3") == "2026年第3季度"
    assert label(period="year", year="2026") == "2026年"
    assert label(period="custom", start="2026-07-01", end="2026-07-31") == "2026-07-01 至 2026-07-31"
    bad = page(
        login, world, "street", RANKING, {"period": "custom", "start": "2026-08-01", "end": "2026-07-01"}
    )
    assert "结束日期不能早于开始日期" in messages_of(bad)
    empty = page(login, world, "street", RANKING, {"period": "year", "year": "2025"})
    assert [score for _, score in _names(empty, "communities")] == [None, None]


# --- navigation --------------------------------------------------------------------------------------


def test_the_staff_navigation_and_workbench_link_the_queues(login, world, make_appeal):
    make_appeal(Status.RECEIVED)
    street = html(page(login, world, "street", "/workbench/"))
    assert DISPATCH in street and RANKING in street and "/appeals/staff/hotline/" in street
    unit = html(page(login, world, "unit", "/workbench/"))
    assert UNIT in unit and DISPATCH not in unit
    assert VERIFY in html(page(login, world, "gridworker", "/workbench/"))
