"""The appeal workflow as data: which action is allowed from which state, to which state, by whom.

Actor kinds (who may act; `services.actor_kinds` computes them for an account and an appeal):

- `dispatcher`: a street or community account whose region covers the appeal (its grid; for an
  unlocated appeal in the triage queue, its street — so only the street);
- `task_unit`: a handler of a unit holding an active task on the appeal (lead or assisting);
- `owner_unit`: a handler of the lead unit that owns the appeal (首接负责);
- `verifier`: a grid worker or community account covering the appeal's grid;
- `reporter`: the account that reported it.

Administrators count as every kind except `reporter`.
"""

from dataclasses import dataclass

from redgrid.appeals.models import Status

DISPATCHER = "dispatcher"
TASK_UNIT = "task_unit"
OWNER_UNIT = "owner_unit"
VERIFIER = "verifier"
REPORTER = "reporter"

ACTOR_LABELS = {
    DISPATCHER: "街道/社区派单员",
    TASK_UNIT: "被派遣单位",
    OWNER_UNIT: "主办单位",
    VERIFIER: "网格员/社区",
    REPORTER: "反映人",
}

S = Status


@dataclass(frozen=True)
class Transition:
    label: str  # the Chinese verb, used in messages ("不能派遣")
    sources: frozenset[str]
    # outcome → target state; "" is the ordinary outcome; None as target keeps the current state.
    targets: dict
    who: frozenset[str]

    def target(self, current: str, outcome: str = "") -> str:
        target = self.targets[outcome]
        return current if target is None else target


def _t(label, sources, target, who, **outcomes):
    targets = {"": target, **outcomes}
    return Transition(label, frozenset(sources), targets, frozenset(who))


_HELD = (S.DISPATCHED, S.IN_PROGRESS)

TRANSITIONS: dict[str, Transition] = {
    "register": _t("立案", [S.RECEIVED], S.REGISTERED, [DISPATCHER]),
    "reject": _t("不予受理", [S.RECEIVED, S.REGISTERED], S.REJECTED, [DISPATCHER]),
    "dispatch": _t("派遣", [S.REGISTERED], S.DISPATCHED, [DISPATCHER]),
    "whistle": _t("吹哨", [S.REGISTERED], S.DISPATCHED, [DISPATCHER]),
    # A lead unit's report-in starts the handling; an assisting unit's leaves the state as it is.
    "accept": _t("报到", _HELD, S.IN_PROGRESS, [TASK_UNIT], assist=None),
    "return": _t("退单", _HELD, S.REGISTERED, [OWNER_UNIT]),
    "reassign": _t("改派", _HELD, S.DISPATCHED, [DISPATCHER]),
    "reply": _t("反馈", [S.IN_PROGRESS], S.REPLIED, [OWNER_UNIT]),
    "verify": _t("核查", [S.REPLIED], S.CLOSED, [VERIFIER], fail=S.IN_PROGRESS),
    "rate": _t("评价", [S.CLOSED], None, [REPORTER]),
    "reopen": _t("重办", [S.CLOSED], S.IN_PROGRESS, [REPORTER]),
    "extend": _t("申请延期", _HELD, None, [OWNER_UNIT]),
    "approve_extension": _t("批准延期", _HELD, None, [DISPATCHER]),
    "deny_extension": _t("驳回延期", _HELD, None, [DISPATCHER]),
    "merge": _t("合并", [S.RECEIVED, S.REGISTERED], S.CANCELLED, [DISPATCHER]),
    "cancel": _t("撤销", [S.RECEIVED, S.REGISTERED], S.CANCELLED, [REPORTER]),
}


def allowed(action: str, state: str) -> bool:
    return state in TRANSITIONS[action].sources


def actions_from(state: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if state in t.sources]


def conflict_message(action: str, state: str) -> str:
    return f"诉求当前状态为「{Status(state).label}」，不能{TRANSITIONS[action].label}"
