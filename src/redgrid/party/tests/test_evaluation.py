"""民主评议党员 (self → peer → 民主测评 → 支部评定, the four grades, the 优秀 share, the 双报到 rule), and the
member's yearly record (grade, 双报到 hours, residents' 网上评议 from the participation app)."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from redgrid.core.api import Conflict
from redgrid.core.models import Rule
from redgrid.core.rules import invalidate
from redgrid.participation import evaluation as ratings
from redgrid.party import dual_report as D
from redgrid.party import evaluation as E
from redgrid.party.models import EvaluationEntry, EvaluationRound, EvaluationVote, PartyMember
from redgrid.testing import make_user

pytestmark = pytest.mark.django_db


def at(day: str):
    return time_machine.travel(f"{day} 10:00 +08:00", tick=False)


def _accounts(world):
    """Accounts for the other two A1 members, so all three can act (the `member` account is A1-1)."""
    return {
        "A1-0": make_user("a10", person=world.members["A1-0"].person),
        "A1-1": world.user("member"),
        "A1-2": make_user("a12", person=world.members["A1-2"].person),
    }


def _entry(rnd, world, key) -> EvaluationEntry:
    return rnd.entries.get(member=world.members[key])


def _open(world, year=2026) -> EvaluationRound:
    return E.evaluation_open(actor=world.user("branch"), org=world.orgs["A1"], year=year)


def _to(rnd, world, phase):
    while rnd.phase != phase:
        rnd = E.evaluation_advance(actor=world.user("branch"), round=rnd)
    return rnd


def test_a_branch_opens_one_round_a_year_with_every_active_member(world):
    with at("2026-12-01"):
        rnd = _open(world)
        assert rnd.phase == EvaluationRound.Phase.SELF
        assert set(rnd.entries.values_list("member_id", flat=True)) == {
            world.members[k].pk for k in ("A1-0", "A1-1", "A1-2")
        }
        with pytest.raises(Conflict, match="每年一次"):
            _open(world)
        with pytest.raises(ValidationError, match="2025 或 2026"):
            _open(world, 2024)
        with pytest.raises(ValidationError, match="党支部组织"):
            E.evaluation_open(actor=world.user("street"), org=world.orgs["guangwen"], year=2026)
    with at("2027-01-10"):
        _open(world, 2027)  # a new year, a new round


def test_the_phases_run_in_order_and_each_action_only_in_its_phase(world):
    users = _accounts(world)
    with at("2026-12-01"):
        rnd = _open(world)
        E.evaluation_self_assess(
            actor=users["A1-1"], round=rnd, text="认真学习，积极参加志愿服务", grade="qualified"
        )
        with pytest.raises(Conflict, match="个人自评"):
            E.evaluation_peer_review(
                actor=users["A1-1"], round=rnd, reviewee_id=_entry(rnd, world, "A1-0").pk, comment="好"
            )
        rnd = _to(rnd, world, "peer")
        with pytest.raises(Conflict, match="党员互评"):
            E.evaluation_self_assess(actor=users["A1-1"], round=rnd, text="改一改", grade="excellent")
        E.evaluation_peer_review(
            actor=users["A1-1"],
            round=rnd,
            reviewee_id=_entry(rnd, world, "A1-0").pk,
            comment="工作积极，学习可加强",
        )
        with pytest.raises(ValidationError, match="其他党员"):
            E.evaluation_peer_review(
                actor=users["A1-1"], round=rnd, reviewee_id=_entry(rnd, world, "A1-1").pk, comment="自己"
            )
        with pytest.raises(PermissionDenied):
            E.evaluation_peer_review(
                actor=world.user("resident"),
                round=rnd,
                reviewee_id=_entry(rnd, world, "A1-0").pk,
                comment="x",
            )
        rnd = _to(rnd, world, "voting")
    assert _entry(rnd, world, "A1-1").self_grade == "qualified"
    assert list(rnd.events.values_list("action", flat=True)).count("advance") == 2


def test_a_ballot_grades_every_other_member_and_is_cast_once(world):
    users = _accounts(world)
    with at("2026-12-01"):
        rnd = _to(_open(world), world, "voting")
        e0, e1, e2 = (_entry(rnd, world, k) for k in ("A1-0", "A1-1", "A1-2"))
        with pytest.raises(ValidationError, match="还差 1 人"):
            E.evaluation_vote(actor=users["A1-1"], round=rnd, grades={e0.pk: "excellent"})
        with pytest.raises(ValidationError, match="不对本人测评"):
            E.evaluation_vote(
                actor=users["A1-1"],
                round=rnd,
                grades={e0.pk: "excellent", e1.pk: "qualified", e2.pk: "qualified"},
            )
        with pytest.raises(ValidationError, match="等次应为"):
            E.evaluation_vote(actor=users["A1-1"], round=rnd, grades={e0.pk: "great", e2.pk: "qualified"})
        assert (
            E.evaluation_vote(actor=users["A1-1"], round=rnd, grades={e0.pk: "excellent", e2.pk: "basic"})
            == 2
        )
        with pytest.raises(Conflict, match="只能投一次"):
            E.evaluation_vote(actor=users["A1-1"], round=rnd, grades={e0.pk: "qualified", e2.pk: "qualified"})
        E.evaluation_vote(actor=users["A1-2"], round=rnd, grades={e0.pk: "excellent", e1.pk: "qualified"})
    assert E.tally(rnd)[e0.pk] == {"excellent": 2, "qualified": 0, "basic": 0, "unqualified": 0}
    assert EvaluationVote.objects.count() == 4


def test_the_branch_decides_grades_within_the_share_of_excellent(world):
    with at("2026-12-01"):
        rnd = _to(_open(world), world, "deciding")
        e0, e1, e2 = (_entry(rnd, world, k).pk for k in ("A1-0", "A1-1", "A1-2"))
        # 3 participants × 30 % rounds down to 0: nobody may be graded 优秀.
        with pytest.raises(ValidationError, match="最多 0 人"):
            E.evaluation_decide(actor=world.user("branch"), round=rnd, entry_id=e0, grade="excellent")
        Rule.objects.create(key="party.evaluation.excellent_max_percent", value=34)
        invalidate()
        E.evaluation_decide(actor=world.user("branch"), round=rnd, entry_id=e0, grade="excellent")
        E.evaluation_decide(
            actor=world.user("branch"), round=rnd, entry_id=e0, grade="excellent"
        )  # unchanged
        with pytest.raises(ValidationError, match="最多 1 人"):
            E.evaluation_decide(actor=world.user("branch"), round=rnd, entry_id=e1, grade="excellent")
        with pytest.raises(ValidationError, match="须写明理由"):
            E.evaluation_decide(actor=world.user("branch"), round=rnd, entry_id=e2, grade="unqualified")
        E.evaluation_decide(
            actor=world.user("branch"), round=rnd, entry_id=e2, grade="basic", reason="组织生活缺席较多"
        )
        with pytest.raises(Conflict, match="还有 1 名党员未评定"):
            E.evaluation_advance(actor=world.user("branch"), round=rnd)
        E.evaluation_decide(actor=world.user("branch"), round=rnd, entry_id=e1, grade="qualified")
        rnd = E.evaluation_advance(actor=world.user("branch"), round=rnd)
        assert rnd.phase == "closed" and rnd.closed_at
        with pytest.raises(Conflict):
            E.evaluation_decide(actor=world.user("branch"), round=rnd, entry_id=e1, grade="basic", reason="x")
        with pytest.raises(Conflict, match="已结束"):
            E.evaluation_advance(actor=world.user("branch"), round=rnd)


def test_an_in_service_member_who_did_not_report_cannot_be_graded_qualified_or_above(world):
    PartyMember.objects.filter(pk=world.members["A1-1"].pk).update(in_service=True)
    with at("2026-12-01"):
        rnd = _to(_open(world), world, "deciding")
        e1 = _entry(rnd, world, "A1-1").pk
        with pytest.raises(ValidationError, match="未到社区报到.*rules.md §5"):
            E.evaluation_decide(actor=world.user("branch"), round=rnd, entry_id=e1, grade="qualified")
        E.evaluation_decide(
            actor=world.user("branch"), round=rnd, entry_id=e1, grade="basic", reason="未到社区报到"
        )
        Rule.objects.create(key="party.dual_report.required_for_good_grade", value=False)
        invalidate()
        E.evaluation_decide(actor=world.user("branch"), round=rnd, entry_id=e1, grade="qualified")


def test_a_member_who_reported_during_the_year_can_be_graded_qualified(world):
    PartyMember.objects.filter(pk=world.members["A1-1"].pk).update(in_service=True)
    with at("2026-03-01"):
        reg = D.dual_register(actor=world.user("member"), community=world.regions["wenhua"])
        D.dual_confirm(actor=world.user("community"), registration=reg)
    with at("2026-12-01"):
        rnd = _to(_open(world), world, "deciding")
        entry = E.evaluation_decide(
            actor=world.user("branch"), round=rnd, entry_id=_entry(rnd, world, "A1-1").pk, grade="qualified"
        )
    assert entry.final_grade == "qualified"


def test_rounds_are_visible_only_inside_the_subtree_and_to_their_participants(world):
    with at("2026-12-01"):
        rnd = _open(world)
    assert E.rounds_visible_to(world.user("street")).filter(pk=rnd.pk).exists()
    assert not E.rounds_visible_to(world.user("outsider_branch")).exists()
    assert not E.rounds_visible_to(world.user("member")).exists()  # staff view
    assert E.member_rounds(world.user("member")).filter(pk=rnd.pk).exists()
    assert not E.member_rounds(world.user("resident")).exists()


# --- the yearly record ------------------------------------------------------------------------------------------


def _secretary(world, key="A1-0"):
    PartyMember.objects.filter(pk=world.members[key].pk).update(position="书记")
    return PartyMember.objects.get(pk=world.members[key].pk)


def test_the_yearly_record_shows_grade_service_hours_and_ratings(world):
    secretary = _secretary(world)
    PartyMember.objects.filter(pk=secretary.pk).update(in_service=True)
    user = make_user("a10", person=secretary.person)
    with at("2026-03-01"):
        reg = D.dual_register(actor=user, community=world.regions["wenhua"])
        D.dual_confirm(actor=world.user("community"), registration=reg)
        rec = D.dual_record_service(actor=user, served_on=date(2026, 3, 1), hours="2.5", content="助老")
        D.dual_confirm_service(actor=world.user("community"), record=rec)
    # 网上评议 is the participation app's: two residents rate the member in the third quarter, one in the fourth.
    neighbour = make_user("neighbour", person=world.residents["A1-21"])
    with at("2026-07-10"):
        ratings.evaluation_submit(
            actor=world.user("resident"), target_type="member", target_id=secretary.pk, score=4
        )
        ratings.evaluation_submit(actor=neighbour, target_type="member", target_id=secretary.pk, score=5)
    with at("2026-10-10"):
        ratings.evaluation_submit(actor=neighbour, target_type="member", target_id=secretary.pk, score=3)
    with at("2026-12-01"):
        rnd = _to(_open(world), world, "deciding")
        for key in ("A1-0", "A1-1", "A1-2"):
            E.evaluation_decide(
                actor=world.user("branch"), round=rnd, entry_id=_entry(rnd, world, key).pk, grade="qualified"
            )
        E.evaluation_advance(actor=world.user("branch"), round=rnd)
        record = E.member_yearly_record(PartyMember.objects.get(pk=secretary.pk))
    this_year = record[0]
    assert this_year["year"] == 2026
    assert (this_year["grade"], str(this_year["hours"]), this_year["reported"]) == ("合格", "2.5", True)
    assert (this_year["rating_avg"], this_year["rating_count"]) == (4.0, 3)
