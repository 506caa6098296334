"""Calendar periods (month / quarter / year, and n-month blocks) with their keys and Chinese labels.

Pure functions, no database: 定期填报, 网上评议 and the 双报到 report-back all count in calendar periods.
A period is identified by its first day; its key (``2026-06``, ``2026-Q2``, ``2026``) is what URLs and the
API carry.
"""

import re
from datetime import date, timedelta

from redgrid.party import rules as R

PERIOD_LABELS = {"month": "每月", "quarter": "每季度", "year": "每年"}


def bounds(period: str, on: date) -> tuple[date, date]:
    """First and last day of the period containing `on` (ValueError for an unknown period)."""
    return R.period_bounds(period, on)


def previous_start(period: str, start: date) -> date:
    return bounds(period, start - timedelta(days=1))[0]


def next_start(period: str, start: date) -> date:
    return bounds(period, start)[1] + timedelta(days=1)


def key(period: str, start: date) -> str:
    if period == "month":
        return f"{start:%Y-%m}"
    if period == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def label(period: str, start: date) -> str:
    if period == "month":
        return f"{start.year}年{start.month}月"
    if period == "quarter":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年"


_KEY_PATTERNS = {
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "year": re.compile(r"^(\d{4})$"),
}


def parse_key(period: str, text: str) -> date:
    """The first day of the period a key names; ValueError (Chinese) if the key does not fit the period."""
    match = _KEY_PATTERNS[period].match((text or "").strip())
    if not match:
        example = key(period, date(2026, 4, 1))
        raise ValueError(f"期间“{text}”格式不正确，应类似 {example}")
    year = int(match.group(1))
    if period == "month":
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"期间“{text}”的月份不正确")
        return date(year, month, 1)
    if period == "quarter":
        return date(year, (int(match.group(2)) - 1) * 3 + 1, 1)
    return date(year, 1, 1)


def starts_between(period: str, first: date, last: date) -> list[date]:
    """Start days of every period from the one containing `first` to the one containing `last`."""
    result, start = [], bounds(period, first)[0]
    while start <= last:
        result.append(start)
        start = next_start(period, start)
    return result


def block_bounds(months: int, on: date) -> tuple[date, date]:
    """Calendar blocks of `months` months counted from January (3 → quarters, 6 → half years)."""
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValueError(f"周期月数应能整除12：{months}")
    first_month = (on.month - 1) // months * months + 1
    start = date(on.year, first_month, 1)
    return start, R.add_months(start, months) - timedelta(days=1)
