"""REST API /api/v1/party/…: organisations, members (masked), status actions, meetings, compliance, dues,
transfers — every read scoped (404 outside the subtree, tested with outsiders), every write a service."""

from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from redgrid.party import rules as R
from redgrid.party import services
from redgrid.party.models import OrgLifeMeeting, PartyMember, Transfer

pytestmark = pytest.mark.django_db

URL = "/api/v1/party"


@pytest.fixture
def call(client, api_token, world):
    """`call(user, method, path, json=None, **params)` → response, with a Bearer token for that account."""

    def _call(user, method, path, json=None, **params):
        headers = api_token(world.user(user))
        if method == "get":
            return client.get(URL + path, params, **headers)
        return client.post(URL + path, json or {}, content_type="application/json", **headers)

    return _call


# --- organisations ------------------------------------------------------------------------------------------


def test_a_branch_secretary_lists_only_their_branch_and_an_outsider_gets_404_on_it(call, world):
    body = call("branch", "get", "/orgs").json()
    assert [o["name"] for o in body["items"]] == ["A1网格党支部"]
    assert body["items"][0]["full_members"] == 2 and body["items"][0]["probationary_members"] == 1
    assert call("outsider_branch", "get", f"/orgs/{world.orgs['A1'].pk}").status_code == 404
    assert call("outsider_street", "get", f"/orgs/{world.orgs['A1'].pk}").status_code == 404
    assert call("resident", "get", "/orgs").json() == {"items": [], "count": 0}


def test_the_street_gets_its_org_tree_with_parent_links(call, world):
    tree = call("street", "get", "/orgs/tree").json()
    assert [n["name"] for n in tree] == ["广文街道党工委"]
    assert [c["name"] for c in tree[0]["children"]] == ["A1网格党支部", "A2网格党支部", "B1网格党支部"]
    rows = call("street", "get", "/orgs", kind="grid_branch").json()["items"]
    assert {r["parent_id"] for r in rows} == {world.orgs["guangwen"].pk}
    detail = call("street", "get", f"/orgs/{world.orgs['A1'].pk}").json()
    assert detail["findings"] == [R.FINDING_MESSAGES["needs_joint_branch"]]
    assert detail["term_status"] == "unregistered"
    assert call("outsider_street", "get", "/orgs/tree", root=world.orgs["guangwen"].pk).status_code == 404


def test_paging_is_bounded(call):
    assert call("street", "get", "/orgs", page_size=500).status_code == 422
    page = call("street", "get", "/orgs", page_size=2, page=2).json()
    assert page["count"] == 4 and len(page["items"]) == 2


# --- members ------------------------------------------------------------------------------------------------


def test_member_lists_are_filtered_paged_and_mask_sensitive_fields(call, world):
    body = call("street", "get", "/members", status="full", org=world.orgs["A1"].pk).json()
    assert body["count"] == 2
    row = body["items"][0]
    person = world.members["A1-0"].person
    assert row["id_number"].startswith("*") and row["id_number"].endswith(person.id_number_last4)
    assert row["phone"].startswith("*******")
    assert "37070519" not in str(body)  # no full ID number anywhere in the answer
    assert call("outsider_branch", "get", "/members").json()["count"] == 3  # A2 only
    assert call("outsider_branch", "get", f"/members/{world.members['A1-0'].pk}").status_code == 404
    detail = call("branch", "get", f"/members/{world.members['A1-2'].pk}").json()
    assert detail["probation_end"] == "2011-01-01" and "*" in detail["id_number"]


