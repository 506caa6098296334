"""The three rates (三率) and the GB/T 30428 indicators, per unit, community or street, for a period.

Scope of a node: for a region (street, community, grid…), the appeals located in its subtree (unlocated
appeals by their street); for a unit, the appeals it owns (主办) and the tasks and ratings of that unit.
A period is the half-open interval [start, end).

Definitions (each rate is None when its denominator is 0):

- 响应率 response_rate = dispatch tasks (派遣/吹哨/改派, lead and assisting) dispatched in the period and
  reported in (报到) no later than their report-in limit ÷ dispatch tasks dispatched in the period.
- 满意率 satisfaction_rate = ratings given in the period that are 满意 or 基本满意 ÷ ratings given in the
  period (every round's rating counts).
- 解决率 resolution_rate = appeals rated in the period whose latest rating (highest round, given before the
  end) is 满意 or 基本满意 — i.e. closed and not rated unsatisfied — ÷ appeals rated in the period.
- Should-close (应结案数) = appeals registered (立案 event) in the period, not merged into another.
- 结案率 close_rate = should-close appeals closed (已结案, closed before the end) ÷ should-close.
- 按期结案率 on_time_close_rate = should-close appeals closed no later than their resolve deadline (after
  approved extensions) ÷ should-close.
- 返工率 rework_rate = should-close appeals reopened (重办 event before the end) ÷ should-close appeals
  closed at least once (a passed 核查 event before the end).
- 延期率 extension_rate = should-close appeals with an approved extension (批准延期 event before the
  end) ÷ should-close appeals dispatched (派遣/吹哨 event before the end).

All counts come from the event rows (AppealEvent), the task rows (one per dispatch) and the rating rows.
`compute` reads them from the daily roll-ups (appeals.rollup: AppealDaily, AppealDailyLag, kept in step
by every action) when the period is made of whole days, and `compute_raw` recomputes them from the raw
rows (any period; the reference the roll-ups are tested and checked against).
The composite score of the three rates uses the weights of the rule `appeals.rank.weights` (30/35/35).
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from redgrid.appeals import rollup
from redgrid.appeals.models import Appeal, AppealEvent, AppealRating, AppealUnitTask, Rating, Status
from redgrid.core.rules import rule_value
from redgrid.regions.models import Region
from redgrid.units.models import Unit

GOOD = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


@dataclass
class Metrics:
    dispatched_tasks: int
    responded_on_time: int
    ratings: int
    good_ratings: int
    rated_appeals: int
    resolved_appeals: int
    should_close: int
    closed: int
    closed_on_time: int
    ever_closed: int
    reopened: int
    dispatched_appeals: int
    extended: int

    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return round(num / den, 4) if den else None

    @property
    def response_rate(self):
        return self._rate(self.responded_on_time, self.dispatched_tasks)

    @property
    def satisfaction_rate(self):
        return self._rate(self.good_ratings, self.ratings)

    @property
    def resolution_rate(self):
        return self._rate(self.resolved_appeals, self.rated_appeals)

    @property
    def close_rate(self):
        return self._rate(self.closed, self.should_close)

    @property
    def on_time_close_rate(self):
        return self._rate(self.closed_on_time, self.should_close)

    @property
    def rework_rate(self):
        return self._rate(self.reopened, self.ever_closed)

    @property
    def extension_rate(self):
        return self._rate(self.extended, self.dispatched_appeals)

    @property
    def score(self) -> float | None:
        """Weighted score (0–100) of 响应率, 解决率, 满意率; a missing rate counts as its weight's share of
        the others (so a node with no ratings yet is not ranked at zero)."""
        weights = rule_value("appeals.rank.weights")
        pairs = [
            (r, w)
            for r, w in zip(
                (self.response_rate, self.resolution_rate, self.satisfaction_rate), weights, strict=True
            )
            if r is not None
        ]
        if not pairs:
            return None
        return round(100 * sum(r * w for r, w in pairs) / sum(w for _, w in pairs), 2)

    def as_dict(self) -> dict:
        rates = {
            name: getattr(self, name)
            for name in (
                "response_rate",
                "resolution_rate",
                "satisfaction_rate",
                "close_rate",
                "on_time_close_rate",
                "rework_rate",
                "extension_rate",
                "score",
            )
        }
        return {"rates": rates, "counts": asdict(self)}


def _appeals_of(node) -> QuerySet[Appeal]:
    if isinstance(node, Unit):
        return Appeal.objects.filter(owner_unit=node)
    if isinstance(node, Region):
        return Appeal.objects.filter(
            Q(grid__path__startswith=node.path) | Q(grid__isnull=True, street__path__startswith=node.path)
        )
    raise TypeError("node must be a Region or a Unit")


def _has_event(action: str, *, before: datetime, **data) -> Exists:
    q = AppealEvent.objects.filter(appeal=OuterRef("pk"), action=action, at__lt=before)
    if data:
        q = q.filter(**{f"data__{k}": v for k, v in data.items()})
    return Exists(q)


def _whole_days(start: datetime, end: datetime) -> tuple[date, date] | None:
    """(first day, end day) when both bounds are local midnights, else None."""
    tz = timezone.get_default_timezone()
    if timezone.is_naive(start) or timezone.is_naive(end):
        return None
    start, end = start.astimezone(tz), end.astimezone(tz)
    if start.time() != time.min or end.time() != time.min:
        return None
    return start.date(), end.date()


def compute(node, start: datetime, end: datetime) -> Metrics:
    """The indicators of one node for [start, end): from the daily roll-ups for whole days (the
    dashboards' periods), else recomputed from the raw rows."""
    days = _whole_days(start, end)
    if days is None:
        return compute_raw(node, start, end)
    return Metrics(**rollup.read(node, *days))


def compute_raw(node, start: datetime, end: datetime) -> Metrics:
    """The indicators of one node for [start, end) recomputed from the raw rows (module docstring)."""
    appeals = _appeals_of(node)
    # 响应率 — dispatch tasks.
    tasks = AppealUnitTask.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)
    tasks = tasks.filter(unit=node) if isinstance(node, Unit) else tasks.filter(appeal__in=appeals)
    responded = tasks.filter(reported_at__isnull=False, reported_at__lte=F("due_at"))
    # 满意率 / 解决率 — ratings.
    ratings = AppealRating.objects.filter(at__gte=start, at__lt=end)
    ratings = ratings.filter(unit=node) if isinstance(node, Unit) else ratings.filter(appeal__in=appeals)
    rated_ids = set(ratings.values_list("appeal_id", flat=True))
    latest: dict[int, str] = {}
    for appeal_id, rating in (
        AppealRating.objects.filter(appeal_id__in=rated_ids, at__lt=end)
        .order_by("appeal_id", "round")
        .values_list("appeal_id", "rating")
    ):
        latest[appeal_id] = rating
    # 结案率 etc. — appeals registered in the period.
    should = appeals.filter(merged_into__isnull=True).filter(
        Exists(
            AppealEvent.objects.filter(appeal=OuterRef("pk"), action="register", at__gte=start, at__lt=end)
        )
    )
    closed = should.filter(status=Status.CLOSED, closed_at__lt=end)
    ever_closed = should.filter(_has_event("verify", before=end, passed=True))
    dispatched = should.filter(_has_event("dispatch", before=end) | _has_event("whistle", before=end))
    return Metrics(
        dispatched_tasks=tasks.count(),
        responded_on_time=responded.count(),
        ratings=ratings.count(),
        good_ratings=ratings.filter(rating__in=GOOD).count(),
        rated_appeals=len(rated_ids),
        resolved_appeals=sum(1 for r in latest.values() if r in GOOD),
        should_close=should.count(),
        closed=closed.count(),
        closed_on_time=closed.filter(closed_at__lte=F("resolve_due_at")).count(),
        ever_closed=ever_closed.count(),
        reopened=ever_closed.filter(_has_event("reopen", before=end)).count(),
        dispatched_appeals=dispatched.count(),
        extended=dispatched.filter(_has_event("approve_extension", before=end)).count(),
    )
