"""Intake and the workflow services with the real actors of each step (and their outsiders)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from redgrid.appeals import services
from redgrid.appeals.models import (
    Appeal,
    AppealEvent,
    AppealFollower,
    AppealPhoto,
    AppealUnitTask,
    RoutingRule,
    SlaRule,
    Status,
)
from redgrid.appeals.tests.conftest import JPEG, PNG, WEBP
from redgrid.core.api import Conflict
from redgrid.core.models import AuditLog, Notification

NOW = "2026-07-01 09:00 +08:00"


def submit(world, user="resident", **kw):
    kw.setdefault("content", "小区门口路灯不亮，晚上很黑")
    return services.appeal_submit(actor=world.user(user), **kw)


# --- intake ------------------------------------------------------------------------------------------


def test_a_point_inside_a_grid_locates_the_appeal_there(world):
    result = submit(world, lat=36.705, lng=119.115)
    assert result.appeal.grid == world.regions["A2"]
    assert result.appeal.street == world.regions["guangwen"]
    assert result.located_by == "point"
    assert result.appeal.status == Status.RECEIVED


def test_an_address_locates_the_appeal_at_the_buildings_grid(world):
    result = submit(world, address="B1路1号1号楼3单元")
    assert result.appeal.grid == world.regions["B1"]
    assert result.located_by == "address"


def test_without_point_or_address_the_reporters_household_grid_is_used(world):
    result = submit(world)
    assert result.appeal.grid == world.regions["A1"]
    assert result.located_by == "household"


def test_a_point_outside_every_grid_goes_to_the_nearest_streets_triage_queue(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = submit(world, lat=36.705, lng=119.135)  # just east of B1
    appeal = result.appeal
    assert appeal.grid is None
    assert appeal.street == world.regions["guangwen"]
    assert appeal.owner == world.regions["guangwen"]
    assert Notification.objects.filter(recipient=world.user("street"), title__contains="未能定位").exists()
    assert not Notification.objects.filter(recipient=world.user("outsider_street")).exists()


def test_intake_writes_the_follower_the_event_and_the_audit_row(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = submit(world).appeal
    assert AppealFollower.objects.filter(appeal=appeal, user=world.user("resident")).exists()
    assert list(appeal.events.values_list("action", flat=True)) == ["submit"]
    assert AuditLog.objects.filter(action="appeal.submit", object_id=str(appeal.pk)).exists()
    assert Notification.objects.filter(recipient=world.user("resident"), title__contains="已受理").exists()


def test_the_category_routes_to_the_unit_handling_it_or_an_ancestor(world):
    appeal = submit(world, category=world.categories["lights"].pk).appeal
    assert appeal.suggested_unit == world.units["chengguan"]


def test_a_routing_rule_overrides_the_units_categories(world):
    RoutingRule.objects.create(
        category=world.categories["urban"], area=world.regions["wenhua"], unit=world.units["water"]
    )
    appeal = submit(world, category=world.categories["lights"].pk).appeal
    assert appeal.suggested_unit == world.units["water"]
    elsewhere = submit(world, "outsider_resident", category=world.categories["lights"].pk).appeal
    assert elsewhere.suggested_unit == world.units["chengguan"]


@time_machine.travel(NOW, tick=False)
def test_the_resolve_deadline_defaults_to_seven_days_for_general_matters(world):
    appeal = submit(world).appeal
    assert appeal.urgency == "general"
    assert appeal.resolve_due_at == timezone.now() + timedelta(days=7)


@time_machine.travel(NOW, tick=False)
def test_an_sla_rule_for_a_category_subtree_fixes_urgency_and_limits(world):
    SlaRule.objects.create(
        urgency="utility", category=world.categories["municipal"], respond_minutes=60, resolve_minutes=24 * 60
    )
    appeal = submit(world, category=world.categories["lights"].pk).appeal
    assert appeal.urgency == "utility"
    assert appeal.resolve_due_at == timezone.now() + timedelta(hours=24)


@time_machine.travel(NOW, tick=False)
def test_an_urgent_appeal_must_be_resolved_within_two_hours(world):
    appeal = submit(world, urgency="urgent").appeal
    assert appeal.resolve_due_at == timezone.now() + timedelta(hours=2)


def test_nearby_open_appeals_of_the_same_category_are_duplicate_candidates(world):
    lights = world.categories["lights"].pk
    first = submit(world, lat=36.7050, lng=119.1050, category=lights, content="三号楼东侧路灯坏了").appeal
    far = submit(world, lat=36.7090, lng=119.1050, category=lights, content="广场的长椅断了").appeal  # ~440 m
    result = submit(world, lat=36.7055, lng=119.1052, category=lights, content="楼下有盏灯晚上不亮")
    ids = [d["id"] for d in result.duplicates]
    assert first.pk in ids and far.pk not in ids
    assert result.appeal.possible_duplicates == ids


def test_text_similar_appeals_in_the_same_grid_are_duplicate_candidates(world):
    first = submit(world, content="文化路三号楼门口的下水道堵塞，污水横流").appeal
    result = submit(world, content="文化路三号楼门口下水道堵塞了，污水横流")
    assert [d["id"] for d in result.duplicates] == [first.pk]
    assert result.duplicates[0]["similarity"] >= 0.5


def test_closed_or_old_appeals_are_not_duplicate_candidates(world):
    old = submit(world, content="文化路三号楼门口的下水道堵塞").appeal
    Appeal.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    closed = submit(world, content="文化路三号楼门口的下水道堵塞").appeal
    Appeal.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    assert submit(world, content="文化路三号楼门口的下水道堵塞").duplicates == []


def test_the_eleventh_appeal_in_an_hour_is_refused_with_a_chinese_message(world):
    for _ in range(10):
        submit(world)
    with pytest.raises(services.RateLimited, match="每小时最多反映 10 件"):
        submit(world)
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        submit(world)


def test_the_hotline_records_the_callers_phone_masked_and_has_no_reporter_account(world):
    appeal = submit(
        world, "street", channel="hotline", caller_phone="13812345678", address="C1路1号1号楼"
    ).appeal
    assert appeal.reporter is None
    assert appeal.caller_phone == "*******5678"
    assert "13812345678" not in appeal.caller_phone_enc
    assert appeal.grid == world.regions["C1"]


def test_photos_are_checked_by_their_content_and_stored_under_our_name(world):
    appeal = submit(world, photos=[("a.jpg", JPEG), ("b.png", PNG), ("c.webp", WEBP)]).appeal
    photos = list(AppealPhoto.objects.filter(appeal=appeal))
    assert [p.content_type for p in photos] == ["image/jpeg", "image/png", "image/webp"]
    assert photos[0].file.name.endswith(f"{appeal.pk}-intake-1.jpg")


def test_a_file_that_is_not_an_image_rejects_the_whole_appeal(world):
    with pytest.raises(ValidationError, match="JPEG、PNG 或 WebP"):
        submit(world, photos=[("a.jpg", JPEG), ("evil.jpg", b"<?php echo 1; ?>")])
    assert not Appeal.objects.exists()


def test_more_than_nine_photos_or_a_big_photo_are_refused(world):
    with pytest.raises(ValidationError, match="最多上传 9 张"):
        submit(world, photos=[("a.jpg", JPEG)] * 10)
    with pytest.raises(ValidationError, match="10 MB"):
        submit(world, photos=[("a.jpg", JPEG + b"\x00" * (10 * 1024 * 1024))])


def test_empty_content_is_refused(world):
    with pytest.raises(ValidationError, match="请填写诉求内容"):
        submit(world, content="  ")


# --- the loop with the real actors -------------------------------------------------------------------


def test_the_full_loop_with_reopen_once(world, django_capture_on_commit_callbacks):
    u = world.user
    with django_capture_on_commit_callbacks(execute=True):
        appeal = submit(world, category=world.categories["lights"].pk).appeal
        services.appeal_register(actor=u("community"), appeal=appeal)
        services.appeal_dispatch(actor=u("street"), appeal=appeal, unit=world.units["chengguan"])
        services.appeal_accept(actor=u("unit"), appeal=appeal)
        services.appeal_reply(actor=u("unit"), appeal=appeal, content="已更换灯泡", photos=[("x.png", PNG)])
        services.appeal_verify(actor=u("gridworker"), appeal=appeal, passed=True)
        services.appeal_rate(actor=u("resident"), appeal=appeal, rating="unsatisfied", comment="第二天又坏了")
        services.appeal_reopen(actor=u("resident"), appeal=appeal, reason="又坏了")
        services.appeal_reply(actor=u("unit"), appeal=appeal, content="已更换整套灯具")
        services.appeal_verify(actor=u("gridworker"), appeal=appeal, passed=True)
        services.appeal_rate(actor=u("resident"), appeal=appeal, rating="unsatisfied")
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.round == 2 and appeal.reopen_count == 1
    with pytest.raises(Conflict, match="已重办 1 次"):
        services.appeal_reopen(actor=u("resident"), appeal=appeal)
    assert list(appeal.events.values_list("action", flat=True)) == [
        "submit",
        "register",
        "dispatch",
        "accept",
        "reply",
        "verify",
        "rate",
        "reopen",
        "reply",
        "verify",
        "rate",
    ]
    inbox = set(Notification.objects.filter(recipient=u("unit")).values_list("title", flat=True))
    assert any("新派单" in t for t in inbox) and any("重办" in t for t in inbox)
    assert Notification.objects.filter(recipient=u("gridworker"), title__contains="请核查").exists()
    assert not Notification.objects.filter(recipient=u("outsider_unit")).exists()
    assert AppealPhoto.objects.filter(appeal=appeal, kind="evidence").count() == 1


def test_a_rating_is_given_once_per_round(world, make_appeal):
    appeal = make_appeal(Status.CLOSED)
    services.appeal_rate(actor=world.user("resident"), appeal=appeal, rating="satisfied")
    with pytest.raises(Conflict, match="已评价"):
        services.appeal_rate(actor=world.user("resident"), appeal=appeal, rating="satisfied")


def test_reopen_needs_an_unsatisfied_rating(world, make_appeal):
    appeal = make_appeal(Status.CLOSED)
    services.appeal_rate(actor=world.user("resident"), appeal=appeal, rating="basically_satisfied")
    with pytest.raises(Conflict, match="不满意"):
        services.appeal_reopen(actor=world.user("resident"), appeal=appeal)


def test_a_failed_verification_needs_a_reason_and_goes_back_to_the_unit(world, make_appeal):
    appeal = make_appeal(Status.REPLIED)
    with pytest.raises(ValidationError):
        services.appeal_verify(actor=world.user("gridworker"), appeal=appeal, passed=False)
    services.appeal_verify(actor=world.user("gridworker"), appeal=appeal, passed=False, note="灯还是不亮")
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS


def test_a_return_gives_the_appeal_back_to_the_street(world, make_appeal, django_capture_on_commit_callbacks):
    appeal = make_appeal(Status.DISPATCHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_return(actor=world.user("unit"), appeal=appeal, reason="不属于本单位职责")
    appeal.refresh_from_db()
    assert appeal.status == Status.REGISTERED and appeal.owner_unit is None
    assert appeal.owner == world.regions["guangwen"]
    assert not AppealUnitTask.objects.filter(appeal=appeal, ended_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.user("street"), title__contains="退单").exists()


def test_a_reassignment_changes_the_one_owner(world, make_appeal):
    appeal = make_appeal(Status.IN_PROGRESS)
    services.appeal_reassign(actor=world.user("street"), appeal=appeal, unit=world.units["water"])
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED and appeal.owner_unit == world.units["water"]
    active = AppealUnitTask.objects.filter(appeal=appeal, ended_at__isnull=True)
    assert [(t.unit_id, t.role) for t in active] == [(world.units["water"].pk, "lead")]
    with pytest.raises(PermissionDenied):  # the old unit no longer holds it
        services.appeal_return(actor=world.user("unit"), appeal=appeal, reason="x")


@time_machine.travel(NOW, tick=False)
def test_a_whistle_summons_every_unit_with_a_thirty_minute_report_in(world, make_appeal):
    appeal = make_appeal(Status.REGISTERED)
    services.appeal_whistle(
        actor=world.user("street"),
        appeal=appeal,
        lead_unit=world.units["chengguan"],
        units=[world.units["water"]],
    )
    tasks = list(AppealUnitTask.objects.filter(appeal=appeal).order_by("role"))
    assert [(t.unit_id, t.role) for t in tasks] == [
        (world.units["water"].pk, "assist"),
        (world.units["chengguan"].pk, "lead"),
    ]
    assert all(t.due_at == timezone.now() + timedelta(minutes=30) for t in tasks)
    services.appeal_accept(actor=world.user("outsider_unit"), appeal=appeal)  # the water company assists
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED
    services.appeal_accept(actor=world.user("unit"), appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS
    with pytest.raises(Conflict, match="已报到"):
        services.appeal_accept(actor=world.user("unit"), appeal=appeal)
    with pytest.raises(PermissionDenied):  # an assisting unit does not reply for the lead
        services.appeal_reply(actor=world.user("outsider_unit"), appeal=appeal, content="x")


@time_machine.travel(NOW, tick=False)
def test_an_approved_extension_moves_the_deadline_and_a_second_request_waits(world, make_appeal):
    appeal = make_appeal(Status.IN_PROGRESS)
    due = appeal.resolve_due_at
    services.appeal_extend(actor=world.user("unit"), appeal=appeal, days=3, reason="需采购配件")
    with pytest.raises(Conflict, match="待审批"):
        services.appeal_extend(actor=world.user("unit"), appeal=appeal, days=3, reason="需采购配件")
    services.appeal_approve_extension(actor=world.user("street"), appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.resolve_due_at == due + timedelta(days=3)
    services.appeal_extend(actor=world.user("unit"), appeal=appeal, days=2, reason="天气原因")
    services.appeal_deny_extension(actor=world.user("street"), appeal=appeal, note="不予延期")
    appeal.refresh_from_db()
    assert appeal.resolve_due_at == due + timedelta(days=3)
    with pytest.raises(Conflict, match="没有待审批"):
        services.appeal_deny_extension(actor=world.user("street"), appeal=appeal)


def test_a_merge_makes_every_reporter_follow_the_surviving_appeal(world):
    target = submit(world).appeal
    duplicate = submit(world, "member").appeal
    services.appeal_merge(actor=world.user("community"), appeal=duplicate, into=target)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CANCELLED and duplicate.merged_into == target
    assert duplicate.status_label == "已合并"
    assert set(target.followers.values_list("user__username", flat=True)) == {"resident", "member"}
    assert target.events.filter(action="merged_in").exists()


def test_a_merge_into_another_communitys_appeal_is_refused(world):
    target = submit(world, address="B1路1号1号楼").appeal
    duplicate = submit(world).appeal
    with pytest.raises(PermissionDenied):
        services.appeal_merge(actor=world.user("community"), appeal=duplicate, into=target)


def test_the_reporter_cancels_before_dispatch_but_nobody_else_can(world):
    appeal = submit(world).appeal
    with pytest.raises(PermissionDenied):
        services.appeal_cancel(actor=world.user("member"), appeal=appeal)
    services.appeal_cancel(actor=world.user("resident"), appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == Status.CANCELLED


# --- who may act -------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["outsider_street", "outsider_community", "gridworker", "unit", "resident"])
def test_only_the_street_or_community_of_the_grid_registers_and_dispatches(world, make_appeal, user):
    appeal = make_appeal(Status.RECEIVED)
    with pytest.raises(PermissionDenied, match="无权立案"):
        services.appeal_register(actor=world.user(user), appeal=appeal)


def test_the_community_cannot_dispatch_an_unlocated_appeal_but_the_street_can(world, make_appeal):
    appeal = make_appeal(Status.REGISTERED, grid=None)
    with pytest.raises(PermissionDenied):
        services.appeal_dispatch(actor=world.user("community"), appeal=appeal, unit=world.units["chengguan"])
    with pytest.raises(PermissionDenied):
        services.appeal_dispatch(
            actor=world.user("outsider_street"), appeal=appeal, unit=world.units["chengguan"]
        )
    services.appeal_dispatch(actor=world.user("street"), appeal=appeal, unit=world.units["chengguan"])


def test_registering_a_triage_appeal_can_place_it_in_a_grid(world, make_appeal):
    appeal = make_appeal(Status.RECEIVED, grid=None)
    services.appeal_register(actor=world.user("street"), appeal=appeal, grid=world.regions["B1"].pk)
    appeal.refresh_from_db()
    assert appeal.grid == world.regions["B1"]
    other = make_appeal(Status.RECEIVED, grid=None)
    with pytest.raises(PermissionDenied):
        services.appeal_register(actor=world.user("street"), appeal=other, grid=world.regions["C1"].pk)


def test_another_unit_cannot_report_in_or_reply(world, make_appeal):
    appeal = make_appeal(Status.DISPATCHED)
    with pytest.raises(PermissionDenied, match="无权报到"):
        services.appeal_accept(actor=world.user("outsider_unit"), appeal=appeal)
    services.appeal_accept(actor=world.user("unit"), appeal=appeal)
    with pytest.raises(PermissionDenied, match="无权反馈"):
        services.appeal_reply(actor=world.user("outsider_unit"), appeal=appeal, content="已处理")


@pytest.mark.parametrize("user", ["outsider_gridworker", "outsider_community", "unit", "resident"])
def test_only_the_grid_worker_or_community_of_the_grid_verifies(world, make_appeal, user):
    appeal = make_appeal(Status.REPLIED)
    with pytest.raises(PermissionDenied, match="无权核查"):
        services.appeal_verify(actor=world.user(user), appeal=appeal, passed=True)


def test_only_the_reporter_rates(world, make_appeal):
    appeal = make_appeal(Status.CLOSED)
    for user in ("street", "member", "unit"):
        with pytest.raises(PermissionDenied, match="无权评价"):
            services.appeal_rate(actor=world.user(user), appeal=appeal, rating="satisfied")


def test_dispatch_needs_a_category(world, make_appeal):
    appeal = make_appeal(Status.REGISTERED, category=None)
    with pytest.raises(ValidationError, match="事项分类"):
        services.appeal_dispatch(actor=world.user("street"), appeal=appeal, unit=world.units["chengguan"])
    assert not AppealEvent.objects.filter(appeal=appeal).exists()


class _StubModel:
    def predict_with_confidence(self, texts):
        return [("城市建设和市政管理", 0.91) for _ in texts]


def test_a_trained_model_suggests_the_category_and_the_unit(world, monkeypatch):
    from redgrid.appeals import intake

    monkeypatch.setattr(intake, "_load_model", lambda: _StubModel())
    appeal = submit(world).appeal
    assert appeal.category is None  # the dispatcher confirms
    assert appeal.suggested_category == world.categories["municipal"] and appeal.confidence == 0.91
    assert appeal.suggested_unit == world.units["chengguan"]
    services.appeal_register(actor=world.user("street"), appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.category == world.categories["municipal"]


def test_without_a_model_file_there_is_no_suggestion(world, monkeypatch, tmp_path):
    monkeypatch.setenv("REDGRID_APPEALS_MODEL", str(tmp_path / "missing.joblib"))
    appeal = submit(world).appeal
    assert appeal.suggested_category is None and appeal.confidence is None
