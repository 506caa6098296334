"""网上评议: who may rate whom, once per target and period (a unique constraint), and the aggregates the
assessment module reads."""

from datetime import date, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from redgrid.core.api import Conflict
from redgrid.core.models import Rule
from redgrid.participation import evaluation as ev
from redgrid.participation.models import Evaluation
from redgrid.participation.tests.deliberation_helpers import resident

pytestmark = pytest.mark.django_db

JULY = timezone.make_aware(datetime(2026, 7, 15, 10, 0))


@pytest.mark.parametrize(
    ("kind", "day", "period"),
    [
        ("quarter", date(2026, 7, 15), "2026Q3"),
        ("quarter", date(2026, 3, 31), "2026Q1"),
        ("month", date(2026, 7, 15), "2026-07"),
        ("half", date(2026, 6, 30), "2026H1"),
        ("half", date(2026, 7, 1), "2026H2"),
        ("year", date(2026, 12, 31), "2026"),
    ],
)
def test_period_keys(kind, day, period):
    assert ev.period_of(day, kind) == period


def test_a_resident_rates_the_organisations_members_and_units_serving_their_home(world):
    user = world.user("resident")  # lives in grid A1 of 文化路社区
    assert list(ev.rateable(user, "branch")) == [world.orgs["guangwen"], world.orgs["A1"]]
    members = {m.person.name for m in ev.rateable(user, "member")}
    assert members == {"A1居民00", "A1居民10", "A1居民20", "A2居民00", "A2居民10", "A2居民20"}
    assert set(ev.rateable(user, "unit")) == {world.units["chengguan"], world.units["water"]}
    # A member does not rate themself, and the other street's units and branches are not offered.
    assert world.residents["A1-10"].party_member.pk not in set(
        ev.rateable(world.user("member"), "member").values_list("pk", flat=True)
    )
    assert not ev.rateable(world.user("outsider_resident"), "branch").filter(pk=world.orgs["A1"].pk).exists()
    assert world.units["police_dg"] not in set(ev.rateable(user, "unit"))


@time_machine.travel(JULY, tick=False)
def test_each_target_is_rated_once_per_period(world):
    user = world.user("resident")
    row = ev.evaluation_submit(actor=user, target_type="branch", target_id=world.orgs["A1"].pk, score=5, comment="好")
    assert row.period == "2026Q3"
    with pytest.raises(Conflict, match="2026Q3"):
        ev.evaluation_submit(actor=user, target_type="branch", target_id=world.orgs["A1"].pk, score=1)
    ev.evaluation_submit(actor=user, target_type="unit", target_id=world.units["water"].pk, score=3)
    with time_machine.travel(datetime(2026, 10, 1, 9, 0, tzinfo=JULY.tzinfo), tick=False):
        assert ev.evaluation_submit(actor=user, target_type="branch", target_id=world.orgs["A1"].pk, score=4).period == "2026Q4"
    assert Evaluation.objects.filter(rater=user, target_type="branch").count() == 2


@time_machine.travel(JULY, tick=False)
def test_the_period_length_is_a_rule(world):
    Rule.objects.create(key="evaluation.period", value="year")
    user = world.user("resident")
    ev.evaluation_submit(actor=user, target_type="branch", target_id=world.orgs["A1"].pk, score=5)
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=JULY.tzinfo), tick=False):
        with pytest.raises(Conflict, match="2026"):
            ev.evaluation_submit(actor=user, target_type="branch", target_id=world.orgs["A1"].pk, score=4)


def test_the_unique_constraint_is_the_guard_even_without_the_service(world):
    fields = {"rater": world.user("resident"), "target_type": "branch", "target_id": world.orgs["A1"].pk, "period": "2026Q3"}
    Evaluation.objects.create(score=5, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(score=1, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(score=6, **{**fields, "period": "2026Q4"})


def test_scores_and_targets_are_checked(world):
    user = world.user("resident")
    for bad in (0, 6, "5", True, None):
        with pytest.raises(ValidationError, match="1–5"):
            ev.evaluation_submit(actor=user, target_type="branch", target_id=world.orgs["A1"].pk, score=bad)
    with pytest.raises(PermissionDenied):
        ev.evaluation_submit(actor=user, target_type="branch", target_id=world.orgs["C1"].pk, score=5)
    with pytest.raises(ValidationError, match="类型"):
        ev.evaluation_submit(actor=user, target_type="grid", target_id=1, score=5)
    assert not Evaluation.objects.exists()


@time_machine.travel(JULY, tick=False)
def test_the_aggregates_per_period_are_counts_averages_and_satisfaction(world):
    branch = world.orgs["A1"].pk
    for key, score in [("A1-00", 5), ("A1-01", 4), ("A1-20", 2), ("A1-21", 5)]:
        ev.evaluation_submit(actor=resident(world, key), target_type="branch", target_id=branch, score=score)
    ev.evaluation_submit(actor=world.user("resident"), target_type="branch", target_id=world.orgs["guangwen"].pk, score=3)
    scores = ev.evaluation_scores("branch", "2026Q3")
    assert scores[branch] == {
        "count": 4,
        "average": 4.0,
        "satisfaction": 75.0,  # three of four gave 4 or 5
        "distribution": {1: 0, 2: 1, 3: 0, 4: 1, 5: 2},
    }
    assert scores[world.orgs["guangwen"].pk]["average"] == 3.0
    assert ev.evaluation_scores("branch", "2026Q2") == {}
    assert set(ev.evaluation_scores("branch", "2026Q3", target_ids=[branch])) == {branch}


@time_machine.travel(JULY, tick=False)
def test_staff_see_the_results_of_their_subtree_only(world):
    ev.evaluation_submit(actor=world.user("resident"), target_type="branch", target_id=world.orgs["A1"].pk, score=5)
    ev.evaluation_submit(actor=world.user("outsider_resident"), target_type="branch", target_id=world.orgs["C1"].pk, score=2)
    names = {u: [r["name"] for r in ev.score_table(world.user(u), "branch", "2026Q3")] for u in
             ("branch", "outsider_branch", "street", "outsider_street", "resident")}
    assert names == {
        "branch": ["A1网格党支部"],
        "outsider_branch": [],
        "street": ["A1网格党支部"],
        "outsider_street": ["C1网格党支部"],
        "resident": [],
    }
