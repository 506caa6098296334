"""The transition table itself (design.md §6: transitions are data, tested directly)."""

from redgrid.appeals import workflow
from redgrid.appeals.models import Status

S = Status


def test_every_action_of_the_issue_is_in_the_table():
    assert set(workflow.TRANSITIONS) == {
        "register",
        "reject",
        "dispatch",
        "whistle",
        "accept",
        "return",
        "reassign",
        "reply",
        "verify",
        "rate",
        "reopen",
        "extend",
        "approve_extension",
        "deny_extension",
        "merge",
        "cancel",
    }


def test_the_main_loop_goes_from_received_to_closed():
    state = S.RECEIVED
    for action, outcome in [
        ("register", ""),
        ("dispatch", ""),
        ("accept", ""),
        ("reply", ""),
        ("verify", ""),
    ]:
        assert workflow.allowed(action, state), (action, state)
        state = workflow.TRANSITIONS[action].target(state, outcome)
    assert state == S.CLOSED


def test_a_failed_verification_goes_back_to_in_progress():
    assert workflow.TRANSITIONS["verify"].target(S.REPLIED, "fail") == S.IN_PROGRESS


def test_an_assisting_units_report_in_keeps_the_state():
    assert workflow.TRANSITIONS["accept"].target(S.DISPATCHED, "assist") == S.DISPATCHED
    assert workflow.TRANSITIONS["accept"].target(S.DISPATCHED) == S.IN_PROGRESS


def test_the_reporter_may_cancel_only_before_dispatch():
    assert {s for s in S if workflow.allowed("cancel", s)} == {S.RECEIVED, S.REGISTERED}
    assert workflow.TRANSITIONS["cancel"].who == {workflow.REPORTER}


def test_closed_appeals_can_only_be_rated_or_reopened():
    assert set(workflow.actions_from(S.CLOSED)) == {"rate", "reopen"}


def test_final_states_allow_nothing():
    for state in (S.REJECTED, S.CANCELLED):
        assert workflow.actions_from(state) == []


def test_who_may_act_follows_the_issue():
    who = {name: t.who for name, t in workflow.TRANSITIONS.items()}
    for action in (
        "register",
        "reject",
        "dispatch",
        "whistle",
        "reassign",
        "approve_extension",
        "deny_extension",
        "merge",
    ):
        assert who[action] == {workflow.DISPATCHER}, action
    assert who["accept"] == {workflow.TASK_UNIT}
    for action in ("return", "reply", "extend"):
        assert who[action] == {workflow.OWNER_UNIT}, action
    assert who["verify"] == {workflow.VERIFIER}
    for action in ("rate", "reopen", "cancel"):
        assert who[action] == {workflow.REPORTER}, action


def test_the_conflict_message_names_the_current_state():
    assert workflow.conflict_message("dispatch", S.CLOSED) == "诉求当前状态为「已结案」，不能派遣"
