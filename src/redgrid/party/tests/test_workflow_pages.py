"""Pages of 定期填报, 换届, 双报到 and 民主评议: staff pages (scoped, filters, empty states), member and
resident H5 pages, and fixed query counts for the roll-up tables."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from redgrid.party import evaluation as E
from redgrid.party import reporting, terms
from redgrid.party.models import (
    DualRegistration,
    DualServiceRecord,
    EvaluationEntry,
    PartyMember,
    PartyOrg,
    PeriodicReport,
)

pytestmark = pytest.mark.django_db


def at(day: str):
    return time_machine.travel(f"{day} 10:00 +08:00", tick=False)


def _text(response) -> str:
    return response.content.decode()


# --- 定期填报 -------------------------------------------------------------------------------------------------


def test_the_report_table_page_shows_the_roll_up_and_the_branches_in_scope(world, login):
    with at("2026-07-11"):
        page = login(world.user("street")).get("/party/reports/?kind=activities&period=2026-06")
        filtered = login(world.user("street")).get("/party/reports/?kind=activities&period=2026-06&q=B1")
    body = _text(page)
    assert page.status_code == 200
    assert "2026年6月" in body and "广文街道党工委" in body and "逾期未报" in body
    assert "A1网格党支部" in body and "C1网格党支部" not in body
    assert "A1网格党支部" not in _text(filtered).split("各支部报送情况")[1]


def test_a_branch_fills_in_the_form_and_a_bad_form_is_shown_again_with_errors(world, login):
    client = login(world.user("branch"))
    url = f"/party/reports/submit/?org={world.orgs['A1'].pk}&kind=activities&period=2026-06"
    with at("2026-07-05"):
        form = client.get(url)
        assert form.status_code == 200 and "召开组织生活（次）" in _text(form)
        bad = client.post(url, {"meetings_held": "x", "attendance": "1", "activities": "学习"})
        assert bad.status_code == 400 and "应为不小于 0 的整数" in _text(bad)
        ok = client.post(url, {"meetings_held": "1", "attendance": "3", "activities": "学习"})
        report = PeriodicReport.objects.get()
        assert ok.status_code == 302 and ok.url == f"/party/reports/{report.pk}/"
        detail = client.get(ok.url)
        assert "学习" in _text(detail) and "上级审核" not in _text(
            detail
        )  # the branch does not review itself
        street = login(world.user("street")).get(ok.url)
        assert "上级审核" in _text(street)
        assert login(world.user("outsider_branch")).get(url).status_code == 404
        assert login(world.user("outsider_street")).get(ok.url).status_code == 404


def test_the_street_returns_a_report_from_the_page(world, login):
    with at("2026-07-05"):
        report = reporting.report_submit(
            actor=world.user("branch"),
            org=world.orgs["A1"],
            kind="activities",
            period_start=date(2026, 6, 1),
            data={"meetings_held": 1, "attendance": 2, "activities": "学习"},
        )
        login(world.user("street")).post(
            f"/party/reports/{report.pk}/review/", {"decision": "return", "note": "补充"}
        )
    report.refresh_from_db()
    assert report.status == "returned" and report.review_note == "补充"


# --- terms --------------------------------------------------------------------------------------------------------


def test_the_terms_page_lists_overdue_terms_and_records_an_election(world, login):
    PartyOrg.objects.filter(pk=world.orgs["A1"].pk).update(term_started=date(2021, 3, 1), term_years=5)
    client = login(world.user("street"))
    with at("2026-07-10"):
        page = client.get("/party/terms/?status=overdue")
        assert "A1网格党支部" in _text(page) and "A2网格党支部" not in _text(page).split("各组织任期")[1]
        empty = client.get("/party/terms/?status=overdue&q=不存在")
        assert "没有符合条件的党组织" in _text(empty)
        detail = client.get(f"/party/terms/{world.orgs['A1'].pk}/")
        assert "逾期未换届" in _text(detail) and 'data-confirm="确认登记换届选举' in _text(detail)
        client.post(
            f"/party/terms/{world.orgs['A1'].pk}/election/",
            {"elected_on": "2026-07-01", "approval_no": "批复"},
        )
    assert terms.term_info(PartyOrg.objects.get(pk=world.orgs["A1"].pk), date(2026, 7, 10)).status == "ok"
    assert login(world.user("outsider_street")).get(f"/party/terms/{world.orgs['A1'].pk}/").status_code == 404


# --- 双报到 -------------------------------------------------------------------------------------------------------


def test_a_member_registers_and_records_service_on_the_mobile_page(world, login):
    PartyMember.objects.filter(pk=world.members["A1-1"].pk).update(in_service=True)
    member = login(world.user("member"))
    with at("2026-07-10"):
        page = member.get("/party/h5/dual/")
        assert page.status_code == 200 and "文化路社区" in _text(page) and "未报到" in _text(page)
        found = member.get("/party/h5/dual/?q=松鹤")
        assert "松鹤园社区" in _text(found)
        member.post("/party/h5/dual/register/", {"community": world.regions["wenhua"].pk, "skills": "助老"})
        reg = DualRegistration.objects.get()
        staff = login(world.user("community"))
        queue = staff.get("/party/dual/community/")
        assert world.members["A1-1"].person.name in _text(queue)
        staff.post("/party/dual/decide/", {"type": "registration", "id": reg.pk, "decision": "confirm"})
        member = login(world.user("member"))
        member.post(
            "/party/h5/dual/service/", {"served_on": "2026-07-10", "hours": "2", "content": "清理楼道"}
        )
        record = DualServiceRecord.objects.get()
        outsider = login(world.user("outsider_community"))
        assert "没有待确认的服务记录" in _text(outsider.get("/party/dual/community/"))
        outsider.post("/party/dual/decide/", {"type": "service", "id": record.pk, "decision": "confirm"})
        record.refresh_from_db()
        assert record.status == "submitted"  # the outsider's decision was a 404
        login(world.user("community")).post(
            "/party/dual/decide/", {"type": "service", "id": record.pk, "decision": "confirm"}
        )
        org_page = login(world.user("branch")).get("/party/dual/?year=2026")
    record.refresh_from_db()
    assert record.status == "confirmed"
    assert "2.0" in _text(org_page) and world.members["A1-1"].person.name in _text(org_page)
    assert "没有符合条件的在职党员" in _text(login(world.user("outsider_branch")).get("/party/dual/"))


def test_a_resident_is_told_the_dual_page_is_for_members_and_errors_are_shown(world, login):
    assert login(world.user("resident")).get("/party/h5/dual/").status_code == 403
    member = login(world.user("member"))
    member.post("/party/h5/dual/register/", {"community": world.regions["wenhua"].pk})
    page = member.get("/party/h5/dual/")
    assert "适用于在职党员" in _text(page)
    assert not DualRegistration.objects.exists()


# --- 民主评议 and 网上评议 ------------------------------------------------------------------------------------------


def test_a_round_runs_from_the_staff_page_and_the_member_uses_the_mobile_page(world, login):
    staff = login(world.user("branch"))
    with at("2026-12-01"):
        assert "尚未开展民主评议" in _text(staff.get("/party/evaluations/"))
        opened = staff.post("/party/evaluations/open/", {"org": world.orgs["A1"].pk, "year": "2026"})
        rnd_url = opened.url
        member = login(world.user("member"))
        assert "个人自评" in _text(member.get("/party/h5/evaluation/"))
        rnd_id = int(rnd_url.rstrip("/").split("/")[-1])
        member.post(
            f"/party/h5/evaluation/{rnd_id}/",
            {"action": "self", "text": "全年按时参加组织生活", "grade": "qualified"},
        )
        entry = EvaluationEntry.objects.get(member=world.members["A1-1"])
        assert entry.self_grade == "qualified"
        staff = login(world.user("branch"))
        for _ in range(2):
            staff.post(f"/party/evaluations/{rnd_id}/advance/")
        member = login(world.user("member"))
        ballot_page = member.get("/party/h5/evaluation/")
        assert "提交测评票" in _text(ballot_page)
        others = EvaluationEntry.objects.exclude(pk=entry.pk)
        member.post(
            f"/party/h5/evaluation/{rnd_id}/",
            {"action": "vote", **{f"grade_{e.pk}": "qualified" for e in others}},
        )
        assert "您已提交测评票" in _text(member.get("/party/h5/evaluation/"))
        detail = login(world.user("branch")).get(rnd_url)
    assert "合格 1" in _text(detail) and "已交测评票" in _text(detail)
    assert login(world.user("outsider_branch")).get(rnd_url).status_code == 404
    assert (
        login(world.user("resident")).post(f"/party/h5/evaluation/{rnd_id}/", {"action": "self"}).status_code
        == 404
    )


def test_the_member_profile_shows_the_yearly_record(world, login):
    with at("2026-12-01"):
        rnd = E.evaluation_open(actor=world.user("branch"), org=world.orgs["A1"], year=2026)
        for _ in range(3):
            rnd = E.evaluation_advance(actor=world.user("branch"), round=rnd)
        for e in rnd.entries.all():
            E.evaluation_decide(actor=world.user("branch"), round=rnd, entry_id=e.pk, grade="qualified")
        E.evaluation_advance(actor=world.user("branch"), round=rnd)
        page = login(world.user("branch")).get(f"/party/members/{world.members['A1-1'].pk}/")
    body = _text(page)
    assert "年度记录" in body and "合格" in body.split("年度记录")[1]


def test_residents_are_sent_away_from_staff_pages(world, login):
    for url in ("/party/reports/", "/party/terms/", "/party/dual/", "/party/evaluations/"):
        assert login(world.user("resident")).get(url).status_code == 302


# --- query counts ----------------------------------------------------------------------------------------------


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_roll_up_tables_take_a_fixed_number_of_queries_whatever_the_number_of_branches(world):
    def report_table():
        reporting.report_table(
            world.user("street"), kind="activities", period_start=date(2026, 6, 1), today=date(2026, 7, 11)
        )

    def terms_table():
        terms.terms_table(world.user("street"), today=date(2026, 7, 11))

    report_table(), terms_table()  # warm the rules-table cache and the account's scope
    before = (_count(report_table), _count(terms_table))
    committee = PartyOrg.objects.get(pk=world.orgs["guangwen"].pk)
    for i in range(5):
        committee.refresh_from_db()
        committee.add_child(name=f"新建党支部{i}", kind="grid_branch").regions.set([world.regions["A1"]])
    # report table (7): paths of orgs anchored in the street (scope), the branches, their reports for the
    # period, the backlog counts, and for the roll-up roots the anchored paths again, the visible paths and
    # the outermost rows. terms table (5): anchored paths, the organisations, and the same three for the roots.
    assert (_count(report_table), _count(terms_table)) == before == (7, 5)
