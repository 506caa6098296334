"""定期填报: submitting, returning and accepting reports, the live table with its roll-up, due dates under
time travel, reminders sent once, and scope."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from redgrid.core.api import Conflict
from redgrid.core.models import AuditLog, Notification, Rule
from redgrid.core.rules import invalidate
from redgrid.party import reporting
from redgrid.party.models import OrgLifeMeeting, PeriodicReport, ReportEvent

pytestmark = pytest.mark.django_db

JUNE = date(2026, 6, 1)
ACTIVITIES = {"meetings_held": "2", "attendance": "6", "activities": "主题党日：清理楼道杂物"}


def at(day: str):
    return time_machine.travel(f"{day} 10:00 +08:00", tick=False)


def _submit(world, org="A1", kind="activities", start=JUNE, data=None, user="branch"):
    return reporting.report_submit(
        actor=world.user(user), org=world.orgs[org], kind=kind, period_start=start, data=data or ACTIVITIES
    )


def _statuses(table) -> dict[str, str]:
    return {row.org.name: row.status for row in table["rows"]}


def test_a_branch_submits_its_monthly_report_and_it_is_on_time_before_the_due_date(world):
    with at("2026-07-05"):
        report = _submit(world)
    assert report.status == PeriodicReport.Status.SUBMITTED
    assert report.period_end == date(2026, 6, 30)
    assert report.due_on == date(2026, 7, 10)  # 10 days after the period (rules table)
    assert not report.late
    assert report.data["meetings_held"] == 2
    assert ReportEvent.objects.filter(report=report, action="submit").exists()
    assert AuditLog.objects.filter(action="party.report.submit", object_id=str(report.pk)).exists()


def test_a_report_submitted_after_the_due_date_is_marked_late(world):
    with at("2026-07-11"):
        assert _submit(world).late


def test_a_second_report_for_the_same_period_is_a_conflict(world):
    with at("2026-07-05"):
        _submit(world)
        with pytest.raises(Conflict, match="已报送"):
            _submit(world)
    assert PeriodicReport.objects.count() == 1


def test_a_form_with_a_missing_or_negative_figure_is_refused_and_nothing_is_saved(world):
    with at("2026-07-05"), pytest.raises(ValidationError) as exc:
        _submit(world, data={"meetings_held": "-1", "attendance": "", "activities": ""})
    messages = exc.value.messages
    assert "“召开组织生活（次）”应为不小于 0 的整数" in messages
    assert "请填写“参加人次”" in messages and "请填写“主要活动内容”" in messages
    assert not PeriodicReport.objects.exists()


def test_a_period_that_has_not_begun_or_precedes_the_start_of_reporting_is_refused(world):
    with at("2026-07-05"):
        with pytest.raises(ValidationError, match="尚未开始"):
            _submit(world, start=date(2026, 8, 1))
        with pytest.raises(ValidationError, match="无需报送"):
            _submit(world, start=date(2025, 12, 1))
        with pytest.raises(ValidationError, match="应从 2026-06-01 开始"):
            _submit(world, start=date(2026, 6, 15))


def test_only_a_branch_reports(world):
    with at("2026-07-05"), pytest.raises(ValidationError, match="由党支部报送"):
        _submit(world, org="guangwen", user="street")


def test_the_period_of_a_kind_comes_from_the_rules_table(world):
    Rule.objects.create(key="party.report.period.activities", value="quarter")
    invalidate()
    with at("2026-07-05"):
        report = _submit(world, start=date(2026, 4, 1))
    assert report.period_end == date(2026, 6, 30)
    assert reporting.default_period_start("activities", date(2026, 7, 5)) == date(2026, 4, 1)


def test_the_branch_cannot_review_its_own_report_but_the_street_can_return_and_accept_it(world):
    with at("2026-07-05"):
        report = _submit(world)
        with pytest.raises(PermissionDenied):
            reporting.report_review(actor=world.user("branch"), report=report, accept=True)
        with pytest.raises(ValidationError, match="退回原因"):
            reporting.report_review(actor=world.user("street"), report=report, accept=False)
        reporting.report_review(actor=world.user("street"), report=report, accept=False, note="参加人次有误")
        report.refresh_from_db()
        assert report.status == PeriodicReport.Status.RETURNED
        _submit(world, data={**ACTIVITIES, "attendance": "5"})
        report.refresh_from_db()
        assert report.status == PeriodicReport.Status.SUBMITTED and report.data["attendance"] == 5
        reporting.report_review(actor=world.user("community"), report=report, accept=True)
        report.refresh_from_db()
        assert report.status == PeriodicReport.Status.ACCEPTED
        with pytest.raises(Conflict):
            reporting.report_review(actor=world.user("street"), report=report, accept=False, note="再改")
        with pytest.raises(Conflict, match="已报送"):
            _submit(world)
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["submit", "return", "resubmit", "accept"]


def test_a_returned_report_notifies_the_branch(world, django_capture_on_commit_callbacks):
    with at("2026-07-05"):
        report = _submit(world)
        with django_capture_on_commit_callbacks(execute=True):
            reporting.report_review(
                actor=world.user("street"), report=report, accept=False, note="请补充活动内容"
            )
    assert Notification.objects.filter(
        recipient=world.user("branch"), title__contains="请补充活动内容"
    ).exists()


def test_the_prefill_counts_the_meetings_held_in_the_period(world):
    from redgrid.party import services

    with at("2026-06-20"):
        services.meeting_record(
            actor=world.user("branch"),
            org=world.orgs["A1"],
            kind="theme_day",
            date=date(2026, 6, 18),
            place="党群服务中心",
            topic="主题党日",
            present=[world.members["A1-0"].pk, world.members["A1-1"].pk],
            close=True,
        )
    data = reporting.prefill(world.orgs["A1"], "activities", JUNE, date(2026, 6, 30))
    assert data["meetings_held"] == 1 and data["attendance"] == 2
    assert OrgLifeMeeting.objects.count() == 1
    changes = reporting.prefill(world.orgs["A1"], "member_changes", date(2026, 4, 1), date(2026, 6, 30))
    assert changes["full"] == 2 and changes["probationary"] == 1


# --- the live table ------------------------------------------------------------------------------------------


def test_the_street_sees_who_reported_and_who_is_pending_then_overdue_after_the_due_date(world):
    with at("2026-07-05"):
        _submit(world)
        table = reporting.report_table(
            world.user("street"), kind="activities", period_start=JUNE, today=date(2026, 7, 5)
        )
    assert _statuses(table) == {
        "A1网格党支部": "submitted",
        "A2网格党支部": "pending",
        "B1网格党支部": "pending",
    }
    with at("2026-07-10"):
        table = reporting.report_table(
            world.user("street"), kind="activities", period_start=JUNE, today=date(2026, 7, 10)
        )
    assert _statuses(table)["A2网格党支部"] == "pending"  # the due day itself is still in time
    with at("2026-07-11"):
        table = reporting.report_table(
            world.user("street"), kind="activities", period_start=JUNE, today=date(2026, 7, 11)
        )
    assert _statuses(table) == {
        "A1网格党支部": "submitted",
        "A2网格党支部": "overdue",
        "B1网格党支部": "overdue",
    }
    assert table["totals"]["overdue"] == 2 and table["totals"]["submitted"] == 1


def test_the_table_rolls_up_to_the_children_of_the_chosen_organisation(world):
    with at("2026-07-11"):
        _submit(world)
        top = reporting.report_table(
            world.user("street"), kind="activities", period_start=JUNE, today=date(2026, 7, 11)
        )
        [street_row] = top["rollup"]
        assert street_row.org == world.orgs["guangwen"]
        assert (street_row.branches, street_row.reported, street_row.counts["overdue"]) == (3, 1, 2)
        below = reporting.report_table(
            world.user("street"),
            kind="activities",
            period_start=JUNE,
            today=date(2026, 7, 11),
            root=world.orgs["guangwen"],
        )
    per_child = {u.org.name: (u.branches, u.reported, u.counts["overdue"]) for u in below["rollup"]}
    assert per_child == {"A1网格党支部": (1, 1, 0), "A2网格党支部": (1, 0, 1), "B1网格党支部": (1, 0, 1)}


def test_earlier_periods_never_reported_count_as_backlog(world):
    with at("2026-09-15"):
        _submit(world, start=date(2026, 7, 1))
        table = reporting.report_table(
            world.user("street"), kind="activities", period_start=date(2026, 8, 1), today=date(2026, 9, 15)
        )
    backlog = {row.org.name: row.backlog for row in table["rows"]}
    # January–July are past due (the table shows August); A1 filed July only.
    assert backlog == {"A1网格党支部": 6, "A2网格党支部": 7, "B1网格党支部": 7}


def test_each_level_sees_only_its_own_subtree_in_the_table(world):
    with at("2026-07-11"):
        _submit(world)
        branch = reporting.report_table(
            world.user("branch"), kind="activities", period_start=JUNE, today=date(2026, 7, 11)
        )
        community = reporting.report_table(
            world.user("community"), kind="activities", period_start=JUNE, today=date(2026, 7, 11)
        )
        outsider = reporting.report_table(
            world.user("outsider_street"), kind="activities", period_start=JUNE, today=date(2026, 7, 11)
        )
    assert set(_statuses(branch)) == {"A1网格党支部"}
    assert set(_statuses(community)) == {"A1网格党支部", "A2网格党支部"}
    assert _statuses(outsider) == {"C1网格党支部": "overdue"}
    report = PeriodicReport.objects.get()
    assert not reporting.reports_visible_to(world.user("outsider_street")).filter(pk=report.pk).exists()
    assert not reporting.reports_visible_to(world.user("outsider_branch")).filter(pk=report.pk).exists()
    assert not reporting.reports_visible_to(world.user("member")).exists()


# --- reminders ---------------------------------------------------------------------------------------------------


def _reminders(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind="party.report").values_list("title", flat=True)
    )


def test_branches_that_have_not_reported_are_reminded_once_before_the_due_date_and_once_when_overdue(world):
    with at("2026-07-06"):
        assert reporting.report_reminders(date(2026, 7, 6)) == 0  # more than 3 days before 10 July
    with at("2026-07-07"):
        _submit(world)  # A1 reports its activities, not its member changes
        sent = reporting.report_reminders(date(2026, 7, 7))
        assert reporting.report_reminders(date(2026, 7, 7)) == 0
        reporting.report_reminders(date(2026, 7, 8))
    # A1 and A2 have accounts; B1 and C1 have none to remind, so nothing is logged for them.
    assert sent == 3
    outsider = _reminders(world.user("outsider_branch"))
    assert len(outsider) == 2 and all("7月10日" in t for t in outsider)
    assert (
        len(_reminders(world.user("branch"))) == 1 and "党员变动情况" in _reminders(world.user("branch"))[0]
    )
    with at("2026-07-11"):
        reporting.report_reminders(date(2026, 7, 11))
        reporting.report_reminders(date(2026, 7, 12))
    overdue = [t for t in _reminders(world.user("outsider_branch")) if "逾期" in t]
    assert len(overdue) == 2


def test_the_periodic_task_runs_every_sweep(world):
    from redgrid.party.reminders import run_sweeps

    with at("2026-07-07"):
        result = run_sweeps()
    assert set(result) == {"reports", "terms", "dual_feedback"}
    assert result["reports"] == 4


def test_leaders_and_grid_workers_read_the_table_but_cannot_submit(world):
    with at("2026-07-05"):
        for name in ("leader", "gridworker"):
            with pytest.raises(PermissionDenied, match="只能查看"):
                _submit(world, user=name)
        table = reporting.report_table(
            world.user("leader"), kind="activities", period_start=JUNE, today=date(2026, 7, 5)
        )
    assert len(table["rows"]) == 3
    assert not PeriodicReport.objects.exists()


def test_the_reminder_sweep_is_registered_to_run_hourly():
    from redgrid.core.tasks import PERIODIC
    from redgrid.party.reminders import party_reminders_task

    assert any(t is party_reminders_task and seconds == 3600 for t, seconds in PERIODIC)
