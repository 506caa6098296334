"""网上评议: residents rate the party organisations, party members and units that serve where they live —
1 to 5 stars and a comment, once per target and period (a unique constraint), aggregated per period.

For the assessment module: `evaluation_scores(target_type, period)` (see its docstring) and
`period_of(day)`. Raters stay anonymous to the rated; staff see comments only for targets in scope.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Conflict
from redgrid.core.rules import rule_value
from redgrid.participation import deliberation_rules  # noqa: F401  (defines the rules read below)
from redgrid.participation.audience import ancestors, home_paths
from redgrid.participation.models import Evaluation
from redgrid.participation.services import _clean_text
from redgrid.regions.models import Region

T = Evaluation.TargetType
PERIOD_KINDS = ("month", "quarter", "half", "year")


def period_of(day: date | None = None, kind: str | None = None) -> str:
    """The period key a rating on `day` counts in: 2026-07 (month), 2026Q3, 2026H2 or 2026."""
    kind = kind or rule_value("evaluation.period")
    d = day or timezone.localdate()
    if kind == "month":
        return f"{d.year}-{d.month:02d}"
    if kind == "half":
        return f"{d.year}H{1 if d.month <= 6 else 2}"
    if kind == "year":
        return f"{d.year}"
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


# --- who may be rated by whom ---------------------------------------------------------------------------


def rateable(user, target_type: str) -> QuerySet:
    """The targets of a type this account may rate (and so see on the rating page).

    - 党组织: organisations responsible for the home grid or a region above it (网格党支部, 社区党委, …),
      and for a member also their own organisation.
    - 党员: active members living in the same community or reporting to it (双报到), except oneself.
    - 责任单位: active units whose service area holds the home grid.
    """
    from redgrid.party.models import PartyMember, PartyOrg
    from redgrid.units.models import Unit

    grid_path, org_path = home_paths(user)
    if target_type == T.BRANCH:
        q = Q(regions__path__in=ancestors(grid_path)) if grid_path else Q(pk__in=[])
        if org_path:
            q |= Q(path=org_path)
        return PartyOrg.objects.filter(pk__in=PartyOrg.objects.filter(q).values("pk")).order_by("path")
    if target_type == T.MEMBER:
        if not grid_path:
            return PartyMember.objects.none()
        community = grid_path[: -Region.steplen]  # the home grid's community
        q = Q(person__household__building__grid__path__startswith=community) | Q(home_community__path=community)
        return (
            PartyMember.objects.filter(q, status__in=PartyMember.ACTIVE)
            .exclude(person_id=user.person_id)
            .select_related("person", "org")
            .order_by("org__path", "id")
        )
    if target_type == T.UNIT:
        if not grid_path:
            return Unit.objects.none()
        return Unit.objects.filter(is_active=True, area__path__in=ancestors(grid_path)).order_by("name")
    raise ValidationError("评议对象类型不正确（branch / member / unit）")


def access_rateable(user, target_type: str, pk):
    return get_or_404(rateable(user, target_type), pk=pk)


def target_label(target_type: str, obj) -> str:
    if target_type == T.MEMBER:
        return f"{obj.person.name}（{obj.org.name}）"
    return obj.name


def evaluation_submit(*, actor, target_type: str, target_id: int, score, comment: str = "") -> Evaluation:
    """Rate a target for the current period; a second rating of the same target in the period is 409."""
    if target_type not in T.values:
        raise ValidationError("评议对象类型不正确（branch / member / unit）")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError("评分须为 1–5 的整数")
    comment = _clean_text(comment, label="评语", max_length=300, required=False)
    if not rateable(actor, target_type).filter(pk=target_id).exists():
        raise PermissionDenied("您只能评议为您所在社区服务的党组织、党员和单位")
    period = period_of()
    try:
        with transaction.atomic():
            row = Evaluation.objects.create(
                rater=actor, target_type=target_type, target_id=target_id, period=period, score=score, comment=comment
            )
            audit.record(
                "evaluation.submit",
                row,
                actor=actor,
                summary={"target_type": target_type, "target_id": target_id, "period": period, "score": score},
            )
    except IntegrityError as exc:
        raise Conflict(f"本期（{period}）您已评议过该对象，每个评议周期只能评议一次") from exc
    return row


def my_ratings(user, target_type: str, period: str | None = None) -> dict[int, Evaluation]:
    """The account's ratings of a type in the period, by target id (to mark what is done on the page)."""
    rows = Evaluation.objects.filter(rater=user, target_type=target_type, period=period or period_of())
    return {r.target_id: r for r in rows}


# --- aggregates -----------------------------------------------------------------------------------------


def evaluation_scores(target_type: str, period: str, target_ids=None) -> dict[int, dict]:
    """Per target of `target_type` rated in `period` (one query):

    {target_id: {"count": n, "average": 4.25, "satisfaction": 75.0, "distribution": {1: 0, …, 5: 2}}}

    `average` is the mean score (2 decimals); `satisfaction` the share of 4- and 5-star ratings in % (1
    decimal). Targets without ratings are absent. `target_ids` limits the result (e.g. to a subtree).
    This is the entry point for the assessment module (居民评价 KPI)."""
    qs = Evaluation.objects.filter(target_type=target_type, period=period)
    if target_ids is not None:
        qs = qs.filter(target_id__in=list(target_ids))
    stars = {f"s{i}": Count("id", filter=Q(score=i)) for i in range(1, 6)}
    rows = qs.values("target_id").annotate(n=Count("id"), avg=Avg("score"), **stars)
    out = {}
    for r in rows:
        dist = {i: r[f"s{i}"] for i in range(1, 6)}
        out[r["target_id"]] = {
            "count": r["n"],
            "average": round(float(r["avg"]), 2),
            "satisfaction": round((dist[4] + dist[5]) * 100 / r["n"], 1),
            "distribution": dist,
        }
    return out


def targets_in_scope(user, target_type: str) -> QuerySet:
    """The targets of a type a staff account may see the results of."""
    from redgrid.party.selectors import members_visible_to, party_orgs_visible_to
    from redgrid.units.selectors import units_visible_to

    if target_type == T.BRANCH:
        return party_orgs_visible_to(user).order_by("path")
    if target_type == T.MEMBER:
        return members_visible_to(user).select_related("person", "org").order_by("org__path", "id")
    if target_type == T.UNIT:
        return units_visible_to(user).order_by("name")
    raise ValidationError("评议对象类型不正确（branch / member / unit）")


def score_table(user, target_type: str, period: str) -> list[dict]:
    """Staff: the rated targets in scope for a period, best average first (two queries: scores, names)."""
    if not scope_of(user).is_staff:
        return []
    scores = evaluation_scores(target_type, period)
    targets = targets_in_scope(user, target_type).filter(pk__in=list(scores))
    rows = [{"id": t.pk, "name": target_label(target_type, t), **scores[t.pk]} for t in targets]
    return sorted(rows, key=lambda r: (-r["average"], -r["count"], r["id"]))


def comments_for(user, target_type: str, target_id: int, period: str) -> QuerySet[Evaluation]:
    """Staff with the target in scope: the period's ratings with comments (raters not shown)."""
    get_or_404(targets_in_scope(user, target_type), pk=target_id)
    return Evaluation.objects.filter(target_type=target_type, target_id=target_id, period=period).exclude(comment="")


def periods() -> list[str]:
    """Periods with ratings, newest first, always including the current one."""
    rows = set(Evaluation.objects.values_list("period", flat=True).distinct())
    rows.add(period_of())
    return sorted(rows, reverse=True)
