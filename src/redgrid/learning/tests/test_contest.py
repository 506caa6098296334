"""知识竞赛: time-boxed, ranked by person (score, then time used) and by branch (average score)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from redgrid.core.api import Conflict
from redgrid.learning.models import Question
from redgrid.learning.selectors import contest_ranking
from redgrid.learning.services import quiz_create, quiz_start, quiz_submit
from redgrid.testing import make_user

pytestmark = pytest.mark.django_db

NINE = timezone.make_aware(datetime(2026, 7, 1, 9, 0))


def take(user, quiz, *, right: int, seconds: int):
    attempt = quiz_start(user=user, quiz=quiz, at=NINE)
    bank = Question.objects.in_bulk(attempt.question_ids)
    answers = {bank[i].code: bank[i].answer for i in attempt.question_ids[:right]}
    return quiz_submit(user=user, attempt=attempt, answers=answers, at=NINE + timedelta(seconds=seconds))


@pytest.fixture
def contest(world, content):
    return quiz_create(
        actor=world.user("street"),
        kind="contest",
        title="党章知识竞赛",
        key="contest-1",
        opens_at=NINE - timedelta(hours=1),
        closes_at=NINE + timedelta(hours=1),
        question_count=10,
        time_limit_seconds=900,
    )


def test_people_rank_by_score_then_time_and_branches_by_average(world, contest):
    a1, a1b = world.user("member"), make_user("a1b", person=world.residents["A1-00"])
    a2 = make_user("a2", person=world.residents["A2-00"])
    take(a1, contest, right=8, seconds=300)
    take(a1b, contest, right=8, seconds=200)
    take(a2, contest, right=10, seconds=500)
    ranking = contest_ranking(contest)
    assert [p["name"] for p in ranking["people"]] == ["a2", "a1b", "member"]
    assert [(b["name"], b["average"]) for b in ranking["branches"]] == [
        ("A2网格党支部", 100.0),
        ("A1网格党支部", 80.0),
    ]


def test_a_contest_cannot_be_entered_after_it_closes(world, contest):
    with pytest.raises(Conflict, match="已结束"):
        quiz_start(user=world.user("member"), quiz=contest, at=NINE + timedelta(hours=2))


def test_the_contest_ranking_api_lists_people_and_branches(world, contest, client):
    take(world.user("member"), contest, right=5, seconds=100)
    client.force_login(world.user("member"))
    body = client.get(f"/api/v1/learning/quizzes/{contest.pk}/ranking").json()
    assert body["people"][0]["score"] == 50 and body["branches"][0]["name"] == "A1网格党支部"


def test_a_resident_who_is_not_a_member_cannot_see_the_contest(world, contest, client):
    client.force_login(world.user("resident"))
    assert client.get(f"/api/v1/learning/quizzes/{contest.pk}/ranking").status_code == 404
