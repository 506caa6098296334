"""Terms and 换届: status through the term under time travel, elections (on time, early, too early),
term lengths by kind from the rules table, the overdue list rolling up, and reminders sent once."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from redgrid.core.api import Conflict
from redgrid.core.models import AuditLog, Notification, Rule
from redgrid.core.rules import invalidate
from redgrid.party import terms
from redgrid.party.models import OrgTerm, PartyOrg, PartyOrgEvent
from redgrid.testing import make_user

pytestmark = pytest.mark.django_db


def at(day: str):
    return time_machine.travel(f"{day} 10:00 +08:00", tick=False)


def _term(world, key="A1", started=date(2021, 8, 1), years=5) -> PartyOrg:
    PartyOrg.objects.filter(pk=world.orgs[key].pk).update(term_started=started, term_years=years)
    return PartyOrg.objects.get(pk=world.orgs[key].pk)


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (date(2026, 1, 31), "ok"),
        (date(2026, 2, 1), "preparing"),  # 6 months before 1 August 2026
        (date(2026, 4, 30), "preparing"),
        (date(2026, 5, 1), "request_due"),  # 3 months before: file the 换届 request
        (date(2026, 8, 1), "request_due"),  # the last day of the term
        (date(2026, 8, 2), "overdue"),
    ],
)
def test_a_terms_status_follows_the_calendar(world, day, status):
    info = terms.term_info(_term(world), day)
    assert info.ends == date(2026, 8, 1)
    assert info.status == status


def test_an_organisation_without_a_recorded_term_is_unregistered(world):
    assert terms.term_info(world.orgs["A2"], date(2026, 1, 1)).status == "unregistered"


def test_the_kind_of_organisation_decides_the_term_length(world):
    committee = world.orgs["guangwen"]
    committee.refresh_from_db()
    office = committee.add_child(name="机关党支部", kind="branch")
    committee.refresh_from_db()
    general = committee.add_child(name="党总支", kind="general_branch")
    assert terms.term_years_for(office.kind) == 3
    assert terms.term_years_for(world.orgs["A1"].kind) == 5  # 网格（社区）党支部
    assert terms.term_years_for(general.kind) == 3
    assert terms.term_years_for("committee") == 5
    assert terms.term_years_for(committee.kind) is None  # 党工委 is appointed, not elected
    with at("2026-07-15"):
        term = terms.org_record_election(actor=world.user("street"), org=office, elected_on=date(2026, 7, 1))
    assert (term.years, term.ends_on) == (3, date(2029, 7, 1))


def test_an_election_near_the_end_of_term_starts_a_new_term(world, django_capture_on_commit_callbacks):
    org = _term(world)
    with at("2026-07-20"), django_capture_on_commit_callbacks(execute=True):
        term = terms.org_record_election(
            actor=world.user("branch"), org=org, elected_on=date(2026, 7, 18), note="党员大会选举"
        )
    org.refresh_from_db()
    assert (org.term_started, org.term_years) == (date(2026, 7, 18), 5)
    assert term.ends_on == date(2031, 7, 18)
    assert terms.term_info(org, date(2026, 7, 20)).status == "ok"
    event = PartyOrgEvent.objects.get(org=org, action="election")
    assert (event.from_state, event.to_state) == ("2026-08-01", "2031-07-18")
    assert AuditLog.objects.filter(action="party.term.election", object_id=str(org.pk)).exists()
    assert Notification.objects.filter(recipient=world.user("branch"), kind="party.term").exists()


def test_an_early_election_needs_the_higher_organisations_approval(world):
    org = _term(world)
    with at("2025-12-10"):
        with pytest.raises(ValidationError, match="提前换届须经上级党组织批准.*第三条"):
            terms.org_record_election(actor=world.user("branch"), org=org, elected_on=date(2025, 12, 1))
        assert not OrgTerm.objects.exists()
        terms.org_record_election(
            actor=world.user("branch"),
            org=org,
            elected_on=date(2025, 12, 1),
            approval_no="奎文党组〔2025〕12号",
        )
    assert OrgTerm.objects.get().approval_no == "奎文党组〔2025〕12号"


def test_bringing_an_election_forward_by_more_than_a_year_is_refused(world):
    org = _term(world)
    with at("2025-07-10"), pytest.raises(Conflict, match="提前换届 12 个月|超过 12 个月"):
        terms.org_record_election(
            actor=world.user("branch"), org=org, elected_on=date(2025, 7, 1), approval_no="批复"
        )
    assert not OrgTerm.objects.exists()


def test_a_postponed_election_within_a_year_with_approval_is_recorded(world):
    org = _term(world)
    with at("2027-03-10"):
        with pytest.raises(ValidationError, match="延期换届"):
            terms.org_record_election(actor=world.user("branch"), org=org, elected_on=date(2027, 3, 1))
        term = terms.org_record_election(
            actor=world.user("branch"), org=org, elected_on=date(2027, 3, 1), approval_no="延期批复"
        )
    assert term.ends_on == date(2032, 3, 1)


def test_elections_in_the_future_before_the_current_term_or_for_a_working_committee_are_refused(world):
    org = _term(world)
    with at("2026-07-10"):
        with pytest.raises(ValidationError, match="不能晚于今天"):
            terms.org_record_election(actor=world.user("branch"), org=org, elected_on=date(2026, 7, 11))
        with pytest.raises(ValidationError, match="应晚于本届任期开始"):
            terms.org_record_election(actor=world.user("branch"), org=org, elected_on=date(2021, 8, 1))
        with pytest.raises(ValidationError, match="不实行任期制"):
            terms.org_record_election(
                actor=world.user("street"), org=world.orgs["guangwen"], elected_on=date(2026, 7, 1)
            )


def test_the_term_length_of_community_branches_is_read_from_the_rules_table(world):
    Rule.objects.create(key="party.term.community_years", value=3)
    invalidate()
    with at("2026-07-10"):
        term = terms.org_record_election(
            actor=world.user("branch"), org=world.orgs["A2"], elected_on=date(2026, 7, 1)
        )
    assert (term.years, term.ends_on) == (3, date(2029, 7, 1))


def test_the_overdue_list_rolls_up_and_stays_inside_the_subtree(world):
    _term(world, "A1", date(2021, 3, 1))  # ended 1 March 2026
    _term(world, "A2", date(2023, 1, 1))
    _term(world, "C1", date(2020, 1, 1))
    with at("2026-07-10"):
        street = terms.terms_table(world.user("street"), today=date(2026, 7, 10))
        outsider = terms.terms_table(world.user("outsider_street"), today=date(2026, 7, 10))
        branch = terms.terms_table(world.user("outsider_branch"), today=date(2026, 7, 10))
    assert {i.org.name: i.status for i in street["rows"]} == {
        "A1网格党支部": "overdue",
        "A2网格党支部": "ok",
        "B1网格党支部": "unregistered",
    }
    [up] = street["rollup"]
    assert up.org == world.orgs["guangwen"]
    assert (up.counts["overdue"], up.counts["ok"], up.counts["unregistered"]) == (1, 1, 1)
    assert {i.org.name for i in outsider["rows"]} == {"C1网格党支部"}
    assert {i.org.name for i in branch["rows"]} == {"A2网格党支部"}


def test_reminders_go_to_the_branch_and_its_parent_once_per_stage(world):
    parent_secretary = make_user("parent_secretary", role="branch", party_org=world.orgs["guangwen"])
    _term(world)

    def titles(user):
        return list(
            Notification.objects.filter(recipient=user, kind="party.term").values_list("title", flat=True)
        )

    with at("2026-01-31"):
        assert terms.term_reminders(date(2026, 1, 31)) == 0
    with at("2026-02-01"):
        assert terms.term_reminders(date(2026, 2, 1)) == 1
        assert terms.term_reminders(date(2026, 2, 2)) == 0
    with at("2026-05-01"):
        terms.term_reminders(date(2026, 5, 1))
    with at("2026-08-02"):
        terms.term_reminders(date(2026, 8, 2))
        terms.term_reminders(date(2026, 9, 2))
    mine = titles(world.user("branch"))
    assert len(mine) == 3
    assert "换届准备" in mine[2] and "换届请示" in mine[1] and "逾期未换届" in mine[0]
    assert len(titles(parent_secretary)) == 3
    assert titles(world.user("outsider_branch")) == []


def test_after_an_election_the_new_term_gets_its_own_reminders(world):
    org = _term(world)
    with at("2026-02-01"):
        terms.term_reminders(date(2026, 2, 1))
    with at("2026-07-01"):
        terms.org_record_election(actor=world.user("branch"), org=org, elected_on=date(2026, 7, 1))
        terms.term_reminders(date(2026, 7, 1))
    with at("2031-01-01"):
        assert terms.term_reminders(date(2031, 1, 1)) == 1
