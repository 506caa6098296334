"""Writing, sealing and verifying the tamper-evident audit trail (等保 2.0 安全审计, rules.md §10)."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from redgrid.core.context import current_actor
from redgrid.core.models import AuditBlock, AuditLog

GENESIS = "0" * 64


def record(action: str, obj=None, *, summary: dict | None = None, actor=None, ip: str | None = None,
           object_type: str = "", object_id: str = "", object_repr: str = "") -> AuditLog:
    """Append one audit row. Actor and IP default to the current request's (core.context)."""
    ctx = current_actor()
    if actor is not None and getattr(actor, "pk", None):
        actor_id, actor_name = actor.pk, actor.get_username()
    elif ctx is not None:
        actor_id, actor_name = ctx.user_id, ctx.name
    else:
        actor_id, actor_name = None, "系统"
    if ip is None and ctx is not None:
        ip = ctx.ip
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditLog.objects.create(
        actor_id=actor_id,
        actor_name=actor_name or "匿名",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        ip=ip,
        summary=summary or {},
    )


def _block_hash(prev_hash: str, rows: list[tuple[int, str]]) -> str:
    digest = hashlib.sha256(prev_hash.encode())
    for row_id, row_hash in rows:
        digest.update(f"{row_id}:{row_hash};".encode())
    return digest.hexdigest()


def seal(*, delay_seconds: int | None = None, max_rows: int = 20000) -> AuditBlock | None:
    """Seal the audit rows written since the last block into a new block.

    1. Lock the newest block (the only serialisation point of the chain).
    2. Take rows after its last id that are older than the delay, so transactions still in flight
       (whose ids were allocated but not yet committed) are not skipped over.
    3. Hash (id, row_hash) pairs with the previous block's hash and store the block.
    """
    delay = settings.AUDIT_SEAL_DELAY_SECONDS if delay_seconds is None else delay_seconds
    cutoff = timezone.now() - timedelta(seconds=delay)
    with transaction.atomic():
        last = AuditBlock.objects.select_for_update().order_by("-seq").first()
        after_id = last.last_id if last else 0
        rows = list(
            AuditLog.objects.filter(id__gt=after_id, at__lte=cutoff)
            .order_by("id")
            .values_list("id", "row_hash")[:max_rows]
        )
        if not rows:
            return None
        prev_hash = last.hash if last else GENESIS
        return AuditBlock.objects.create(
            seq=(last.seq + 1) if last else 1,
            first_id=rows[0][0],
            last_id=rows[-1][0],
            row_count=len(rows),
            prev_hash=prev_hash,
            hash=_block_hash(prev_hash, rows),
        )


@dataclass
class VerifyResult:
    ok: bool
    blocks: int
    rows: int
    message: str
    broken_block: int | None = None
    broken_row: int | None = None


def verify(*, chunk: int = 5000) -> VerifyResult:
    """Check every row hash and every block hash; name the first broken row or block.

    1. For each block in order: its prev_hash must equal the previous block's hash.
    2. Every row in the block's id range must hash to its stored row_hash (else: that row was edited).
    3. The recomputed block hash over (id, row_hash) must match (else: a row was removed, inserted or its
       stored hash replaced).
    """
    prev_hash = GENESIS
    blocks = rows_checked = 0
    for block in AuditBlock.objects.order_by("seq").iterator():
        if block.prev_hash != prev_hash:
            return VerifyResult(False, blocks, rows_checked, f"第 {block.seq} 块的前序哈希不连续", broken_block=block.seq)
        pairs = []
        qs = AuditLog.objects.filter(id__gte=block.first_id, id__lte=block.last_id).order_by("id")
        for row in qs.iterator(chunk_size=chunk):
            if row.content_hash() != row.row_hash:
                return VerifyResult(
                    False, blocks, rows_checked, f"审计记录 #{row.id} 的内容被修改（第 {block.seq} 块）",
                    broken_block=block.seq, broken_row=row.id,
                )
            pairs.append((row.id, row.row_hash))
            rows_checked += 1
        if len(pairs) != block.row_count or _block_hash(block.prev_hash, pairs) != block.hash:
            return VerifyResult(
                False, blocks, rows_checked,
                f"第 {block.seq} 块（记录 #{block.first_id}–#{block.last_id}）的记录被删除、插入或替换",
                broken_block=block.seq,
            )
        prev_hash = block.hash
        blocks += 1
    unsealed = AuditLog.objects.filter(id__gt=AuditBlock.objects.order_by("-seq").values("last_id")[:1]).count() \
        if blocks else AuditLog.objects.count()
    return VerifyResult(True, blocks, rows_checked, f"审计链完整：{blocks} 块，{rows_checked} 条记录；待封存 {unsealed} 条")
