"""议事厅 workflow: proposals, phases as data, comments and threads, reports with automatic hiding at exactly
three, moderation, stakeholders, published results, implementation progress and the phase sweep."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from redgrid.core.api import Conflict, TooManyRequests
from redgrid.core.models import Notification, Rule
from redgrid.participation import deliberation as d
from redgrid.participation import services
from redgrid.participation.models import CommentReport, Topic, TopicComment, TopicEvent
from redgrid.participation.selectors import topics_visible_to
from redgrid.participation.tests.deliberation_helpers import make_topic, resident

pytestmark = pytest.mark.django_db
P = Topic.Phase


def test_votes_are_allowed_only_in_the_voting_phase_and_comments_until_voting_ends():
    assert [p for p, acts in d.PHASE_ACTIONS.items() if "vote" in acts] == [P.VOTING]
    assert {p for p, acts in d.PHASE_ACTIONS.items() if "comment" in acts} == {P.COLLECTING, P.DISCUSSING, P.VOTING}
    assert {p for p, acts in d.PHASE_ACTIONS.items() if "publish_results" in acts} == {P.PUBLICITY, P.CLOSED}
    assert d.PHASE_ACTIONS[P.PROPOSED] == d.PHASE_ACTIONS[P.REJECTED] == frozenset()


def test_the_organisers_transitions_only_move_forward():
    order = [P.PROPOSED, P.COLLECTING, P.DISCUSSING, P.VOTING]
    for name, t in d.TRANSITIONS.items():
        if name == "reject":
            assert t.target == P.REJECTED
            continue
        (source,) = t.sources
        assert order.index(t.target) == order.index(source) + 1
    assert d.COMMENT_TRANSITIONS["restore"].sources == {TopicComment.Status.HIDDEN}
    assert TopicComment.Status.REMOVED not in d.COMMENT_TRANSITIONS["remove"].sources


# --- proposals ------------------------------------------------------------------------------------------


def test_a_resident_proposes_a_topic_and_the_community_is_told(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        topic = d.topic_propose(actor=world.user("resident"), title="增设快递柜", body="快递丢件多")
    assert (topic.status, topic.origin, topic.area, topic.phase) == ("proposed", "resident", world.regions["wenhua"], P.PROPOSED)
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"community", "street"}
    assert TopicEvent.objects.get(topic=topic).action == "propose"


def test_a_proposal_is_seen_by_its_proposer_and_the_organisers_but_not_the_neighbours(world):
    topic = d.topic_propose(actor=world.user("resident"), title="增设快递柜", body="快递丢件多")
    for name in ("resident", "community", "street"):
        assert topics_visible_to(world.user(name)).filter(pk=topic.pk).exists(), name
    for name in ("member", "outsider_community", "outsider_resident"):
        assert not topics_visible_to(world.user(name)).filter(pk=topic.pk).exists(), name


def test_a_resident_without_a_household_cannot_propose(world):
    from redgrid.testing import make_user

    with pytest.raises(ValidationError, match="住户"):
        d.topic_propose(actor=make_user("nobody"), title="x", body="y")


def test_accepting_a_proposal_starts_the_schedule_now(world):
    topic = d.topic_propose(actor=world.user("resident"), title="增设快递柜", body="快递丢件多")
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        topic = d.topic_accept(actor=world.user("community"), topic=topic)
        assert topic.phase == P.COLLECTING and topic.collect_from == timezone.now()
        assert topic.discuss_from == timezone.now() + timedelta(days=7)
    with pytest.raises(Conflict, match="征集"):
        d.topic_accept(actor=world.user("community"), topic=topic)


def test_only_the_areas_organisers_accept_or_reject(world):
    topic = d.topic_propose(actor=world.user("resident"), title="增设快递柜", body="快递丢件多")
    for name in ("gridworker", "branch", "outsider_community", "resident"):
        with pytest.raises(PermissionDenied):
            d.topic_accept(actor=world.user(name), topic=topic)
    with pytest.raises(ValidationError, match="原因"):
        d.topic_reject(actor=world.user("community"), topic=topic, reason=" ")
    topic = d.topic_reject(actor=world.user("street"), topic=topic, reason="属于物业合同约定事项")
    assert topic.phase == P.REJECTED
    with pytest.raises(Conflict):
        d.topic_accept(actor=world.user("community"), topic=topic)


def test_a_resident_may_propose_three_topics_in_30_days(world):
    for i in range(3):
        d.topic_propose(actor=world.user("resident"), title=f"议题{i}", body="内容")
    with pytest.raises(TooManyRequests, match="topic.proposals_per_30_days"):
        d.topic_propose(actor=world.user("resident"), title="第四个", body="内容")
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        d.topic_propose(actor=world.user("resident"), title="下个月", body="内容")


def test_a_committee_topic_checks_dates_options_and_area(world):
    community = world.user("community")
    now = timezone.now()
    bad = {"collect_from": now, "discuss_from": now - timedelta(days=1)}
    with pytest.raises(ValidationError, match="阶段时间"):
        d.topic_create(actor=community, title="t", body="b", area=world.regions["wenhua"], schedule=bad)
    with pytest.raises(ValidationError, match="选项"):
        d.topic_create(actor=community, title="t", body="b", area=world.regions["wenhua"], options=["同意"])
    with pytest.raises(PermissionDenied):
        d.topic_create(actor=community, title="t", body="b", area=world.regions["songhe"])
    topic = d.topic_create(actor=community, title="t", body="b", area=world.regions["A1"], options=["方案一", "方案二"])
    assert topic.phase == P.COLLECTING and topic.announced_phase == P.COLLECTING


def test_opening_the_vote_early_lets_residents_vote_now(world):
    topic = make_topic(world, "collecting")
    with pytest.raises(Conflict, match="征集"):
        d.topic_advance(actor=world.user("community"), topic=topic, action="open_voting")
    d.topic_advance(actor=world.user("community"), topic=topic, action="open_discussion")
    d.topic_advance(actor=world.user("community"), topic=topic, action="open_voting")
    topic.refresh_from_db()
    assert topic.phase == P.VOTING
    services.topic_vote(actor=world.user("resident"), topic=topic, choice="赞成")
    assert [e.action for e in topic.events.all()] == ["open_discussion", "open_voting"]


# --- comments -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "allowed"),
    [("collecting", True), ("discussing", True), ("voting", True), ("publicity", False), ("closed", False)],
)
def test_comments_are_taken_until_the_vote_closes(world, phase, allowed):
    topic = make_topic(world, phase)
    if allowed:
        d.comment_post(actor=world.user("resident"), topic=topic, body="支持")
    else:
        with pytest.raises(Conflict, match="不能发表评论"):
            d.comment_post(actor=world.user("resident"), topic=topic, body="支持")


def test_outsiders_cannot_comment(world):
    topic = make_topic(world)
    with pytest.raises(PermissionDenied):
        d.comment_post(actor=world.user("outsider_resident"), topic=topic, body="路过")


def test_replies_thread_and_deep_replies_attach_to_the_deepest_allowed_level(world):
    topic = make_topic(world)
    a, b = world.user("resident"), world.user("member")
    root = d.comment_post(actor=a, topic=topic, body="根")
    parent = root
    for i in range(5):  # max depth 4 (rule topic.comment_max_depth): depths 1, 2, 3, then 3 again
        parent = d.comment_post(actor=b if i % 2 == 0 else a, topic=topic, body=f"回复{i}", parent=parent)
    depths = list(topic.comments.order_by("id").values_list("depth", flat=True))
    assert depths == [0, 1, 2, 3, 3, 3]
    assert set(topic.comments.exclude(pk=root.pk).values_list("thread_id", flat=True)) == {root.pk}
    rows = d.comment_page(a, topic, [root])
    assert [c.body for c in rows][:2] == ["根", "回复0"] and len(rows) == 6


def test_replying_tells_the_parents_author(world, django_capture_on_commit_callbacks):
    topic = make_topic(world)
    root = d.comment_post(actor=world.user("resident"), topic=topic, body="根")
    with django_capture_on_commit_callbacks(execute=True):
        d.comment_post(actor=world.user("member"), topic=topic, body="同意", parent=root)
    assert Notification.objects.get().recipient == world.user("resident")


def test_the_comment_rate_limit_answers_429(world):
    Rule.objects.create(key="topic.comments_per_hour", value=2)
    topic = make_topic(world)
    for _ in range(2):
        d.comment_post(actor=world.user("resident"), topic=topic, body="支持")
    with pytest.raises(TooManyRequests, match="topic.comments_per_hour"):
        d.comment_post(actor=world.user("resident"), topic=topic, body="再说一句")


# --- reports and moderation -----------------------------------------------------------------------------


def _reporters(world, n):
    return [resident(world, key) for key in ("A1-00", "A1-01", "A1-20", "A1-21", "A2-00")[:n]]


def test_a_comment_is_hidden_at_exactly_three_reports(world, django_capture_on_commit_callbacks):
    topic = make_topic(world)
    comment = d.comment_post(actor=world.user("resident"), topic=topic, body="难听的话")
    first, second, third = _reporters(world, 3)
    d.comment_report(actor=first, comment=comment, reason="辱骂")
    comment = d.comment_report(actor=second, comment=comment)
    assert (comment.status, comment.report_count) == ("visible", 2)
    with django_capture_on_commit_callbacks(execute=True):
        comment = d.comment_report(actor=third, comment=comment)
    assert (comment.status, comment.report_count) == ("hidden", 3)
    event = TopicEvent.objects.get(action="hide")
    assert event.actor is None and "topic.comment_hide_reports = 3" in event.note
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"community", "street", "resident"}
    # The neighbours see a placeholder; the author and the moderators see the text.
    shown = {u: d.comment_page(world.user(u), topic, [comment])[0].shown_body for u in ("member", "resident", "community")}
    assert shown == {"member": "该评论被多人举报，已暂时隐藏，等待审核", "resident": "难听的话", "community": "难听的话"}


def test_the_hiding_threshold_is_a_rule(world):
    Rule.objects.create(key="topic.comment_hide_reports", value=2)
    topic = make_topic(world)
    comment = d.comment_post(actor=world.user("resident"), topic=topic, body="难听的话")
    for reporter in _reporters(world, 2):
        comment = d.comment_report(actor=reporter, comment=comment)
    assert comment.status == "hidden"


def test_a_person_reports_a_comment_once_and_never_their_own(world):
    topic = make_topic(world)
    comment = d.comment_post(actor=world.user("resident"), topic=topic, body="观点")
    with pytest.raises(PermissionDenied, match="自己"):
        d.comment_report(actor=world.user("resident"), comment=comment)
    d.comment_report(actor=world.user("member"), comment=comment)
    with pytest.raises(Conflict, match="已举报"):
        d.comment_report(actor=world.user("member"), comment=comment)
    comment.refresh_from_db()
    assert comment.report_count == 1 and CommentReport.objects.count() == 1


def test_the_unique_constraint_refuses_a_second_report_even_without_the_service(world):
    topic = make_topic(world)
    comment = d.comment_post(actor=world.user("resident"), topic=topic, body="观点")
    CommentReport.objects.create(comment=comment, reporter=world.user("member"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentReport.objects.create(comment=comment, reporter=world.user("member"))


def _hidden_comment(world, topic=None):
    topic = topic or make_topic(world)
    comment = d.comment_post(actor=world.user("resident"), topic=topic, body="难听的话")
    for reporter in _reporters(world, 3):
        comment = d.comment_report(actor=reporter, comment=comment)
    return comment


def test_a_restored_comment_stays_visible_whatever_later_reports_say(world):
    comment = _hidden_comment(world)
    with pytest.raises(Conflict, match="待审核"):
        d.comment_report(actor=resident(world, "A2-01"), comment=comment)
    comment = d.comment_moderate(actor=world.user("community"), comment=comment, action="restore")
    assert comment.status == "visible" and comment.cleared
    comment = d.comment_report(actor=resident(world, "A2-01"), comment=comment)
    assert comment.status == "visible" and comment.report_count == 4
    with pytest.raises(Conflict, match="恢复显示"):
        d.comment_moderate(actor=world.user("community"), comment=comment, action="restore")


def test_a_removed_comment_leaves_a_placeholder_in_its_thread(world):
    comment = _hidden_comment(world)
    reply = d.comment_post(actor=world.user("member"), topic=comment.topic, body="回复", parent=comment)
    d.comment_moderate(actor=world.user("street"), comment=comment, action="remove", note="人身攻击")
    rows = d.comment_page(world.user("member"), comment.topic, [TopicComment.objects.get(pk=comment.pk)])
    assert [r.shown_body for r in rows] == ["该评论已被管理员删除", "回复"] and rows[1].pk == reply.pk
    with pytest.raises(Conflict):
        d.comment_moderate(actor=world.user("community"), comment=comment, action="remove")
    with pytest.raises(Conflict, match="已被删除"):
        d.comment_post(actor=world.user("member"), topic=comment.topic, body="再回复", parent=comment)


def test_only_the_topics_organisers_moderate(world):
    comment = _hidden_comment(world)
    for name in ("gridworker", "branch", "outsider_community", "member"):
        with pytest.raises(PermissionDenied):
            d.comment_moderate(actor=world.user(name), comment=comment, action="remove")
    assert list(d.moderation_queue(world.user("community"))) == [comment]
    assert list(d.moderation_queue(world.user("street"))) == [comment]
    for name in ("outsider_community", "outsider_street", "gridworker", "resident"):
        assert not d.moderation_queue(world.user(name)).exists(), name


# --- stakeholders, results, progress --------------------------------------------------------------------


def test_an_invited_stakeholder_sees_the_topic_and_speaks_with_a_badge(world):
    topic = make_topic(world)
    estate = world.user("outsider_unit")  # an account outside the area, as a property company's would be
    assert not topics_visible_to(estate).filter(pk=topic.pk).exists()
    d.topic_invite(actor=world.user("community"), topic=topic, kind="property", user=estate, name="文化路物业")
    assert topics_visible_to(estate).filter(pk=topic.pk).exists()
    comment = d.comment_post(actor=estate, topic=topic, body="物业可以配合清运")
    assert d.comment_page(world.user("resident"), topic, [comment])[0].badge == "物业"
    with pytest.raises(Conflict, match="已是"):
        d.topic_invite(actor=world.user("community"), topic=topic, kind="property", user=estate, name="文化路物业")
    with pytest.raises(ValidationError):
        d.topic_invite(actor=world.user("community"), topic=topic, kind="landlord", user=estate, name="x")


def _voted(world, phase_after="publicity", choices=("赞成", "赞成", "反对", "赞成", "赞成")):
    topic = make_topic(world, "voting", quorum_percent=50)
    for key, choice in zip(["A1-00", "A1-10", "A1-20", "A1-31", "A2-00"], choices, strict=True):
        services.topic_vote(actor=resident(world, key), topic=topic, choice=choice)
    shift = timedelta(days=8 if phase_after == "publicity" else 20)
    Topic.objects.filter(pk=topic.pk).update(
        **{f: getattr(topic, f) - shift for f in ("collect_from", "discuss_from", "vote_from", "vote_until", "publicity_until")}
    )
    topic.refresh_from_db()
    return topic


def test_results_are_published_once_after_the_vote_and_voters_are_told(world, django_capture_on_commit_callbacks):
    running = make_topic(world, "voting")
    with pytest.raises(Conflict, match="表决"):
        d.topic_publish_results(actor=world.user("community"), topic=running, note="通过")
    topic = _voted(world)
    with pytest.raises(PermissionDenied):
        d.topic_publish_results(actor=world.user("gridworker"), topic=topic, note="通过")
    with django_capture_on_commit_callbacks(execute=True):
        topic = d.topic_publish_results(actor=world.user("community"), topic=topic, note="经表决通过")
    # 8 households in 文化路社区, 5 voted (62.5 % ≥ 50 %); 4 of 5 in favour (80 % > 50 %).
    assert topic.results["counts"] == {"赞成": 4, "反对": 1, "弃权": 0}
    assert (topic.results["turnout_percent"], topic.results["passed"]) == (62.5, True)
    assert Notification.objects.filter(title__contains="通过").count() == 5 + 1  # voters and the organiser
    with pytest.raises(Conflict, match="已公布"):
        d.topic_publish_results(actor=world.user("community"), topic=topic, note="再公布")


def test_progress_is_tracked_for_passed_topics_and_never_goes_back(world):
    topic = _voted(world)
    with pytest.raises(Conflict, match="尚未公布"):
        d.topic_add_progress(actor=world.user("community"), topic=topic, percent=10, note="开工")
    topic = d.topic_publish_results(actor=world.user("community"), topic=topic, note="通过")
    d.topic_add_progress(actor=world.user("community"), topic=topic, percent=40, note="采购完成")
    with pytest.raises(ValidationError, match="40%"):
        d.topic_add_progress(actor=world.user("community"), topic=topic, percent=30, note="返工")
    with pytest.raises(PermissionDenied):
        d.topic_add_progress(actor=world.user("member"), topic=topic, percent=50, note="我来报")
    estate = world.user("unit")
    d.topic_invite(actor=world.user("community"), topic=topic, kind="property", user=estate, name="物业")
    d.topic_add_progress(actor=estate, topic=topic, percent=100, note="完工")
    assert list(topic.progress.values_list("percent", flat=True)) == [40, 100]


def test_a_topic_that_failed_has_no_implementation_to_track(world):
    topic = _voted(world, choices=("反对", "反对", "反对", "赞成", "弃权"))
    topic = d.topic_publish_results(actor=world.user("community"), topic=topic, note="未通过")
    assert topic.results["passed"] is False
    with pytest.raises(Conflict, match="未获通过"):
        d.topic_add_progress(actor=world.user("community"), topic=topic, percent=10, note="x")


def test_the_phase_sweep_announces_each_change_once(world, django_capture_on_commit_callbacks):
    topic = make_topic(world, "discussing")
    d.comment_post(actor=world.user("resident"), topic=topic, body="支持")
    assert d.topics_announce_phases() == 0
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert d.topics_announce_phases() == 1
        assert d.topics_announce_phases() == 0
    event = topic.events.get(action="phase")
    assert (event.from_state, event.to_state) == ("discussing", "voting")
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"resident", "community"}
