"""Quizzes: daily quiz once a day, grading with explanations, exam time limit under time travel."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from redgrid.core.api import Conflict
from redgrid.learning import rules
from redgrid.learning.models import PointEntry, Question, Quiz
from redgrid.learning.services import quiz_create, quiz_ensure_daily, quiz_start, quiz_submit

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 7, 1).date()
NINE = timezone.make_aware(datetime(2026, 7, 1, 9, 0))


def right_answers(attempt):
    qs = Question.objects.in_bulk(attempt.question_ids)
    return {qs[i].code: qs[i].answer.split("|")[0] for i in attempt.question_ids}


@pytest.mark.parametrize(
    "kind,answer,given,ok",
    [
        ("single", "B", "b", True),
        ("single", "B", "C", False),
        ("multiple", "ACD", "DCA", True),
        ("multiple", "ACD", "AC", False),
        ("multiple", "ACD", ["A", "C", "D"], True),
        ("true_false", "T", "对", True),
        ("true_false", "F", "T", False),
        ("fill", "季度", " 季度 ", True),
        ("fill", "季度|每季度", "每季度", True),
        ("fill", "季度", "", False),
        ("single", "A", None, False),
    ],
)
def test_grading_normalises_answers(kind, answer, given, ok):
    assert rules.is_correct(kind, answer, given) is ok


def test_the_daily_quiz_is_created_once_with_the_same_questions(world, content):
    first = quiz_ensure_daily(DAY)
    again = quiz_ensure_daily(DAY)
    assert first.pk == again.pk and first.questions.count() == 5
    assert Quiz.objects.filter(kind="daily").count() == 1


def test_a_full_daily_quiz_earns_five_points_and_shows_explanations(world, content):
    member = world.user("member")
    quiz = quiz_ensure_daily(DAY)
    attempt = quiz_start(user=member, quiz=quiz, at=NINE)
    result = quiz_submit(
        user=member, attempt=attempt, answers=right_answers(attempt), at=NINE + timedelta(minutes=2)
    )
    assert result["attempt"].score == 100 and result["points"] == 5
    assert all(r["explanation"] for r in result["results"])


def test_wrong_answers_earn_no_points(world, content):
    member = world.user("member")
    quiz = quiz_ensure_daily(DAY)
    attempt = quiz_start(user=member, quiz=quiz, at=NINE)
    result = quiz_submit(user=member, attempt=attempt, answers={}, at=NINE + timedelta(minutes=1))
    assert result["attempt"].score == 0 and result["points"] == 0
    assert not PointEntry.objects.filter(user=member).exists()


def test_the_daily_quiz_cannot_be_taken_twice(world, content):
    member = world.user("member")
    quiz = quiz_ensure_daily(DAY)
    attempt = quiz_start(user=member, quiz=quiz, at=NINE)
    quiz_submit(user=member, attempt=attempt, answers={}, at=NINE)
    with pytest.raises(Conflict, match="不能重复作答"):
        quiz_start(user=member, quiz=quiz, at=NINE)
    with pytest.raises(Conflict, match="不能重复提交"):
        quiz_submit(user=member, attempt=attempt, answers={}, at=NINE)


def test_yesterdays_daily_quiz_is_closed(world, content):
    quiz = quiz_ensure_daily(DAY - timedelta(days=1))
    with pytest.raises(Conflict, match="已结束"):
        quiz_start(user=world.user("member"), quiz=quiz, at=NINE)


def test_a_second_daily_quiz_on_the_same_day_is_refused(world, content):
    member = world.user("member")
    quiz_start(user=member, quiz=quiz_ensure_daily(DAY), at=NINE)
    other = quiz_create(
        actor=None,
        kind="daily",
        title="另一份每日答题",
        key="daily-extra",
        opens_at=NINE,
        closes_at=NINE + timedelta(hours=1),
        question_count=5,
    )
    with pytest.raises(Conflict, match="本期每日答题您已作答"):
        quiz_start(user=member, quiz=other, at=NINE)


@pytest.fixture
def exam(world, content):
    return quiz_create(
        actor=world.user("branch"),
        kind="exam",
        title="党章知识考试",
        key="exam-1",
        opens_at=NINE,
        closes_at=NINE + timedelta(hours=8),
        question_count=10,
        time_limit_seconds=600,
    )


def test_an_exam_submitted_within_the_limit_is_graded(world, exam):
    member = world.user("member")
    with time_machine.travel(NINE, tick=False) as traveller:
        attempt = quiz_start(user=member, quiz=exam)
        traveller.shift(timedelta(seconds=600))
        result = quiz_submit(user=member, attempt=attempt, answers=right_answers(attempt))
    assert result["attempt"].score == 100 and result["attempt"].seconds_used == 600


def test_an_exam_submitted_after_the_limit_is_refused(world, exam):
    member = world.user("member")
    with time_machine.travel(NINE, tick=False) as traveller:
        attempt = quiz_start(user=member, quiz=exam)
        traveller.shift(timedelta(seconds=600 + 6))
        with pytest.raises(Conflict, match="已超过答题时限（限时 10 分 0 秒）"):
            quiz_submit(user=member, attempt=attempt, answers=right_answers(attempt))
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.answers == {}


def test_exam_questions_are_in_a_different_order_per_member(world, exam):
    a = quiz_start(user=world.user("member"), quiz=exam, at=NINE)
    b = quiz_start(user=world.user("resident"), quiz=exam, at=NINE)
    assert sorted(a.question_ids) == sorted(b.question_ids) and a.question_ids != b.question_ids


def test_an_exam_before_it_opens_cannot_be_started(world, exam):
    with pytest.raises(Conflict, match="尚未开始"):
        quiz_start(user=world.user("member"), quiz=exam, at=NINE - timedelta(minutes=1))
