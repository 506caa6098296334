"""The roll-ups equal recomputation from the raw rows: random sequences of what users do in the other
modules (fixed seeds), folded incrementally as the periodic task does, compared after every step with a
fresh recomputation; plus idempotence, the overlap window, rebuild and concurrent folds."""

import random
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from redgrid.assessment import rollup
from redgrid.assessment.models import DailyFact, FactItem
from redgrid.assessment.sources import SOURCES
from redgrid.assessment.tests.kpi_helpers import (
    account_for,
    applicant,
    committee,
    dual_service,
    evaluation,
    meeting,
    pay,
    step,
    study,
    value,
    volunteer,
    wish,
)

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 20, 9, 0, tzinfo=TZ)
SEEDS = (11, 23, 47, 90, 131)
STEPS = 24


def _assert_in_step():
    stored = rollup.stored()
    expected = rollup.expected()
    assert stored[1] == expected[1], "FactItem rows differ from recomputation"
    assert stored[0] == expected[0], "DailyFact rows differ from recomputation"


@pytest.fixture
def members_every_fold():
    """Compare the study snapshot on every fold (the rule's interval is an hour by default)."""
    from redgrid.core import rules
    from redgrid.core.models import Rule

    Rule.objects.create(key="assessment.members_fold_seconds", value=0)
    rules.invalidate()


class Actions:
    """What users do, drawn at random: each method writes rows (through a service where one exists) and
    the event rows the fold reads."""

    def __init__(self, world, rng: random.Random, clock):
        self.w, self.rng, self.clock = world, rng, clock
        self.branches = [world.orgs[k] for k in ("A1", "A2", "B1", "C1")]
        self.members = list(world.members.values())
        self.wishes = []
        self.files = []
        self.records = []

    def today(self) -> date:
        return timezone.localdate()

    def a_day(self, back: int = 40) -> date:
        today = self.today()
        first = max(date(2026, 1, 1), today - timedelta(days=back))
        return first + timedelta(days=self.rng.randrange(0, (today - first).days + 1))

    def advance(self):
        self.clock.shift(
            timedelta(days=self.rng.choice([0, 1, 3, 9, 17, 31]), hours=self.rng.randrange(0, 12))
        )

    def meeting(self):
        org = self.rng.choice(self.branches)
        kind = self.rng.choice(["theme_day", "general_assembly", "party_lecture", "talk", "branch_committee"])
        if kind == "branch_committee" and not org.has_committee:
            kind = "theme_day"
        m = meeting(org, kind, self.a_day())
        if self.rng.random() < 0.2:
            from redgrid.party import services

            # a meeting recorded by mistake and cancelled later is no longer held
            from redgrid.party.models import OrgLifeMeeting

            OrgLifeMeeting.objects.filter(pk=m.pk).update(status="open")
            services.meeting_cancel(actor=None, meeting=m, reason="误登记")

    def dues(self):
        from redgrid.party.models import DuesPayment

        member = self.rng.choice(self.members)
        member.refresh_from_db()
        if member.status not in ("full", "probationary"):
            return
        today = self.today()
        month = self.rng.randrange(1, today.month + 1)
        if DuesPayment.objects.filter(member=member, year=today.year, month=month).exists():
            return
        paid = min(today, date(today.year, month, 1) + timedelta(days=self.rng.randrange(0, 45)))
        pay(member, today.year, month, paid)

    def wish(self):
        if self.wishes and self.rng.random() < 0.5:
            from redgrid.participation.models import Wish, WishEvent

            w = self.rng.choice(self.wishes)
            status = self.rng.choice(["claimed", "fulfilled", "confirmed", "open"])
            Wish.objects.filter(pk=w.pk).update(status=status)
            WishEvent.objects.create(wish=w, action="fulfil", to_state=status)
            return
        approved = timezone.now() if self.rng.random() < 0.8 else None
        grid = self.rng.choice(["A1", "A2", "B1", "C1"])
        self.wishes.append(wish(self.w, grid, approved=approved, status="open" if approved else "pending"))

    def recruitment(self):
        from redgrid.party.models import Applicant, ApplicantEvent

        if not self.files or self.rng.random() < 0.3:
            person = self.w.residents[self.rng.choice(["A1-31", "A2-31", "B1-31", "C1-31", "A1-21", "B1-21"])]
            if Applicant.objects.filter(person=person, status="active").exists():
                return
            branch = self.rng.choice(self.branches)
            due = self.today() + timedelta(days=self.rng.randrange(-5, 30))
            self.files.append(applicant(person, branch, step=1, applied=self.a_day(), due_on=due))
            return
        a = self.rng.choice(self.files)
        a.refresh_from_db()
        if a.status != "active" or a.step >= 25:
            return
        number = a.step + 1
        step(a, number, self.today(), late=self.rng.random() < 0.3)
        due = self.today() + timedelta(days=self.rng.randrange(-3, 40))
        Applicant.objects.filter(pk=a.pk).update(step=number, due_on=due)
        ApplicantEvent.objects.create(applicant=a, action="deadline", to_state=str(number))

    def evaluation(self):
        kind, target = self.rng.choice(
            [
                ("branch", self.w.orgs["A1"].pk),
                ("branch", self.w.orgs["B1"].pk),
                ("member", self.w.members["A2-0"].pk),
                ("unit", self.w.units["chengguan"].pk),
            ]
        )
        from redgrid.participation.models import Evaluation

        rater = self.rng.choice(
            [self.w.user("resident"), self.w.user("member"), self.w.user("outsider_resident")]
        )
        now = timezone.localtime()
        period = f"{now.year}Q{(now.month - 1) // 3 + 1}"
        if not Evaluation.objects.filter(
            rater=rater, target_type=kind, target_id=target, period=period
        ).exists():
            evaluation(rater, kind, target, self.rng.randrange(1, 6), timezone.now())

    def volunteer(self):
        member = self.rng.choice(self.members)
        user = account_for(member.person, f"v{member.pk}")
        starts = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(
            days=self.rng.randrange(0, 20)
        )
        volunteer(self.w, user, starts, f"{self.rng.randrange(5, 60) / 10:.1f}", dual=self.rng.random() < 0.4)

    def dual(self):
        from redgrid.party.models import DualReportEvent, DualServiceRecord

        if self.records and self.rng.random() < 0.3:
            r = self.rng.choice(self.records)
            DualServiceRecord.objects.filter(pk=r.pk).update(status="rejected")
            DualReportEvent.objects.create(service=r, action="service_reject", to_state="rejected")
            return
        member = self.rng.choice(self.members)
        status = "confirmed" if self.rng.random() < 0.8 else "submitted"
        self.records.append(
            dual_service(
                member,
                self.w.regions["wenhua"],
                self.a_day(20),
                f"{self.rng.randrange(5, 40) / 10:.1f}",
                status=status,
            )
        )

    def study(self):
        from redgrid.learning.models import StudyRecord

        member = self.rng.choice(self.members)
        user = account_for(member.person, f"v{member.pk}")
        record = StudyRecord.objects.filter(user=user, year=self.today().year).first()
        if record is None:
            study(user, self.rng.randrange(600, 90000), year=self.today().year)
        else:
            StudyRecord.objects.filter(pk=record.pk).update(
                seconds=record.seconds + self.rng.randrange(60, 40000)
            )

    def member_leaves(self):
        from redgrid.party import services

        member = self.rng.choice(self.members)
        member.refresh_from_db()
        if member.status == "full" and self.rng.random() < 0.5:
            services.member_suspend(actor=None, member=member, on=self.today(), reason="长期失联")

    ACTIONS = (
        "advance",
        "meeting",
        "dues",
        "wish",
        "recruitment",
        "evaluation",
        "volunteer",
        "dual",
        "study",
        "member_leaves",
        "advance",
        "meeting",
        "dues",
    )


