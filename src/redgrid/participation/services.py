"""Writes of the 微心愿 workflow: post → approve/reject → claim (or shake) → release/expire → fulfil → confirm.

Every service runs in one transaction, locks the wish row, validates the transition against
`TRANSITIONS`, writes a `WishEvent`, an audit row, and queues inbox notifications for after commit.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.api import Conflict
from redgrid.core.models import Notification
from redgrid.core.rules import rule_value
from redgrid.core.uploads import sniff_image
from redgrid.participation import rules  # noqa: F401  (defines the rules read below)
from redgrid.participation.models import Wish, WishEvent, WishPhoto
from redgrid.participation.selectors import (
    can_review,
    member_of,
    open_claim_count,
    shake_candidates,
    wish_reviewer_ids,
)

S = Wish.Status


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    who: str  # reviewer | member | claimer | poster | system
    label: str


# The wish workflow as data (design.md §6); tested directly in test_wish_transitions.
TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(frozenset({S.PENDING}), S.OPEN, "reviewer", "审核通过"),
    "reject": Transition(frozenset({S.PENDING}), S.REJECTED, "reviewer", "驳回"),
    "claim": Transition(frozenset({S.OPEN}), S.CLAIMED, "member", "认领"),
    "release": Transition(frozenset({S.CLAIMED}), S.OPEN, "claimer", "放弃认领"),
    "expire": Transition(frozenset({S.CLAIMED}), S.OPEN, "system", "超期退回"),
    "fulfil": Transition(frozenset({S.CLAIMED}), S.FULFILLED, "claimer", "提交实现情况"),
    "confirm": Transition(frozenset({S.FULFILLED}), S.CONFIRMED, "poster", "确认实现"),
}


class StateConflict(Conflict):
    """The wish is no longer in a state that allows the action (someone else acted first)."""


def allowed_actions(wish: Wish) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if wish.status in t.sources and t.who != "system"]


def actions_for(user, wish: Wish) -> list[str]:
    """The actions this account may take on the wish now (the buttons a page shows)."""
    result = []
    for name in allowed_actions(wish):
        try:
            _check_actor(wish, TRANSITIONS[name], user)
        except PermissionDenied:
            continue
        result.append(name)
    return result


def _check_state(wish: Wish, action: str) -> Transition:
    t = TRANSITIONS[action]
    if wish.status not in t.sources:
        raise StateConflict(f"该心愿当前状态为「{wish.get_status_display()}」，不能{t.label}")
    return t


def _check_actor(wish: Wish, t: Transition, actor) -> None:
    if t.who == "reviewer" and not can_review(actor, wish):
        raise PermissionDenied("只有该网格的社区、网格员或负责的党组织书记可以审核心愿")
    if t.who == "member":
        if member_of(actor) is None:
            raise PermissionDenied("只有党员可以认领心愿")
        if wish.poster_id == actor.pk:
            raise PermissionDenied("不能认领自己发布的心愿")
    if t.who == "claimer" and wish.claimed_by_id != actor.pk:
        raise PermissionDenied("只有认领该心愿的党员可以执行此操作")
    if t.who == "poster" and wish.poster_id != actor.pk:
        raise PermissionDenied("只有发布该心愿的居民可以确认")


def _locked(wish) -> Wish:
    pk = wish.pk if isinstance(wish, Wish) else wish
    return Wish.objects.select_for_update(of=("self",)).select_related("grid").get(pk=pk)


def _event(wish: Wish, *, actor, action: str, from_state: str, note: str = "", data=None) -> WishEvent:
    return WishEvent.objects.create(
        wish=wish,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=wish.status,
        note=note,
        data=data or {},
    )


def _notify(user_ids, wish: Wish, title: str, body: str = "") -> None:
    """Inbox rows for the given accounts, created only if the transaction commits."""
    ids = sorted({u for u in user_ids if u})
    link = f"/participation/wishes/{wish.pk}/"

    def send():
        Notification.objects.bulk_create(
            [Notification(recipient_id=u, title=title, body=body, link=link, kind="wish") for u in ids]
        )

    if ids:
        transaction.on_commit(send)


# --- validation ---------------------------------------------------------------------------------------

def photo_type(head: bytes) -> str | None:
    """The image type from the file's first bytes (never from its name or declared type)."""
    kind = sniff_image(head)
    return kind[0] if kind else None


