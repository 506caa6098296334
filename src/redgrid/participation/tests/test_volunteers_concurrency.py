"""A shift's capacity holds under concurrent sign-ups: the shift row lock serialises them (design.md §6).

The thread race runs on SQLite and PostgreSQL; the lock-semantics test (a sign-up waits for the holder of
the shift's row lock and then sees the seat it took) needs PostgreSQL's row locks and is skipped on SQLite.
"""

import threading
import time

import pytest
import time_machine
from django.db import connection, transaction

from redgrid.core.api import Conflict
from redgrid.participation import volunteers as v
from redgrid.participation.models import ShiftSignup, VolunteerShift
from redgrid.participation.tests.volunteer_helpers import T0, first_shift, make_activity, shift, volunteer

KEYS = ["A1-01", "A1-11", "A1-20", "A1-21", "A1-30", "A2-01", "A2-11"]


def _race(users, sh):
    """Every user signs up at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(users))
    outcomes = []

    def run(user):
        try:
            barrier.wait()
            v.shift_signup(actor=user, shift=sh)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_seven_volunteers_racing_for_three_seats_leave_exactly_three_signups(world):
    users = [volunteer(world, k) for k in KEYS]
    with time_machine.travel(T0, tick=True):
        sh = first_shift(make_activity(world, shifts=[shift(48, capacity=3)]))
        for _ in range(2):
            ShiftSignup.objects.filter(shift=sh).delete()
            assert _race(users, sh) == ["ok"] * 3 + ["该班次名额已满"] * 4
            assert ShiftSignup.objects.filter(shift=sh).count() == 3


@pytest.mark.django_db(transaction=True)
def test_one_person_signing_up_twice_at_once_gets_one_signup(world):
    user = world.user("member")
    twin = type(user).objects.get(pk=user.pk)  # a second request of the same account
    with time_machine.travel(T0, tick=True):
        sh = first_shift(make_activity(world, shifts=[shift(48, capacity=5)]))
        assert _race([user, twin], sh) == ["ok", "您已报名该班次"]
    assert ShiftSignup.objects.filter(shift=sh, user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_signup_waits_for_the_lock_holder_and_then_sees_the_last_seat_taken(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises whole transactions")
    late = volunteer(world, "A1-20")
    with time_machine.travel(T0, tick=True):
        sh = first_shift(make_activity(world, shifts=[shift(48, capacity=2)]))
        v.shift_signup(actor=volunteer(world, "A1-01"), shift=sh)
        outcome = []

        def later():
            try:
                v.shift_signup(actor=late, shift=sh)
                outcome.append("ok")
            except Conflict as exc:
                outcome.append(str(exc))
            finally:
                connection.close()

        with transaction.atomic():
            # 1. Hold the shift's row lock and take the last seat, as a concurrent sign-up would.
            VolunteerShift.objects.select_for_update().get(pk=sh.pk)
            ShiftSignup.objects.create(shift=sh, user=volunteer(world, "A1-11"))
            worker = threading.Thread(target=later)
            worker.start()
            # 2. Wait until the other sign-up is blocked on a lock (it has counted nothing yet).
            with connection.cursor() as cur:
                for _ in range(200):
                    # pg_locks is read live (pg_stat_activity would be a per-transaction snapshot).
                    cur.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
                    if cur.fetchone()[0]:
                        break
                    time.sleep(0.05)
                else:
                    pytest.fail(f"the second sign-up never waited for the shift's row lock ({outcome})")
            assert outcome == []
        # 3. After the commit it counts the seat taken meanwhile and refuses.
        worker.join(10)
    assert outcome == ["该班次名额已满"]
    assert ShiftSignup.objects.filter(shift=sh).count() == 2
