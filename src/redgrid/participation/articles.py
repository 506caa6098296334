"""信息发布: articles for a target audience (region and party-org nodes × roles), pushed to the inbox after
publication, with read receipts and coverage (the share of the audience that read it) per node.

Publishing freezes the audience into `ArticleReceipt` rows (one per account, with the node it is counted
at); the push runs as a background task after commit, in chunks, and is idempotent. Coverage per node is
one grouped query over the receipts (children of a node share a path length in a materialized-path tree).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from redgrid.core import audit
from redgrid.core.access import get_or_404, scope_of
from redgrid.core.api import Conflict
from redgrid.core.models import Notification
from redgrid.participation.audience import (
    AUDIENCE_ROLES,
    audience_rows,
    manages_targets,
    reach_q,
    resolve_targets,
)
from redgrid.participation.models import Article, ArticleEvent, ArticleReceipt
from redgrid.participation.services import _clean_text

S = Article.Status
CHUNK = 1000
STEP = 4  # materialized-path step of both trees (treebeard default)

# Publication as data: drafts are edited and published; a published article can be withdrawn.
TRANSITIONS = {
    "update": (frozenset({S.DRAFT}), S.DRAFT, "修改"),
    "publish": (frozenset({S.DRAFT}), S.PUBLISHED, "发布"),
    "withdraw": (frozenset({S.PUBLISHED}), S.WITHDRAWN, "撤回"),
}


def _clean_roles(roles) -> list[str]:
    roles = sorted({r for r in roles or [] if r})
    if not roles or any(r not in AUDIENCE_ROLES for r in roles):
        raise ValidationError("请选择面向的角色（" + "、".join(AUDIENCE_ROLES.values()) + "）")
    return roles


def _clean(title, summary, body, category):
    if category not in Article.Category.values:
        raise ValidationError("栏目不正确")
    return (
        _clean_text(title, label="标题", max_length=100),
        _clean_text(summary, label="摘要", max_length=200, required=False),
        _clean_text(body, label="正文", max_length=50000),
    )


def _event(article, *, actor, action, from_state="", note="", data=None) -> ArticleEvent:
    return ArticleEvent.objects.create(
        article=article,
        actor=actor,
        action=action,
        from_state=from_state or article.status,
        to_state=article.status,
        note=note,
        data=data or {},
    )


def _locked(article, action: str, actor) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    sources, _, label = TRANSITIONS[action]
    if article.status not in sources:
        raise Conflict(f"该信息当前为「{article.get_status_display()}」，不能{label}")
    if not manages_targets(actor, article):
        raise PermissionDenied("只有发布单位可以执行此操作")
    return article


def article_create(
    *, actor, title: str, body: str, summary: str = "", category: str = Article.Category.NEWS,
    region_ids=(), org_ids=(), roles=("resident",),
) -> Article:
    """A draft for an audience inside the author's scope."""
    if not scope_of(actor).is_staff:
        raise PermissionDenied("只有工作人员可以发布信息")
    title, summary, body = _clean(title, summary, body, category)
    roles = _clean_roles(roles)
    regions, orgs = resolve_targets(actor, region_ids, org_ids)
    with transaction.atomic():
        article = Article.objects.create(
            title=title, summary=summary, body=body, category=category, roles=roles, created_by=actor
        )
        article.regions.set(regions)
        article.party_orgs.set(orgs)
        _event(article, actor=actor, action="create", from_state="")
        audit.record("article.create", article, actor=actor)
    return article


def article_update(*, actor, article, title: str, body: str, summary: str = "", category: str, region_ids=(),
                   org_ids=(), roles=()) -> Article:
    title, summary, body = _clean(title, summary, body, category)
    roles = _clean_roles(roles)
    regions, orgs = resolve_targets(actor, region_ids, org_ids)
    with transaction.atomic():
        article = _locked(article, "update", actor)
        article.title, article.summary, article.body = title, summary, body
        article.category, article.roles = category, roles
        article.save(update_fields=["title", "summary", "body", "category", "roles"])
        article.regions.set(regions)
        article.party_orgs.set(orgs)
        _event(article, actor=actor, action="update")
        audit.record("article.update", article, actor=actor)
    return article


def article_publish(*, actor, article) -> Article:
    """Publish a draft; the audience is frozen and pushed by a background task once this commits."""
    with transaction.atomic():
        article = _locked(article, "publish", actor)
        article.status, article.published_at = S.PUBLISHED, timezone.now()
        article.save(update_fields=["status", "published_at"])
        _event(article, actor=actor, action="publish", from_state=S.DRAFT)
        audit.record("article.publish", article, actor=actor)
        pk = article.pk

        def enqueue():
            from redgrid.participation.deliberation_tasks import article_push_task

            article_push_task.enqueue(pk)

        transaction.on_commit(enqueue)
    return article


