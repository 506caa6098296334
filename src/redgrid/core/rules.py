"""The rules table: every configurable limit of the platform with its default and its source.

Apps register their rules at import time with `define`; a deployment overrides a value with a `Rule`
row (admin → 规则表). Reading goes through `rule_value`, which caches overrides per process and is
invalidated when a row is saved.
"""

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache


@dataclass(frozen=True)
class RuleDef:
    key: str
    default: Any
    description: str
    source: str
    confidence: str  # H / M / L as in rules.md


REGISTRY: dict[str, RuleDef] = {}
_CACHE_KEY = "redgrid:rules:v1"


def define(key: str, default: Any, description: str, source: str, confidence: str = "M") -> RuleDef:
    rule = RuleDef(key, default, description, source, confidence)
    REGISTRY[key] = rule
    return rule


def _overrides() -> dict[str, Any]:
    data = cache.get(_CACHE_KEY)
    if data is None:
        from redgrid.core.models import Rule

        data = dict(Rule.objects.values_list("key", "value"))
        cache.set(_CACHE_KEY, data, 60)
    return data


def invalidate() -> None:
    cache.delete(_CACHE_KEY)


def rule_value(key: str) -> Any:
    if key not in REGISTRY:
        raise KeyError(f"unknown rule {key}")
    return _overrides().get(key, REGISTRY[key].default)


# Platform-wide rules (rules.md §7, §10).
define("grid.households_min", 300, "每个网格的户数下限（用于网格规模检查）", "rules.md §7（各地做法）", "L")
define("grid.households_max", 500, "每个网格的户数上限", "rules.md §7（各地做法）", "L")
define("login.failure_limit", 5, "连续登录失败锁定次数（实际由 REDGRID_LOGIN_FAILURE_LIMIT 生效）", "等保 2.0 GB/T 22239-2019", "M")
