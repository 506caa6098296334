"""The ledger under concurrent requests: threads with their own connections on the real database."""

import threading
from datetime import datetime

import pytest
from django.db import connection
from django.utils import timezone

from redgrid.learning.models import PointEntry, PointTotal
from redgrid.learning.services import points_award

NOON = timezone.make_aware(datetime(2026, 7, 1, 12, 0))


def run_in_threads(n, fn):
    barrier = threading.Barrier(n)
    errors = []

    def worker(i):
        try:
            barrier.wait()
            fn(i)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.fixture
def member(transactional_db):
    from redgrid.testing import build_world

    return build_world().user("member")


@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_concurrently_counts_once(member):
    errors = run_in_threads(
        8, lambda i: points_award(user=member, activity="article", source_key="dup", at=NOON)
    )
    assert errors == []
    assert PointEntry.objects.filter(source_key="dup").count() == 1
    assert PointTotal.objects.get(user=member).points == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_never_pass_the_daily_cap(member):
    errors = run_in_threads(
        10, lambda i: points_award(user=member, activity="quiz_daily", source_key=f"q{i}", units=1, at=NOON)
    )
    assert errors == []
    assert sum(PointEntry.objects.filter(user=member).values_list("points", flat=True)) == 5
    assert PointTotal.objects.get(user=member).points == 5