def test_status_actions_run_the_services_and_illegal_ones_answer_409(call, world):
    probationary = world.members["A1-2"].pk
    response = call("branch", "post", f"/members/{probationary}/actions/make_full", {"on": "2011-02-01"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "full" and response.json()["events"][0]["action"] == "预备党员转正"
    assert (
        call("branch", "post", f"/members/{probationary}/actions/make_full", {"on": "2011-02-01"}).status_code
        == 409
    )
    assert call("branch", "post", f"/members/{probationary}/actions/suspend", {"note": ""}).status_code == 400
    assert call("branch", "post", f"/members/{probationary}/actions/fly", {}).status_code == 404
    assert (
        call(
            "outsider_branch", "post", f"/members/{probationary}/actions/suspend", {"note": "失联"}
        ).status_code
        == 404
    )
    assert PartyMember.objects.get(pk=probationary).status == "full"


# --- meetings and compliance ----------------------------------------------------------------------------------


def test_a_secretary_records_a_meeting_marks_attendance_and_closes_it(call, world):
    a0, a1 = world.members["A1-0"].pk, world.members["A1-1"].pk
    with time_machine.travel("2026-07-01 10:00 +08:00", tick=False):
        response = call(
            "branch",
            "post",
            "/meetings",
            {
                "org_id": world.orgs["A1"].pk,
                "kind": "theme_day",
                "date": "2026-07-01",
                "place": "党群服务中心",
                "topic": "学习党章",
                "present": [a0],
                "absences": {str(a1): "出差"},
            },
        )
        assert response.status_code == 201, response.content
        meeting = response.json()
        assert (meeting["expected"], meeting["present"]) == (3, 1)
        url = f"/meetings/{meeting['id']}"
        body = call("branch", "post", url + "/attendance", {"member_id": a1, "present": True}).json()
        assert body["present"] == 2
        assert call("outsider_branch", "get", url).status_code == 404
        assert call("outsider_branch", "post", url + "/close").status_code == 404
        assert call("branch", "post", url + "/close").json()["status"] == "closed"
        assert call("branch", "post", url + "/close").status_code == 409
        listed = call("street", "get", "/meetings", kind="theme_day", date_from="2026-07-01").json()
        assert listed["count"] == 1 and listed["items"][0]["present"] == 2
        assert call("outsider_street", "get", "/meetings").json()["count"] == 0
        compliance = call(
            "branch", "get", f"/compliance/branches/{world.orgs['A1'].pk}", on="2026-07-02"
        ).json()
    theme = next(i for i in compliance["items"] if i["kind"] == "theme_day")
    assert theme["status"] == "done" and theme["latest"] == "2026-07-01"
    assert OrgLifeMeeting.objects.get().status == "closed"


def test_a_meeting_for_an_organisation_outside_the_scope_is_404_and_bad_input_400(call, world):
    payload = {
        "org_id": world.orgs["A1"].pk,
        "kind": "theme_day",
        "date": "2026-07-01",
        "place": "",
        "topic": "x",
    }
    assert call("outsider_branch", "post", "/meetings", payload).status_code == 404
    assert call("branch", "post", "/meetings", payload).json()["detail"] == "请填写会议地点和主题"
    assert not OrgLifeMeeting.objects.exists()


def test_the_compliance_roll_up_counts_branches_with_overdue_items_per_child(call, world):
    body = call("street", "get", "/compliance", on="2026-07-15").json()
    assert body["branches"] == 3 and body["with_overdue"] == 3
    per_child = {r["org"]["name"]: r["with_overdue"] for r in body["rollup"]}
    assert per_child == {"A1网格党支部": 1, "A2网格党支部": 1, "B1网格党支部": 1}
    assert call("outsider_street", "get", "/compliance", org=world.orgs["guangwen"].pk).status_code == 404
    assert call("street", "get", f"/compliance/branches/{world.orgs['guangwen'].pk}").status_code == 400


# --- dues ----------------------------------------------------------------------------------------------------


def test_dues_payments_are_recorded_once_a_month_and_arrears_are_listed(call, world):
    member = world.members["A1-0"]
    services.dues_set_base(
        actor=world.user("branch"), member=member, year=2026, from_month=1, base=Decimal("4000")
    )
    with time_machine.travel("2026-07-15 10:00 +08:00", tick=False):
        payload = {
            "member_id": member.pk,
            "year": 2026,
            "month": 7,
            "amount": "40.00",
            "paid_on": "2026-07-15",
        }
        response = call("branch", "post", "/dues/payments", payload)
        assert response.status_code == 201, response.content
        assert response.json()["amount"] == "40.00"
        assert call("branch", "post", "/dues/payments", payload).status_code == 409
        assert (
            call("branch", "post", "/dues/payments", {**payload, "month": 6, "amount": "1"}).status_code
            == 400
        )
        assert call("outsider_branch", "post", "/dues/payments", {**payload, "month": 6}).status_code == 404
        assert call("branch", "get", "/dues/payments", year=2026).json()["count"] == 1
        assert call("outsider_branch", "get", "/dues/payments").json()["count"] == 0
        arrears = call("branch", "get", "/dues/arrears").json()
    # Records start in January 2026: by mid-July the others owe six months (January–June), A1-0 too.
    levels = {r["member"]["name"]: (r["months"], r["level"]) for r in arrears["items"]}
    assert levels[member.person.name][1] == "lapsed"
    assert arrears["warning_at"] == 3 and arrears["lapsed_at"] == 6


# --- transfers --------------------------------------------------------------------------------------------------


def test_a_transfer_letter_is_issued_received_and_invisible_to_outsiders(call, world):
    member = world.members["A1-0"].pk
    response = call("branch", "post", "/transfers", {"member_id": member, "to_name": "北京市某街道党工委"})
    assert response.status_code == 201, response.content
    letter = response.json()
    assert letter["status"] == "issued" and not letter["expired"]
    assert (
        call("branch", "post", "/transfers", {"member_id": member, "to_name": "另一单位"}).status_code == 409
    )
    assert call("outsider_branch", "post", f"/transfers/{letter['id']}/receipt", {}).status_code == 404
    assert call("outsider_branch", "get", "/transfers").json()["count"] == 0
    received = call("branch", "post", f"/transfers/{letter['id']}/receipt", {"note": "已接收"}).json()
    assert received["status"] == "received"
    assert PartyMember.objects.get(pk=member).status == "transferred_out"
    assert Transfer.objects.get().receipt_on == timezone.localdate()


def test_a_transfer_to_an_organisation_outside_the_scope_is_404(call, world):
    body = {"member_id": world.members["A1-0"].pk, "to_org_id": world.orgs["C1"].pk}
    assert call("branch", "post", "/transfers", body).status_code == 404
    assert not Transfer.objects.exists()
