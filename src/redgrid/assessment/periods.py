"""Assessment periods (月度/季度/年度): keys `2026-06`, `2026-Q2`, `2026`, built on party.periods."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from redgrid.party import periods as P

KINDS = ("month", "quarter", "year")
KIND_LABELS = {"month": "月度", "quarter": "季度", "year": "年度"}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first day
    end: date  # the day after the last day (half-open, like appeals.metrics)

    @property
    def key(self) -> str:
        return P.key(self.kind, self.start)

    @property
    def label(self) -> str:
        return P.label(self.kind, self.start)

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as local midnights (appeals.metrics reads its roll-ups for whole days)."""
        tz = timezone.get_default_timezone()
        return datetime.combine(self.start, time.min, tzinfo=tz), datetime.combine(
            self.end, time.min, tzinfo=tz
        )

    def previous(self) -> "Period":
        return of(self.kind, self.start - timedelta(days=1))

    def following(self) -> "Period":
        return of(self.kind, self.end)


def of(kind: str, on: date) -> Period:
    """The period of `kind` containing `on`."""
    first, last = P.bounds(kind, on)
    return Period(kind, first, last + timedelta(days=1))


def kind_of_key(key: str) -> str:
    key = (key or "").strip()
    if "-Q" in key.upper():
        return "quarter"
    if "-" in key:
        return "month"
    return "year"


def parse(key: str | None, *, default_kind: str = "month", today: date | None = None) -> Period:
    """A period from its key (`2026-06`, `2026-Q2`, `2026`); empty → the current period of `default_kind`.
    A malformed key raises ValidationError with a Chinese message."""
    today = today or timezone.localdate()
    if not key:
        return of(default_kind, today)
    kind = kind_of_key(key)
    try:
        start = P.parse_key(kind, key.upper() if kind == "quarter" else key)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if not 2000 <= start.year <= 2100:
        raise ValidationError(f"期间“{key}”的年份不正确")
    return of(kind, start)


def recent(kind: str, today: date | None = None, count: int = 12) -> list[Period]:
    """The current period of `kind` and the ones before it, newest first (for period pickers)."""
    period, out = of(kind, today or timezone.localdate()), []
    for _ in range(count):
        out.append(period)
        period = period.previous()
    return out
