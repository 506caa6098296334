"""REST API of 定期填报, 换届, 双报到 and 民主评议, with outsiders."""

from datetime import date

import pytest
import time_machine

from redgrid.party.models import EvaluationRound, PartyMember, PartyOrg
from redgrid.testing import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/party"


@pytest.fixture
def call(client, api_token, world):
    def _call(user, method, path, json=None, **params):
        headers = api_token(user if not isinstance(user, str) else world.user(user))
        if method == "get":
            return client.get(URL + path, params, **headers)
        return client.post(URL + path, json or {}, content_type="application/json", **headers)

    return _call


def at(day: str):
    return time_machine.travel(f"{day} 10:00 +08:00", tick=False)


def test_a_branch_reports_through_the_api_and_the_street_reads_the_table_and_accepts(call, world):
    with at("2026-07-11"):
        prefill = call("branch", "get", "/reports/prefill", org=world.orgs["A1"].pk, kind="activities").json()
        assert prefill["meetings_held"] == 0
        payload = {
            "org_id": world.orgs["A1"].pk,
            "kind": "activities",
            "period": "2026-06",
            "data": {**prefill, "activities": "走访独居老人"},
        }
        response = call("branch", "post", "/reports", payload)
        assert response.status_code == 201, response.content
        report = response.json()
        assert (report["period_label"], report["late"]) == ("2026年6月", True)
        assert call("branch", "post", "/reports", payload).status_code == 409
        assert (
            call(
                "outsider_branch", "post", "/reports", {**payload, "org_id": world.orgs["A1"].pk}
            ).status_code
            == 404
        )
        assert call("branch", "post", f"/reports/{report['id']}/accept").status_code == 403
        assert call("outsider_street", "get", f"/reports/{report['id']}").status_code == 404
        assert call("street", "post", f"/reports/{report['id']}/return", {"note": ""}).status_code == 400
        assert call("street", "post", f"/reports/{report['id']}/accept").json()["status"] == "accepted"
        table = call("street", "get", "/reports/table", kind="activities", period="2026-06").json()
        bad = call("street", "get", "/reports/table", kind="activities", period="2026-6")
        overdue = call("street", "get", "/reports/table", kind="activities", status="overdue").json()
    assert table["due_on"] == "2026-07-10"
    assert table["totals"]["accepted"] == 1 and table["totals"]["overdue"] == 2
    assert table["rollup"][0]["reported"] == 1 and table["count"] == 3
    assert bad.status_code == 400 and "格式不正确" in bad.json()["detail"]
    assert overdue["period"] == "2026-06" and {r["org"]["name"] for r in overdue["rows"]} == {
        "A2网格党支部",
        "B1网格党支部",
    }


def test_terms_and_elections_through_the_api(call, world):
    PartyOrg.objects.filter(pk=world.orgs["A1"].pk).update(term_started=date(2021, 3, 1), term_years=5)
    with at("2026-07-10"):
        overdue = call("street", "get", "/terms", status="overdue").json()
        assert [t["org"]["name"] for t in overdue["items"]] == ["A1网格党支部"]
        assert call("outsider_street", "get", "/terms", status="overdue").json()["count"] == 0
        url = f"/orgs/{world.orgs['A1'].pk}/elections"
        assert call("outsider_branch", "post", url, {"elected_on": "2026-07-01"}).status_code == 404
        late = call("branch", "post", url, {"elected_on": "2026-07-01"})
        assert late.status_code == 400 and "延期换届" in late.json()["detail"]
        response = call("branch", "post", url, {"elected_on": "2026-07-01", "approval_no": "奎组〔2026〕3号"})
        assert response.status_code == 201, response.content
        assert response.json()["ends_on"] == "2031-07-01"
        assert call("branch", "get", f"/orgs/{world.orgs['A1'].pk}/terms").json()[0]["years"] == 5
        assert call("street", "get", "/terms", status="overdue").json()["count"] == 0


