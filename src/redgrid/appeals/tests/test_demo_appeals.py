"""`make demo` shows the closed loop: appeals in every state, overdue work, ratings, and nothing twice."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from redgrid.appeals.models import Appeal, AppealRating, Status

pytestmark = pytest.mark.django_db


def test_the_demo_street_has_appeals_in_every_state_some_overdue_and_rated_once():
    call_command("demo_data", "--scale", "tiny")
    counts = Counter(Appeal.objects.values_list("status", flat=True))
    assert set(counts) == set(Status.values) - {Status.CANCELLED}
    total = sum(counts.values())
    assert total >= 40  # the tiny street's 40, plus what other demo steps (Open311) add
    now = timezone.now()
    assert Appeal.objects.filter(status__in=[Status.DISPATCHED, Status.IN_PROGRESS], resolve_due_at__lt=now).exists()
    assert AppealRating.objects.exists()
    # The demo resident sees a spread of their own appeals in 我的诉求.
    mine = Counter(Appeal.objects.filter(reporter__username="resident").values_list("status", flat=True))
    assert len(mine) >= 3
    call_command("demo_data", "--scale", "tiny")
    assert Appeal.objects.count() == total
