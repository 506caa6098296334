"""民主评议党员 (yearly democratic evaluation of members): 个人自评 → 党员互评 → 民主测评 → 支部评定.

rules.md §1 (H): normally once a year; self assessment, then peer assessment, then 民主测评 with the four
grades 优秀 / 合格 / 基本合格 / 不合格; the branch decides each member's final grade. Local limits, all in
the rules table: the share of 优秀 (`party.evaluation.excellent_max_percent`), and rules.md §5: in-service
members who did not report to a community (双报到) cannot be graded 合格 or above
(`party.dual_report.required_for_good_grade`).

The member's yearly record (final grade, 双报到 hours, residents' 网上评议) is assembled by
`member_yearly_record` for the member profile.
"""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Conflict
from redgrid.core.rules import define, rule_value
from redgrid.party import dual_report
from redgrid.party.models import (
    DualServiceRecord,
    EvaluationEntry,
    EvaluationEvent,
    EvaluationGrade,
    EvaluationRound,
    EvaluationVote,
    PartyMember,
    PartyOrg,
    PeerReview,
)
from redgrid.party.reporting import require_writer
from redgrid.party.selectors import party_orgs_visible_to

Phase = EvaluationRound.Phase
Grade = EvaluationGrade
EVALUATION_RULE = "民主评议党员（rules.md §1：自我评价→党员互评→民主测评，优秀/合格/基本合格/不合格）"

define(
    "party.evaluation.excellent_max_percent",
    30,
    "民主评议中评为优秀的党员占参评党员的最高比例（%）",
    "各地做法（民主评议党员）",
    "L",
)

