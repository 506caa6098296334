"""Scoped reads of appeals, and who an account is with respect to one appeal (workflow actor kinds)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from redgrid.appeals import workflow
from redgrid.appeals.models import Appeal, AppealEvent, AppealFollower, AppealUnitTask, Rating, Status
from redgrid.core.access import get_or_404, scope_of

REGION_ROLES = ("gridworker", "community", "street", "leader", "admin")


def appeals_visible_to(user) -> QuerySet[Appeal]:
    """Residents: the appeals they reported or follow. Region staff: appeals in their region subtree
    (unlocated ones by their street). Unit handlers: appeals their unit has (or had) a task on.
    Everyone else: nothing (404 on detail)."""
    if user is None or not user.is_authenticated:
        return Appeal.objects.none()
    scope = scope_of(user)
    if scope.is_admin:
        return Appeal.objects.all()
    q = Q(reporter=user) | Q(pk__in=AppealFollower.objects.filter(user=user).values("appeal_id"))
    if scope.region_paths:
        q |= scope.region_q("grid__path") | (Q(grid__isnull=True) & scope.region_q("street__path"))
    if scope.unit_ids:
        q |= Q(pk__in=AppealUnitTask.objects.filter(unit_id__in=list(scope.unit_ids)).values("appeal_id"))
    return Appeal.objects.filter(q)


def access_appeal(user, pk) -> Appeal:
    return get_or_404(
        appeals_visible_to(user).select_related(
            "grid", "street", "category", "owner_unit", "suggested_category", "suggested_unit", "reporter"
        ),
        pk=pk,
    )


def appeal_timeline(appeal: Appeal) -> QuerySet[AppealEvent]:
    return appeal.events.select_related("actor", "unit").order_by("at", "id")


def role_paths(user, roles: tuple[str, ...]) -> list[str]:
    cache = getattr(user, "_appeal_role_paths", None)
    if cache is None:
        cache = {}
        for grant in user.grants.select_related("region").all():
            if grant.region_id:
                cache.setdefault(grant.role, []).append(grant.region.path)
        user._appeal_role_paths = cache
    return [p for r in roles for p in cache.get(r, [])]


VERIFY_ROLES = ("gridworker", "community")


def can_verify(user) -> bool:
    return scope_of(user).is_admin or bool(role_paths(user, VERIFY_ROLES))


def verify_queue(user) -> QuerySet[Appeal]:
    """核查队列: replied appeals in the grids this grid worker (or community) verifies."""
    scope = scope_of(user)
    qs = appeals_visible_to(user).filter(status=Status.REPLIED, merged_into__isnull=True)
    if scope.is_admin:
        return qs
    paths = role_paths(user, VERIFY_ROLES)
    if not paths:
        return qs.none()
    return qs.filter(scope.path_q(tuple(paths), "grid__path"))


# Timeline labels of events that are not workflow transitions (intake, merges, the deadline sweep).
EVENT_LABELS = {
    "merged_in": "并入重复诉求",
    "overdue_respond": "报到超时督办",
    "overdue_resolve": "超期督办",
}
TO_UNIT = ("dispatch", "whistle", "reassign")


def event_label(e, *, submit: str = "受理") -> str:
    """The Chinese name of one timeline event (`submit` is 受理 for staff, 提交诉求 for the reporter)."""
    if e.action == "submit":
        return submit
    if e.action == "verify":
        return "核查通过" if e.data.get("passed") else "核查未通过"
    if e.action == "rate":
        rating = e.data.get("rating")
        return f"评价：{Rating(rating).label}" if rating in Rating.values else "评价"
    if e.action == "accept" and e.data.get("role") == "assist":
        return "协办单位报到"
    if e.action == "merge":
        return f"并入诉求 #{e.data.get('into')}"
    if e.action == "merged_in" and e.data.get("from"):
        return f"诉求 #{e.data.get('from')} 并入本件"
    if e.action in TO_UNIT and e.unit_id:
        return f"{workflow.TRANSITIONS[e.action].label}至{e.unit}"
    if e.action in EVENT_LABELS:
        return EVENT_LABELS[e.action]
    transition = workflow.TRANSITIONS.get(e.action)
    return transition.label if transition else e.action


def _covers(paths: list[str], region) -> bool:
    return region is not None and any(region.path.startswith(p) for p in paths)


def actor_kinds(user, appeal: Appeal) -> frozenset[str]:
    """The workflow actor kinds (see workflow.py) this account has on this appeal."""
    if user is None or not user.is_authenticated:
        return frozenset()
    scope = scope_of(user)
    kinds = set()
    if appeal.reporter_id == user.pk:
        kinds.add(workflow.REPORTER)
    if scope.is_admin:
        return frozenset(
            kinds | {workflow.DISPATCHER, workflow.TASK_UNIT, workflow.OWNER_UNIT, workflow.VERIFIER}
        )
    dispatch_paths = role_paths(user, ("street", "community"))
    if appeal.grid_id:
        if _covers(dispatch_paths, appeal.grid):
            kinds.add(workflow.DISPATCHER)
        if _covers(role_paths(user, ("gridworker", "community")), appeal.grid):
            kinds.add(workflow.VERIFIER)
    elif _covers(role_paths(user, ("street",)), appeal.street):
        kinds.add(workflow.DISPATCHER)
    if scope.unit_ids:
        if appeal.owner_unit_id in scope.unit_ids:
            kinds.add(workflow.OWNER_UNIT)
        if appeal.tasks.filter(unit_id__in=list(scope.unit_ids), ended_at__isnull=True).exists():
            kinds.add(workflow.TASK_UNIT)
    return frozenset(kinds)


def available_actions(user, appeal: Appeal) -> list[str]:
    """Actions this account may take on the appeal now (buttons on pages, `actions` in the API)."""
    from redgrid.appeals.models import ExtensionDecision, Rating
    from redgrid.core.rules import rule_value

    kinds = actor_kinds(user, appeal)
    actions = [a for a in workflow.actions_from(appeal.status) if kinds & workflow.TRANSITIONS[a].who]
    if not actions:
        return actions
    # Preconditions besides the state, so pages and clients only offer what the services will accept.
    hidden = set()
    if appeal.status == "closed":
        rating = appeal.ratings.filter(round=appeal.round).values_list("rating", flat=True).first()
        if rating is not None:
            hidden.add("rate")
        if rating != Rating.UNSATISFIED or appeal.reopen_count >= int(rule_value("appeals.reopen.max")):
            hidden.add("reopen")
    if {"extend", "approve_extension", "deny_extension"} & set(actions):
        pending = appeal.extensions.filter(decision=ExtensionDecision.PENDING).exists()
        hidden |= {"extend"} if pending else {"approve_extension", "deny_extension"}
    if (
        "accept" in actions
        and not appeal.tasks.filter(ended_at__isnull=True, reported_at__isnull=True).exists()
    ):
        hidden.add("accept")
    return [a for a in actions if a not in hidden]


def with_overdue_flag(qs: QuerySet[Appeal], now) -> QuerySet[Appeal]:
    """Annotate `is_late` (open and past its resolve deadline, or a task past its report-in limit)."""
    from django.db.models import BooleanField, Case, Value, When

    from redgrid.appeals.models import OPEN_STATES

    late_task = AppealUnitTask.objects.filter(
        appeal=OuterRef("pk"), ended_at__isnull=True, reported_at__isnull=True, due_at__lt=now
    )
    return qs.annotate(
        late_task=Exists(late_task),
        is_late=Case(
            When(Q(status__in=OPEN_STATES, resolve_due_at__lt=now) | Q(late_task=True), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
