"""Points: caps at their boundaries, idempotent source keys, the yearly roll-up."""

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from redgrid.learning.models import PointEntry, PointRule, PointTotal
from redgrid.learning.services import login_award, point_rule, points_award

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(datetime(2026, 7, 1, 12, 0))  # a Wednesday


def award_articles(user, n, *, at=NOON, prefix="a"):
    return [points_award(user=user, activity="article", source_key=f"{prefix}{i}", at=at) for i in range(n)]


def test_the_rules_table_has_the_defaults_of_rules_md():
    assert point_rule("login") == (1, 1, None)
    assert point_rule("article") == (1, 12, None)
    assert point_rule("quiz_daily") == (1, 5, None)
    assert point_rule("quiz_weekly") == (1, None, 5)
    assert point_rule("quiz_special") == (1, None, 10)


def test_articles_count_up_to_exactly_the_daily_cap(world):
    member = world.user("member")
    entries = award_articles(member, 12)
    assert all(e is not None and e.points == 1 for e in entries)
    assert PointEntry.objects.filter(user=member).count() == 12


def test_the_article_one_over_the_daily_cap_earns_nothing(world):
    member = world.user("member")
    award_articles(member, 12)
    assert points_award(user=member, activity="article", source_key="a12", at=NOON) is None
    assert PointTotal.objects.get(user=member, year=2026).points == 12


def test_the_daily_cap_starts_again_the_next_day(world):
    member = world.user("member")
    award_articles(member, 12)
    tomorrow = NOON + timezone.timedelta(days=1)
    assert points_award(user=member, activity="article", source_key="next", at=tomorrow).points == 1


def test_a_multi_unit_award_is_cut_to_what_the_cap_leaves(world):
    member = world.user("member")
    assert points_award(user=member, activity="quiz_daily", source_key="q1", units=3, at=NOON).points == 3
    assert points_award(user=member, activity="quiz_daily", source_key="q2", units=3, at=NOON).points == 2
    assert points_award(user=member, activity="quiz_daily", source_key="q3", units=1, at=NOON) is None


def test_the_weekly_cap_spans_the_days_of_one_week_only(world):
    member = world.user("member")
    monday = timezone.make_aware(datetime(2026, 6, 29, 9))
    sunday = timezone.make_aware(datetime(2026, 7, 5, 21))
    next_monday = timezone.make_aware(datetime(2026, 7, 6, 9))
    assert points_award(user=member, activity="quiz_weekly", source_key="w1", units=4, at=monday).points == 4
    assert points_award(user=member, activity="quiz_weekly", source_key="w2", units=4, at=sunday).points == 1
    assert points_award(user=member, activity="quiz_weekly", source_key="w3", units=4, at=sunday) is None
    assert (
        points_award(user=member, activity="quiz_weekly", source_key="w4", units=4, at=next_monday).points
        == 4
    )


def test_a_rules_table_row_changes_the_cap(world):
    PointRule.objects.update_or_create(activity="article", defaults={"points": 1, "daily_cap": 2})
    member = world.user("member")
    assert [e is not None for e in award_articles(member, 3)] == [True, True, False]


def test_a_repeated_source_key_counts_once(world):
    member = world.user("member")
    assert points_award(user=member, activity="article", source_key="same", at=NOON).points == 1
    assert points_award(user=member, activity="article", source_key="same", at=NOON) is None
    assert PointTotal.objects.get(user=member, year=2026).points == 1


def test_login_counts_once_a_day(world):
    member = world.user("member")
    with time_machine.travel(NOON, tick=False):
        assert login_award(user=member).points == 1
        assert login_award(user=member) is None
    assert PointEntry.objects.filter(user=member, activity="login").count() == 1


def test_the_yearly_total_snapshots_the_branch_community_and_street(world):
    member = world.user("member")
    points_award(user=member, activity="login", source_key="l", at=NOON)
    total = PointTotal.objects.get(user=member, year=2026)
    assert (total.branch, total.community, total.street) == (
        world.orgs["A1"],
        world.regions["wenhua"],
        world.regions["guangwen"],
    )


def test_caps_are_per_member(world):
    member, other = world.user("member"), world.user("resident")
    award_articles(member, 12)
    assert points_award(user=other, activity="article", source_key="o1", at=NOON).points == 1
