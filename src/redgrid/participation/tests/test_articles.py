"""信息发布: drafts and publication, the audience frozen into receipts and pushed after commit, read
receipts, and coverage per node on a hand-built audience."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from redgrid.core.api import Conflict
from redgrid.core.models import Notification
from redgrid.participation import articles as ar
from redgrid.participation.models import ArticleReceipt
from redgrid.participation.tests.deliberation_helpers import resident

pytestmark = pytest.mark.django_db


def publish(world, django_capture_on_commit_callbacks, *, by="community", roles=("resident",), regions=("wenhua",),
            orgs=()):
    article = ar.article_create(
        actor=world.user(by),
        title="红色物业服务站启用",
        summary="欢迎居民前来办事",
        body="服务时间 8:30–17:30",
        region_ids=[world.regions[r].pk for r in regions],
        org_ids=[world.orgs[o].pk for o in orgs],
        roles=list(roles),
    )
    with django_capture_on_commit_callbacks(execute=True):
        return ar.article_publish(actor=world.user(by), article=article)


def receipts(article) -> dict[str, tuple[str, str]]:
    rows = ArticleReceipt.objects.filter(article=article).select_related("user")
    return {r.user.username: r.node_type for r in rows}


def test_publishing_pushes_the_article_to_every_account_of_the_audience_after_commit(
    world, django_capture_on_commit_callbacks
):
    extra = resident(world, "A2-00", "a2_resident")
    article = publish(world, django_capture_on_commit_callbacks, roles=("resident", "gridworker"))
    # 居民 of 文化路社区 (accounts with a household there) and its grid workers; not the other street.
    assert set(receipts(article)) == {"resident", "member", extra.username, "gridworker", "outsider_gridworker"}
    article.refresh_from_db()
    assert article.audience_size == 5
    pushed = Notification.objects.filter(kind="article")
    assert pushed.count() == 5 and pushed.first().link == f"/participation/articles/{article.pk}/"
    assert article.events.filter(action="push").get().data == {"sent": 5, "audience": 5}
    # The push is idempotent: a retried task adds neither receipts nor messages.
    assert ar.article_push(article.pk) == 0
    assert Notification.objects.filter(kind="article").count() == 5


def test_members_are_reached_through_their_organisation(world, django_capture_on_commit_callbacks):
    article = publish(world, django_capture_on_commit_callbacks, by="branch", roles=("member", "branch"),
                      regions=(), orgs=("A1",))
    assert receipts(article) == {"member": "org", "branch": "org"}


def test_drafts_are_edited_published_once_and_withdrawn(world, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError, match="角色"):
        ar.article_create(actor=world.user("community"), title="t", body="b", region_ids=[world.regions["wenhua"].pk],
                          roles=["landlord"])
    with pytest.raises(PermissionDenied):
        ar.article_create(actor=world.user("resident"), title="t", body="b", region_ids=[world.regions["wenhua"].pk])
    article = publish(world, django_capture_on_commit_callbacks)
    with pytest.raises(Conflict, match="已发布"):
        ar.article_update(actor=world.user("community"), article=article, title="改", body="b", category="news",
                          region_ids=[world.regions["wenhua"].pk], roles=["resident"])
    with pytest.raises(Conflict, match="已发布"):
        ar.article_publish(actor=world.user("community"), article=article)
    with pytest.raises(PermissionDenied):
        ar.article_withdraw(actor=world.user("outsider_community"), article=article, reason="x")
    ar.article_withdraw(actor=world.user("community"), article=article, reason="信息有误")
    assert not ar.articles_visible_to(world.user("resident")).filter(pk=article.pk).exists()
    assert ar.articles_visible_to(world.user("community")).filter(pk=article.pk).exists()


def test_reading_leaves_one_receipt_and_marks_the_inbox_message_read(world, django_capture_on_commit_callbacks):
    article = publish(world, django_capture_on_commit_callbacks)
    user = world.user("resident")
    assert ar.article_mark_read(user=user, article=article) is True
    first = ArticleReceipt.objects.get(article=article, user=user).read_at
    assert ar.article_mark_read(user=user, article=article) is False
    assert ArticleReceipt.objects.get(article=article, user=user).read_at == first
    assert Notification.objects.get(recipient=user, kind="article").read_at is not None
    # Someone outside the audience does not see the article at all (and leaves no receipt).
    assert not ar.articles_visible_to(world.user("outsider_resident")).filter(pk=article.pk).exists()
    assert ar.article_mark_read(user=world.user("outsider_resident"), article=article) is False


def _table(result):
    return [(r["label"], r["total"], r["read"], r["percent"]) for r in result["rows"]]


def test_coverage_per_node_on_a_hand_built_audience(world, django_capture_on_commit_callbacks):
    """Audience (居民 + 网格员 + 社区工作者 of 文化路社区), counted where each account belongs:

        文化路社区（本级）  community                                  1 account, 0 read
        A1 网格            resident, member, gridworker                3 accounts, 1 read  → 33.3 %
        A2 网格            a2_00, a2_11, outsider_gridworker           3 accounts, 2 read  → 66.7 %
        total                                                          7 accounts, 3 read  → 42.9 %
    """
    a2 = [resident(world, "A2-00", "a2_00"), resident(world, "A2-11", "a2_11")]
    article = publish(world, django_capture_on_commit_callbacks, roles=("resident", "gridworker", "community"))
    for reader in (world.user("resident"), a2[0], world.user("outsider_gridworker")):
        ar.article_mark_read(user=reader, article=article)
    ar.article_mark_read(user=world.user("outsider_resident"), article=article)  # not in the audience: no effect

    top = ar.coverage(world.user("street"), article)
    assert _table(top) == [("文化路社区", 7, 3, 42.9)]
    wenhua = world.regions["wenhua"]
    down = ar.coverage(world.user("community"), article, kind="region", node_id=wenhua.pk)
    assert _table(down) == [
        ("文化路社区（本级）", 1, 0, 0.0),
        ("文化路社区A1网格", 3, 1, 33.3),
        ("文化路社区A2网格", 3, 2, 66.7),
    ]
    assert down["total"] == {"total": 7, "read": 3, "percent": 42.9}
    # A grid worker sees their own grid only; the community row is above them.
    assert _table(ar.coverage(world.user("gridworker"), article)) == [("文化路社区A1网格", 3, 1, 33.3)]
    with pytest.raises(Http404):
        ar.coverage(world.user("gridworker"), article, kind="region", node_id=wenhua.pk)
    with pytest.raises(PermissionDenied):
        ar.coverage(world.user("outsider_community"), article)
