"""Member H5 pages and the staff branch view."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from redgrid.learning.models import Course, PointEntry, Question, Quiz, QuizAttempt
from redgrid.learning.services import points_award

pytestmark = pytest.mark.django_db

NINE = timezone.make_aware(datetime(2026, 7, 1, 9, 0))


def test_the_study_menu_awards_the_daily_login_point_once(world, content, client):
    client.force_login(world.user("member"))
    with time_machine.travel(NINE, tick=False):
        r = client.get(reverse("learning:home"))
        client.get(reverse("learning:home"))
    assert r.status_code == 200 and "全部课程" in r.content.decode()
    assert PointEntry.objects.filter(activity="login").count() == 1


def test_a_secretary_sees_required_courses_on_the_menu(world, content, client):
    world.members["A1-1"].position = "支部书记"
    world.members["A1-1"].save()
    client.force_login(world.user("member"))
    assert "必修课程" in client.get(reverse("learning:home")).content.decode()


def test_the_course_page_loads_the_heartbeat_script_without_inline_js(world, content, client):
    client.force_login(world.user("member"))
    course = Course.objects.first()
    html = client.get(reverse("learning:course", args=[course.pk])).content.decode()
    assert "learning/study.js" in html and f"/api/v1/learning/courses/{course.pk}/heartbeat" in html
    assert "<script>" not in html


def test_a_member_takes_the_daily_quiz_on_the_pages(world, content, client):
    client.force_login(world.user("member"))
    with time_machine.travel(NINE, tick=False):
        assert "开始答题" in client.get(reverse("learning:daily")).content.decode()
        quiz_id = Quiz.objects.get(kind="daily").pk
        r = client.post(reverse("learning:start", args=[quiz_id]))
        attempt = QuizAttempt.objects.get()
        assert r.url == reverse("learning:attempt", args=[attempt.pk])
        bank = Question.objects.in_bulk(attempt.question_ids)
        data = {
            bank[i].code: list(bank[i].answer) if bank[i].kind == "multiple" else bank[i].answer
            for i in attempt.question_ids
        }
        client.post(r.url, data)
        html = client.get(reverse("learning:daily"), follow=True).content.decode()
    assert "得分 <strong>100</strong>" in html and "解析" in html


def test_the_points_page_shows_the_branch_ranking(world, client):
    member = world.user("member")
    points_award(user=member, activity="article", source_key="x", at=NINE)
    client.force_login(member)
    with time_machine.travel(NINE, tick=False):
        html = client.get(reverse("learning:points"), {"scope": "community"}).content.decode()
    assert "文化路社区" in html and "第 1 名" in html


def test_the_branch_view_is_staff_only_and_scoped(world, client):
    client.force_login(world.user("member"))
    assert client.get(reverse("learning:branch")).status_code == 302
    client.force_login(world.user("branch"))
    html = client.get(reverse("learning:branch")).content.decode()
    assert "A1网格党支部" in html and "A2网格党支部" not in html
    assert client.get(reverse("learning:branch"), {"org": world.orgs["A2"].pk}).status_code == 404


def test_the_h5_home_shows_the_learning_tile_to_members_only(world, client):
    client.force_login(world.user("member"))
    assert "学习教育" in client.get(reverse("h5_home")).content.decode()
    client.force_login(world.user("resident"))
    assert "学习教育" not in client.get(reverse("h5_home")).content.decode()


def test_a_resident_who_is_not_a_member_gets_404_on_the_study_pages(world, content, client):
    client.force_login(world.user("resident"))
    assert client.get(reverse("learning:home")).status_code == 404
    assert client.get(reverse("learning:daily")).status_code == 404
    assert client.get(reverse("learning:course", args=[Course.objects.first().pk])).status_code == 404
    assert not PointEntry.objects.exists()