#: Phases follow each other in one direction only.
PHASE_TRANSITIONS: Mapping[str, frozenset[str]] = {
    Phase.SELF: frozenset({Phase.PEER}),
    Phase.PEER: frozenset({Phase.VOTING}),
    Phase.VOTING: frozenset({Phase.DECIDING}),
    Phase.DECIDING: frozenset({Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}
NEXT_PHASE = {p: next(iter(t)) for p, t in PHASE_TRANSITIONS.items() if t}
GOOD_GRADES = frozenset({Grade.EXCELLENT, Grade.QUALIFIED})


def _notify(ids, *, title: str, link: str) -> None:
    from redgrid.party.services import _notify as notify

    notify(ids, title=title, link=link, kind="party.evaluation")


def _accounts(members) -> list[int]:
    from redgrid.party.services import _accounts_of

    return _accounts_of(members)


def _event(rnd, *, actor, action, from_state="", note="", data=None) -> EvaluationEvent:
    return EvaluationEvent.objects.create(
        round=rnd,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=rnd.phase,
        note=note,
        data=data or {},
    )


def _locked(rnd) -> EvaluationRound:
    return EvaluationRound.objects.select_for_update(of=("self",)).select_related("org").get(pk=rnd.pk)


def _require_phase(rnd: EvaluationRound, phase: str) -> None:
    if rnd.phase != phase:
        raise Conflict(f"本次民主评议当前处于“{rnd.get_phase_display()}”阶段，不能进行“{Phase(phase).label}”")


def excellent_cap(participants: int) -> int:
    """Most members who may be graded 优秀 (the share is a ceiling, so it rounds down)."""
    return participants * int(rule_value("party.evaluation.excellent_max_percent")) // 100


# --- services ----------------------------------------------------------------------------------------------


def evaluation_open(*, actor, org: PartyOrg, year: int) -> EvaluationRound:
    """Open the year's round for a branch: every active member (with its groups') takes part.

    The round for year Y may be opened in Y or in the following year (评议 often takes place in January).
    """
    require_writer(actor, "民主评议")
    if org.kind not in PartyOrg.BRANCH_KINDS:
        raise ValidationError("民主评议党员由党支部组织")
    today = timezone.localdate()
    if year not in (today.year, today.year - 1):
        raise ValidationError(f"只能开展 {today.year - 1} 或 {today.year} 年度的民主评议")
    from redgrid.party.services import active_members_under

    with transaction.atomic():
        org = PartyOrg.objects.select_for_update().get(pk=org.pk)
        if EvaluationRound.objects.filter(org=org, year=year).exists():
            raise Conflict(f"{org.name}{year}年度民主评议已开展（每年一次，{EVALUATION_RULE}）")
        members = list(active_members_under(org).select_related("person"))
        if not members:
            raise ValidationError("本支部没有参评党员")
        rnd = EvaluationRound.objects.create(
            org=org, year=year, opened_by=actor if getattr(actor, "pk", None) else None
        )
        EvaluationEntry.objects.bulk_create([EvaluationEntry(round=rnd, member=m) for m in members])
        _event(rnd, actor=actor, action="open", data={"participants": len(members)})
        audit.record(
            "party.evaluation.open", rnd, actor=actor, summary={"year": year, "participants": len(members)}
        )
        _notify(
            _accounts(members),
            title=f"{year}年度民主评议党员开始，请填写个人自评",
            link="/party/h5/evaluation/",
        )
    return rnd


def evaluation_advance(*, actor, round: EvaluationRound) -> EvaluationRound:
    """Move to the next phase; closing needs every member graded and the 优秀 share within the limit."""
    require_writer(actor, "民主评议")
    with transaction.atomic():
        rnd = _locked(round)
        to = NEXT_PHASE.get(rnd.phase)
        if to is None or to not in PHASE_TRANSITIONS[rnd.phase]:
            raise Conflict("本次民主评议已结束")
        entries = list(rnd.entries.select_related("member__person"))
        if to == Phase.CLOSED:
            missing = [e.member.person.name for e in entries if not e.final_grade]
            if missing:
                raise Conflict(f"还有 {len(missing)} 名党员未评定等次：{'、'.join(missing[:10])}")
            excellent = sum(1 for e in entries if e.final_grade == Grade.EXCELLENT)
            if excellent > excellent_cap(len(entries)):
                raise Conflict(_cap_message(len(entries)))
            rnd.closed_at = timezone.now()
        old, rnd.phase = rnd.phase, to
        rnd.save(update_fields=["phase", "closed_at"])
        _event(rnd, actor=actor, action="advance", from_state=old)
        audit.record("party.evaluation.advance", rnd, actor=actor, summary={"from": old, "to": to})
        prompts = {
            Phase.PEER: "民主评议进入党员互评阶段，请对其他党员提出意见",
            Phase.VOTING: "民主评议进入民主测评阶段，请填写测评票",
            Phase.DECIDING: "民主测评已结束，支部正在评定等次",
            Phase.CLOSED: f"{rnd.year}年度民主评议已结束，请查看评定结果",
        }
        _notify(_accounts([e.member for e in entries]), title=prompts[to], link="/party/h5/evaluation/")
    return rnd


def entry_of(user, rnd: EvaluationRound) -> EvaluationEntry:
    entry = (
        EvaluationEntry.objects.filter(round=rnd, member__person_id=getattr(user, "person_id", None) or -1)
        .select_related("member__person")
        .first()
    )
    if entry is None:
        raise PermissionDenied("您不是本次民主评议的参评党员")
    return entry


def _grade(value: str) -> str:
    if value not in Grade.values:
        raise ValidationError(f"等次应为：{'、'.join(Grade.labels)}")
    return value


def evaluation_self_assess(*, actor, round: EvaluationRound, text: str, grade: str) -> EvaluationEntry:
    """个人自评: the member writes their self assessment and proposes a grade (editable during the phase)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写个人自评内容")
    grade = _grade(grade)
    with transaction.atomic():
        rnd = _locked(round)
        _require_phase(rnd, Phase.SELF)
        entry = entry_of(actor, rnd)
        entry.self_assessment, entry.self_grade, entry.self_at = text[:5000], grade, timezone.now()
        entry.save(update_fields=["self_assessment", "self_grade", "self_at"])
        _event(rnd, actor=actor, action="self", data={"entry": entry.pk})
    return entry


def evaluation_peer_review(*, actor, round: EvaluationRound, reviewee_id: int, comment: str) -> PeerReview:
    """党员互评: a comment on another participant (one per pair, editable during the phase)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("请填写互评意见")
    with transaction.atomic():
        rnd = _locked(round)
        _require_phase(rnd, Phase.PEER)
        reviewer = entry_of(actor, rnd)
        reviewee = EvaluationEntry.objects.filter(round=rnd, pk=reviewee_id).first()
        if reviewee is None:
            raise ValidationError("被评议的党员不在本次民主评议中")
        if reviewee.pk == reviewer.pk:
            raise ValidationError("互评是对其他党员的评议，个人情况请在自评中填写")
        review, _ = PeerReview.objects.update_or_create(
            reviewer=reviewer, reviewee=reviewee, defaults={"round": rnd, "comment": comment[:300]}
        )
        _event(rnd, actor=actor, action="peer", data={"reviewer": reviewer.pk, "reviewee": reviewee.pk})
    return review


def evaluation_vote(*, actor, round: EvaluationRound, grades: Mapping[int, str]) -> int:
    """民主测评: one ballot grading every other participant; cast once (a unique constraint backs the lock)."""
    with transaction.atomic():
        rnd = _locked(round)
        _require_phase(rnd, Phase.VOTING)
        voter = entry_of(actor, rnd)
        EvaluationEntry.objects.select_for_update().get(pk=voter.pk)
        if EvaluationVote.objects.filter(voter=voter).exists():
            raise Conflict("您已提交民主测评票，每人只能投一次")
        others = set(rnd.entries.exclude(pk=voter.pk).values_list("pk", flat=True))
        chosen = {int(k): _grade(v) for k, v in grades.items()}
        if set(chosen) - others:
            raise ValidationError("测评票中有不属于本次评议的党员（不对本人测评）")
        if others - set(chosen):
            raise ValidationError(f"请对每一位党员作出评价（还差 {len(others - set(chosen))} 人）")
        try:
            EvaluationVote.objects.bulk_create(
                [EvaluationVote(round=rnd, voter=voter, entry_id=k, grade=g) for k, g in chosen.items()]
            )
        except IntegrityError as exc:
            raise Conflict("您已提交民主测评票，每人只能投一次") from exc
        _event(rnd, actor=actor, action="vote", data={"voter": voter.pk, "count": len(chosen)})
        audit.record("party.evaluation.vote", rnd, actor=actor, summary={"count": len(chosen)})
    return len(chosen)


def _cap_message(participants: int) -> str:
    pct = rule_value("party.evaluation.excellent_max_percent")
    return (
        f"本支部参评党员 {participants} 人，评为优秀的比例不超过 {pct}%，最多 {excellent_cap(participants)} 人"
        f"（依据：规则表 party.evaluation.excellent_max_percent，各地民主评议做法）"
    )


def evaluation_decide(
    *, actor, round: EvaluationRound, entry_id: int, grade: str, reason: str = ""
) -> EvaluationEntry:
    """支部评定: the branch sets a member's final grade.

    1. Only in the 支部评定 phase; 基本合格 and 不合格 need a reason.
    2. rules.md §5: an in-service member without a confirmed 双报到 registration during the year cannot
       be graded 合格 or above (when `party.dual_report.required_for_good_grade` is on).
    3. 优秀 at most `party.evaluation.excellent_max_percent` of the participants (the round row is locked,
       so two secretaries cannot both take the last place).
    """
    require_writer(actor, "民主评议")
    grade = _grade(grade)
    reason = (reason or "").strip()
    if grade in (Grade.BASIC, Grade.UNQUALIFIED) and not reason:
        raise ValidationError(f"评定为“{Grade(grade).label}”须写明理由")
    with transaction.atomic():
        rnd = _locked(round)
        _require_phase(rnd, Phase.DECIDING)
        entry = (
            EvaluationEntry.objects.select_related("member__person").filter(round=rnd, pk=entry_id).first()
        )
        if entry is None:
            raise ValidationError("该党员不在本次民主评议中")
        member = entry.member
        if (
            grade in GOOD_GRADES
            and member.in_service
            and rule_value("party.dual_report.required_for_good_grade")
        ):
            first, last = date(rnd.year, 1, 1), date(rnd.year, 12, 31)
            if member.pk not in dual_report.reported_members([member.pk], first, last):
                raise ValidationError(
                    f"{member.person.name}是在职党员，{rnd.year}年未到社区报到（双报到），不能评为合格及以上"
                    + dual_report.CITATION
                )
        if grade == Grade.EXCELLENT and entry.final_grade != Grade.EXCELLENT:
            participants = rnd.entries.count()
            taken = rnd.entries.filter(final_grade=Grade.EXCELLENT).count()
            if taken + 1 > excellent_cap(participants):
                raise ValidationError(_cap_message(participants))
        old = entry.final_grade
        entry.final_grade, entry.final_reason = grade, reason[:300]
        entry.decided_by, entry.decided_at = actor, timezone.now()
        entry.save(update_fields=["final_grade", "final_reason", "decided_by", "decided_at"])
        _event(
            rnd,
            actor=actor,
            action="decide",
            from_state=rnd.phase,
            note=reason,
            data={"entry": entry.pk, "from": old, "grade": grade},
        )
        audit.record(
            "party.evaluation.decide",
            entry.member,
            actor=actor,
            summary={"year": rnd.year, "grade": grade, "from": old},
        )
    return entry


# --- reads ---------------------------------------------------------------------------------------------------


def rounds_visible_to(user) -> QuerySet[EvaluationRound]:
    if not scope_of(user).is_staff:
        return EvaluationRound.objects.none()
    return EvaluationRound.objects.filter(org__in=party_orgs_visible_to(user).values("pk"))


def access_round(user, pk) -> EvaluationRound:
    return get_or_404(rounds_visible_to(user).select_related("org"), pk=pk)


def member_rounds(user) -> QuerySet[EvaluationRound]:
    """Rounds the account takes part in (H5)."""
    return EvaluationRound.objects.filter(entries__member__person_id=getattr(user, "person_id", None) or -1)


def access_member_round(user, pk) -> EvaluationRound:
    return get_or_404(member_rounds(user).select_related("org"), pk=pk)


def tally(rnd: EvaluationRound) -> dict[int, dict[str, int]]:
    """民主测评 votes per participant and grade (one query)."""
    result: dict[int, dict[str, int]] = {}
    for row in rnd.votes.values("entry_id", "grade").annotate(n=Count("id")):
        result.setdefault(row["entry_id"], dict.fromkeys(Grade.values, 0))[row["grade"]] = row["n"]
    return result


def round_rows(rnd: EvaluationRound) -> list[EvaluationEntry]:
    """Participants with their vote tally, peer comments received and ballots cast (4 queries)."""
    entries = list(rnd.entries.select_related("member__person").order_by("member__person__name", "id"))
    votes = tally(rnd)
    peers: dict[int, list[PeerReview]] = {}
    for p in PeerReview.objects.filter(round=rnd).select_related("reviewer__member__person"):
        peers.setdefault(p.reviewee_id, []).append(p)
    voted = set(rnd.votes.values_list("voter_id", flat=True).distinct())
    for e in entries:
        e.tally = votes.get(e.pk, dict.fromkeys(Grade.values, 0))
        e.tally_list = [(Grade(g).label, n) for g, n in e.tally.items()]
        e.peers = peers.get(e.pk, [])
        e.voted = e.pk in voted
    return entries


def member_yearly_record(member: PartyMember, today: date | None = None) -> list[dict]:
    """The member's record per year: final 民主评议 grade, 双报到 status and hours, and residents' 网上评议."""
    today = today or timezone.localdate()
    grades = {
        e["round__year"]: e
        for e in member.evaluations.filter(round__phase=Phase.CLOSED).values(
            "round__year", "final_grade", "final_reason"
        )
    }
    hours = dict(
        DualServiceRecord.objects.filter(member=member, status=DualServiceRecord.Status.CONFIRMED)
        .annotate(y=ExtractYear("served_on"))
        .values("y")
        .annotate(h=Sum("hours"))
        .values_list("y", "h")
    )
    ratings = online_ratings_by_year(member)
    years = sorted(set(grades) | set(hours) | set(ratings) | {today.year}, reverse=True)
    windows = list(
        member.dual_registrations.filter(status__in=dual_report.EFFECTIVE).values_list(
            "confirmed_on", "valid_until"
        )
    )
    reported = {y for y in years for first, last in windows if first.year <= y <= last.year}
    labels = dict(Grade.choices)
    return [
        {
            "year": y,
            "grade": labels.get(grades.get(y, {}).get("final_grade", ""), ""),
            "reason": grades.get(y, {}).get("final_reason", ""),
            "hours": dual_report.as_hours(hours.get(y)),
            "reported": y in reported if member.in_service else None,
            "rating_avg": ratings[y]["avg"] if y in ratings else None,
            "rating_count": ratings[y]["n"] if y in ratings else 0,
        }
        for y in years
    ]


def online_ratings_by_year(member: PartyMember) -> dict[int, dict]:
    """Residents' 网上评议 of the member per year, from the participation app (one query for the periods with
    ratings, one per period): {year: {"avg": mean score over the year's ratings, "n": ratings}}."""
    from redgrid.participation import evaluation as ratings

    totals: dict[int, list[float]] = {}
    for period in ratings.periods():
        score = ratings.evaluation_scores(ratings.T.MEMBER, period, target_ids=[member.pk]).get(member.pk)
        if score:
            year = totals.setdefault(int(period[:4]), [0.0, 0])
            year[0] += score["average"] * score["count"]
            year[1] += score["count"]
    return {y: {"avg": round(total / n, 2), "n": n} for y, (total, n) in totals.items()}
