"""The action forms of the 诉求详情 page: one POST endpoint, one small parser per workflow action.

Each parser reads its form fields, checks that every object named in them (unit, grid, target appeal)
is in the viewer's scope, and calls the service. Outcomes:

- success → message and back to the file;
- `Conflict` (the state moved on) or `PermissionDenied` (not this account's action) → the service's
  Chinese message and back to the file;
- `ValidationError` → the file again (HTTP 400) with the message and the submitted values kept.

Destructive actions (reject, return, merge) need the confirmation box ticked (`confirm=yes`); the
static script also asks in a dialog before submitting.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from redgrid.appeals import services, workflow
from redgrid.appeals.models import Rating, Urgency
from redgrid.appeals.selectors import access_appeal, appeals_visible_to
from redgrid.core.api import Conflict
from redgrid.core.pages import render_staff, staff_required
from redgrid.core.rules import rule_value

DESTRUCTIVE = {"reject", "return", "merge", "cancel"}
# Only the reporter may take these; they are offered on the H5 pages, shown here for completeness.
REPORTER_ACTIONS = {"rate", "reopen", "cancel"}


def _unit(user, value):
    from redgrid.units.selectors import units_visible_to

    if not (value or "").strip().isdigit():
        raise ValidationError("请选择责任单位")
    unit = units_visible_to(user).filter(pk=value, is_active=True).first()
    if unit is None:
        raise ValidationError("责任单位不存在、已停用或不在您的管辖范围内")
    return unit


def grid_in_scope(user, value):
    """The grid picked in a form, or None; a grid outside the account's scope is a form error."""
    from redgrid.regions.selectors import grids_visible_to

    value = (value or "").strip()
    if not value:
        return None
    grid = grids_visible_to(user).filter(pk=value).first() if value.isdigit() else None
    if grid is None:
        raise ValidationError("网格不存在或不在您的管辖范围内")
    return grid


def _int(value, what: str) -> int:
    try:
        return int((value or "").strip())
    except ValueError as exc:
        raise ValidationError(f"{what}应为整数") from exc


def _into(user, value) -> int:
    value = (value or "").strip().lstrip("#")
    if not value.isdigit() or not appeals_visible_to(user).filter(pk=value).exists():
        raise ValidationError("要并入的诉求不存在，或不在您的管辖范围内")
    return int(value)


def _passed(value) -> bool:
    if value not in ("yes", "no"):
        raise ValidationError("请选择核查结果（通过或不通过）")
    return value == "yes"


def _register(user, appeal, data, files):
    urgency = data.get("urgency") or None
    if urgency is not None and urgency not in Urgency.values:
        raise ValidationError("紧急程度不正确")
    return services.appeal_register(
        actor=user,
        appeal=appeal,
        category=data.get("category") or None,
        urgency=urgency,
        grid=grid_in_scope(user, data.get("grid")),
        title=data.get("title") or None,
        note=data.get("note", ""),
    )