def test_roll_ups_equal_recomputation_after_random_event_sequences(world, members_every_fold):
    committee(world.orgs["A1"], [world.members["A1-0"], world.members["A1-1"]])
    world.orgs["A1"].refresh_from_db()
    folds = 0
    with time_machine.travel(START, tick=False) as clock:  # time only moves forward, as it does
        for seed in SEEDS:
            rng = random.Random(seed)
            actions = Actions(world, rng, clock)
            for _ in range(STEPS):
                getattr(actions, rng.choice(Actions.ACTIONS))()
                if rng.random() < 0.6:  # the task does not run after every action
                    rollup.fold()
                    folds += 1
                    _assert_in_step()
            rollup.fold()
            _assert_in_step()
            assert all(s["changed"] == 0 for s in rollup.fold().values()), "a second fold changed something"
    # the sequences exercised every source, across months, in all three trees
    assert folds > 50
    assert set(FactItem.objects.values_list("source", flat=True).distinct()) == set(SOURCES)
    assert FactItem.objects.filter(numerator__lt=F("denominator")).exists()
    assert {"region", "org", "unit"} == set(DailyFact.objects.values_list("tree", flat=True).distinct())
    assert DailyFact.objects.dates("day", "month").count() >= 4


def test_a_late_committed_event_inside_the_overlap_is_still_folded(world):
    """An event written with a time before the last fold (a transaction that committed late) is seen by
    the next fold while it lies within the overlap (rule assessment.fold_overlap_seconds)."""
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False) as clock:
        rollup.fold()
        clock.shift(timedelta(minutes=5))
        w = wish(world, "A1", approved=timezone.now() - timedelta(minutes=8), status="fulfilled")
        from redgrid.participation.models import WishEvent

        WishEvent.objects.filter(wish=w).update(at=timezone.now() - timedelta(minutes=8))
        rollup.fold()
        assert value(world.regions["A1"], "wishes_fulfilled", "2026-03")[:2] == (1, 1)


def test_rebuild_repairs_a_damaged_roll_up_and_check_reports_it(world):
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        wish(world, "A1", approved=timezone.now(), status="fulfilled")
        pay(world.members["B1-0"], 2026, 2, date(2026, 2, 3))
        rollup.fold()
        DailyFact.objects.filter(indicator="wishes_fulfilled").update(numerator=7)
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="不一致"):
            call_command("assessment_rollup", "--check")
        call_command("assessment_rollup", "--rebuild")
        call_command("assessment_rollup", "--check")
        assert value(world.regions["A1"], "wishes_fulfilled", "2026-03")[:2] == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_folds_count_every_item_once(transactional_db):
    """Two workers folding at the same moment (the second waits on the source's lock) leave the roll-ups
    equal to recomputation."""
    from redgrid.testing import build_world

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("an in-memory SQLite database cannot be shared between threads")
    world = build_world()
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        for i, key in enumerate(("A1-0", "A2-0", "B1-0")):
            pay(world.members[key], 2026, 2, date(2026, 2, 1 + i))
        for grid in ("A1", "A2", "B1"):
            wish(world, grid, approved=timezone.now(), status="fulfilled")
        errors = []

        def worker():
            try:
                rollup.fold()
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        _assert_in_step()
        assert value(world.regions["guangwen"], "wishes_fulfilled", "2026-03")[:2] == (3, 3)
        assert Decimal(value(world.regions["guangwen"], "dues_on_time", "2026-02")[0]) == 3
