"""议事厅 votes: phases, eligibility by area, one vote per household/resident (also under concurrency), results."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from redgrid.core.api import Conflict
from redgrid.participation import services as s
from redgrid.participation.models import Topic, Vote
from redgrid.participation.selectors import topic_results
from redgrid.testing import make_user


def make_topic(world, *, area="wenhua", unit="household", start=None, **extra):
    """A topic whose voting runs from now − 1 day to now + 6 days."""
    now = start or timezone.now()
    return Topic.objects.create(
        title="是否在小区加装充电桩",
        body="征求全体居民意见",
        area=world.regions[area],
        vote_unit=unit,
        collect_from=now - timedelta(days=20),
        discuss_from=now - timedelta(days=10),
        vote_from=now - timedelta(days=1),
        vote_until=now + timedelta(days=6),
        publicity_until=now + timedelta(days=13),
        **extra,
    )


def voter(world, key, name=None):
    return make_user(name or f"v_{key}", person=world.residents[key])


@pytest.mark.django_db
def test_a_household_votes_once_and_the_second_member_gets_409(world):
    topic = make_topic(world)
    s.topic_vote(actor=voter(world, "A1-00"), topic=topic, choice="赞成")
    with pytest.raises(Conflict, match="本户已投票"):
        s.topic_vote(actor=voter(world, "A1-01"), topic=topic, choice="反对")
    assert Vote.objects.filter(topic=topic).count() == 1


@pytest.mark.django_db
def test_per_resident_topics_count_each_person(world):
    topic = make_topic(world, unit="resident")
    a, b = voter(world, "A1-00"), voter(world, "A1-01")
    s.topic_vote(actor=a, topic=topic, choice="赞成")
    s.topic_vote(actor=b, topic=topic, choice="反对")
    with pytest.raises(Conflict, match="您已投票"):
        s.topic_vote(actor=a, topic=topic, choice="弃权")
    assert Vote.objects.filter(topic=topic, household__isnull=True).count() == 2


@pytest.mark.django_db
def test_only_residents_of_the_area_may_vote(world):
    topic = make_topic(world)
    with pytest.raises(PermissionDenied, match="表决范围"):
        s.topic_vote(actor=world.user("outsider_resident"), topic=topic, choice="赞成")
    with pytest.raises(PermissionDenied):
        s.topic_vote(actor=world.user("community"), topic=topic, choice="赞成")  # no household
    s.topic_vote(actor=voter(world, "A2-00"), topic=topic, choice="赞成")  # grid A2 is inside 文化路社区


@pytest.mark.django_db
def test_an_invalid_choice_is_refused(world):
    with pytest.raises(ValidationError, match="选项"):
        s.topic_vote(actor=voter(world, "A1-00"), topic=make_topic(world), choice="也许")


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "phase"), [(-15, "征集"), (-5, "讨论"), (8, "公示"), (30, "已结束")])
def test_votes_are_only_taken_in_the_voting_phase(world, days, phase):
    topic = make_topic(world)
    with time_machine.travel(timezone.now() + timedelta(days=days), tick=False):
        with pytest.raises(Conflict, match=f"「{phase}」"):
            s.topic_vote(actor=voter(world, "A1-00"), topic=topic, choice="赞成")


@pytest.mark.django_db
def test_results_apply_quorum_and_pass_threshold(world):
    # 文化路社区 has 8 households (A1 and A2, four each); quorum 50 % = 4 households.
    topic = make_topic(world)
    for key, choice in [("A1-00", "赞成"), ("A1-11", "赞成"), ("A1-20", "反对")]:
        s.topic_vote(actor=voter(world, key), topic=topic, choice=choice)
    r = topic_results(topic)
    assert (r["cast"], r["eligible"], r["quorum_met"], r["passed"]) == (3, 8, False, False)
    s.topic_vote(actor=voter(world, "A2-00"), topic=topic, choice="赞成")
    r = topic_results(topic)
    assert r["counts"] == {"赞成": 3, "反对": 1, "弃权": 0}
    assert (r["turnout_percent"], r["quorum_met"], r["passed"]) == (50.0, True, True)
    topic.pass_percent = 75  # 3 of 4 is not more than 75 %
    assert topic_results(topic)["passed"] is False


@pytest.mark.django_db
def test_the_vote_and_results_api(world, client, api_token):
    topic = make_topic(world)
    h = api_token(voter(world, "A1-00"))
    r = client.post(
        f"/api/v1/topics/{topic.pk}/vote", {"choice": "赞成"}, content_type="application/json", **h
    )
    assert r.status_code == 201 and r.json()["household_id"] == world.residents["A1-00"].household_id
    h2 = api_token(voter(world, "A1-01"))
    r = client.post(
        f"/api/v1/topics/{topic.pk}/vote", {"choice": "反对"}, content_type="application/json", **h2
    )
    assert r.status_code == 409 and r.json()["detail"] == "本户已投票"
    # Residents see turnout but not counts until voting closes; staff see the counts.
    body = client.get(f"/api/v1/topics/{topic.pk}/results", **h).json()
    assert body["counts"] is None and body["cast"] == 1
    body = client.get(f"/api/v1/topics/{topic.pk}/results", **api_token(world.user("community"))).json()
    assert body["counts"]["赞成"] == 1
    with time_machine.travel(timezone.now() + timedelta(days=7), tick=False):
        body = client.get(f"/api/v1/topics/{topic.pk}/results", **api_token(voter(world, "A2-00"))).json()
    assert body["final"] is True and body["counts"]["赞成"] == 1


@pytest.mark.django_db
def test_topics_are_404_outside_the_area(world, client, api_token):
    topic = make_topic(world)
    for name in ("outsider_resident", "outsider_community", "outsider_street"):
        h = api_token(world.user(name))
        assert client.get(f"/api/v1/topics/{topic.pk}/results", **h).status_code == 404
        r = client.post(
            f"/api/v1/topics/{topic.pk}/vote", {"choice": "赞成"}, content_type="application/json", **h
        )
        assert r.status_code == 404
    for name in ("resident", "gridworker", "community", "street"):
        assert client.get(f"/api/v1/topics/{topic.pk}", **api_token(world.user(name))).status_code == 200
    assert not Vote.objects.exists()


def _race(voters, topic, choice="赞成"):
    """Every voter votes at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(voters))
    outcomes = []

    def run(user):
        try:
            barrier.wait()
            s.topic_vote(actor=user, topic=topic, choice=choice)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_members_of_a_household_voting_at_once_leave_exactly_one_vote(world):
    topic = make_topic(world)
    a, b = voter(world, "A1-00"), voter(world, "A1-01")
    for _ in range(3):
        Vote.objects.filter(topic=topic).delete()
        assert _race([a, b], topic) == ["ok", "本户已投票"]
        assert Vote.objects.filter(topic=topic).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_resident_voting_twice_at_once_leaves_one_vote(world):
    topic = make_topic(world, unit="resident")
    a = voter(world, "A1-00")
    a2 = type(a).objects.get(pk=a.pk)  # a second request of the same account
    assert _race([a, a2], topic) == ["ok", "您已投票"]
    assert Vote.objects.filter(topic=topic).count() == 1


@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_unique_constraint_still_refuses_the_second_vote(world):
    """The constraint is the last guard even if a write skipped the service."""
    from django.db import IntegrityError, transaction

    topic = make_topic(world)
    Vote.objects.create(
        topic=topic, voter=voter(world, "A1-00"), household=world.residents["A1-00"].household, choice="赞成"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            topic=topic,
            voter=voter(world, "A1-01"),
            household=world.residents["A1-01"].household,
            choice="反对",
        )
