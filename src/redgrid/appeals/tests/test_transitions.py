"""Every (action, state) pair through the services: legal ones land in the table's target state,
illegal ones answer a Conflict naming the current state and change nothing."""

import pytest
from django.utils import timezone

from redgrid.appeals import services, workflow
from redgrid.appeals.models import (
    Appeal,
    AppealEvent,
    AppealExtension,
    AppealRating,
    AppealUnitTask,
    Status,
    TaskRole,
)
from redgrid.core.api import Conflict


def _call(action, world, appeal, *, actor, outcome=""):
    u = world.units
    fn = getattr(services, f"appeal_{action}")
    kwargs = {
        "register": {},
        "reject": {"reason": "不属于受理范围"},
        "dispatch": {"unit": u["chengguan"]},
        "whistle": {"lead_unit": u["water"], "units": [u["police_dg"]]},
        "accept": {},
        "return": {"reason": "不属于本单位职责"},
        "reassign": {"unit": u["water"]},
        "reply": {"content": "已修复路灯"},
        "verify": {"passed": outcome != "fail", "note": "现场仍未修复" if outcome == "fail" else ""},
        "rate": {"rating": "unsatisfied", "comment": "太慢"},
        "reopen": {"reason": "仍不亮"},
        "extend": {"days": 3, "reason": "需采购配件"},
        "approve_extension": {},
        "deny_extension": {},
        "merge": {},
        "cancel": {},
    }[action]
    if action == "merge":
        kwargs["into"] = Appeal.objects.create(
            content="同一路灯", grid=appeal.grid, street=appeal.street, status=Status.REGISTERED
        )
    return fn(actor=actor, appeal=appeal, **kwargs)


def _prepare(action, world, appeal, outcome, admin):
    """The preconditions besides the state (an unreported task, a rating, a pending extension); returns
    the actor."""
    now = timezone.now()
    if action == "accept" and (outcome == "assist" or appeal.status == Status.IN_PROGRESS):
        AppealUnitTask.objects.create(
            appeal=appeal, unit=world.units["water"], role=TaskRole.ASSIST, due_at=now
        )
        return world.user("outsider_unit")  # handles the water company, the assisting unit
    if action == "reopen":
        AppealRating.objects.create(appeal=appeal, round=1, rating="unsatisfied")
    if action in ("approve_extension", "deny_extension"):
        AppealExtension.objects.create(appeal=appeal, unit=appeal.owner_unit, days=2, reason="配件")
    return admin


LEGAL = [(a, s, o) for a, t in workflow.TRANSITIONS.items() for s in t.sources for o in t.targets]
ILLEGAL = [(a, s) for a, t in workflow.TRANSITIONS.items() for s in Status if s not in t.sources]


def test_every_legal_transition_lands_in_the_target_state(world, make_appeal):
    admin = world.user("admin")
    for action, state, outcome in LEGAL:
        appeal = make_appeal(state, reporter="admin")
        actor = _prepare(action, world, appeal, outcome, admin)
        _call(action, world, appeal, actor=actor, outcome=outcome)
        appeal.refresh_from_db()
        expected = workflow.TRANSITIONS[action].target(state, outcome)
        assert appeal.status == expected, (action, state, outcome)
        assert AppealEvent.objects.filter(appeal=appeal, action=action).count() == 1, (action, state)


def test_every_illegal_transition_is_refused_with_the_current_state(world, make_appeal):
    admin = world.user("admin")
    appeal = make_appeal(Status.RECEIVED, reporter="admin")
    for action, state in ILLEGAL:
        Appeal.objects.filter(pk=appeal.pk).update(
            status=state,
            owner_unit=world.units["chengguan"]
            if state in ("dispatched", "in_progress", "replied", "closed")
            else None,
        )
        appeal.refresh_from_db()
        with pytest.raises(Conflict) as exc:
            _call(action, world, appeal, actor=admin)
        label = workflow.TRANSITIONS[action].label
        assert str(exc.value) == f"诉求当前状态为「{Status(state).label}」，不能{label}", (action, state)
        appeal.refresh_from_db()
        assert appeal.status == state
    assert not AppealEvent.objects.filter(appeal=appeal).exists()


def test_the_illegal_table_is_not_empty_for_any_action():
    assert {a for a, _ in ILLEGAL} == set(workflow.TRANSITIONS)