def article_withdraw(*, actor, article, reason: str) -> Article:
    reason = _clean_text(reason, label="撤回原因", max_length=200)
    with transaction.atomic():
        article = _locked(article, "withdraw", actor)
        article.status = S.WITHDRAWN
        article.save(update_fields=["status"])
        _event(article, actor=actor, action="withdraw", from_state=S.PUBLISHED, note=reason)
        audit.record("article.withdraw", article, actor=actor, summary={"reason": reason})
    return article


def article_push(article_id: int) -> int:
    """Freeze the audience of a published article and push it to their inboxes (idempotent).

    1. Stream the audience (audience.audience_rows) into receipts in chunks; the unique constraint keeps
       the first row per account, so a rerun or an account reached twice adds nothing.
    2. For receipts not yet notified, in chunks: one inbox message each, then stamp `notified_at` — a
       retried task only notifies those the failed run did not reach.
    3. Store the audience size and a `push` event. Returns the number of messages sent.
    """
    article = Article.objects.filter(pk=article_id, status=S.PUBLISHED).first()
    if article is None:
        return 0
    region_paths = list(article.regions.values_list("path", flat=True))
    org_paths = list(article.party_orgs.values_list("path", flat=True))
    batch = []
    for user_id, node_type, node_path in audience_rows(region_paths, org_paths, article.roles):
        batch.append(ArticleReceipt(article=article, user_id=user_id, node_type=node_type, node_path=node_path))
        if len(batch) >= CHUNK:
            ArticleReceipt.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ArticleReceipt.objects.bulk_create(batch, ignore_conflicts=True)
    sent = 0
    link = f"/participation/articles/{article.pk}/"
    while True:
        chunk = list(
            article.receipts.filter(notified_at__isnull=True).order_by("id").values_list("id", "user_id")[:CHUNK]
        )
        if not chunk:
            break
        with transaction.atomic():
            Notification.objects.bulk_create(
                [
                    Notification(recipient_id=u, title=f"【{article.get_category_display()}】{article.title}",
                                 body=article.summary, link=link, kind="article")
                    for _, u in chunk
                ]
            )
            ArticleReceipt.objects.filter(pk__in=[i for i, _ in chunk]).update(notified_at=timezone.now())
        sent += len(chunk)
    size = article.receipts.count()
    Article.objects.filter(pk=article.pk).update(audience_size=size)
    if sent:
        _event(article, actor=None, action="push", note=f"推送 {sent} 人", data={"sent": sent, "audience": size})
    return sent


def article_mark_read(*, user, article) -> bool:
    """A read receipt: the first opening stamps `read_at` (compare-and-swap); the inbox message is marked
    read too. Returns whether this was the first read. Accounts outside the audience leave no receipt."""
    now = timezone.now()
    first = bool(
        ArticleReceipt.objects.filter(article=article, user=user, read_at__isnull=True).update(read_at=now)
    )
    if first:
        Notification.objects.filter(
            recipient=user, kind="article", link=f"/participation/articles/{article.pk}/", read_at__isnull=True
        ).update(read_at=now)
    return first


# --- selectors ------------------------------------------------------------------------------------------


def articles_visible_to(user) -> QuerySet[Article]:
    """Everyone: published articles they received. Staff: also every article whose targets lie in or
    above their subtree (drafts included, to manage them), and their own."""
    if not user.is_authenticated:
        return Article.objects.none()
    scope = scope_of(user)
    if scope.is_admin:
        return Article.objects.all()
    q = Q(status=S.PUBLISHED, pk__in=ArticleReceipt.objects.filter(user=user).values("article_id"))
    if scope.is_staff:
        q |= reach_q(Article, user) | Q(created_by=user)
    return Article.objects.filter(q)


def access_article(user, pk) -> Article:
    return get_or_404(articles_visible_to(user).select_related("created_by"), pk=pk)


def inbox_articles(user, *, q: str = "", category: str = "", unread: bool = False) -> QuerySet[Article]:
    """A resident's or member's articles, newest first, with their own read time (`my_read_at`)."""
    from django.db.models import OuterRef, Subquery

    mine = ArticleReceipt.objects.filter(article=OuterRef("pk"), user=user)
    qs = Article.objects.filter(status=S.PUBLISHED, pk__in=ArticleReceipt.objects.filter(user=user).values("article_id"))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if category in Article.Category.values:
        qs = qs.filter(category=category)
    qs = qs.annotate(my_read_at=Subquery(mine.values("read_at")[:1]))
    if unread:
        qs = qs.filter(my_read_at__isnull=True)
    return qs.order_by("-published_at", "-id")


