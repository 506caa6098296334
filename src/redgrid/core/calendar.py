"""Working-day calendar (工作日历): Monday–Friday are working days unless a CalendarDay row says otherwise.

Deadlines stay stored timestamps; this module only computes them. Limits counted in working days (e.g. a
general appeal's 7 days when the deployment enables `appeals.sla.working_days`, or a 公示 of 5 working
days) keep the time of day and skip non-working days.
"""

from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

_CACHE_KEY = "core.calendar.exceptions"


def _exceptions() -> dict[date, bool]:
    data = cache.get(_CACHE_KEY)
    if data is None:
        from redgrid.core.models import CalendarDay

        data = dict(CalendarDay.objects.values_list("date", "is_workday"))
        cache.set(_CACHE_KEY, data, 300)
    return data


def invalidate() -> None:
    cache.delete(_CACHE_KEY)


def is_workday(day: date) -> bool:
    override = _exceptions().get(day)
    if override is not None:
        return override
    return day.weekday() < 5


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days after `start`, at the same time of day.

    A start on a non-working day counts from the start (00:00) of the next working day, so an appeal filed
    on Saturday with a 1-working-day limit is due at the end of Monday (Tuesday 00:00)."""
    current = timezone.localtime(start)  # working days are local (Asia/Shanghai) days
    if not is_workday(current.date()):
        current = current.replace(hour=0, minute=0, second=0, microsecond=0)
        while not is_workday(current.date()):
            current += timedelta(days=1)
    left = days
    while left > 0:
        current += timedelta(days=1)
        if is_workday(current.date()):
            left -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days in [start, end)."""
    n, day = 0, start
    while day < end:
        n += is_workday(day)
        day += timedelta(days=1)
    return n
