"""Small helpers shared by the 议事/公开/评议/信息发布 pages (the *_views.py modules)."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from redgrid.core.api import Conflict, TooManyRequests


def attempt(request, fn, success: str = ""):
    """Run a service call; on a refusal show its Chinese message instead of an error page. Returns the
    service's result, or None if it was refused."""
    try:
        result = fn()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    except (Conflict, PermissionDenied, TooManyRequests) as exc:
        messages.error(request, str(exc) or "无权执行此操作")
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def parse_local(value: str):
    """A `datetime-local` form value (2026-07-01T09:00) as an aware datetime in local time, or None."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return timezone.make_aware(datetime.fromisoformat(value))
    except ValueError as exc:
        raise ValidationError("时间格式不正确") from exc


def local_input(value) -> str:
    """An aware datetime as a `datetime-local` input value."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def ids(values) -> list[int]:
    """The integer ids among submitted values (anything else is ignored)."""
    return [int(v) for v in values if str(v).isdigit() and len(str(v)) < 12]


def text(request, name: str, limit: int = 50) -> str:
    """A trimmed query-string value, bounded in length (search boxes)."""
    return request.GET.get(name, "").strip()[:limit]


def manageable_areas(user):
    """Streets, communities and grids in the account's scope, for the 范围 select of a new topic or draft."""
    from redgrid.regions.models import Region
    from redgrid.regions.selectors import regions_visible_to

    levels = [Region.Level.STREET, Region.Level.COMMUNITY, Region.Level.GRID]
    return regions_visible_to(user).filter(level__in=levels).order_by("path")[:500]