def test_dual_reporting_through_the_api(call, world):
    PartyMember.objects.filter(pk=world.members["A1-1"].pk).update(in_service=True)
    with at("2026-07-10"):
        response = call("member", "post", "/dual/registrations", {"community_id": world.regions["wenhua"].pk})
        assert response.status_code == 201, response.content
        reg = response.json()
        assert (
            call(
                "member", "post", "/dual/registrations", {"community_id": world.regions["wenhua"].pk}
            ).status_code
            == 409
        )
        assert (
            call(
                "resident", "post", "/dual/registrations", {"community_id": world.regions["wenhua"].pk}
            ).status_code
            == 403
        )
        assert (
            call(
                "member", "post", "/dual/registrations", {"community_id": world.regions["A1"].pk}
            ).status_code
            == 404
        )
        pending = call("community", "get", "/dual/registrations", status="pending").json()
        assert [r["id"] for r in pending["items"]] == [reg["id"]] and pending["count"] == 1
        assert call("outsider_community", "get", "/dual/registrations").json()["count"] == 0
        assert (
            call("outsider_community", "post", f"/dual/registrations/{reg['id']}/confirm").status_code == 404
        )
        assert (
            call("community", "post", f"/dual/registrations/{reg['id']}/confirm").json()["status"]
            == "confirmed"
        )
        svc = call(
            "member", "post", "/dual/services", {"served_on": "2026-07-10", "hours": "2.5", "content": "助老"}
        )
        assert svc.status_code == 201, svc.content
        too_long = call(
            "member", "post", "/dual/services", {"served_on": "2026-07-10", "hours": "9", "content": "x"}
        )
        assert too_long.status_code == 400 and "rules.md §5" in too_long.json()["detail"]
        assert (
            call("outsider_community", "post", f"/dual/services/{svc.json()['id']}/confirm").status_code
            == 404
        )
        assert (
            call("community", "post", f"/dual/services/{svc.json()['id']}/confirm").json()["status"]
            == "confirmed"
        )
        mine = call("member", "get", "/dual/mine").json()
        members = call("branch", "get", "/dual/members").json()
        outsider = call("outsider_branch", "get", "/dual/members").json()
    assert mine["hours_this_year"] == "2.5"
    assert members["items"][0]["hours"] == "2.5" and members["items"][0]["registration_status"] == "confirmed"
    assert outsider["count"] == 0


def test_an_evaluation_round_through_the_api(call, world):
    other = make_user("a10", person=world.members["A1-0"].person)
    with at("2026-12-01"):
        response = call("branch", "post", "/evaluations", {"org_id": world.orgs["A1"].pk, "year": 2026})
        assert response.status_code == 201, response.content
        rnd = response.json()
        assert call("outsider_branch", "get", f"/evaluations/{rnd['id']}").status_code == 404
        assert call("outsider_branch", "get", "/evaluations").json() == {"items": [], "count": 0}
        assert call("street", "get", "/evaluations", year=2026).json()["items"][0]["participants"] == 3
        assert call("outsider_branch", "post", f"/evaluations/{rnd['id']}/advance").status_code == 404
        mine = call("member", "get", "/evaluations/mine").json()[0]
        assert mine["phase"] == "self" and len(mine["others"]) == 2
        assert (
            call(
                "member", "post", f"/evaluations/{rnd['id']}/self", {"text": "认真履职", "grade": "qualified"}
            ).status_code
            == 200
        )
        assert (
            call(
                "resident", "post", f"/evaluations/{rnd['id']}/self", {"text": "x", "grade": "qualified"}
            ).status_code
            == 404
        )
        for _ in range(2):
            call("branch", "post", f"/evaluations/{rnd['id']}/advance")
        entries = {
            e["member"]["id"]: e["id"]
            for e in call("branch", "get", f"/evaluations/{rnd['id']}").json()["entries"]
        }
        ballot = {str(entries[world.members[k].pk]): "qualified" for k in ("A1-0", "A1-2")}
        assert call("member", "post", f"/evaluations/{rnd['id']}/vote", {"grades": ballot}).status_code == 201
        assert call("member", "post", f"/evaluations/{rnd['id']}/vote", {"grades": ballot}).status_code == 409
        peer = call(
            other,
            "post",
            f"/evaluations/{rnd['id']}/peer",
            {"entry_id": entries[world.members["A1-1"].pk], "comment": "好"},
        )
        assert peer.status_code == 409
        call("branch", "post", f"/evaluations/{rnd['id']}/advance")
        decided = call(
            "branch",
            "post",
            f"/evaluations/{rnd['id']}/decide",
            {"entry_id": entries[world.members["A1-0"].pk], "grade": "excellent"},
        )
        assert decided.status_code == 400 and "最多 0 人" in decided.json()["detail"]
        detail = call("branch", "get", f"/evaluations/{rnd['id']}").json()
    tallies = {e["member"]["id"]: e["tally"]["qualified"] for e in detail["entries"]}
    assert tallies[world.members["A1-0"].pk] == 1 and detail["phase"] == "deciding"
    assert EvaluationRound.objects.get().phase == "deciding"


def test_a_leader_reads_but_gets_403_on_writes(call, world):
    with at("2026-07-11"):
        payload = {"org_id": world.orgs["A1"].pk, "kind": "activities", "period": "2026-06", "data": {}}
        assert call("leader", "post", "/reports", payload).status_code == 403
        election = call(
            "leader", "post", f"/orgs/{world.orgs['A1'].pk}/elections", {"elected_on": "2026-07-01"}
        )
        assert election.status_code == 403 and "只能查看" in election.json()["detail"]
        opened = call("leader", "post", "/evaluations", {"org_id": world.orgs["A1"].pk, "year": 2026})
        assert opened.status_code == 403
        assert call("leader", "get", "/reports/table", kind="activities").status_code == 200


def test_a_year_outside_the_calendar_is_refused_not_a_server_error(call, world):
    # Found by schemathesis: year=9999 overflowed the volunteer-hours year bounds.
    assert call("branch", "get", "/dual/members", year=9999).status_code == 422
    assert call("branch", "get", "/dual/members", year=2026).status_code == 200
