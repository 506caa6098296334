"""Member status changes as services writing MemberEvent rows, and transfers with 介绍信 and 回执."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from redgrid.core.api import Conflict
from redgrid.core.models import AuditLog
from redgrid.party import services
from redgrid.party.models import MemberEvent, PartyMember, Transfer
from redgrid.regions.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def probationary(world):
    m = world.members["A1-2"]
    PartyMember.objects.filter(pk=m.pk).update(joined_on=date(2025, 7, 1))
    m.refresh_from_db()
    return m


@pytest.fixture
def today():
    with time_machine.travel(date(2026, 7, 15), tick=False):
        yield date(2026, 7, 15)


def test_the_transition_table_names_every_action():
    assert set(services.MEMBER_TRANSITIONS) == {
        "make_full",
        "extend_probation",
        "suspend",
        "remove",
        "decease",
        "transfer_out",
    }
    assert services.MEMBER_TRANSITIONS["make_full"] == (frozenset({"probationary"}), "full")
    assert "full" not in services.MEMBER_TRANSITIONS["extend_probation"][0]


def test_a_probationary_member_becomes_full_on_the_day_the_probation_ends(world, probationary, today):
    with pytest.raises(Conflict, match="2026年07月01日 届满.*第七条"):
        services.member_make_full(actor=world.user("branch"), member=probationary, on=date(2026, 6, 30))
    m = services.member_make_full(actor=world.user("branch"), member=probationary, on=date(2026, 7, 1))
    assert (m.status, m.full_member_on) == ("full", date(2026, 7, 1))
    event = MemberEvent.objects.get(member=m, action="make_full")
    assert (event.from_state, event.to_state) == ("probationary", "full")
    assert AuditLog.objects.filter(action="party.member.make_full").exists()


def test_a_full_member_cannot_be_made_full_again(world, today):
    with pytest.raises(Conflict, match="当前状态为“正式党员”"):
        services.member_make_full(
            actor=world.user("branch"), member=world.members["A1-0"], on=date(2026, 7, 1)
        )


def test_extending_probation_moves_the_end_and_is_allowed_once_by_6_to_12_months(world, probationary, today):
    with pytest.raises(ValidationError, match="6至12个月"):
        services.member_extend_probation(
            actor=world.user("branch"), member=probationary, months=3, reason="考察"
        )
    with pytest.raises(ValidationError, match="原因"):
        services.member_extend_probation(actor=world.user("branch"), member=probationary, months=6, reason="")
    m = services.member_extend_probation(
        actor=world.user("branch"), member=probationary, months=6, reason="需继续考察"
    )
    assert services.member_probation_end(m) == date(2027, 1, 1)
    with pytest.raises(Conflict, match="只能延长一次"):
        services.member_extend_probation(actor=world.user("branch"), member=m, months=6, reason="再延")
    with pytest.raises(Conflict, match="2027年01月01日"):
        services.member_make_full(actor=world.user("branch"), member=m, on=date(2026, 7, 15))


def test_suspension_is_for_full_members_and_needs_a_reason(world, probationary, today):
    with pytest.raises(ValidationError, match="原因"):
        services.member_suspend(
            actor=world.user("branch"), member=world.members["A1-0"], on=today, reason=" "
        )
    with pytest.raises(Conflict, match="预备党员"):
        services.member_suspend(actor=world.user("branch"), member=probationary, on=today, reason="失联")
    m = services.member_suspend(
        actor=world.user("branch"), member=world.members["A1-0"], on=today, reason="失联"
    )
    assert (m.status, m.left_on) == ("suspended", today)


def test_removal_and_death_end_membership_and_block_further_changes(world, today):
    removed = services.member_remove(
        actor=world.user("branch"), member=world.members["A1-0"], on=today, reason="党员大会决定除名"
    )
    dead = services.member_decease(actor=world.user("branch"), member=world.members["A1-1"], on=today)
    assert (removed.status, dead.status) == ("removed", "deceased")
    with pytest.raises(Conflict, match="已去世"):
        services.member_remove(actor=world.user("branch"), member=dead, on=today, reason="x")
    with pytest.raises(ValidationError, match="晚于今天"):
        services.member_decease(
            actor=world.user("branch"), member=world.members["A2-0"], on=date(2026, 7, 16)
        )


def test_a_letter_to_an_outside_organisation_is_valid_3_months_and_its_receipt_ends_membership(world, today):
    t = services.transfer_issue(
        actor=world.user("branch"), member=world.members["A1-0"], to_name="中共济南市某党支部"
    )
    assert (t.issued_on, t.valid_until, t.from_org) == (today, date(2026, 10, 15), world.orgs["A1"])
    with pytest.raises(Conflict, match="未回执"):
        services.transfer_issue(actor=world.user("branch"), member=world.members["A1-0"], to_name="另一处")
    services.transfer_receipt(actor=world.user("branch"), transfer=t, received_on=date(2026, 10, 15))
    m = PartyMember.objects.get(pk=world.members["A1-0"].pk)
    assert (m.status, m.left_on) == ("transferred_out", date(2026, 10, 15))
    assert list(m.events.values_list("action", flat=True)) == ["transfer_issue", "transfer_out"]


def test_a_receipt_after_the_letter_expired_is_refused(world, today):
    t = services.transfer_issue(
        actor=world.user("branch"), member=world.members["A1-0"], to_name="外地党支部"
    )
    with pytest.raises(Conflict, match="已过期.*3个月"):
        services.transfer_receipt(actor=world.user("branch"), transfer=t, received_on=date(2026, 10, 16))
    assert Transfer.objects.get(pk=t.pk).status == "issued"


def test_a_transfer_inside_the_platform_moves_the_member_to_the_receiving_branch(world, today):
    t = services.transfer_issue(
        actor=world.user("branch"), member=world.members["A1-0"], to_org=world.orgs["B1"]
    )
    services.transfer_receipt(actor=world.user("community"), transfer=t, received_on=today)
    m = PartyMember.objects.get(pk=world.members["A1-0"].pk)
    assert (m.org, m.status) == (world.orgs["B1"], "full")
    with pytest.raises(Conflict, match="已回执"):
        services.transfer_receipt(actor=world.user("branch"), transfer=t, received_on=today)


def test_a_member_transferring_in_from_outside_joins_the_branch(world, today):
    person = Resident.objects.create(name="外来党员", gender="M")
    m = services.member_transfer_in(
        actor=world.user("branch"),
        org=world.orgs["A1"],
        person=person,
        status="full",
        joined_on=date(2000, 7, 1),
        from_name="中共青岛市某支部",
        letter_no="QD-001",
    )
    assert m.transfers.get().direction == "in" and m.events.get().action == "transfer_in"
    with pytest.raises(Conflict, match="已在本平台"):
        services.member_transfer_in(
            actor=world.user("branch"),
            org=world.orgs["A1"],
            person=person,
            status="full",
            joined_on=None,
            from_name="x",
            letter_no="y",
        )


def test_the_letter_page_is_printable_and_404_for_the_outsider(world, client, today):
    t = services.transfer_issue(
        actor=world.user("branch"), member=world.members["A1-0"], to_name="外地党支部"
    )
    client.force_login(world.user("branch"))
    page = client.get(f"/party/transfers/{t.pk}/letter/").content.decode()
    assert (
        "中国共产党党员组织关系介绍信" in page
        and t.letter_no in page
        and "2026年10月15日" in page
        and "回执" in page
    )
    client.force_login(world.user("outsider_branch"))
    assert client.get(f"/party/transfers/{t.pk}/letter/").status_code == 404
    assert client.post(f"/party/transfers/{t.pk}/receipt/", {"on": "2026-07-15"}).status_code == 404


def test_the_profile_shows_history_and_the_action_form_changes_status(world, client, probationary, today):
    client.force_login(world.user("branch"))
    response = client.post(
        f"/party/members/{probationary.pk}/action/", {"action": "make_full", "on": "2026-07-01"}
    )
    assert response.status_code == 302
    page = client.get(f"/party/members/{probationary.pk}/").content.decode()
    assert "make_full" in page and "正式党员" in page
    page = client.post(
        f"/party/members/{probationary.pk}/action/", {"action": "make_full", "on": "2026-07-01"}, follow=True
    ).content.decode()
    assert "不能预备党员转正" in page


def test_the_outsider_branch_gets_404_for_a1s_members(world, client):
    client.force_login(world.user("outsider_branch"))
    assert client.get(f"/party/members/{world.members['A1-0'].pk}/").status_code == 404
    assert (
        client.post(f"/party/members/{world.members['A1-0'].pk}/action/", {"action": "decease"}).status_code
        == 404
    )
    assert PartyMember.objects.get(pk=world.members["A1-0"].pk).status == "full"


def test_the_member_list_runs_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    client.force_login(world.user("street"))
    client.get("/party/members/")
    # session, user, staff check, grants, orgs anchored in the street's regions (scope), count, nav roots,
    # page rows with person and org, session save (savepoint, update, release); none per row. (The street
    # holds no org grant, so the nav's org list needs no query.)
    with django_assert_num_queries(11):
        response = client.get("/party/members/")
    assert response.content.decode().count("/party/members/") >= 9