PARSERS = {
    "register": _register,
    "reject": lambda u, a, d, f: services.appeal_reject(actor=u, appeal=a, reason=d.get("reason", "")),
    "dispatch": lambda u, a, d, f: services.appeal_dispatch(
        actor=u, appeal=a, unit=_unit(u, d.get("unit")), note=d.get("note", "")
    ),
    "whistle": lambda u, a, d, f: services.appeal_whistle(
        actor=u,
        appeal=a,
        lead_unit=_unit(u, d.get("lead_unit")),
        units=[_unit(u, i) for i in d.getlist("assist") if i],
        note=d.get("note", ""),
    ),
    "accept": lambda u, a, d, f: services.appeal_accept(actor=u, appeal=a, unit=d.get("unit") or None),
    "return": lambda u, a, d, f: services.appeal_return(actor=u, appeal=a, reason=d.get("reason", "")),
    "reassign": lambda u, a, d, f: services.appeal_reassign(
        actor=u, appeal=a, unit=_unit(u, d.get("unit")), note=d.get("note", "")
    ),
    "reply": lambda u, a, d, f: services.appeal_reply(
        actor=u, appeal=a, content=d.get("content", ""), photos=f.getlist("photos")
    ),
    "verify": lambda u, a, d, f: services.appeal_verify(
        actor=u, appeal=a, passed=_passed(d.get("passed")), note=d.get("note", "")
    ),
    "extend": lambda u, a, d, f: services.appeal_extend(
        actor=u, appeal=a, days=_int(d.get("days"), "延期天数"), reason=d.get("reason", "")
    ),
    "approve_extension": lambda u, a, d, f: services.appeal_approve_extension(
        actor=u, appeal=a, note=d.get("note", "")
    ),
    "deny_extension": lambda u, a, d, f: services.appeal_deny_extension(
        actor=u, appeal=a, note=d.get("note", "")
    ),
    "merge": lambda u, a, d, f: services.appeal_merge(
        actor=u, appeal=a, into=_into(u, d.get("into")), note=d.get("note", "")
    ),
    "rate": lambda u, a, d, f: services.appeal_rate(
        actor=u, appeal=a, rating=d.get("rating", ""), comment=d.get("comment", "")
    ),
    "reopen": lambda u, a, d, f: services.appeal_reopen(actor=u, appeal=a, reason=d.get("reason", "")),
    "cancel": lambda u, a, d, f: services.appeal_cancel(actor=u, appeal=a, reason=d.get("reason", "")),
}

DONE = {
    "merge": "已合并到 #{into}",
    "extend": "已提交延期申请，等待街道审批",
}


@staff_required
@require_POST
def act(request, pk, action):
    if action not in PARSERS:
        raise Http404("没有这个办理动作")
    appeal = access_appeal(request.user, pk)
    label = workflow.TRANSITIONS[action].label
    try:
        if action in DESTRUCTIVE and request.POST.get("confirm") != "yes":
            raise ValidationError(f"{label}不可撤回，请勾选确认后再提交")
        PARSERS[action](request.user, appeal, request.POST, request.FILES)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, str(exc) or f"您无权{label}此诉求")
    except ValidationError as exc:
        from redgrid.appeals.views_staff import appeal_file_context

        messages.error(request, " ".join(exc.messages))
        values = {k: request.POST.getlist(k) if k == "assist" else request.POST.get(k) for k in request.POST}
        ctx = appeal_file_context(request, appeal, open_action=action, values=values)
        return render_staff(request, "appeals/staff/detail.html", ctx, status=400)
    else:
        done = DONE.get(action, "已" + label).format(into=request.POST.get("into", "").strip().lstrip("#"))
        messages.success(request, done)
    return redirect("appeals:staff_detail", pk)


def form_options(user, appeal, actions: list[str]) -> dict:
    """Choices the action forms need, loaded only for the actions on offer."""
    from redgrid.regions.models import Region
    from redgrid.regions.selectors import grids_visible_to
    from redgrid.units.selectors import category_tree, units_visible_to

    wanted = set(actions)
    options: dict = {"labels": {a: workflow.TRANSITIONS[a].label for a in actions}}
    if wanted & {"dispatch", "whistle", "reassign"}:
        options["units"] = list(units_visible_to(user).filter(is_active=True).order_by("name"))
    if "register" in wanted:
        grids = grids_visible_to(user)
        if appeal.street_id:
            # The dispatcher locates within the appeal's street (all grids of a city would be too many).
            grids = grids.filter(path__startswith=appeal.street.path)
        options["grids"] = list(
            grids.filter(level=Region.Level.GRID).order_by("path").only("id", "name")[:500]
        )
        options["categories"] = list(category_tree().only("id", "name", "depth"))
        options["urgencies"] = Urgency.choices
    if "extend" in wanted:
        options["max_days"] = int(rule_value("appeals.extension.max_days"))
    if "rate" in wanted:
        options["ratings"] = Rating.choices
    options["reporter_only"] = sorted(wanted & REPORTER_ACTIONS)
    return options