def staff_articles(user, *, q: str = "", status: str = "", category: str = "") -> QuerySet[Article]:
    qs = articles_visible_to(user)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if status in S.values:
        qs = qs.filter(status=status)
    if category in Article.Category.values:
        qs = qs.filter(category=category)
    read = Count("receipts", filter=Q(receipts__read_at__isnull=False))
    return qs.annotate(n_read=read).order_by("-created_at", "-id")


def _roots(user, article) -> list[tuple[str, object]]:
    """Top rows of the coverage table: the article's targets the account covers, or — for a target above
    its subtree — the account's own granted nodes inside that target."""
    from redgrid.party.models import PartyOrg
    from redgrid.regions.models import Region

    scope = scope_of(user)
    roots: list[tuple[str, object]] = []
    for kind, targets, granted, model in (
        ("region", article.regions.all(), scope.region_paths, Region),
        ("org", article.party_orgs.all(), scope.org_paths, PartyOrg),
    ):
        for t in targets:
            covers = scope.covers_region_path(t.path) if kind == "region" else scope.covers_org_path(t.path)
            if covers:
                roots.append((kind, t))
            else:
                inner = [p for p in granted if p.startswith(t.path)]
                roots.extend((kind, n) for n in model.objects.filter(path__in=inner))
    # A target nested in another would be counted twice in the total.
    return [(k, n) for k, n in roots if not any(k == k2 and n.path.startswith(m.path) and n.pk != m.pk
                                                 for k2, m in roots)]


def _counts(article, kind: str, prefix: str, length: int) -> dict[str, tuple[int, int]]:
    rows = (
        article.receipts.filter(node_type=kind, node_path__startswith=prefix)
        .annotate(head=Substr("node_path", 1, length))
        .values("head")
        .annotate(total=Count("id"), read=Count("id", filter=Q(read_at__isnull=False)))
    )
    return {r["head"]: (r["total"], r["read"]) for r in rows}


def _row(kind, node, label, total, read, drill) -> dict:
    return {
        "kind": kind,
        "node": node,
        "label": label,
        "total": total,
        "read": read,
        "percent": round(read * 100 / total, 1) if total else 0.0,
        "drill": drill,
    }


def coverage(user, article, *, kind: str = "", node_id: int | None = None) -> dict:
    """Coverage for staff: the top nodes, or the children of one node (with a 本级 row for accounts
    counted at the node itself). Each row: audience, read, percent (1 decimal), and whether it drills down.

    Nodes outside the account's scope answer 404, like any other object."""
    from redgrid.party.models import PartyOrg
    from redgrid.regions.models import Region

    if not manages_targets(user, article) and not _roots(user, article):
        raise PermissionDenied("只有发布单位和目标范围内的工作人员可以查看阅读覆盖率")
    scope = scope_of(user)
    if not node_id:
        rows = []
        for k, n in _roots(user, article):
            counts = _counts(article, k, n.path, len(n.path))
            total, read = counts.get(n.path, (0, 0))
            rows.append(_row(k, n, str(n), total, read, n.numchild > 0))
        return {"parent": None, "rows": rows, "total": _sum(rows)}
    model = Region if kind == "region" else PartyOrg
    parent = get_or_404(model.objects.all(), pk=node_id)
    covers = scope.covers_region_path if kind == "region" else scope.covers_org_path
    if not covers(parent.path) or not any(parent.path.startswith(n.path) for _, n in _roots(user, article)):
        raise Http404("未找到，或不在您的管辖范围内")
    counts = _counts(article, "region" if kind == "region" else "org", parent.path, len(parent.path) + STEP)
    names = {n.path: n for n in model.objects.filter(path__in=[h for h in counts if h != parent.path])}
    rows = []
    if parent.path in counts:
        total, read = counts[parent.path]
        rows.append(_row(kind, None, f"{parent}（本级）", total, read, False))
    for head in sorted(h for h in counts if h != parent.path):
        node = names.get(head)
        total, read = counts[head]
        drill = node is not None and node.numchild > 0
        rows.append(_row(kind, node, str(node) if node else head, total, read, drill))
    return {"parent": parent, "rows": rows, "total": _sum(rows)}


def _sum(rows) -> dict:
    total = sum(r["total"] for r in rows)
    read = sum(r["read"] for r in rows)
    return {"total": total, "read": read, "percent": round(read * 100 / total, 1) if total else 0.0}
