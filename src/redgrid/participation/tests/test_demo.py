"""The demo step creates ~20 wishes in every state and two topics in 文化路社区, and is idempotent."""

from collections import Counter

import pytest

from redgrid.demo import EXTRA_STEPS, DemoContext
from redgrid.participation import demo
from redgrid.participation.models import Topic, Vote, Wish

pytestmark = pytest.mark.django_db


def test_the_demo_step_is_registered():
    assert any(fn is demo.build for _, fn in EXTRA_STEPS)


def test_the_demo_step_builds_wishes_and_topics_once(world):
    ctx = DemoContext(scale="street", log=lambda s: None)
    demo.build(ctx)
    counts = Counter(Wish.objects.values_list("status", flat=True))
    assert sum(counts.values()) == 20
    assert set(counts) == {"pending", "open", "claimed", "fulfilled", "confirmed", "rejected"}
    assert Topic.objects.filter(area=world.regions["wenhua"]).count() == 2
    assert Vote.objects.exists()
    assert all(
        w.grid.path.startswith(world.regions["wenhua"].path) for w in Wish.objects.select_related("grid")
    )
    demo.build(ctx)
    assert Wish.objects.count() == 20 and Topic.objects.count() == 2
