"""API under /api/v1/learning/…: courses, heartbeats, quizzes, points and scoped leaderboards."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from redgrid.learning.models import Course, Question
from redgrid.learning.services import points_award, quiz_create
from redgrid.testing import make_user

pytestmark = pytest.mark.django_db

NINE = timezone.make_aware(datetime(2026, 7, 1, 9, 0))
API = "/api/v1/learning"


@pytest.fixture
def members(world):
    """member (A1), a second A1 member, an A2 member and a member in 东关街道 (C1), with points."""
    users = {
        "member": world.user("member"),
        "a1_other": make_user("a1_other", person=world.residents["A1-00"]),
        "a2": make_user("a2_member", person=world.residents["A2-00"]),
        "c1": make_user("c1_member", person=world.residents["C1-00"]),
    }
    for i, (name, user) in enumerate(users.items()):
        for n in range(i + 1):
            points_award(user=user, activity="article", source_key=f"{name}{n}", at=NINE)
    return users


def test_it_requires_login(client):
    assert client.get(f"{API}/courses").status_code == 401


def test_courses_list_carries_the_members_progress(world, content, client):
    client.force_login(world.user("member"))
    rows = client.get(f"{API}/courses").json()
    assert len(rows) == 28 and {r["seconds"] for r in rows} == {0}


def test_a_heartbeat_counts_visible_time(world, content, client):
    client.force_login(world.user("member"))
    course = Course.objects.first()
    url = f"{API}/courses/{course.pk}/heartbeat"
    with time_machine.travel(NINE, tick=False) as t:
        client.post(url, {"seconds": 0, "visible": True}, content_type="application/json")
        t.shift(15)
        body = client.post(url, {"seconds": 15, "visible": True}, content_type="application/json").json()
    assert body == {"seconds": 15, "required_seconds": course.minutes * 60, "completed": False, "position": 0}


def test_a_missing_course_is_404(world, client):
    client.force_login(world.user("member"))
    assert client.get(f"{API}/courses/999999").status_code == 404


def test_a_member_takes_the_daily_quiz(world, content, client):
    client.force_login(world.user("member"))
    with time_machine.travel(NINE, tick=False):
        quizzes = client.get(f"{API}/quizzes").json()
        daily = next(q for q in quizzes if q["kind"] == "daily")
        assert {q["kind"] for q in quizzes} == {"daily", "weekly"} and daily["status"] == "new"
        attempt = client.post(f"{API}/quizzes/{daily['id']}/start").json()
        assert len(attempt["questions"]) == 5 and "answer" not in attempt["questions"][0]
        bank = {q.code: q.answer for q in Question.objects.all()}
        answers = {q["code"]: bank[q["code"]] for q in attempt["questions"]}
        result = client.post(
            f"{API}/attempts/{attempt['id']}/submit", {"answers": answers}, content_type="application/json"
        ).json()
        assert result["score"] == 100 and result["points"] == 5 and result["results"][0]["explanation"]
        again = client.post(f"{API}/quizzes/{daily['id']}/start")
        assert again.status_code == 409 and "不能重复作答" in again.json()["detail"]
        assert client.get(f"{API}/points/me").json()["today"] == 5


def test_an_exam_answer_after_the_time_limit_is_refused(world, content, client):
    quiz = quiz_create(
        actor=None,
        kind="exam",
        title="考试",
        key="e1",
        opens_at=NINE,
        closes_at=NINE + timedelta(hours=2),
        question_count=5,
        time_limit_seconds=300,
    )
    client.force_login(world.user("member"))
    with time_machine.travel(NINE, tick=False) as t:
        attempt = client.post(f"{API}/quizzes/{quiz.pk}/start").json()
        t.shift(timedelta(minutes=6))
        r = client.post(
            f"{API}/attempts/{attempt['id']}/submit", {"answers": {}}, content_type="application/json"
        )
    assert r.status_code == 409 and r.json()["detail"] == "已超过答题时限（限时 5 分 0 秒），答案未被接受"


def test_another_members_attempt_is_404(world, content, client, members):
    client.force_login(members["a1_other"])
    with time_machine.travel(NINE, tick=False):
        daily = client.get(f"{API}/quizzes").json()[0]
        attempt = client.post(f"{API}/quizzes/{daily['id']}/start").json()
        client.force_login(world.user("member"))
        r = client.post(
            f"{API}/attempts/{attempt['id']}/submit", {"answers": {}}, content_type="application/json"
        )
    assert r.status_code == 404


def leaderboard(client, **params):
    with time_machine.travel(NINE, tick=False):
        return client.get(f"{API}/leaderboard", params)


def test_a_member_sees_their_branch_leaderboard_with_their_rank(world, client, members):
    client.force_login(members["member"])
    body = leaderboard(client).json()
    assert body["node_name"] == "A1网格党支部"
    assert [r["points"] for r in body["rows"]] == [2, 1] and body["my_rank"] == 2


def test_the_community_and_street_leaderboards_cover_their_subtrees(world, client, members):
    client.force_login(members["member"])
    community = leaderboard(client, scope="community").json()
    street = leaderboard(client, scope="street").json()
    assert community["node_name"] == "文化路社区" and [r["points"] for r in community["rows"]] == [3, 2, 1]
    assert street["node_name"] == "广文街道" and len(street["rows"]) == 3  # C1 is in 东关街道


def test_a_member_cannot_see_another_branchs_leaderboard(world, client, members):
    client.force_login(members["member"])
    assert leaderboard(client, scope="branch", node=world.orgs["A2"].pk).status_code == 404
    assert leaderboard(client, scope="community", node=world.regions["songhe"].pk).status_code == 404


def test_a_branch_secretary_sees_their_branch_but_not_the_outsider_branch(world, client, members):
    client.force_login(world.user("branch"))
    assert leaderboard(client, scope="branch", node=world.orgs["A1"].pk).status_code == 200
    assert leaderboard(client, scope="branch", node=world.orgs["A2"].pk).status_code == 404


def test_a_street_admin_sees_communities_of_the_street_only(world, client, members):
    client.force_login(world.user("street"))
    assert leaderboard(client, scope="community", node=world.regions["wenhua"].pk).status_code == 200
    assert (
        leaderboard(client, scope="street", node=world.regions["guangwen"].pk).json()["rows"][0]["points"]
        == 3
    )
    assert leaderboard(client, scope="street", node=world.regions["dongguan"].pk).status_code == 404


def test_an_unknown_scope_is_400(world, client, members):
    client.force_login(members["member"])
    r = leaderboard(client, scope="city")
    assert r.status_code == 400 and "scope" in r.json()["detail"]


def test_the_leaderboard_takes_a_fixed_number_of_queries(world, client, members, django_assert_num_queries):
    client.force_login(world.user("street"))
    leaderboard(client, scope="street", node=world.regions["guangwen"].pk)  # warm session and rule caches
    # 1 session, 2 account, 3 grant check (middleware), 4 grants with nodes (scope), 5 the region within scope
    # (no member record query: the street admin has no person), 6 my points, 7 my rank, 8 the top rows with
    # names, 9-11 savepoint, session save (every request), release
    with django_assert_num_queries(11):
        leaderboard(client, scope="street", node=world.regions["guangwen"].pk)


def test_a_branch_secretary_reads_the_study_report_of_their_branch_only(world, client):
    client.force_login(world.user("branch"))
    rows = client.get(f"{API}/branches/{world.orgs['A1'].pk}/study").json()
    assert len(rows) == 3 and {r["target"] for r in rows} == {32}
    assert client.get(f"{API}/branches/{world.orgs['A2'].pk}/study").status_code == 404


def test_a_member_cannot_read_a_branch_study_report(world, client):
    client.force_login(world.user("member"))
    assert client.get(f"{API}/branches/{world.orgs['A1'].pk}/study").status_code == 404
