"""The compliance calendar: done / due / overdue per meeting kind, the roll-up, and the page's scope."""

from datetime import date

import pytest
import time_machine

from redgrid.core import rules as core_rules
from redgrid.core.models import Rule
from redgrid.party import compliance as C
from redgrid.party.models import OrgLifeMeeting

pytestmark = pytest.mark.django_db


def _held(org, kind, day, status=OrgLifeMeeting.Status.CLOSED):
    return OrgLifeMeeting.objects.create(org=org, kind=kind, date=day, place="x", topic="y", status=status)


def _status(result, kind):
    return next(i for i in result.items if i.kind == kind)


def test_a_theme_day_this_month_is_done_last_month_only_is_due_neither_is_overdue(world):
    a1, a2, b1 = world.orgs["A1"], world.orgs["A2"], world.orgs["B1"]
    _held(a1, "theme_day", date(2026, 7, 1))
    _held(a2, "theme_day", date(2026, 6, 30))
    _held(b1, "theme_day", date(2026, 5, 31))
    on = date(2026, 7, 15)
    assert _status(C.branch_compliance(a1, on), "theme_day").status == "done"
    assert _status(C.branch_compliance(a2, on), "theme_day").status == "due"
    assert _status(C.branch_compliance(b1, on), "theme_day").status == "overdue"


def test_quarterly_and_yearly_kinds_use_calendar_quarters_and_years(world):
    a1 = world.orgs["A1"]
    _held(a1, "general_assembly", date(2026, 3, 31))
    _held(a1, "life_meeting", date(2025, 12, 20))
    on = date(2026, 4, 1)
    result = C.branch_compliance(a1, on)
    ga = _status(result, "general_assembly")
    assert (ga.start, ga.end, ga.status) == (date(2026, 4, 1), date(2026, 6, 30), "due")
    assert _status(result, "life_meeting").status == "due"
    assert _status(C.branch_compliance(a1, date(2027, 1, 1)), "life_meeting").status == "overdue"
    assert _status(C.branch_compliance(a1, date(2026, 3, 31)), "general_assembly").status == "done"


def test_open_and_cancelled_meetings_and_meetings_after_the_day_do_not_count(world):
    a1 = world.orgs["A1"]
    _held(a1, "theme_day", date(2026, 7, 2), status=OrgLifeMeeting.Status.OPEN)
    _held(a1, "theme_day", date(2026, 7, 3), status=OrgLifeMeeting.Status.CANCELLED)
    _held(a1, "theme_day", date(2026, 7, 20))
    assert _status(C.branch_compliance(a1, date(2026, 7, 15)), "theme_day").status == "overdue"


def test_committee_meetings_are_due_only_with_a_committee_and_group_meetings_only_with_groups(world):
    a1 = world.orgs["A1"]
    kinds = {i.kind for i in C.branch_compliance(a1, date(2026, 7, 1)).items}
    assert "branch_committee" not in kinds and "group_meeting" not in kinds and "talk" in kinds
    a1.has_committee = True
    a1.save()
    group = a1.add_child(name="一号楼党小组", kind="building_group")
    _held(group, "group_meeting", date(2026, 7, 2))
    a1.refresh_from_db()
    result = C.branch_compliance(a1, date(2026, 7, 15))
    assert _status(result, "branch_committee").status == "overdue"
    assert _status(result, "group_meeting").status == "done"  # the group's meeting counts for its branch


def test_the_rules_table_changes_the_period(world):
    a1 = world.orgs["A1"]
    _held(a1, "party_lecture", date(2026, 4, 10))
    assert _status(C.branch_compliance(a1, date(2026, 6, 1)), "party_lecture").status == "done"
    Rule.objects.create(key="party.meeting_period.party_lecture", value="month")
    core_rules.invalidate()
    item = _status(C.branch_compliance(a1, date(2026, 6, 1)), "party_lecture")
    assert (item.period, item.status) == ("month", "overdue")


def test_each_item_cites_its_article(world):
    item = _status(C.branch_compliance(world.orgs["A1"], date(2026, 7, 1)), "general_assembly")
    assert item.rule.endswith("第十一条")


def test_the_rollup_counts_branches_with_overdue_items_per_child(world):
    on = date(2026, 7, 15)
    for key in ("A1", "A2", "B1"):
        for kind in ("theme_day", "general_assembly", "party_lecture", "life_meeting", "evaluation", "talk"):
            _held(world.orgs[key], kind, date(2026, 7, 1))
    OrgLifeMeeting.objects.filter(org=world.orgs["B1"], kind="theme_day").update(date=date(2026, 5, 1))
    results = C.compliance_for_branches(
        list(C.branches_under(world.orgs["guangwen"].__class__.objects.all(), world.orgs["guangwen"])), on
    )
    assert {r.org.name: bool(r.overdue) for r in results} == {
        "A1网格党支部": False,
        "A2网格党支部": False,
        "B1网格党支部": True,
    }
    children = list(world.orgs["guangwen"].get_children().order_by("path"))
    rollup = {r.org.name: r for r in C.compliance_rollup(children, results)}
    assert rollup["B1网格党支部"].with_overdue == 1 and rollup["B1网格党支部"].overdue_items == {
        "theme_day": 1
    }
    assert rollup["A1网格党支部"].with_overdue == 0


def test_the_street_sees_the_rollup_of_its_working_committee_and_not_the_other_street(world, client):
    client.force_login(world.user("street"))
    with time_machine.travel(date(2026, 7, 15)):
        page = client.get("/party/compliance/").content.decode()
    assert "A1网格党支部" in page and "B1网格党支部" in page and "C1网格党支部" not in page
    assert "有逾期事项的支部" in page


def test_the_outsider_branch_gets_404_for_branch_a1s_calendar(world, client):
    client.force_login(world.user("outsider_branch"))
    assert client.get(f"/party/compliance/?org={world.orgs['A1'].pk}").status_code == 404
    client.force_login(world.user("branch"))
    page = client.get(f"/party/compliance/?org={world.orgs['A1'].pk}&on=2026-07-15").content.decode()
    assert "组织生活合规日历" in page and "第十一条" in page


def test_the_compliance_page_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    for key in ("A1", "A2", "B1"):
        _held(world.orgs[key], "theme_day", date(2026, 7, 1))
    client.force_login(world.user("street"))
    client.get("/party/compliance/?on=2026-07-15")  # warms the rules-table cache
    # session, user, staff check, grants (scope), orgs anchored in the street (scope), outermost org paths,
    # roots, branches under each root (1 root), group paths, latest meeting per (org, kind), children of the
    # root, nav orgs, session save (savepoint, update, release). Independent of the number of branches.
    with django_assert_num_queries(15):
        response = client.get("/party/compliance/?on=2026-07-15")
    assert response.status_code == 200
