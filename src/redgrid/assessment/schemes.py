"""Services (writes) of assessment schemes (考核方案): create, edit items and weights, activate.

Each service is keyword-only, runs in one transaction, locks the scheme row, validates everything
before writing (weights are non-negative and sum to exactly 100, indicators apply to the level, targets
are non-negative — nothing is half-saved), writes a SchemeEvent row and an audit row.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from redgrid.assessment import indicators as I
from redgrid.assessment.models import Level, PeriodKind, Scheme, SchemeEvent, SchemeItem
from redgrid.core import audit
from redgrid.core.access import scope_of

TOTAL = Decimal("100")

#: The default schemes (data migration 0002 creates them): level → [(indicator, weight)].
REGION_DEFAULT = [
    ("response_rate", 15),
    ("resolution_rate", 15),
    ("satisfaction_rate", 15),
    ("on_time_close_rate", 10),
    ("close_rate", 5),
    ("rework_rate", 5),
    ("branch_life", 10),
    ("dues_on_time", 5),
    ("recruitment_kept", 5),
    ("wishes_fulfilled", 5),
    ("study_target", 5),
    ("volunteer_hours", 5),
]
DEFAULTS = {
    "street": REGION_DEFAULT,
    "community": REGION_DEFAULT,
    "grid": REGION_DEFAULT,
    "unit": [
        ("response_rate", 25),
        ("resolution_rate", 25),
        ("satisfaction_rate", 25),
        ("on_time_close_rate", 10),
        ("rework_rate", 5),
        ("extension_rate", 5),
        ("eval_score", 5),
    ],
    "org": [
        ("branch_life", 30),
        ("dues_on_time", 20),
        ("recruitment_kept", 10),
        ("study_target", 15),
        ("volunteer_hours", 10),
        ("dual_hours", 5),
        ("eval_score", 10),
    ],
}


@dataclass
class ItemInput:
    indicator: str
    weight: object
    target: object = None


def _number(value, what: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationError(f"{what}“{value}”不是数字") from exc
    if not number.is_finite():
        raise ValidationError(f"{what}“{value}”不是数字")
    return number


def clean_items(level: str, items) -> list[tuple[str, Decimal, Decimal | None]]:
    """Validated (indicator, weight, target) triples; ValidationError (Chinese) naming the first problem."""
    if level not in Level.values:
        raise ValidationError("考核对象不正确")
    rows, seen = [], set()
    for raw in items:
        item = (
            raw
            if isinstance(raw, ItemInput)
            else ItemInput(**raw)
            if isinstance(raw, dict)
            else ItemInput(*raw)
        )
        key = (item.indicator or "").strip()
        if key not in I.INDICATORS:
            raise ValidationError(f"未知的考核指标：{key}")
        ind = I.get(key)
        if level not in ind.levels:
            raise ValidationError(f"“{ind.name}”不适用于{Level(level).label}考核")
        if key in seen:
            raise ValidationError(f"“{ind.name}”重复")
        seen.add(key)
        weight = _number(item.weight, f"“{ind.name}”的权重")
        if weight is None:
            continue  # an empty weight drops the indicator from the scheme
        if weight < 0 or weight > TOTAL:
            raise ValidationError(f"“{ind.name}”的权重应在 0–100 之间")
        if weight.as_tuple().exponent < -2:
            raise ValidationError(f"“{ind.name}”的权重最多两位小数")
        target = _number(item.target, f"“{ind.name}”的目标值")
        if target is not None and (target < 0 or (ind.kind == "rate" and target > 1)):
            limit = "0–1 之间的比例（如 0.95）" if ind.kind == "rate" else "非负数"
            raise ValidationError(f"“{ind.name}”的目标值应为{limit}")
        if weight > 0:
            rows.append((key, weight, target))
    if not rows:
        raise ValidationError("考核方案至少需要一个权重大于 0 的指标")
    total = sum(w for _, w, _ in rows)
    if total != TOTAL:
        raise ValidationError(f"各项权重合计应为 100，当前为 {total.normalize():f}")
    return rows


def _require_admin(actor) -> None:
    if not scope_of(actor).is_admin:
        raise PermissionDenied("只有系统管理员可以修改考核方案")


def _event(scheme: Scheme, *, actor, action: str, note: str = "", data=None) -> None:
    SchemeEvent.objects.create(
        scheme=scheme,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        to_state="active" if scheme.is_active else "inactive",
        note=note,
        data=data or {},
    )
    audit.record(
        f"assessment.scheme.{action}",
        scheme,
        actor=actor,
        summary={"version": scheme.version, **(data or {})},
    )


def _summary(rows) -> list:
    return [[k, str(w), None if t is None else str(t)] for k, w, t in rows]


def _write_items(scheme: Scheme, rows) -> None:
    scheme.items.all().delete()
    SchemeItem.objects.bulk_create(
        [
            SchemeItem(scheme=scheme, indicator=k, weight=w, target=t, order=i)
            for i, (k, w, t) in enumerate(rows)
        ]
    )


def scheme_create(
    *, actor, name: str, level: str, period: str, items, note: str = "", active: bool = True
) -> Scheme:
    """A new scheme; when active it replaces the level's active scheme for that period."""
    _require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写方案名称")
    if period not in PeriodKind.values:
        raise ValidationError("考核周期应为月度、季度或年度")
    rows = clean_items(level, items)
    with transaction.atomic():
        if active:
            for old in Scheme.objects.select_for_update().filter(level=level, period=period, is_active=True):
                old.is_active = False
                old.save(update_fields=["is_active"])
                _event(old, actor=actor, action="deactivate", note=f"由“{name}”取代")
        scheme = Scheme.objects.create(
            name=name[:100],
            level=level,
            period=period,
            is_active=active,
            note=(note or "")[:300],
            updated_by=actor if getattr(actor, "pk", None) else None,
        )
        _write_items(scheme, rows)
        _event(scheme, actor=actor, action="create", note=note, data={"items": _summary(rows)})
    return scheme


def scheme_update(*, actor, scheme: Scheme, items, name: str | None = None, note: str = "") -> Scheme:
    """Replace a scheme's items (indicators, weights, targets); the version goes up by one."""
    _require_admin(actor)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        rows = clean_items(scheme.level, items)
        before = _summary((i.indicator, i.weight, i.target) for i in scheme.items.all())
        if name is not None and name.strip():
            scheme.name = name.strip()[:100]
        scheme.version += 1
        scheme.updated_by = actor if getattr(actor, "pk", None) else None
        scheme.updated_at = timezone.now()
        scheme.save()
        _write_items(scheme, rows)
        _event(
            scheme, actor=actor, action="update", note=note, data={"before": before, "items": _summary(rows)}
        )
    return scheme


def scheme_activate(*, actor, scheme: Scheme) -> Scheme:
    """Make a scheme the active one of its level and period (the previous one is kept, inactive)."""
    _require_admin(actor)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme.is_active:
            return scheme
        for old in Scheme.objects.select_for_update().filter(
            level=scheme.level, period=scheme.period, is_active=True
        ):
            old.is_active = False
            old.save(update_fields=["is_active"])
            _event(old, actor=actor, action="deactivate", note=f"启用“{scheme.name}”")
        scheme.is_active = True
        scheme.save(update_fields=["is_active"])
        _event(scheme, actor=actor, action="activate")
    return scheme


def active_scheme(level: str | None, period: str) -> Scheme | None:
    if level is None:
        return None
    return Scheme.objects.filter(level=level, period=period, is_active=True).prefetch_related("items").first()