def validate_photo(upload) -> None:
    limit_mb = rule_value("wish.photo_max_mb")
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(f"照片不能超过 {limit_mb} MB")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if photo_type(head) is None:
        raise ValidationError("照片格式不支持，请上传 JPEG、PNG 或 WebP 图片")


def _clean_text(value: str, *, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(f"请填写{label}")
    if len(value) > max_length:
        raise ValidationError(f"{label}不能超过 {max_length} 个字")
    return value


# --- services -----------------------------------------------------------------------------------------


def wish_post(
    *, actor, title: str, content: str, value_estimate: int | None = None, category: str = "", photo=None
) -> Wish:
    """A resident posts a wish; the grid comes from their household now; reviewers are told."""
    person = actor.person
    household = person.household if person is not None and person.household_id else None
    if household is None:
        raise ValidationError("您的账号尚未关联住户信息，请先联系社区或网格员登记后再发布心愿")
    title = _clean_text(title, label="心愿标题", max_length=60)
    content = _clean_text(content, label="心愿说明", max_length=1000)
    category = category or Wish.Category.OTHER
    if category not in Wish.Category.values:
        raise ValidationError("心愿类别不正确")
    cap = rule_value("wish.value_cap")
    if value_estimate is not None:
        if value_estimate < 0:
            raise ValidationError("估值不能为负数")
        if value_estimate > cap:
            raise ValidationError(f"微心愿估值不能超过 {cap} 元")
    if photo is not None:
        validate_photo(photo)
    with transaction.atomic():
        wish = Wish(
            poster=actor,
            household=household,
            grid=household.building.grid,
            title=title,
            content=content,
            value_estimate=value_estimate,
            category=category,
        )
        if photo is not None:
            wish.photo = photo
        wish.save()
        _event(wish, actor=actor, action="post", from_state="")
        audit.record("wish.post", wish, actor=actor, summary={"grid": wish.grid.code})
        _notify(wish_reviewer_ids(wish), wish, f"新的微心愿待审核：{wish.title}")
    return wish


def wish_approve(*, actor, wish) -> Wish:
    with transaction.atomic():
        wish = _locked(wish)
        t = _check_state(wish, "approve")
        _check_actor(wish, t, actor)
        wish.status = t.target
        wish.save(update_fields=["status", "updated_at"])
        _event(wish, actor=actor, action="approve", from_state=S.PENDING)
        audit.record("wish.approve", wish, actor=actor)
        _notify([wish.poster_id], wish, f"您的微心愿已通过审核：{wish.title}", "心愿已上墙，等待党员认领。")
    return wish


def wish_reject(*, actor, wish, reason: str) -> Wish:
    reason = _clean_text(reason, label="驳回原因", max_length=200)
    with transaction.atomic():
        wish = _locked(wish)
        t = _check_state(wish, "reject")
        _check_actor(wish, t, actor)
        wish.status, wish.reject_reason = t.target, reason
        wish.save(update_fields=["status", "reject_reason", "updated_at"])
        _event(wish, actor=actor, action="reject", from_state=S.PENDING, note=reason)
        audit.record("wish.reject", wish, actor=actor, summary={"reason": reason})
        _notify([wish.poster_id], wish, f"您的微心愿未通过审核：{wish.title}", f"原因：{reason}")
    return wish


def wish_claim(*, actor, wish) -> Wish:
    """A party member claims an open wish.

    1. Lock the member's record, so two claims by the same member are counted one after the other.
    2. Lock the wish row, so two members cannot both claim it (the second sees「已认领」→ 409).
    3. Check the state, the actor and the open-claims limit; set the claim deadline.
    """
    from redgrid.party.models import PartyMember

    with transaction.atomic():
        member = member_of(actor)
        if member is not None:
            PartyMember.objects.select_for_update().filter(pk=member.pk).first()
        wish = _locked(wish)
        t = _check_state(wish, "claim")
        _check_actor(wish, t, actor)
        limit = rule_value("wish.claim_limit")
        if open_claim_count(actor) >= limit:
            raise Conflict(f"您已认领 {limit} 个尚未完成的心愿，请先完成后再认领")
        now = timezone.now()
        wish.status, wish.claimed_by, wish.claimed_at = t.target, actor, now
        wish.claim_due_at = now + timedelta(days=rule_value("wish.claim_days"))
        wish.save(update_fields=["status", "claimed_by", "claimed_at", "claim_due_at", "updated_at"])
        _event(
            wish, actor=actor, action="claim", from_state=S.OPEN, data={"due": wish.claim_due_at.isoformat()}
        )
        audit.record("wish.claim", wish, actor=actor)
        _notify([wish.poster_id], wish, f"您的微心愿已被党员认领：{wish.title}")
    return wish


def wish_shake(*, actor) -> Wish:
    """摇一摇: claim a random open wish in the member's communities (retrying if another member was faster)."""
    if member_of(actor) is None:
        raise PermissionDenied("只有党员可以认领心愿")
    limit = rule_value("wish.claim_limit")
    if open_claim_count(actor) >= limit:
        raise Conflict(f"您已认领 {limit} 个尚未完成的心愿，请先完成后再认领")
    rng = random.SystemRandom()
    for _ in range(3):
        ids = list(shake_candidates(actor).values_list("pk", flat=True)[:200])
        if not ids:
            break
        try:
            return wish_claim(actor=actor, wish=rng.choice(ids))
        except StateConflict:
            continue
    raise Conflict("附近暂时没有待认领的心愿，过会儿再摇一摇吧")


def wish_release(*, actor, wish, reason: str = "") -> Wish:
    with transaction.atomic():
        wish = _locked(wish)
        t = _check_state(wish, "release")
        _check_actor(wish, t, actor)
        wish.status, wish.claimed_by, wish.claimed_at, wish.claim_due_at = t.target, None, None, None
        wish.save(update_fields=["status", "claimed_by", "claimed_at", "claim_due_at", "updated_at"])
        _event(wish, actor=actor, action="release", from_state=S.CLAIMED, note=reason.strip()[:200])
        audit.record("wish.release", wish, actor=actor)
        _notify([wish.poster_id], wish, f"认领党员已放弃您的微心愿，心愿已回到心愿墙：{wish.title}")
    return wish


def wish_fulfil(*, actor, wish, content: str, photos=()) -> Wish:
    content = _clean_text(content, label="实现情况", max_length=1000)
    for p in photos:
        validate_photo(p)
    with transaction.atomic():
        wish = _locked(wish)
        t = _check_state(wish, "fulfil")
        _check_actor(wish, t, actor)
        wish.status, wish.fulfilment, wish.fulfilled_at = t.target, content, timezone.now()
        wish.save(update_fields=["status", "fulfilment", "fulfilled_at", "updated_at"])
        for p in photos:
            WishPhoto.objects.create(wish=wish, image=p, uploaded_by=actor)
        _event(
            wish,
            actor=actor,
            action="fulfil",
            from_state=S.CLAIMED,
            note=content,
            data={"photos": len(photos)},
        )
        audit.record("wish.fulfil", wish, actor=actor)
        _notify([wish.poster_id], wish, f"您的微心愿已实现，请确认：{wish.title}", content[:200])
    return wish


def wish_confirm(*, actor, wish, thanks: str = "") -> Wish:
    thanks = _clean_text(thanks, label="感谢留言", max_length=300, required=False)
    with transaction.atomic():
        wish = _locked(wish)
        t = _check_state(wish, "confirm")
        _check_actor(wish, t, actor)
        wish.status, wish.confirmed_at, wish.thanks = t.target, timezone.now(), thanks
        wish.save(update_fields=["status", "confirmed_at", "thanks", "updated_at"])
        _event(wish, actor=actor, action="confirm", from_state=S.FULFILLED, note=thanks)
        audit.record("wish.confirm", wish, actor=actor)
        _notify([wish.claimed_by_id], wish, f"居民已确认您实现的微心愿：{wish.title}", thanks)
    return wish


def wishes_expire_claims(*, now=None) -> int:
    """Return claims past their deadline to the board.

    1. Read the ids of claimed wishes whose `claim_due_at` has passed (indexed).
    2. For each, a compare-and-swap UPDATE that only matches if the claim is unchanged, so a wish fulfilled
       or released meanwhile is left alone and two sweeps never both return it.
    3. For each wish actually returned: an event, an audit row, and notices to the poster and the claimer.
    """
    now = now or timezone.now()
    due = list(
        Wish.objects.filter(status=S.CLAIMED, claim_due_at__lte=now).values_list(
            "pk", "claimed_by_id", "claim_due_at"
        )
    )
    returned = 0
    for pk, claimer_id, due_at in due:
        with transaction.atomic():
            changed = Wish.objects.filter(
                pk=pk, status=S.CLAIMED, claimed_by_id=claimer_id, claim_due_at=due_at
            ).update(status=S.OPEN, claimed_by=None, claimed_at=None, claim_due_at=None, updated_at=now)
            if not changed:
                continue
            wish = Wish.objects.get(pk=pk)
            days = rule_value("wish.claim_days")
            _event(
                wish,
                actor=None,
                action="expire",
                from_state=S.CLAIMED,
                note=f"认领超过 {days} 天未实现，自动退回心愿墙",
                data={"claimed_by": claimer_id},
            )
            audit.record("wish.expire", wish, summary={"claimed_by": claimer_id})
            _notify([wish.poster_id], wish, f"您的微心愿认领已超期，已重新回到心愿墙：{wish.title}")
            _notify(
                [claimer_id], wish, f"您认领的微心愿已超期（{days} 天未实现），已退回心愿墙：{wish.title}"
            )
            returned += 1
    return returned


# --- 议事 votes ----------------------------------------------------------------------------------------


def topic_vote(*, actor, topic, choice: str):
    """Cast the actor's vote (for their household when the topic counts per household).

    1. Lock the topic row: votes on one topic are written one after the other (Decidim).
    2. Check the phase (表决), the choice, and eligibility (the voter's household grid lies in the area).
    3. Insert the vote inside a savepoint; the unique constraint is the final guard — a second vote of
       the same household or voter raises IntegrityError, answered as 409 「本户已投票」/「您已投票」.
    """
    from django.db import IntegrityError

    from redgrid.participation.models import Topic, Vote
    from redgrid.participation.selectors import household_grid_path

    with transaction.atomic():
        topic = Topic.objects.select_for_update(of=("self",)).select_related("area").get(pk=topic.pk)
        phase = topic.phase
        if phase != Topic.Phase.VOTING:
            raise Conflict(f"议题当前处于「{Topic.Phase(phase).label}」阶段，不能投票")
        if choice not in topic.options:
            raise ValidationError("请选择有效的表决选项")
        grid_path = household_grid_path(actor)
        if grid_path is None or not grid_path.startswith(topic.area.path):
            raise PermissionDenied("您不在本议题的表决范围内")
        per_household = topic.vote_unit == Topic.VoteUnit.HOUSEHOLD
        try:
            with transaction.atomic():
                vote = Vote.objects.create(
                    topic=topic,
                    voter=actor,
                    choice=choice,
                    household_id=actor.person.household_id if per_household else None,
                )
        except IntegrityError as exc:
            raise Conflict("本户已投票" if per_household else "您已投票") from exc
        audit.record("topic.vote", topic, actor=actor, summary={"vote": vote.pk})
    return vote
