"""The 议事/公开 demo step: a topic in every phase, a solicitation, notices, ratings and a read article."""

from collections import Counter

import pytest

from redgrid.demo import EXTRA_STEPS, DemoContext
from redgrid.participation import deliberation_demo
from redgrid.participation.models import (
    Article,
    ArticleReceipt,
    Evaluation,
    Notice,
    Solicitation,
    Topic,
    TopicComment,
)

pytestmark = pytest.mark.django_db


def test_the_step_is_registered():
    assert any(fn is deliberation_demo.build for _, fn in EXTRA_STEPS)


def test_the_demo_has_a_topic_in_every_phase_and_is_idempotent(world):
    ctx = DemoContext(scale="street", log=lambda s: None)
    deliberation_demo.build(ctx)
    phases = Counter(t.phase for t in Topic.objects.all())
    assert set(phases) >= {"proposed", "collecting", "discussing", "voting", "publicity", "closed"}
    assert TopicComment.objects.filter(status="hidden").count() == 1  # reported three times
    publicity = Topic.objects.get(title="中心广场健身器材更新方案")
    assert publicity.results_published_at and publicity.results["passed"] is True
    assert publicity.progress.exists()
    assert Solicitation.objects.filter(summary_published_at__isnull=True).exists()
    assert Solicitation.objects.filter(summary_published_at__isnull=False).exists()
    assert set(Notice.objects.values_list("kind", flat=True)) == {"notice", "publicity", "party_affairs"}
    assert Evaluation.objects.exists()
    article = Article.objects.get()
    assert article.status == "published" and article.audience_size == ArticleReceipt.objects.count() > 0
    assert ArticleReceipt.objects.filter(read_at__isnull=False).exists()
    counts = (Topic.objects.count(), Notice.objects.count(), Article.objects.count(), Evaluation.objects.count())
    deliberation_demo.build(ctx)
    assert (Topic.objects.count(), Notice.objects.count(), Article.objects.count(), Evaluation.objects.count()) == counts
