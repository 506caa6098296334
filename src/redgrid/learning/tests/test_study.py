"""Study time from heartbeats: only visible time, never more than wall time, completion and 学时."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from redgrid.learning.models import Course, PointEntry
from redgrid.learning.selectors import branch_study_report, study_hours, study_menu
from redgrid.learning.services import study_heartbeat
from redgrid.testing import make_user

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(datetime(2026, 7, 1, 9, 0))


@pytest.fixture
def course(db):
    return Course.objects.create(slug="c1", title="课程", category="组织生活", minutes=1, body="正文")


def beat(user, course, at_s, seconds=15, visible=True):
    return study_heartbeat(
        user=user, course=course, seconds=seconds, visible=visible, at=T0 + timedelta(seconds=at_s)
    )


def test_the_first_heartbeat_only_starts_the_clock(world, course):
    assert beat(world.user("member"), course, 0).seconds == 0


def test_visible_heartbeats_count_their_seconds(world, course):
    member = world.user("member")
    beat(member, course, 0)
    beat(member, course, 15)
    assert beat(member, course, 30).seconds == 30


def test_a_client_cannot_claim_more_than_wall_time(world, course):
    member = world.user("member")
    beat(member, course, 0)
    assert beat(member, course, 5, seconds=600).seconds == 5


def test_hidden_time_is_not_counted(world, course):
    member = world.user("member")
    beat(member, course, 0)
    beat(member, course, 15)
    # hidden at 20 s: the 5 visible seconds count and the clock stops
    assert beat(member, course, 20, seconds=5, visible=False).seconds == 20
    # visible again at 320 s: a client claiming the hidden 300 s gets nothing, the beat only restarts the clock
    assert beat(member, course, 320, seconds=300).seconds == 20
    assert beat(member, course, 335).seconds == 35


def test_a_long_gap_without_heartbeats_counts_at_most_the_max_gap(world, course):
    member = world.user("member")
    beat(member, course, 0)
    assert beat(member, course, 600, seconds=600).seconds == 60


def test_reaching_the_minutes_completes_the_course_and_awards_a_point_once(world, course):
    member = world.user("member")
    for s in range(0, 76, 15):
        record = beat(member, course, s)
    assert record.seconds == 75 and record.completed_at == T0 + timedelta(seconds=60)
    assert PointEntry.objects.filter(user=member, activity="article").count() == 1


def test_yearly_hours_use_the_committee_target_for_members_with_a_position(world, course):
    member = world.user("member")
    assert study_hours(member, year=2026)["target"] == 32
    world.members["A1-1"].position = "组织委员"
    world.members["A1-1"].save()
    assert study_hours(member, year=2026)["target"] == 56


def test_yearly_hours_count_45_minutes_per_hour(world, course):
    member = world.user("member")
    beat(member, course, 0)
    for s in range(60, 45 * 60 + 1, 60):
        beat(member, course, s, seconds=60)
    assert study_hours(member, year=2026)["hours"] == 1.0


def test_the_branch_report_lists_every_member_of_the_branch(world, course, django_assert_num_queries):
    beat(world.user("member"), course, 0)
    beat(world.user("member"), course, 15)
    study_hours(world.user("member"), year=2026)  # warms the rules-table cache
    # 1 members with person and org, 2 seconds per member, 3 points per member
    with django_assert_num_queries(3):
        rows = branch_study_report(world.orgs["A1"], year=2026)
    assert len(rows) == 3
    assert {r["seconds"] for r in rows} == {0, 15}


def test_the_menu_puts_required_courses_first_for_secretaries(world, content):
    member = world.user("member")
    plain = study_menu(member)
    assert plain["required"] == []
    world.members["A1-1"].position = "支部书记"
    world.members["A1-1"].save()
    menu = study_menu(member)
    assert menu["required"] and all(
        {"secretary", "committee"} & set(c.required_for) for c in menu["required"]
    )


def test_members_behind_the_pro_rata_target_are_reminded_once_a_month(world, course):
    from redgrid.core.models import Notification
    from redgrid.learning.services import study_reminders_send

    outsider = make_user("c1m", person=world.residents["C1-00"])
    assert (
        study_reminders_send(today=T0.date()) == 2
    )  # member (A1) and the C1 member; the resident is no member
    assert study_reminders_send(today=T0.date()) == 0
    note = Notification.objects.get(recipient=outsider)
    assert "全年目标 32 学时" in note.body and note.link == "/learning/"
