"""The records behind a number: the items an indicator counted for a node and period, each marked as
meeting the indicator or not (the appeals not responded to in time, the branches overdue on 支委会…).

Folded indicators list their FactItems (assessment.rollup.items_under). Appeals indicators list the
appeals, dispatch tasks or ratings that appeals.metrics counts, selected with the same rules as its
formulas (restated in indicators.py); a test checks that the counts agree with appeals.metrics.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.urls import reverse

from redgrid.assessment import indicators as I
from redgrid.assessment import rollup
from redgrid.assessment.nodes import Node
from redgrid.assessment.periods import Period
from redgrid.assessment.sources import SOURCES, local_day


@dataclass
class Record:
    day: date
    label: str
    ok: bool
    link: str = ""
    value: str = ""


# --- appeals -------------------------------------------------------------------------------------------------


def _appeals_of(node: Node):
    from redgrid.appeals.models import Appeal

    if node.tree == "unit":
        return Appeal.objects.filter(owner_unit=node.obj)
    path = node.path
    return Appeal.objects.filter(
        Q(grid__path__startswith=path) | Q(grid__isnull=True, street__path__startswith=path)
    )


def _has_event(action: str, end, **data):
    from redgrid.appeals.models import AppealEvent

    q = AppealEvent.objects.filter(appeal=OuterRef("pk"), action=action, at__lt=end)
    if data:
        q = q.filter(**{f"data__{k}": v for k, v in data.items()})
    return Exists(q)


def _flag(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


def _appeal_link(pk: int) -> str:
    return reverse("appeals:staff_detail", args=[pk])


def appeal_records(node: Node, ind: I.Indicator, period: Period) -> list[Record]:
    """The rows appeals.metrics counts for one indicator, `ok` when the row is in the numerator
    (for the lower-is-better rates — 返工率, 延期率 — `ok` means not reworked / not extended)."""
    from redgrid.appeals.models import AppealEvent, AppealRating, AppealUnitTask, Rating, Status

    start, end = period.bounds
    good = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)
    appeals = _appeals_of(node)
    key = ind.key
    if key == "response_rate":
        tasks = AppealUnitTask.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)
        tasks = tasks.filter(unit=node.obj) if node.tree == "unit" else tasks.filter(appeal__in=appeals)
        tasks = tasks.annotate(on_time=_flag(Q(reported_at__isnull=False, reported_at__lte=F("due_at"))))
        return [
            Record(
                local_day(t.dispatched_at),
                f"#{t.appeal_id} {t.appeal.display_title} → {t.unit.name}",
                bool(t.on_time),
                _appeal_link(t.appeal_id),
                "按时报到" if t.on_time else ("超时报到" if t.reported_at else "未报到"),
            )
            for t in tasks.select_related("appeal", "unit").order_by("-dispatched_at", "-id")
        ]
    if key == "satisfaction_rate":
        ratings = AppealRating.objects.filter(at__gte=start, at__lt=end)
        ratings = ratings.filter(unit=node.obj) if node.tree == "unit" else ratings.filter(appeal__in=appeals)
        return [
            Record(
                local_day(r.at),
                f"#{r.appeal_id} {r.appeal.display_title}（第{r.round}轮）",
                r.rating in good,
                _appeal_link(r.appeal_id),
                r.get_rating_display(),
            )
            for r in ratings.select_related("appeal").order_by("-at", "-id")
        ]
    if key == "resolution_rate":
        ratings = AppealRating.objects.filter(at__gte=start, at__lt=end)
        ratings = ratings.filter(unit=node.obj) if node.tree == "unit" else ratings.filter(appeal__in=appeals)
        rated = set(ratings.values_list("appeal_id", flat=True))
        latest = {}
        for r in (
            AppealRating.objects.filter(appeal_id__in=rated, at__lt=end)
            .select_related("appeal")
            .order_by("appeal_id", "round")
        ):
            latest[r.appeal_id] = r
        return sorted(
            (
                Record(
                    local_day(r.at),
                    f"#{r.appeal_id} {r.appeal.display_title}",
                    r.rating in good,
                    _appeal_link(r.appeal_id),
                    f"最新评价：{r.get_rating_display()}",
                )
                for r in latest.values()
            ),
            key=lambda rec: rec.day,
            reverse=True,
        )
    registered = AppealEvent.objects.filter(
        appeal=OuterRef("pk"), action="register", at__gte=start, at__lt=end
    )
    should = appeals.filter(merged_into__isnull=True).filter(Exists(registered))
    should = should.annotate(reg_at=_first_register(start, end))
    if key in ("close_rate", "on_time_close_rate"):
        closed = Q(status=Status.CLOSED, closed_at__lt=end)
        if key == "on_time_close_rate":
            closed &= Q(closed_at__lte=F("resolve_due_at"))
        rows = should.annotate(ok=_flag(closed))
        return [
            Record(
                local_day(a.reg_at),
                f"#{a.pk} {a.display_title}",
                bool(a.ok),
                _appeal_link(a.pk),
                _close_state(a, end),
            )
            for a in rows.order_by("-reg_at", "-id")
        ]
    if key == "rework_rate":
        rows = should.filter(_has_event("verify", end, passed=True)).annotate(bad=_has_event("reopen", end))
        return _registered_records(rows, bad="已重办", good="未重办")
    if key == "extension_rate":
        rows = should.filter(_has_event("dispatch", end) | _has_event("whistle", end)).annotate(
            bad=_has_event("approve_extension", end)
        )
        return _registered_records(rows, bad="批准延期", good="未延期")
    raise KeyError(key)


def _first_register(start, end):
    from django.db.models import Subquery

    from redgrid.appeals.models import AppealEvent

    return Subquery(
        AppealEvent.objects.filter(appeal=OuterRef("pk"), action="register", at__gte=start, at__lt=end)
        .order_by("at")
        .values("at")[:1]
    )


def _close_state(appeal, end) -> str:
    if appeal.status == "closed" and appeal.closed_at and appeal.closed_at < end:
        late = appeal.resolve_due_at and appeal.closed_at > appeal.resolve_due_at
        return "超期结案" if late else "按期结案"
    return appeal.get_status_display()


# --- folded indicators ---------------------------------------------------------------------------------------


def item_records(items) -> list[Record]:
    out = []
    for item in items:
        source = SOURCES[item.source]
        out.append(Record(item.day, item.label, not item.failed, source.link(item.key), _item_value(item)))
    return out


def _item_value(item) -> str:
    ind = I.INDICATORS.get(item.indicator)
    if ind is None or ind.kind == "rate":
        return ""
    return f"{item.numerator / ind.scale:g}{ind.unit}"


def records(node: Node, ind: I.Indicator, period: Period, *, failed_only: bool = False):
    """The records behind a node's number: a list (appeals) or a FactItem queryset (folded)."""
    if not ind.folded:
        rows = appeal_records(node, ind, period)
        return [r for r in rows if not r.ok] if failed_only else rows
    first, end = period.start, period.end
    if ind.yearly:
        first, end = date(period.start.year, 1, 1), date(period.start.year, 1, 2)
    qs = rollup.items_under(node.tree, node.id, node.path, ind.key, first, end)
    if failed_only:
        qs = qs.filter(numerator__lt=F("denominator"))
    return qs


def _registered_records(rows, *, bad: str, good: str) -> list[Record]:
    """Appeals registered in the period, each flagged by its `bad` annotation (返工、延期 count against)."""
    return [
        Record(
            local_day(a.reg_at),
            f"#{a.pk} {a.display_title}",
            not a.bad,
            _appeal_link(a.pk),
            bad if a.bad else good,
        )
        for a in rows.order_by("-reg_at", "-id")
    ]
